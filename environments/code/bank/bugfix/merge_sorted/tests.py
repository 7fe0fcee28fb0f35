"""Tests of bugfix/merge_sorted: visible ones are shown to the agent, hidden ones grade it."""

from solution import merge


def test_visible_1():
    assert merge([1, 2], [3, 4]) == [1, 2, 3, 4]


def test_visible_2():
    assert merge([], [1]) == [1]


def test_hidden_1():
    assert merge([], []) == []


def test_hidden_2():
    assert merge([1], []) == [1]


def test_hidden_3():
    assert merge([1, 4, 9], [2, 3, 10]) == [1, 2, 3, 4, 9, 10]


def test_hidden_4():
    assert merge([5, 6], [1, 2]) == [1, 2, 5, 6]


def test_hidden_5():
    assert merge([1, 1], [1]) == [1, 1, 1]
