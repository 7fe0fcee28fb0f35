"""Tests of bugfix/roman: visible ones are shown to the agent, hidden ones grade it."""

from solution import from_roman, to_roman

from agentgym.environments.code.checks import raises


def test_visible_1():
    assert to_roman(1994) == 'MCMXCIV'


def test_visible_2():
    assert from_roman('XLII') == 42


def test_hidden_1():
    assert to_roman(1) == 'I'


def test_hidden_2():
    assert to_roman(4) == 'IV'


def test_hidden_3():
    assert to_roman(3999) == 'MMMCMXCIX'


def test_hidden_4():
    assert from_roman('MMXXIV') == 2024


def test_hidden_5():
    assert from_roman('CDXLIV') == 444


def test_hidden_6():
    assert all(from_roman(to_roman(n)) == n for n in (1, 9, 14, 40, 90, 400, 1666, 2948))


def test_hidden_7():
    assert raises(ValueError, to_roman, 0)


def test_hidden_8():
    assert raises(ValueError, to_roman, 4000)
