"""Tests of implement/is_anagram: visible ones are shown to the agent, hidden ones grade it."""

from solution import is_anagram


def test_visible_1():
    assert is_anagram('Listen', 'Silent') is True


def test_visible_2():
    assert is_anagram('abc', 'abd') is False


def test_hidden_1():
    assert is_anagram('', '') is True


def test_hidden_2():
    assert is_anagram('dormitory', 'dirty room') is True


def test_hidden_3():
    assert is_anagram('aab', 'abb') is False


def test_hidden_4():
    assert is_anagram('a', 'aa') is False


def test_hidden_5():
    assert is_anagram('Tom Marvolo', 'moTmar volo') is True
