"""Tests of implement/run_lengths: visible ones are shown to the agent, hidden ones grade it."""

from solution import run_lengths


def test_visible_1():
    assert run_lengths('aaabcc') == [('a', 3), ('b', 1), ('c', 2)]


def test_visible_2():
    assert run_lengths('') == []


def test_hidden_1():
    assert run_lengths('x') == [('x', 1)]


def test_hidden_2():
    assert run_lengths('abab') == [('a', 1), ('b', 1), ('a', 1), ('b', 1)]


def test_hidden_3():
    assert run_lengths('    ') == [(' ', 4)]


def test_hidden_4():
    assert run_lengths('aAa') == [('a', 1), ('A', 1), ('a', 1)]


def test_hidden_5():
    assert run_lengths('zz' * 50) == [('z', 100)]
