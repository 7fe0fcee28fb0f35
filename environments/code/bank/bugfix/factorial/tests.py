"""Tests of bugfix/factorial: visible ones are shown to the agent, hidden ones grade it."""

from solution import factorial

from agentgym.environments.code.checks import raises


def test_visible_1():
    assert factorial(5) == 120


def test_visible_2():
    assert factorial(3) == 6


def test_hidden_1():
    assert factorial(0) == 1


def test_hidden_2():
    assert factorial(1) == 1


def test_hidden_3():
    assert factorial(10) == 3628800


def test_hidden_4():
    assert factorial(25) == 15511210043330985984000000


def test_hidden_5():
    assert raises(ValueError, factorial, -1)
