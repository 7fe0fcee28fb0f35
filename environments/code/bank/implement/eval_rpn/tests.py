"""Tests of implement/eval_rpn: visible ones are shown to the agent, hidden ones grade it."""

from solution import eval_rpn

from agentgym.environments.code.checks import raises


def test_visible_1():
    assert eval_rpn(['2', '1', '+', '3', '*']) == 9


def test_visible_2():
    assert eval_rpn(['7', '-2', '/']) == -3


def test_hidden_1():
    assert eval_rpn(['4', '13', '5', '/', '+']) == 6


def test_hidden_2():
    assert eval_rpn(['-7', '2', '/']) == -3


def test_hidden_3():
    assert eval_rpn(['42']) == 42


def test_hidden_4():
    assert eval_rpn(['3', '4', '-']) == -1


def test_hidden_5():
    assert raises(ValueError, eval_rpn, ['1', '+'])


def test_hidden_6():
    assert raises(ValueError, eval_rpn, ['1', '2'])


def test_hidden_7():
    assert raises(ValueError, eval_rpn, [])


def test_hidden_8():
    assert raises(ValueError, eval_rpn, ['1', 'x', '+'])


def test_hidden_9():
    assert raises(ZeroDivisionError, eval_rpn, ['1', '0', '/'])
