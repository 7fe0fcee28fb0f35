"""Tests of implement/top_words: visible ones are shown to the agent, hidden ones grade it."""

from solution import top_words


def test_visible_1():
    assert top_words('the cat and the hat', 2) == [('the', 2), ('and', 1)]


def test_visible_2():
    assert top_words('Go, go, GO!', 1) == [('go', 3)]


def test_hidden_1():
    assert top_words('', 3) == []


def test_hidden_2():
    assert top_words('b a c', 5) == [('a', 1), ('b', 1), ('c', 1)]


def test_hidden_3():
    assert top_words('x1y x-y', 1) == [('x', 2)]


def test_hidden_4():
    assert top_words('one two two three three three', 0) == []


def test_hidden_5():
    assert top_words('It is what it is', 2) == [('is', 2), ('it', 2)]
