"""Tests of bugfix/average: visible ones are shown to the agent, hidden ones grade it."""

from solution import average

from agentgym.environments.code.checks import approx


def test_visible_1():
    assert average([2, 4, 6]) == 4.0


def test_visible_2():
    assert average([5]) == 5.0


def test_hidden_1():
    assert average([]) == 0.0


def test_hidden_2():
    assert average([5]) == 5.0


def test_hidden_3():
    assert average([1, 2]) == 1.5


def test_hidden_4():
    assert average([-3, 3]) == 0.0


def test_hidden_5():
    assert approx(average([0.1, 0.2, 0.3]), 0.2)
