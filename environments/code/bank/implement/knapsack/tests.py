"""Tests of implement/knapsack: visible ones are shown to the agent, hidden ones grade it."""

from solution import knapsack


def test_visible_1():
    assert knapsack([(1, 1), (3, 4), (4, 5), (5, 7)], 7) == 9


def test_visible_2():
    assert knapsack([(5, 10)], 4) == 0


def test_hidden_1():
    assert knapsack([], 10) == 0


def test_hidden_2():
    assert knapsack([(1, 5), (1, 5), (1, 5)], 2) == 10


def test_hidden_3():
    assert knapsack([(2, 3), (3, 4), (4, 5), (5, 6)], 5) == 7


def test_hidden_4():
    assert knapsack([(10, 60), (20, 100), (30, 120)], 50) == 220


def test_hidden_5():
    assert knapsack([(3, 4)], 0) == 0


def test_hidden_6():
    assert knapsack([(w, w * 3 % 17 + 1) for w in range(1, 40)], 100) == 136
