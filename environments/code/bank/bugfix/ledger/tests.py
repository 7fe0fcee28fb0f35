"""Tests of bugfix/ledger: visible ones are shown to the agent, hidden ones grade it."""

from solution import apply, rejected


def test_visible_1():
    assert apply(10, [('withdraw', 50)]) == 10


def test_visible_2():
    assert apply(0, [('withdraw', 5), ('deposit', 5), ('withdraw', 5)]) == 0


def test_hidden_1():
    assert apply(0, []) == 0


def test_hidden_2():
    assert apply(5, [('deposit', 10), ('withdraw', 3)]) == 12


def test_hidden_3():
    assert apply(10, [('withdraw', 10)]) == 0


def test_hidden_4():
    assert rejected(10, [('withdraw', 50), ('withdraw', 5), ('withdraw', 6)]) == [0, 2]


def test_hidden_5():
    assert rejected(0, [('deposit', 1)]) == []


def test_hidden_6():
    assert apply(1, [('withdraw', 2), ('deposit', 1), ('withdraw', 2)]) == 0
