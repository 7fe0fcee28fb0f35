"""Tests of implement/brackets_balanced: visible ones are shown to the agent, hidden ones grade it."""

from solution import brackets_balanced


def test_visible_1():
    assert brackets_balanced('f(a[1], {b: 2})') is True


def test_visible_2():
    assert brackets_balanced('([)]') is False


def test_hidden_1():
    assert brackets_balanced('') is True


def test_hidden_2():
    assert brackets_balanced('(((') is False


def test_hidden_3():
    assert brackets_balanced('())') is False


def test_hidden_4():
    assert brackets_balanced('}{') is False


def test_hidden_5():
    assert brackets_balanced('{[()()]}') is True


def test_hidden_6():
    assert brackets_balanced('no brackets') is True
