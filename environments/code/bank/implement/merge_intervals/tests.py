"""Tests of implement/merge_intervals: visible ones are shown to the agent, hidden ones grade it."""

from solution import merge_intervals


def test_visible_1():
    assert merge_intervals([(1, 3), (2, 6), (8, 10)]) == [(1, 6), (8, 10)]


def test_visible_2():
    assert merge_intervals([(5, 7), (1, 5)]) == [(1, 7)]


def test_hidden_1():
    assert merge_intervals([]) == []


def test_hidden_2():
    assert merge_intervals([(1, 2)]) == [(1, 2)]


def test_hidden_3():
    assert merge_intervals([(1, 10), (2, 3), (4, 5)]) == [(1, 10)]


def test_hidden_4():
    assert merge_intervals([(3, 4), (1, 2)]) == [(1, 2), (3, 4)]


def test_hidden_5():
    assert merge_intervals([(0, 0), (0, 0)]) == [(0, 0)]


def test_hidden_6():
    assert merge_intervals([(-5, -1), (-1, 2), (4, 4)]) == [(-5, 2), (4, 4)]
