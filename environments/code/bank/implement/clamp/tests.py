"""Tests of implement/clamp: visible ones are shown to the agent, hidden ones grade it."""

from solution import clamp

from agentgym.environments.code.checks import raises


def test_visible_1():
    assert clamp(5, 0, 3) == 3


def test_visible_2():
    assert clamp(-2, 0, 3) == 0


def test_hidden_1():
    assert clamp(2, 0, 3) == 2


def test_hidden_2():
    assert clamp(0, 0, 3) == 0


def test_hidden_3():
    assert clamp(3, 0, 3) == 3


def test_hidden_4():
    assert clamp(1.5, -1.0, 1.0) == 1.0


def test_hidden_5():
    assert clamp(-7, -5, -1) == -5


def test_hidden_6():
    assert clamp(4, 4, 4) == 4


def test_hidden_7():
    assert raises(ValueError, clamp, 1, 3, 0)
