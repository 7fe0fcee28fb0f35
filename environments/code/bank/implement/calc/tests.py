"""Tests of implement/calc: visible ones are shown to the agent, hidden ones grade it."""

from solution import calc

from agentgym.environments.code.checks import raises


def test_visible_1():
    assert calc('2 + 3 * 4') == 14


def test_visible_2():
    assert calc('-(1 - 10) * 2') == 18


def test_hidden_1():
    assert calc('7') == 7


def test_hidden_2():
    assert calc('10 - 4 - 3') == 3


def test_hidden_3():
    assert calc('2 * (3 + 4) * 5') == 70


def test_hidden_4():
    assert calc('--3') == 3


def test_hidden_5():
    assert calc(' ( ( 1 ) ) ') == 1


def test_hidden_6():
    assert calc('3 - -2') == 5


def test_hidden_7():
    assert raises(ValueError, calc, '1 +')


def test_hidden_8():
    assert raises(ValueError, calc, '(1 + 2')


def test_hidden_9():
    assert raises(ValueError, calc, '2 $ 3')


def test_hidden_10():
    assert raises(ValueError, calc, '')
