"""Tests of implement/snake_to_camel: visible ones are shown to the agent, hidden ones grade it."""

from solution import snake_to_camel


def test_visible_1():
    assert snake_to_camel('hello_world') == 'helloWorld'


def test_visible_2():
    assert snake_to_camel('max_row_count') == 'maxRowCount'


def test_hidden_1():
    assert snake_to_camel('single') == 'single'


def test_hidden_2():
    assert snake_to_camel('') == ''


def test_hidden_3():
    assert snake_to_camel('_private_name') == 'privateName'


def test_hidden_4():
    assert snake_to_camel('a__b') == 'aB'


def test_hidden_5():
    assert snake_to_camel('HTTP_status') == 'httpStatus'


def test_hidden_6():
    assert snake_to_camel('trailing_') == 'trailing'
