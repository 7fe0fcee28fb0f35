"""Tests of implement/caesar: visible ones are shown to the agent, hidden ones grade it."""

from solution import caesar


def test_visible_1():
    assert caesar('abc', 1) == 'bcd'


def test_visible_2():
    assert caesar('Hello, World!', 3) == 'Khoor, Zruog!'


def test_hidden_1():
    assert caesar('xyz', 3) == 'abc'


def test_hidden_2():
    assert caesar('abc', -1) == 'zab'


def test_hidden_3():
    assert caesar('Zebra', 52) == 'Zebra'


def test_hidden_4():
    assert caesar('', 5) == ''


def test_hidden_5():
    assert caesar('ünï 42', 1) == 'üoï 42'


def test_hidden_6():
    assert caesar(caesar('Round Trip', 11), -11) == 'Round Trip'
