"""Tests of bugfix/justify: visible ones are shown to the agent, hidden ones grade it."""

from solution import justify, wrap


def test_visible_1():
    assert wrap('aaa bbb', 6) == ['aaa', 'bbb']


def test_visible_2():
    assert justify('ab c d efghi', 7) == ['ab  c d', 'efghi  ']


def test_hidden_1():
    assert wrap('', 5) == []


def test_hidden_2():
    assert wrap('abcdefgh xy', 4) == ['abcdefgh', 'xy']


def test_hidden_3():
    assert wrap('one two three four', 9) == ['one two', 'three', 'four']


def test_hidden_4():
    assert justify('This is an example of text', 16) == ['This    is    an', 'example of text ']


def test_hidden_5():
    assert justify('a bb c dd e', 7) == ['a  bb c', 'dd e   ']


def test_hidden_6():
    assert justify('word', 6) == ['word  ']
