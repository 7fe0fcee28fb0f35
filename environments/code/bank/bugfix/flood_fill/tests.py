"""Tests of bugfix/flood_fill: visible ones are shown to the agent, hidden ones grade it."""

from solution import fill, region_size


def test_visible_1():
    assert fill(['a.', '.a'], 0, 0, 'x') == ['x.', '.a']


def test_visible_2():
    assert region_size(['aa', 'ab'], 0, 0) == 3


def test_hidden_1():
    assert fill(['...'], 0, 1, '#') == ['###']


def test_hidden_2():
    assert fill(['ab', 'ba'], 1, 1, 'z') == ['ab', 'bz']


def test_hidden_3():
    assert fill(['aaa', 'aba', 'aaa'], 1, 1, 'c') == ['aaa', 'aca', 'aaa']


def test_hidden_4():
    assert fill(['aaa', 'aba', 'aaa'], 0, 0, 'c') == ['ccc', 'cbc', 'ccc']


def test_hidden_5():
    assert region_size(['x'], 0, 0) == 1


def test_hidden_6():
    assert region_size(['ab', 'ba'], 0, 0) == 1


def test_hidden_7():
    assert region_size(['.' * 30] * 30, 5, 5) == 900
