"""Tests of bugfix/normalize_path: visible ones are shown to the agent, hidden ones grade it."""

from solution import normalize


def test_visible_1():
    assert normalize('../a/b') == '../a/b'


def test_visible_2():
    assert normalize('a/..') == '.'


def test_hidden_1():
    assert normalize('/a//b/./c/') == '/a/b/c'


def test_hidden_2():
    assert normalize('/../x') == '/x'


def test_hidden_3():
    assert normalize('/') == '/'


def test_hidden_4():
    assert normalize('a/b/../../..') == '..'


def test_hidden_5():
    assert normalize('../../x/../y') == '../../y'


def test_hidden_6():
    assert normalize('') == '.'


def test_hidden_7():
    assert normalize('/a/b/..') == '/a'
