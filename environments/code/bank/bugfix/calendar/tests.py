"""Tests of bugfix/calendar: visible ones are shown to the agent, hidden ones grade it."""

from solution import day_of_year, days_in_month


def test_visible_1():
    assert day_of_year(2023, 1, 1) == 1


def test_visible_2():
    assert days_in_month(1900, 2) == 28


def test_hidden_1():
    assert days_in_month(2024, 2) == 29


def test_hidden_2():
    assert days_in_month(2000, 2) == 29


def test_hidden_3():
    assert days_in_month(2023, 4) == 30


def test_hidden_4():
    assert days_in_month(2023, 12) == 31


def test_hidden_5():
    assert day_of_year(2023, 3, 1) == 60


def test_hidden_6():
    assert day_of_year(2024, 12, 31) == 366


def test_hidden_7():
    assert day_of_year(2100, 3, 1) == 60
