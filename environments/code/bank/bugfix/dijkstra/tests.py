"""Tests of bugfix/dijkstra: visible ones are shown to the agent, hidden ones grade it."""

from solution import distances


def test_visible_1():
    assert distances(3, [(0, 1, 2), (1, 2, 3)], 0) == [0, 2, 5]


def test_visible_2():
    assert distances(2, [], 0) == [0, -1]


def test_hidden_1():
    assert distances(1, [], 0) == [0]


def test_hidden_2():
    assert distances(3, [(0, 2, 10), (0, 1, 1), (1, 2, 1)], 0) == [0, 1, 2]


def test_hidden_3():
    assert distances(3, [(1, 0, 1)], 0) == [0, -1, -1]


def test_hidden_4():
    assert distances(4, [(0, 1, 5), (1, 2, 0), (2, 3, 5), (0, 3, 11)], 0) == [0, 5, 5, 10]


def test_hidden_5():
    assert distances(3, [(0, 1, 4), (0, 1, 2), (1, 2, 2)], 2) == [-1, -1, 0]
