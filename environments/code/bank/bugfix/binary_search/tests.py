"""Tests of bugfix/binary_search: visible ones are shown to the agent, hidden ones grade it."""

from solution import find


def test_visible_1():
    assert find([1, 3, 5, 7], 7) == 3


def test_visible_2():
    assert find([4], 4) == 0


def test_hidden_1():
    assert find([], 1) == -1


def test_hidden_2():
    assert find([1, 3, 5, 7], 1) == 0


def test_hidden_3():
    assert find([1, 3, 5, 7], 5) == 2


def test_hidden_4():
    assert find([1, 3, 5, 7], 4) == -1


def test_hidden_5():
    assert find([1, 3, 5, 7], 8) == -1


def test_hidden_6():
    assert find(list(range(0, 1000, 2)), 998) == 499
