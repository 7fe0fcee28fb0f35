"""Tests of implement/running_max: visible ones are shown to the agent, hidden ones grade it."""

from solution import running_max


def test_visible_1():
    assert running_max([1, 3, 2, 5, 4]) == [1, 3, 3, 5, 5]


def test_visible_2():
    assert running_max([]) == []


def test_hidden_1():
    assert running_max([7]) == [7]


def test_hidden_2():
    assert running_max([5, 4, 3]) == [5, 5, 5]


def test_hidden_3():
    assert running_max([-3, -1, -2]) == [-3, -1, -1]


def test_hidden_4():
    assert running_max([1.5, 1.5, 2.5]) == [1.5, 1.5, 2.5]
