"""Tests of implement/count_islands: visible ones are shown to the agent, hidden ones grade it."""

from solution import count_islands


def test_visible_1():
    assert count_islands(['##..', '#..#', '...#']) == 2


def test_visible_2():
    assert count_islands([]) == 0


def test_hidden_1():
    assert count_islands(['....']) == 0


def test_hidden_2():
    assert count_islands(['#.#', '.#.', '#.#']) == 5


def test_hidden_3():
    assert count_islands(['###', '#.#', '###']) == 1


def test_hidden_4():
    assert count_islands(['#', '##', '.##']) == 1


def test_hidden_5():
    assert count_islands(['#' * 200] * 200) == 1
