"""Tests of bugfix/lru_trace: visible ones are shown to the agent, hidden ones grade it."""

from solution import trace


def test_visible_1():
    assert trace(2, ['a', 'b', 'c', 'a']) == ['miss', 'miss', 'miss', 'miss']


def test_visible_2():
    assert trace(2, ['a', 'b', 'c', 'b']) == ['miss', 'miss', 'miss', 'hit']


def test_hidden_1():
    assert trace(1, []) == []


def test_hidden_2():
    assert trace(1, ['x', 'x']) == ['miss', 'hit']


def test_hidden_3():
    assert trace(2, ['a', 'b', 'a', 'c', 'b']) == ['miss', 'miss', 'hit', 'miss', 'miss']


def test_hidden_4():
    assert trace(3, ['a', 'b', 'c', 'a', 'd', 'b']) == ['miss', 'miss', 'miss', 'hit', 'miss', 'miss']


def test_hidden_5():
    assert trace(3, ['a', 'b', 'c', 'b', 'a', 'd', 'c'])[-1] == 'miss'
