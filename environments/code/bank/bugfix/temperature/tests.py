"""Tests of bugfix/temperature: visible ones are shown to the agent, hidden ones grade it."""

from solution import c_to_f, f_to_c

from agentgym.environments.code.checks import approx


def test_visible_1():
    assert c_to_f(100) == 212


def test_visible_2():
    assert c_to_f(-40) == -40


def test_hidden_1():
    assert c_to_f(0) == 32


def test_hidden_2():
    assert f_to_c(212) == 100


def test_hidden_3():
    assert f_to_c(32) == 0


def test_hidden_4():
    assert approx(c_to_f(37), 98.6)


def test_hidden_5():
    assert approx(f_to_c(c_to_f(21.5)), 21.5)
