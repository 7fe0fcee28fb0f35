"""Tests of bugfix/truncate: visible ones are shown to the agent, hidden ones grade it."""

from solution import truncate

from agentgym.environments.code.checks import raises


def test_visible_1():
    assert truncate('hello world', 8) == 'hello...'


def test_visible_2():
    assert truncate('exact', 5) == 'exact'


def test_hidden_1():
    assert truncate('', 3) == ''


def test_hidden_2():
    assert truncate('abcd', 3) == '...'


def test_hidden_3():
    assert truncate('short', 10) == 'short'


def test_hidden_4():
    assert len(truncate('x' * 100, 20)) == 20


def test_hidden_5():
    assert raises(ValueError, truncate, 'abc', 2)
