"""Tests of implement/group_anagrams: visible ones are shown to the agent, hidden ones grade it."""

from solution import group_anagrams


def test_visible_1():
    assert group_anagrams(['eat', 'tea', 'tan', 'ate', 'nat', 'bat']) == [['ate', 'eat', 'tea'], ['bat'], ['nat', 'tan']]


def test_hidden_1():
    assert group_anagrams([]) == []


def test_hidden_2():
    assert group_anagrams(['a']) == [['a']]


def test_hidden_3():
    assert group_anagrams(['ab', 'ba', 'ab']) == [['ab', 'ab', 'ba']]


def test_hidden_4():
    assert group_anagrams(['Ab', 'bA', 'ab']) == [['Ab', 'bA'], ['ab']]


def test_hidden_5():
    assert group_anagrams(['', '']) == [['', '']]
