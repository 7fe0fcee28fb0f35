"""Tests of implement/wrap_words: visible ones are shown to the agent, hidden ones grade it."""

from solution import wrap_words

from agentgym.environments.code.checks import raises


def test_visible_1():
    assert wrap_words('the quick brown fox', 10) == ['the quick', 'brown fox']


def test_visible_2():
    assert wrap_words('abcdefgh', 3) == ['abc', 'def', 'gh']


def test_hidden_1():
    assert wrap_words('', 5) == []


def test_hidden_2():
    assert wrap_words('   ', 5) == []


def test_hidden_3():
    assert wrap_words('a b c', 1) == ['a', 'b', 'c']


def test_hidden_4():
    assert wrap_words('a b c', 3) == ['a b', 'c']


def test_hidden_5():
    assert wrap_words('hi abcdefg', 4) == ['hi', 'abcd', 'efg']


def test_hidden_6():
    assert wrap_words('one  two\nthree', 20) == ['one two three']


def test_hidden_7():
    assert raises(ValueError, wrap_words, 'x', 0)
