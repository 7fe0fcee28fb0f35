"""Tests of implement/is_leap_year: visible ones are shown to the agent, hidden ones grade it."""

from solution import is_leap_year


def test_visible_1():
    assert is_leap_year(2024) is True


def test_visible_2():
    assert is_leap_year(1900) is False


def test_hidden_1():
    assert is_leap_year(2000) is True


def test_hidden_2():
    assert is_leap_year(2023) is False


def test_hidden_3():
    assert is_leap_year(2100) is False


def test_hidden_4():
    assert is_leap_year(2400) is True


def test_hidden_5():
    assert is_leap_year(4) is True


def test_hidden_6():
    assert is_leap_year(1) is False
