"""Tests of implement/min_rooms: visible ones are shown to the agent, hidden ones grade it."""

from solution import min_rooms


def test_visible_1():
    assert min_rooms([(0, 30), (5, 10), (15, 20)]) == 2


def test_visible_2():
    assert min_rooms([(1, 5), (5, 9)]) == 1


def test_hidden_1():
    assert min_rooms([]) == 0


def test_hidden_2():
    assert min_rooms([(3, 3), (3, 3)]) == 0


def test_hidden_3():
    assert min_rooms([(1, 10), (2, 9), (3, 8), (4, 7)]) == 4


def test_hidden_4():
    assert min_rooms([(9, 12), (1, 3), (2, 4), (3, 5)]) == 2


def test_hidden_5():
    assert min_rooms([(0, 1)] * 5) == 5
