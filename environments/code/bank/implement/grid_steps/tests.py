"""Tests of implement/grid_steps: visible ones are shown to the agent, hidden ones grade it."""

from solution import grid_steps


def test_visible_1():
    assert grid_steps(['S.#', '..#', '#.E']) == 4


def test_visible_2():
    assert grid_steps(['S#E']) == -1


def test_hidden_1():
    assert grid_steps(['SE']) == 1


def test_hidden_2():
    assert grid_steps(['S', '.', 'E']) == 2


def test_hidden_3():
    assert grid_steps(['S....', '####.', 'E....']) == 10


def test_hidden_4():
    assert grid_steps(['S.', '##', '.E']) == -1


def test_hidden_5():
    assert grid_steps(['.' * 40 + 'S'] + ['.' * 41] * 30 + ['E' + '.' * 40]) == 71
