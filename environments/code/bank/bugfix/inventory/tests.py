"""Tests of bugfix/inventory: visible ones are shown to the agent, hidden ones grade it."""

from solution import add_item, remove_item, total

from agentgym.environments.code.checks import raises


def test_visible_1():
    assert remove_item({'apple': 2}, 'apple', 2) == {}


def test_visible_2():
    assert remove_item({'a': 1, 'b': 3}, 'a', 1) == {'b': 3}


def test_hidden_1():
    assert add_item({}, 'pear', 3) == {'pear': 3}


def test_hidden_2():
    assert add_item({'pear': 1}, 'pear', 3) == {'pear': 4}


def test_hidden_3():
    assert remove_item({'a': 5}, 'a', 2) == {'a': 3}


def test_hidden_4():
    assert remove_item({'a': 5, 'b': 1}, 'b', 1) == {'a': 5}


def test_hidden_5():
    assert raises(ValueError, remove_item, {'a': 1}, 'a', 2)


def test_hidden_6():
    assert raises(ValueError, remove_item, {}, 'ghost', 0)


def test_hidden_7():
    assert total({'a': 2, 'b': 5}) == 7


def test_hidden_8():
    assert total({}) == 0
