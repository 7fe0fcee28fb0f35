"""Tests of bugfix/scheduler: visible ones are shown to the agent, hidden ones grade it."""

from solution import makespan, schedule


def test_visible_1():
    assert schedule([('a', 1, 5), ('b', 2, 3)]) == [('b', 0, 3), ('a', 3, 8)]


def test_visible_2():
    assert makespan([('x', 1, 2), ('y', 1, 2), ('z', 1, 2)]) == 6


def test_hidden_1():
    assert schedule([]) == []


def test_hidden_2():
    assert makespan([]) == 0


def test_hidden_3():
    assert schedule([('solo', 0, 4)]) == [('solo', 0, 4)]


def test_hidden_4():
    assert [t[0] for t in schedule([('b', 1, 1), ('a', 1, 1), ('c', 3, 1)])] == ['c', 'a', 'b']


def test_hidden_5():
    assert makespan([('a', 5, 10), ('b', 1, 1)]) == 11


def test_hidden_6():
    assert schedule([('p', 2, 0), ('q', 1, 3)]) == [('p', 0, 0), ('q', 0, 3)]
