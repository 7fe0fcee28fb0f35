"""Tests of implement/edit_distance: visible ones are shown to the agent, hidden ones grade it."""

from solution import edit_distance


def test_visible_1():
    assert edit_distance('kitten', 'sitting') == 3


def test_visible_2():
    assert edit_distance('', 'abc') == 3


def test_hidden_1():
    assert edit_distance('', '') == 0


def test_hidden_2():
    assert edit_distance('same', 'same') == 0


def test_hidden_3():
    assert edit_distance('flaw', 'lawn') == 2


def test_hidden_4():
    assert edit_distance('abc', 'cba') == 2


def test_hidden_5():
    assert edit_distance('a' * 300, 'b' * 300) == 300


def test_hidden_6():
    assert edit_distance('intention', 'execution') == 5
