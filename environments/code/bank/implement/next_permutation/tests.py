"""Tests of implement/next_permutation: visible ones are shown to the agent, hidden ones grade it."""

from solution import next_permutation


def test_visible_1():
    assert next_permutation([1, 2, 3]) == [1, 3, 2]


def test_visible_2():
    assert next_permutation([3, 2, 1]) is None


def test_hidden_1():
    assert next_permutation([]) is None


def test_hidden_2():
    assert next_permutation([1]) is None


def test_hidden_3():
    assert next_permutation([1, 1, 5]) == [1, 5, 1]


def test_hidden_4():
    assert next_permutation([1, 3, 2]) == [2, 1, 3]


def test_hidden_5():
    assert next_permutation([2, 2, 1, 1]) is None


def test_hidden_6():
    assert next_permutation([1, 5, 8, 4, 7, 6, 5, 3, 1]) == [1, 5, 8, 5, 1, 3, 4, 6, 7]
