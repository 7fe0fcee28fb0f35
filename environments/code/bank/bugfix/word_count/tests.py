"""Tests of bugfix/word_count: visible ones are shown to the agent, hidden ones grade it."""

from solution import count_words


def test_visible_1():
    assert count_words('two  spaces') == 2


def test_visible_2():
    assert count_words('  padded  ') == 1


def test_hidden_1():
    assert count_words('') == 0


def test_hidden_2():
    assert count_words('one') == 1


def test_hidden_3():
    assert count_words('a b c') == 3


def test_hidden_4():
    assert count_words('tab\tand\nnewline') == 3


def test_hidden_5():
    assert count_words('   ') == 0
