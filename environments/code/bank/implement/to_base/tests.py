"""Tests of implement/to_base: visible ones are shown to the agent, hidden ones grade it."""

from solution import to_base

from agentgym.environments.code.checks import raises


def test_visible_1():
    assert to_base(255, 16) == 'ff'


def test_visible_2():
    assert to_base(-5, 2) == '-101'


def test_hidden_1():
    assert to_base(0, 7) == '0'


def test_hidden_2():
    assert to_base(35, 36) == 'z'


def test_hidden_3():
    assert to_base(36, 36) == '10'


def test_hidden_4():
    assert to_base(8, 8) == '10'


def test_hidden_5():
    assert to_base(123456789, 10) == '123456789'


def test_hidden_6():
    assert raises(ValueError, to_base, 5, 1)


def test_hidden_7():
    assert raises(ValueError, to_base, 5, 37)
