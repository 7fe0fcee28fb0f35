"""Tests of bugfix/first_max_index: visible ones are shown to the agent, hidden ones grade it."""

from solution import max_index


def test_visible_1():
    assert max_index([3, 7, 7, 1]) == 1


def test_visible_2():
    assert max_index([2, 2, 2]) == 0


def test_hidden_1():
    assert max_index([]) == -1


def test_hidden_2():
    assert max_index([5]) == 0


def test_hidden_3():
    assert max_index([1, 2, 3]) == 2


def test_hidden_4():
    assert max_index([9, 1, 9]) == 0


def test_hidden_5():
    assert max_index([-5, -2, -2, -9]) == 1
