"""Tests of bugfix/title_case: visible ones are shown to the agent, hidden ones grade it."""

from solution import title_case


def test_visible_1():
    assert title_case('hello world') == 'Hello World'


def test_visible_2():
    assert title_case('a b') == 'A B'


def test_hidden_1():
    assert title_case('') == ''


def test_hidden_2():
    assert title_case('PYTHON') == 'Python'


def test_hidden_3():
    assert title_case('the lord of the rings') == 'The Lord Of The Rings'


def test_hidden_4():
    assert title_case('x') == 'X'
