"""Tests of implement/digit_sum: visible ones are shown to the agent, hidden ones grade it."""

from solution import digit_sum


def test_visible_1():
    assert digit_sum(1234) == 10


def test_visible_2():
    assert digit_sum(-42) == 6


def test_hidden_1():
    assert digit_sum(0) == 0


def test_hidden_2():
    assert digit_sum(9) == 9


def test_hidden_3():
    assert digit_sum(1000001) == 2


def test_hidden_4():
    assert digit_sum(-999) == 27


def test_hidden_5():
    assert digit_sum(10 ** 30) == 1
