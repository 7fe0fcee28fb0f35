"""Tests of bugfix/arith_eval: visible ones are shown to the agent, hidden ones grade it."""

from solution import evaluate, tokenize

from agentgym.environments.code.checks import raises


def test_visible_1():
    assert tokenize('12+3') == [12, '+', 3]


def test_visible_2():
    assert evaluate('10 - 2 - 3') == 5


def test_hidden_1():
    assert tokenize('(1 // 2)') == ['(', 1, '//', 2, ')']


def test_hidden_2():
    assert tokenize('') == []


def test_hidden_3():
    assert evaluate('2 + 3 * 4') == 14


def test_hidden_4():
    assert evaluate('100 // 7 // 2') == 7


def test_hidden_5():
    assert evaluate('(1 + 2) * 30') == 90


def test_hidden_6():
    assert evaluate('8 - 3 + 2') == 7


def test_hidden_7():
    assert evaluate('42') == 42


def test_hidden_8():
    assert raises(ValueError, tokenize, '1 & 2')
