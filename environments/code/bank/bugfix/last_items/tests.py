"""Tests of bugfix/last_items: visible ones are shown to the agent, hidden ones grade it."""

from solution import last_n

from agentgym.environments.code.checks import raises


def test_visible_1():
    assert last_n([1, 2, 3], 0) == []


def test_visible_2():
    assert last_n(['a', 'b'], 0) == []


def test_hidden_1():
    assert last_n([1, 2, 3], 2) == [2, 3]


def test_hidden_2():
    assert last_n([1, 2, 3], 3) == [1, 2, 3]


def test_hidden_3():
    assert last_n([1, 2, 3], 10) == [1, 2, 3]


def test_hidden_4():
    assert last_n([4], 0) == []


def test_hidden_5():
    assert raises(ValueError, last_n, [1], -1)
