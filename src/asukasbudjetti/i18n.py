"""Languages: every text a resident reads, through gettext catalogs, and numbers as each language writes them.

The sentences live in the catalogs ``locale/{fi,sv,en}/LC_MESSAGES/asukasbudjetti.po``
(compiled to ``.mo`` and shipped in the package); the code holds only their English
message ids, in ``{name}`` placeholders, marked for Babel's extraction by calls to
``gettext`` / ``ngettext`` or, in tables of data, by :func:`N_` and :func:`NP_`
(docs/translations.md tells how to extract, update and compile them).

Numbers, money and percentages are written with Babel's data for each language:
``1 868 353 €`` in Finnish and Swedish, ``€1,868,353`` in English, cents only where an
amount has them, and an amount with no finite decimal form (``8125/3``) as the
fraction with its approximation, so nothing is rounded silently. Finnish and Swedish
group digits with Babel's no-break space (U+00A0), kept as it is: it keeps an
amount on one line in a table or a sentence.

Messages load with the standard library's :mod:`gettext` (a few milliseconds); Babel
itself is imported only when a number is formatted, so commands that print no text
never pay for it.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal, localcontext
from fractions import Fraction
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

from asukasbudjetti.errors import InputError
from asukasbudjetti.money import format_money

if TYPE_CHECKING:
    from babel import Locale

Lang = Literal["fi", "sv", "en"]
#: The languages every text is written in.
LANGS: Final[tuple[Lang, ...]] = ("fi", "sv", "en")
#: When neither the command line nor the input names a language.
DEFAULT_LANG: Final[Lang] = "en"
#: The catalogs' domain and folder.
DOMAIN: Final = "asukasbudjetti"
LOCALE_DIR: Final = Path(__file__).resolve().parent / "locale"


def N_(message: str) -> str:  # noqa: N802  (gettext's customary marker name, which Babel extracts)
    """Mark ``message`` for extraction where it is data (a table), translated later."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802  (as N_)
    """Mark a message with plural forms for extraction where it is data."""
    return (singular, plural)


def check_lang(text: str | None) -> Lang | None:
    """A language code as the input writes it (``fi``, ``FI``, ``fi_FI``, ``sv-FI``) as one of
    :data:`LANGS`, or None when it names none of them."""
    if not text:
        return None
    code = text.strip().lower().replace("-", "_").partition("_")[0]
    for lang in LANGS:
        if code == lang:
            return lang
    return None


@cache
def _catalog(lang: Lang) -> _gettext.GNUTranslations:
    try:
        with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as stream:
            return _gettext.GNUTranslations(stream)
    except OSError as exc:  # a broken installation, not bad input
        raise InputError(f"the {lang} message catalog is missing from the installation: {exc}") from None


class Texts:
    """The texts and numbers of one language (and one currency, when amounts are money)."""

    def __init__(self, lang: Lang = DEFAULT_LANG, currency: str | None = None) -> None:
        self.lang: Lang = lang
        self.currency = currency.strip().upper() if currency and currency.strip() else None
        self._messages = _catalog(lang)

    # --- messages -------------------------------------------------------------------------------------------

    def gettext(self, message: str, /, **values: object) -> str:
        """``message`` in this language, its ``{placeholders}`` filled."""
        text = self._messages.gettext(message)
        return text.format(**values) if values else text

    def ngettext(self, singular: str, plural: str, count: int, /, **values: object) -> str:
        """The form of the message that ``count`` asks for in this language, filled."""
        text = self._messages.ngettext(singular, plural, count)
        return text.format(**values) if values else text

    def plural(self, message: tuple[str, str], count: int, /, **values: object) -> str:
        """A message marked with :func:`NP_`, in the form ``count`` asks for."""
        return self.ngettext(message[0], message[1], count, **values)

    # --- numbers --------------------------------------------------------------------------------------------

    @cached_property
    def _locale(self) -> Locale:
        """Babel's data for this language, parsed once (given the code, Babel parses it on every call)."""
        from babel import Locale

        return Locale.parse(self.lang)

    def number(self, value: Fraction | int) -> str:
        """An exact number: grouped digits and this language's decimal sign; ``p/q ≈ x`` when it has no
        finite decimal form."""
        value = Fraction(value)
        with _digits_for(value):
            return self._number(value)

    def _number(self, value: Fraction) -> str:
        from babel.numbers import format_decimal

        exact = _decimal(value)
        if exact is None:
            approximately = format_decimal(_rounded(value), format="#,##0.00", locale=self._locale)
            return f"{_fraction_text(value)} ≈ {approximately}"
        return format_decimal(exact, locale=self._locale, decimal_quantization=False)

    def count(self, value: int) -> str:
        """A whole count (votes, voters) with grouped digits."""
        return self.number(value)

    def money(self, value: Fraction | int) -> str:
        """An exact amount: in the currency when it is known (``1 868 353 €``, ``€1,868,353``, cents only
        when the amount has them), else as a number."""
        value = Fraction(value)
        with _digits_for(value):
            return self._money(value)

    def _money(self, value: Fraction) -> str:
        if self.currency is None:
            exact = _decimal(value)
            if exact is not None and exact != exact.to_integral_value():
                return self._money_pattern(exact, with_cents=True, currency=False)
            return self.number(value)
        exact = _decimal(value)
        if exact is None:
            return f"{_fraction_text(value)} ≈ {self._money_pattern(_rounded(value), with_cents=True)}"
        return self._money_pattern(exact, with_cents=exact != exact.to_integral_value())

    def _money_pattern(self, value: Decimal, *, with_cents: bool, currency: bool = True) -> str:
        from babel.numbers import format_currency, format_decimal

        locale = self._locale
        if not currency or self.currency is None:
            return format_decimal(value, format="#,##0.00", locale=locale, decimal_quantization=False)
        pattern = locale.currency_formats["standard"].pattern
        if not with_cents:
            pattern = pattern.replace("0.00", "0")
        return format_currency(
            value, self.currency, format=pattern, locale=locale, currency_digits=False, decimal_quantization=False
        )

    def percent(self, share: Fraction) -> str:
        """A share of one as a percentage: exact up to two decimals, else about so much."""
        with _digits_for(share * 100):
            return self._percent(share)

    def _percent(self, share: Fraction) -> str:
        from babel.numbers import format_percent

        exact = _decimal(share * 100)
        if exact is None or -exact.as_tuple().exponent > 2:  # type: ignore[operator]
            text = format_percent(_rounded(share * 100) / 100, locale=self._locale, decimal_quantization=False)
            return self.gettext("about {value}", value=text)
        return format_percent(exact / 100, locale=self._locale, decimal_quantization=False)

    def ordinal(self, n: int) -> str:
        """A place in an order: ``3rd``, ``3.``, ``3:e``."""
        if self.lang == "fi":
            return f"{n}."
        if self.lang == "sv":
            return f"{n}:{'a' if n % 10 in (1, 2) and n % 100 not in (11, 12) else 'e'}"
        if 10 <= n % 100 <= 20:
            return f"{n}th"
        return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"

    def join(self, items: Sequence[str]) -> str:
        """``a, b and c``."""
        if len(items) <= 1:
            return "".join(items)
        return self.gettext("{first} and {last}", first=", ".join(items[:-1]), last=items[-1])


@contextmanager
def _digits_for(value: Fraction) -> Iterator[None]:
    """Decimal arithmetic with room for every digit of ``value`` (the default 28 would round a large amount)."""
    with localcontext() as context:
        context.prec = max(28, 2 * (len(str(value.numerator)) + len(str(value.denominator))) + 10)
        context.Emax = max(context.Emax, context.prec)
        yield


def _decimal(value: Fraction) -> Decimal | None:
    """``value`` as an exact Decimal, or None when it has no finite decimal form."""
    text = format_money(abs(value))
    if "/" in text:
        return None
    exact = Decimal(text)
    return -exact if value < 0 else exact


def _fraction_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def _rounded(value: Fraction) -> Decimal:
    """Two decimals, rounded half away from zero."""
    cents = (abs(value) * 100 + Fraction(1, 2)).__floor__()
    return (Decimal(cents) / 100) * (-1 if value < 0 else 1)


def aligned(rows: Sequence[Sequence[str]], right: Collection[int] = (), indent: str = "  ") -> list[str]:
    """Rows of cells as lines of a plain-text table: each column as wide as its widest cell,
    the columns in ``right`` right-aligned (numbers), the others left-aligned."""
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    return [
        indent
        + "  ".join(
            cell.rjust(width) if k in right else cell.ljust(width)
            for k, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]


def texts(lang: str | None = None, currency: str | None = None) -> Texts:
    """The :class:`Texts` of ``lang`` (English when it is None or unknown)."""
    return Texts(check_lang(lang) or DEFAULT_LANG, currency)

