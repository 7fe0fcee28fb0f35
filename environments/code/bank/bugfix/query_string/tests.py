"""Tests of bugfix/query_string: visible ones are shown to the agent, hidden ones grade it."""

from solution import decode, encode


def test_visible_1():
    assert encode({'b': '2', 'a': '1'}) == 'a=1&b=2'


def test_visible_2():
    assert decode('q=hello+world') == {'q': 'hello world'}


def test_hidden_1():
    assert encode({}) == ''


def test_hidden_2():
    assert encode({'q': 'a b&c'}) == 'q=a+b%26c'


def test_hidden_3():
    assert encode({'city': 'Zürich'}) == 'city=Z%C3%BCrich'


def test_hidden_4():
    assert decode('city=Z%C3%BCrich') == {'city': 'Zürich'}


def test_hidden_5():
    assert decode('') == {}


def test_hidden_6():
    assert decode(encode({'x': '1+1=2', 'y': '~ok_'})) == {'x': '1+1=2', 'y': '~ok_'}


def test_hidden_7():
    assert decode('flag=') == {'flag': ''}
