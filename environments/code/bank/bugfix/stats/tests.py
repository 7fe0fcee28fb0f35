"""Tests of bugfix/stats: visible ones are shown to the agent, hidden ones grade it."""

from solution import mean, median, mode

from agentgym.environments.code.checks import raises


def test_visible_1():
    assert median([4, 1, 3, 2]) == 2.5


def test_visible_2():
    assert mode([3, 1, 3, 1, 2]) == 1


def test_hidden_1():
    assert mean([1, 2, 3, 4]) == 2.5


def test_hidden_2():
    assert median([5, 1, 3]) == 3


def test_hidden_3():
    assert median([1, 2]) == 1.5


def test_hidden_4():
    assert median([7]) == 7


def test_hidden_5():
    assert mode([4, 4, 2]) == 4


def test_hidden_6():
    assert mode([9, 8, 7]) == 7


def test_hidden_7():
    assert raises(ValueError, mean, [])


def test_hidden_8():
    assert raises(ValueError, median, [])


def test_hidden_9():
    assert raises(ValueError, mode, [])
