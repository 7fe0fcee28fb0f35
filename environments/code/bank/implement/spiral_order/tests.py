"""Tests of implement/spiral_order: visible ones are shown to the agent, hidden ones grade it."""

from solution import spiral_order


def test_visible_1():
    assert spiral_order([[1, 2, 3], [4, 5, 6], [7, 8, 9]]) == [1, 2, 3, 6, 9, 8, 7, 4, 5]


def test_visible_2():
    assert spiral_order([[1, 2], [3, 4], [5, 6]]) == [1, 2, 4, 6, 5, 3]


def test_hidden_1():
    assert spiral_order([]) == []


def test_hidden_2():
    assert spiral_order([[7]]) == [7]


def test_hidden_3():
    assert spiral_order([[1, 2, 3, 4]]) == [1, 2, 3, 4]


def test_hidden_4():
    assert spiral_order([[1], [2], [3]]) == [1, 2, 3]


def test_hidden_5():
    assert spiral_order([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]) == [1, 2, 3, 4, 8, 12, 11, 10, 9, 5, 6, 7]
