"""Exact money: parsed from the file's text, never through a binary float.

Costs and budgets are :class:`fractions.Fraction` values. ``1000``, ``1000.50``,
``748772.64`` and ``1200.0`` are read digit by digit; ``1000,50`` (decimal comma, as
spreadsheets export it) is accepted too. Anything else is refused with a
:class:`~asukasbudjetti.errors.MoneyError`: signs, exponents (``1e5``), ``nan``,
``inf``, thousands separators, and a comma followed by exactly three digits
(``1,000`` could be one thousand or one, so we do not guess).
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Annotated

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema

from asukasbudjetti.errors import MoneyError

#: The longest amount, in characters, that is read at all.
MAX_DIGITS = 1000
_AMOUNT = re.compile(r"(?P<whole>[0-9]+)(?:(?P<sep>[.,])(?P<frac>[0-9]+))?")


def parse_money(text: str) -> Fraction:
    """Read a non-negative amount of money written in decimal notation.

    Raises :class:`MoneyError` naming the text when it is not such an amount.
    """
    if not isinstance(text, str):
        # A float has already lost the exact amount: refuse it rather than round it.
        raise MoneyError(f"money must be given as text, not {type(text).__name__} {text!r}")
    stripped = text.strip()
    match = _AMOUNT.fullmatch(stripped)
    if match is None:
        if stripped.startswith("-"):
            raise MoneyError(f"{text!r} is negative; expected an amount of at least 0")
        raise MoneyError(f"{text!r} is not an amount of money; expected digits such as 1000 or 1000.50")
    if len(stripped) > MAX_DIGITS:
        # Python refuses to read more than sys.get_int_max_str_digits() digits (4300)
        # with a bare ValueError; no real amount comes anywhere near this.
        raise MoneyError(
            f"{stripped[:20]!r}... has {len(stripped)} characters, too many digits to read; "
            "expected an amount such as 1000 or 1000.50"
        )
    whole, sep, frac = match.group("whole", "sep", "frac")
    if sep == "," and len(frac) == 3:
        raise MoneyError(
            f"{text!r} is ambiguous (thousands separator or decimal comma?); "
            "expected no thousands separators, e.g. 1000 or 1000.50"
        )
    if frac is None:
        return Fraction(int(whole))
    return Fraction(int(whole + frac), 10 ** len(frac))


def to_money(value: int | Fraction | str) -> Fraction:
    """Coerce a library argument to exact money; ``float`` is refused."""
    if isinstance(value, bool | float):
        raise MoneyError(f"money must be exact (int, Fraction, Decimal text), not float {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise MoneyError(f"{value} is negative; expected an amount of at least 0")
        return Fraction(value)
    if isinstance(value, Fraction):
        if value < 0:
            raise MoneyError(f"{value} is negative; expected an amount of at least 0")
        return value
    return parse_money(value)


def format_money(amount: Fraction) -> str:
    """The exact decimal text of ``amount`` (``"1000.5"``, ``"20"``).

    An amount with no finite decimal expansion (possible after dividing a budget
    among voters) is written as a fraction ``"1000/3"``, never rounded.
    """
    if amount.denominator == 1:
        return str(amount.numerator)
    denominator = amount.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        return f"{amount.numerator}/{amount.denominator}"
    places = max(twos, fives)
    scaled = abs(amount.numerator) * (10**places // amount.denominator)
    sign = "-" if amount < 0 else ""
    digits = str(scaled).rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}".rstrip("0").rstrip(".")


# --- money in records -------------------------------------------------------------------------------------------

#: Exact money as a record writes it: a decimal (``"748772.64"``) or a fraction (``"1000/3"``).
MONEY_TEXT = r"^-?[0-9]+(\.[0-9]+|/[0-9]+)?$"
_MONEY_TEXT = re.compile(MONEY_TEXT)


def money_text(amount: Fraction) -> str:
    """The record's text of ``amount``: :func:`format_money`, with a leading ``-`` when negative."""
    return format_money(amount) if amount >= 0 else "-" + format_money(-amount)


def money_from_text(value: object) -> Fraction:
    """An exact amount from a record: a Fraction as it is, or text as :func:`money_text` writes it.

    Anything else (a JSON number, which may already have lost the exact amount; a
    malformed text) raises ``ValueError``, which pydantic reports at the field's path.
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str) and len(value) <= MAX_DIGITS and _MONEY_TEXT.fullmatch(value):
        try:
            return Fraction(value)
        except ZeroDivisionError:
            pass
    raise ValueError(f"expected exact money as text, such as '1000.5' or '1000/3', not {value!r}"[:200])


#: The one serializer/validator pair for exact numbers in every model the record (and
#: the comparison) is made of: a :class:`Fraction` in Python, exact text in JSON, never
#: a JSON number.
Exact = Annotated[
    Fraction,
    PlainValidator(money_from_text),
    PlainSerializer(money_text, return_type=str),
    WithJsonSchema({"type": "string", "pattern": MONEY_TEXT}),
]
#: An amount of money (an :data:`Exact` number).
Money = Exact
