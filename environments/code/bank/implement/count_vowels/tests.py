"""Tests of implement/count_vowels: visible ones are shown to the agent, hidden ones grade it."""

from solution import count_vowels


def test_visible_1():
    assert count_vowels('banana') == 3


def test_visible_2():
    assert count_vowels('SKY') == 0


def test_hidden_1():
    assert count_vowels('') == 0


def test_hidden_2():
    assert count_vowels('AEIOU') == 5


def test_hidden_3():
    assert count_vowels('Quiet Evening') == 6


def test_hidden_4():
    assert count_vowels('rhythm') == 0


def test_hidden_5():
    assert count_vowels('a1e2i3') == 3


def test_hidden_6():
    assert count_vowels('yay') == 1
