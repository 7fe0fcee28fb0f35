"""Tests of implement/fizzbuzz_word: visible ones are shown to the agent, hidden ones grade it."""

from solution import fizzbuzz_word


def test_visible_1():
    assert fizzbuzz_word(9) == 'Fizz'


def test_visible_2():
    assert fizzbuzz_word(30) == 'FizzBuzz'


def test_hidden_1():
    assert fizzbuzz_word(1) == '1'


def test_hidden_2():
    assert fizzbuzz_word(10) == 'Buzz'


def test_hidden_3():
    assert fizzbuzz_word(45) == 'FizzBuzz'


def test_hidden_4():
    assert fizzbuzz_word(0) == 'FizzBuzz'


def test_hidden_5():
    assert fizzbuzz_word(-3) == 'Fizz'


def test_hidden_6():
    assert fizzbuzz_word(14) == '14'
