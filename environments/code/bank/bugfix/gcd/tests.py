"""Tests of bugfix/gcd: visible ones are shown to the agent, hidden ones grade it."""

from solution import gcd, lcm


def test_visible_1():
    assert gcd(12, 18) == 6


def test_visible_2():
    assert lcm(4, 6) == 12


def test_hidden_1():
    assert gcd(0, 0) == 0


def test_hidden_2():
    assert gcd(7, 0) == 7


def test_hidden_3():
    assert gcd(0, 9) == 9


def test_hidden_4():
    assert gcd(17, 5) == 1


def test_hidden_5():
    assert gcd(100, 75) == 25


def test_hidden_6():
    assert lcm(0, 3) == 0


def test_hidden_7():
    assert lcm(21, 6) == 42
