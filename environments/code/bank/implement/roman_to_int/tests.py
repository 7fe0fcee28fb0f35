"""Tests of implement/roman_to_int: visible ones are shown to the agent, hidden ones grade it."""

from solution import roman_to_int


def test_visible_1():
    assert roman_to_int('XIV') == 14


def test_visible_2():
    assert roman_to_int('MCMXCIV') == 1994


def test_hidden_1():
    assert roman_to_int('I') == 1


def test_hidden_2():
    assert roman_to_int('IV') == 4


def test_hidden_3():
    assert roman_to_int('IX') == 9


def test_hidden_4():
    assert roman_to_int('XL') == 40


def test_hidden_5():
    assert roman_to_int('CDXLIV') == 444


def test_hidden_6():
    assert roman_to_int('MMMCMXCIX') == 3999


def test_hidden_7():
    assert roman_to_int('LVIII') == 58
