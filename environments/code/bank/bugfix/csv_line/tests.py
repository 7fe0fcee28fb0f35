"""Tests of bugfix/csv_line: visible ones are shown to the agent, hidden ones grade it."""

from solution import parse_line


def test_visible_1():
    assert parse_line('a,"b,c",d') == ['a', 'b,c', 'd']


def test_visible_2():
    assert parse_line('"say ""hi"""') == ['say "hi"']


def test_hidden_1():
    assert parse_line('') == ['']


def test_hidden_2():
    assert parse_line('a,b') == ['a', 'b']


def test_hidden_3():
    assert parse_line('a,,b') == ['a', '', 'b']


def test_hidden_4():
    assert parse_line('""') == ['']


def test_hidden_5():
    assert parse_line('x,"1,2,3"') == ['x', '1,2,3']


def test_hidden_6():
    assert parse_line('trailing,') == ['trailing', '']
