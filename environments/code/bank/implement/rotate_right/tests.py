"""Tests of implement/rotate_right: visible ones are shown to the agent, hidden ones grade it."""

from solution import rotate_right


def test_visible_1():
    assert rotate_right([1, 2, 3, 4, 5], 2) == [4, 5, 1, 2, 3]


def test_visible_2():
    assert rotate_right([1, 2, 3], 4) == [3, 1, 2]


def test_hidden_1():
    assert rotate_right([], 3) == []


def test_hidden_2():
    assert rotate_right([1, 2, 3], 0) == [1, 2, 3]


def test_hidden_3():
    assert rotate_right([1, 2, 3], -1) == [2, 3, 1]


def test_hidden_4():
    assert rotate_right(['a'], 10) == ['a']


def test_hidden_5():
    assert rotate_right([1, 2, 3], 3) == [1, 2, 3]
