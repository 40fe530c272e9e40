"""Exact money: every accepted spelling and every refusal."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asukasbudjetti.errors import MoneyError
from asukasbudjetti.money import format_money, parse_money, to_money


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1000", Fraction(1000)),
        ("1000.50", Fraction(2001, 2)),
        ("748772.64", Fraction(74877264, 100)),
        ("1200.0", Fraction(1200)),
        ("2228141.75", Fraction(222814175, 100)),
        ("0", Fraction(0)),
        (" 15 ", Fraction(15)),
        ("1000,50", Fraction(2001, 2)),
        ("0.1", Fraction(1, 10)),  # exactly one tenth, which no binary float is
        ("999999999", Fraction(999999999)),
    ],
)
def test_parse_money_accepts_decimal_text(text: str, expected: Fraction) -> None:
    assert parse_money(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "nan",
        "NaN",
        "inf",
        "-inf",
        "Infinity",
        "-5",
        "-0.5",
        "1e5",
        "1e5x",
        "1E5",
        "",
        " ",
        "1.",
        ".5",
        "1,000",
        "1 000",
        "1.000.000",
        "+5",
        "0x10",
        "12abc",
        "1_000",
    ],
)
def test_parse_money_refuses_everything_else(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_money(text)


def test_negative_amount_says_negative() -> None:
    with pytest.raises(MoneyError, match="negative"):
        parse_money("-5")


def test_float_is_refused_by_library_entry_points() -> None:
    with pytest.raises(MoneyError, match="float"):
        to_money(0.1)  # type: ignore[arg-type]  # the point of the test
    with pytest.raises(MoneyError):
        parse_money(100.0)  # type: ignore[arg-type]  # the point of the test


def test_to_money_accepts_exact_types() -> None:
    assert to_money(5) == 5
    assert to_money(Fraction(1, 3)) == Fraction(1, 3)
    assert to_money("2.5") == Fraction(5, 2)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Fraction(1000), "1000"),
        (Fraction(2001, 2), "1000.5"),
        (Fraction(74877264, 100), "748772.64"),
        (Fraction(1, 3), "1/3"),
        (Fraction(1, 8), "0.125"),
        (Fraction(0), "0"),
        (Fraction(-5, 2), "-2.5"),
        (Fraction(7, 20), "0.35"),
    ],
)
def test_format_money_is_exact(amount: Fraction, text: str) -> None:
    assert format_money(amount) == text


@given(st.integers(min_value=0, max_value=10**15), st.integers(min_value=0, max_value=6))
def test_format_then_parse_round_trips(units: int, places: int) -> None:
    amount = Fraction(units, 10**places)
    assert parse_money(format_money(amount)) == amount
