"""Tests of implement/longest_increasing: visible ones are shown to the agent, hidden ones grade it."""

from solution import longest_increasing


def test_visible_1():
    assert longest_increasing([10, 9, 2, 5, 3, 7, 101, 18]) == 4


def test_visible_2():
    assert longest_increasing([]) == 0


def test_hidden_1():
    assert longest_increasing([5]) == 1


def test_hidden_2():
    assert longest_increasing([3, 3, 3]) == 1


def test_hidden_3():
    assert longest_increasing([1, 2, 3, 4]) == 4


def test_hidden_4():
    assert longest_increasing([4, 3, 2, 1]) == 1


def test_hidden_5():
    assert longest_increasing([0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15]) == 6


def test_hidden_6():
    assert longest_increasing(list(range(10000))) == 10000


def test_hidden_7():
    assert longest_increasing([(i * 7919) % 10007 for i in range(10000)]) == 101
