"""Tests of implement/parse_duration: visible ones are shown to the agent, hidden ones grade it."""

from solution import parse_duration

from agentgym.environments.code.checks import raises


def test_visible_1():
    assert parse_duration('1h30m') == 5400


def test_visible_2():
    assert raises(ValueError, parse_duration, '5x')


def test_hidden_1():
    assert parse_duration('45s') == 45


def test_hidden_2():
    assert parse_duration('2h5s') == 7205


def test_hidden_3():
    assert parse_duration('0m') == 0


def test_hidden_4():
    assert parse_duration('1h1m1s') == 3661


def test_hidden_5():
    assert parse_duration('90m') == 5400


def test_hidden_6():
    assert raises(ValueError, parse_duration, '')


def test_hidden_7():
    assert raises(ValueError, parse_duration, '1m1h')


def test_hidden_8():
    assert raises(ValueError, parse_duration, 'h')


def test_hidden_9():
    assert raises(ValueError, parse_duration, '1h 30m')
