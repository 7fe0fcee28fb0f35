"""Tests of implement/flatten: visible ones are shown to the agent, hidden ones grade it."""

from solution import flatten


def test_visible_1():
    assert flatten([1, [2, [3, [4]], 5]]) == [1, 2, 3, 4, 5]


def test_visible_2():
    assert flatten([[], [[]]]) == []


def test_hidden_1():
    assert flatten([]) == []


def test_hidden_2():
    assert flatten([1, 2]) == [1, 2]


def test_hidden_3():
    assert flatten([(1, 2), [3]]) == [(1, 2), 3]


def test_hidden_4():
    assert flatten(['ab', ['cd']]) == ['ab', 'cd']


def test_hidden_5():
    assert flatten([[[[[[7]]]]]]) == [7]
