"""Tests of implement/lru_misses: visible ones are shown to the agent, hidden ones grade it."""

from solution import lru_misses


def test_visible_1():
    assert lru_misses(2, ['a', 'b', 'a', 'c', 'b']) == 4


def test_visible_2():
    assert lru_misses(0, ['a', 'a']) == 2


def test_hidden_1():
    assert lru_misses(3, []) == 0


def test_hidden_2():
    assert lru_misses(1, ['x', 'x', 'x']) == 1


def test_hidden_3():
    assert lru_misses(2, ['a', 'b', 'c', 'a', 'b', 'c']) == 6


def test_hidden_4():
    assert lru_misses(2, ['a', 'b', 'a', 'c', 'a', 'b']) == 4


def test_hidden_5():
    assert lru_misses(3, ['a', 'b', 'c', 'a', 'd', 'b', 'e', 'a']) == 7
