"""Tests of bugfix/union_length: visible ones are shown to the agent, hidden ones grade it."""

from solution import covered


def test_visible_1():
    assert covered([(5, 8), (1, 3)]) == 5


def test_visible_2():
    assert covered([(1, 10), (2, 3)]) == 9


def test_hidden_1():
    assert covered([]) == 0


def test_hidden_2():
    assert covered([(0, 4)]) == 4


def test_hidden_3():
    assert covered([(1, 3), (2, 5)]) == 4


def test_hidden_4():
    assert covered([(4, 6), (1, 2), (2, 4)]) == 5


def test_hidden_5():
    assert covered([(0, 10), (1, 2), (3, 4), (12, 13)]) == 11


def test_hidden_6():
    assert covered([(2, 2), (2, 2)]) == 0
