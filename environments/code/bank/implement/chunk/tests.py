"""Tests of implement/chunk: visible ones are shown to the agent, hidden ones grade it."""

from solution import chunk

from agentgym.environments.code.checks import raises


def test_visible_1():
    assert chunk([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]


def test_visible_2():
    assert raises(ValueError, chunk, [1], 0)


def test_hidden_1():
    assert chunk([], 3) == []


def test_hidden_2():
    assert chunk([1, 2, 3], 3) == [[1, 2, 3]]


def test_hidden_3():
    assert chunk([1, 2, 3], 5) == [[1, 2, 3]]


def test_hidden_4():
    assert chunk(['a', 'b'], 1) == [['a'], ['b']]


def test_hidden_5():
    assert raises(ValueError, chunk, [1, 2], -2)
