"""Tests of implement/common_prefix: visible ones are shown to the agent, hidden ones grade it."""

from solution import common_prefix


def test_visible_1():
    assert common_prefix(['flower', 'flow', 'flight']) == 'fl'


def test_visible_2():
    assert common_prefix(['dog', 'car']) == ''


def test_hidden_1():
    assert common_prefix([]) == ''


def test_hidden_2():
    assert common_prefix(['alone']) == 'alone'


def test_hidden_3():
    assert common_prefix(['same', 'same']) == 'same'


def test_hidden_4():
    assert common_prefix(['', 'abc']) == ''


def test_hidden_5():
    assert common_prefix(['interview', 'internet', 'interval']) == 'inter'
