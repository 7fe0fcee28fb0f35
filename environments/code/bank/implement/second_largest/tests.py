"""Tests of implement/second_largest: visible ones are shown to the agent, hidden ones grade it."""

from solution import second_largest


def test_visible_1():
    assert second_largest([4, 1, 7, 3]) == 4


def test_visible_2():
    assert second_largest([5, 5]) is None


def test_hidden_1():
    assert second_largest([]) is None


def test_hidden_2():
    assert second_largest([1]) is None


def test_hidden_3():
    assert second_largest([9, 9, 8]) == 8


def test_hidden_4():
    assert second_largest([-1, -5, -3]) == -3


def test_hidden_5():
    assert second_largest([2, 3, 3, 1]) == 2
