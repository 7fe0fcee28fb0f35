"""Tests of bugfix/palindrome: visible ones are shown to the agent, hidden ones grade it."""

from solution import is_palindrome


def test_visible_1():
    assert is_palindrome('Racecar') is True


def test_visible_2():
    assert is_palindrome('A man, a plan, a canal: Panama') is True


def test_hidden_1():
    assert is_palindrome('') is True


def test_hidden_2():
    assert is_palindrome('abca') is False


def test_hidden_3():
    assert is_palindrome('No lemon, no melon') is True


def test_hidden_4():
    assert is_palindrome('12321') is True


def test_hidden_5():
    assert is_palindrome('ab') is False
