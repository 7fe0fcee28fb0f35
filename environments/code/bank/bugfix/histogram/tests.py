"""Tests of bugfix/histogram: visible ones are shown to the agent, hidden ones grade it."""

from solution import histogram


def test_visible_1():
    assert histogram([0, 5, 10], 2, 0, 10) == [1, 2]


def test_visible_2():
    assert histogram([1.0], 1, 0, 1) == [1]


def test_hidden_1():
    assert histogram([], 3, 0, 3) == [0, 0, 0]


def test_hidden_2():
    assert histogram([0, 1, 2], 3, 0, 3) == [1, 1, 1]


def test_hidden_3():
    assert histogram([-1, 11], 2, 0, 10) == [0, 0]


def test_hidden_4():
    assert histogram([2.5, 7.5, 7.6], 4, 0, 10) == [0, 1, 0, 2]


def test_hidden_5():
    assert histogram([3], 3, 0, 3) == [0, 0, 1]
