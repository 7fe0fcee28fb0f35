"""Tests of bugfix/reverse_words: visible ones are shown to the agent, hidden ones grade it."""

from solution import reverse_words


def test_visible_1():
    assert reverse_words('hello brave new world') == 'world new brave hello'


def test_visible_2():
    assert reverse_words('ab cd') == 'cd ab'


def test_hidden_1():
    assert reverse_words('') == ''


def test_hidden_2():
    assert reverse_words('single') == 'single'


def test_hidden_3():
    assert reverse_words('  a   b  ') == 'b a'


def test_hidden_4():
    assert reverse_words('1 2 3') == '3 2 1'
