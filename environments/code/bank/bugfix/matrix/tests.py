"""Tests of bugfix/matrix: visible ones are shown to the agent, hidden ones grade it."""

from solution import identity, matmul, power

from agentgym.environments.code.checks import raises


def test_visible_1():
    assert matmul([[1, 2], [3, 4]], [[5, 6], [7, 8]]) == [[19, 22], [43, 50]]


def test_visible_2():
    assert power([[2, 0], [0, 3]], 0) == [[1, 0], [0, 1]]


def test_hidden_1():
    assert identity(2) == [[1, 0], [0, 1]]


def test_hidden_2():
    assert matmul([[1, 2, 3]], [[1], [2], [3]]) == [[14]]


def test_hidden_3():
    assert matmul([[1], [2]], [[3, 4]]) == [[3, 4], [6, 8]]


def test_hidden_4():
    assert raises(ValueError, matmul, [[1, 2]], [[1, 2]])


def test_hidden_5():
    assert power([[1, 1], [1, 0]], 10) == [[89, 55], [55, 34]]


def test_hidden_6():
    assert power([[5]], 1) == [[5]]


def test_hidden_7():
    assert power([[1, 1], [1, 0]], 90)[0][1] == 2880067194370816120
