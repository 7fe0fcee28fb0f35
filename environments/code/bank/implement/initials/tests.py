"""Tests of implement/initials: visible ones are shown to the agent, hidden ones grade it."""

from solution import initials


def test_visible_1():
    assert initials('ada lovelace') == 'A.L.'


def test_visible_2():
    assert initials('jean-luc picard') == 'J.L.P.'


def test_hidden_1():
    assert initials('') == ''


def test_hidden_2():
    assert initials('grace') == 'G.'


def test_hidden_3():
    assert initials('  alan   mathison  turing ') == 'A.M.T.'


def test_hidden_4():
    assert initials('Tab\tSeparated') == 'T.S.'
