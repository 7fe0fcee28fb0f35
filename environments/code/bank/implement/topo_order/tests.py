"""Tests of implement/topo_order: visible ones are shown to the agent, hidden ones grade it."""

from solution import topo_order

from agentgym.environments.code.checks import raises


def test_visible_1():
    assert topo_order({'b': ['a'], 'c': ['a', 'b']}) == ['a', 'b', 'c']


def test_visible_2():
    assert raises(ValueError, topo_order, {'a': ['b'], 'b': ['a']})


def test_hidden_1():
    assert topo_order({}) == []


def test_hidden_2():
    assert topo_order({'z': [], 'a': []}) == ['a', 'z']


def test_hidden_3():
    assert topo_order({'a': ['z']}) == ['z', 'a']


def test_hidden_4():
    assert topo_order({'d': ['b', 'c'], 'b': ['a'], 'c': ['a']}) == ['a', 'b', 'c', 'd']


def test_hidden_5():
    assert raises(ValueError, topo_order, {'x': ['x']})


def test_hidden_6():
    assert topo_order({'b': ['a', 'a'], 'c': []}) == ['a', 'b', 'c']


def test_hidden_7():
    assert raises(ValueError, topo_order, {'a': ['b'], 'b': ['c'], 'c': ['a'], 'd': []})
