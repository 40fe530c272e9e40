"""Hypothesis strategies for the structure-aware mutations: values that are *almost* right.

Byte flips mostly produce files the readers reject on the first line; a value of the
wrong kind in an otherwise well-formed file gets past the parser and into the
validation, the model and the rules, where the surprising crashes are. Each
strategy here yields *source text* (a TOML value as written in ``cycle.toml``, a CSV
cell, a ``.pb`` field, a command line option) or a JSON value for a record, chosen
to hit the edges: negative and huge numbers, NaN and infinities, empty and blank
text, quotes, separators and newlines inside a value, non-ASCII letters, and the
wrong type altogether.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence

from hypothesis import strategies as st

#: Text without the characters no file or command line can carry (NUL, surrogates).
_CHARS = st.characters(codec="utf-8", exclude_characters="\x00")

#: Short text with the characters that break naive parsers up front.
_TRICKY = st.sampled_from(
    ['"', "'", '""', ",", ";", "\n", "\r\n", "\r", "\t", " ", "\\", "=", "#", "[", "]", "{", "}", "\u00a0", "\ufeff"]
)

#: Text a person might type: a word, or a word with one tricky character in it.
plain_text: st.SearchStrategy[str] = st.one_of(
    st.text(_CHARS, max_size=12),
    st.sampled_from(["", " ", "Seinäjoki", "Länsi", "Ö", "日本", "👍", "ı", "ß", "A" * 300]),
    st.tuples(st.text(_CHARS, max_size=5), _TRICKY, st.text(_CHARS, max_size=5)).map("".join),
)

#: Integers at the edges: zero, one off, 32/64-bit limits, and far beyond any of them.
edge_integers: st.SearchStrategy[int] = st.one_of(
    st.integers(min_value=-5, max_value=20),
    st.sampled_from([-(2**63) - 1, -(2**63), -(2**31), 2**31 - 1, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 10**30, 10**400]),
    st.integers(min_value=-(10**40), max_value=10**40),
)

#: Numbers written as text the ways spreadsheets and people write them, valid or not.
number_text: st.SearchStrategy[str] = st.one_of(
    edge_integers.map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(
        [
            "1e5",
            "1E5",
            "1e-5",
            "1e999",
            "-1e999",
            "1e400000000",
            "NaN",
            "nan",
            "inf",
            "-inf",
            "Infinity",
            "1,5",
            "1 000",
            "1\u00a0000",
            "1_000",
            "0x10",
            "+5",
            "-0",
            "0.0",
            "-0.00",
            "1.005",
            ".5",
            "5.",
            "00640",
            "٣",
            "１２",
            "1/3",
            "½",
            "€100",
            "100 €",
            "12.345.678,90",
        ]
    ),
    st.integers(min_value=20, max_value=6000).map(lambda n: "9" * n),
    st.decimals(allow_nan=True, allow_infinity=True, places=None).map(str),
)


def _toml_basic_string(text: str) -> str:
    """``text`` as a TOML basic string (JSON's escapes are a subset of TOML's)."""
    return json.dumps(text, ensure_ascii=False)


_toml_scalar: st.SearchStrategy[str] = st.one_of(
    edge_integers.map(str),
    st.sampled_from(["0x7f", "0o17", "0b101", "1_000", "+5", "-0", "00", "0_1"]),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["nan", "+nan", "-nan", "inf", "+inf", "-inf", "1e999", "1e-999", "6.02e23", "1.", ".5"]),
    plain_text.map(_toml_basic_string),
    number_text.map(_toml_basic_string),
    plain_text.filter(lambda s: "'" not in s and "\n" not in s and "\r" not in s).map(lambda s: f"'{s}'"),
    plain_text.map(lambda s: f'"""{s.replace(chr(92), "")}"""'),
    st.sampled_from(["true", "false", "True", "FALSE", '"true"', '"yes"']),
    st.dates().map(datetime.date.isoformat),
    st.datetimes().map(lambda d: d.isoformat()),
    st.datetimes(timezones=st.just(datetime.UTC)).map(lambda d: d.isoformat().replace("+00:00", "Z")),
    st.times().map(datetime.time.isoformat),
    st.sampled_from(['"', "'", "[", "{", '"unterminated', "= 1", "", "1 2", "[1,,2]", '"\\x"', '"\\u12"']),
)

#: A TOML value as source text: scalars of every kind, arrays and inline tables of them.
toml_values: st.SearchStrategy[str] = st.recursive(
    _toml_scalar,
    lambda children: st.one_of(
        st.lists(children, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(st.sampled_from(["kind", "a", "name", "max_projects", "x y"]), children), max_size=3).map(
            lambda pairs: "{ " + ", ".join(f"{k if ' ' not in k else json.dumps(k)} = {v}" for k, v in pairs) + " }"
        ),
    ),
    max_leaves=6,
)

#: Every key of the cycle file's model (model/cycle.py), so a renamed key is often a real one in the wrong place.
CYCLE_KEYS = (
    "cycle",
    "name",
    "currency",
    "begin",
    "end",
    "seed",
    "split",
    "total",
    "unit",
    "rounding",
    "files",
    "projects",
    "ballots",
    "columns",
    "paper_counts",
    "voters",
    "min_age",
    "choose",
    "pots",
    "kind",
    "amount",
    "population",
    "rule",
    "params",
    "threshold",
    "postal_codes",
    "ballot",
    "min_projects",
    "max_projects",
    "max_points",
    "max_total_points",
    "min_share",
    "min_cost",
    "max_cost",
    "max_cost_share",
    "cost_bands",
    "pabulib",
    "decisions",
    "reason",
    "leftover",
    "policy",
    "order",
    "voter_id",
    "pot",
    "age",
    "postal_code",
    "cost",
)

#: A TOML key as source text: a real key, a bare or quoted unknown one, a dotted one, or a broken one.
toml_keys: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(CYCLE_KEYS),
    st.from_regex(r"\A[A-Za-z0-9_-]{1,12}\Z"),
    plain_text.map(_toml_basic_string),
    st.tuples(st.sampled_from(CYCLE_KEYS), st.sampled_from(CYCLE_KEYS)).map(".".join),
    st.sampled_from(["", " ", "a b", "ä", '"', "=", "[x]", "1.2", "name.name"]),
)

#: The money and count columns' natural values, to mix with the rest.
_CELL_SPECIALS = st.sampled_from(
    ["", " ", "  ", '"', '""', "'", "a,b", "a\nb", "a\r\nb", "a;b", "-", "-1", "0", "n/a", "NULL", "None", "\t"]
)

#: A CSV cell's value (the writer quotes it when it must): empty, blank, numbers of every form, text.
csv_cells: st.SearchStrategy[str] = st.one_of(_CELL_SPECIALS, number_text, plain_text)

#: META keys the readers and the validation look at (pabulib's documented ones).
PB_META_KEYS = (
    "budget",
    "vote_type",
    "rule",
    "min_length",
    "max_length",
    "min_sum_cost",
    "max_sum_cost",
    "min_points",
    "max_points",
    "min_sum_points",
    "max_sum_points",
    "min_project_score_threshold",
    "num_projects",
    "num_votes",
    "currency",
    "language",
    "description",
    "unit",
    "instance",
    "subunit",
    "district",
    "date_begin",
    "date_end",
    "comment",
    "key",
    "value",
)

_VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring", "ordinal", "Approval", "choose1", "ranking", "")


def pb_fields(vocabulary: Sequence[str]) -> st.SearchStrategy[str]:
    """A ``.pb`` field: a cell value, a META key or vote type, or a list of the file's own words.

    ``vocabulary`` is every field of the file being mutated, so a list of them is a
    plausible vote (``P1,P1,P9``) or points column, and a single one a duplicate id.
    """
    words = st.sampled_from(list(vocabulary) or ["P1"])
    return st.one_of(
        csv_cells,
        words,
        st.sampled_from(PB_META_KEYS),
        st.sampled_from(_VOTE_TYPES),
        st.lists(st.one_of(words, number_text, st.just("")), min_size=1, max_size=6).map(",".join),
    )


#: Names of the keys a record has, for an extra key that collides with a real one elsewhere.
RECORD_KEYS = (
    "generator",
    "inputs",
    "invocation",
    "outcomes",
    "warnings",
    "schema_version",
    "requested_rule",
    "cycle",
    "file",
    "sha256",
    "size",
    "budget",
    "funded",
    "left",
    "spent",
    "names",
    "params",
    "pot",
    "rule",
    "source",
    "steps",
    "ties",
    "cost",
    "decision",
    "project",
    "rank",
    "score",
    "votes",
    "mes_rounds",
    "phragmen_rounds",
    "margins",
    "announced",
    "reserve",
    "optimum",
    "comparison",
)

#: JSON scalars, numbers at the edges (NaN and Infinity are what Python's json writes for them).
_json_scalar: st.SearchStrategy[object] = st.one_of(
    st.none(),
    st.booleans(),
    edge_integers,
    st.floats(allow_nan=True, allow_infinity=True),
    plain_text,
    number_text,
)

#: Any JSON value, nested a little.
json_values: st.SearchStrategy[object] = st.recursive(
    _json_scalar,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(plain_text, st.sampled_from(RECORD_KEYS)), children, max_size=4),
    ),
    max_leaves=8,
)

#: Depths for an array nested in itself: harmless, deep, deeper than any recursion limit.
nesting_depths: st.SearchStrategy[int] = st.sampled_from([1, 2, 30, 1000, 5000, 100_000])

# --- command line options ---------------------------------------------------------

#: The rules the registry has, plus "official" (the file's META rule).
KNOWN_RULES = (
    "official",
    "greedy",
    "greedy-no-skip",
    "greedy-threshold",
    "greedy-exclusive",
    "greedy-custom",
    "equalshares",
    "equalshares/add1",
    "equalshares/add1u",
    "equalshares/utilitarian",
    "equalshares-comparison",
    "equalshares/add1-comparison",
    "phragmen",
    "max-welfare",
)


def _near_misses(name: str) -> list[str]:
    return [name.upper(), name.title(), f" {name}", f"{name} ", f"{name}/", name.replace("-", "_"), name[:-1], name * 2]


#: --rule values the registry knows.
good_rules: st.SearchStrategy[str] = st.sampled_from(KNOWN_RULES)

#: --rule values that are no rule: a typo away from one, or anything at all.
bad_rules: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(KNOWN_RULES).flatmap(lambda name: st.sampled_from(_near_misses(name))),
    st.sampled_from(["", " ", "equal-shares", "mes", "equalshares/add2", "equalshares/", "/", "greedy,phragmen"]),
    plain_text,
)

#: Parameter names the rules know, and some they do not.
PARAM_NAMES = (
    "utilities",
    "completion",
    "add1_start",
    "add1_increment",
    "add1_stop_when_exhaustive",
    "comparison",
    "eligibility_k",
    "objective",
    "everything_affordable",
    "seed",
    "tie_break",
    "tie_breaking",
    "skip",
)

#: Parameter values the rules take: their names for things, small numbers, booleans.
good_param_values: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(
        [
            "cardinality",
            "cost",
            "score",
            "exact",
            "add1",
            "add1u",
            "utilitarian",
            "satisfaction",
            "none",
            "true",
            "false",
        ]
    ),
    st.integers(min_value=-2, max_value=20).map(str),
    st.sampled_from(["0.5", "1.5", "0.01", "100"]),
)

#: Parameter values of every other kind.
param_values: st.SearchStrategy[str] = st.one_of(
    good_param_values, st.sampled_from(["True", "yes", "FALSE", "Cost"]), number_text, plain_text
)

_SMALL_AMOUNTS = st.one_of(
    st.integers(min_value=-2, max_value=50).map(str), st.sampled_from(["0.5", "0.01", "1.25", "1000", "1e2", "1/2"])
)
_FLAGS = st.sampled_from(["true", "false", "True", "FALSE", "1", "0", "yes"])

#: The parameters each rule family takes, with the values each parameter takes (and near ones).
RULE_PARAMS: dict[str, dict[str, st.SearchStrategy[str]]] = {
    "equalshares": {
        "utilities": st.sampled_from(["cost", "cardinality", "Cost", "approval"]),
        "completion": st.sampled_from(["none", "add1", "add1u", "utilitarian", "add2", ""]),
        "add1_start": st.sampled_from(["floor", "exact", "ceil"]),
        "add1_increment": _SMALL_AMOUNTS,
        "add1_stop_when_exhaustive": _FLAGS,
        "comparison": st.sampled_from(["none", "satisfaction", "exclusion", "greedy"]),
        "eligibility_k": _SMALL_AMOUNTS,
        "everything_affordable": _FLAGS,
    },
    "max-welfare": {"objective": st.sampled_from(["cost", "score", "welfare", "COST"])},
    "greedy": {"tie_break": st.sampled_from(["cost", "published-order", "lottery", "votes", "Cost"])},
}


def good_params(rule: str) -> st.SearchStrategy[str]:
    """--param NAME=VALUE with a name the rule has (any name for rules that take none)."""
    family = "equalshares" if rule.startswith("equalshares") else "greedy" if rule.startswith("greedy") else rule
    table = RULE_PARAMS.get(family)
    if table is None:
        return st.tuples(st.sampled_from(PARAM_NAMES), param_values).map(lambda t: f"{t[0]}={t[1]}")
    return st.sampled_from(sorted(table)).flatmap(
        lambda name: st.one_of(table[name], table[name], param_values).map(lambda value: f"{name}={value}")
    )


#: --param arguments spelled wrong: other separators, no value, an unknown name.
bad_params: st.SearchStrategy[str] = st.one_of(
    st.tuples(
        st.one_of(st.sampled_from(PARAM_NAMES), plain_text), st.sampled_from(["=", " = ", "==", ":"]), param_values
    ).map("".join),
    st.sampled_from(["", "=", "utilities", "utilities=", "=cost", " = ", "a=b=c"]),
)

#: --threshold values a person would give.
good_thresholds: st.SearchStrategy[str] = st.one_of(
    st.integers(min_value=0, max_value=20).map(str), st.sampled_from(["0.5", "1.25", "3.00", "0"])
)

#: --threshold values of every other kind.
bad_thresholds: st.SearchStrategy[str] = st.one_of(number_text, plain_text)

#: --seed values click accepts (it parses them: anything else is a usage error).
good_seeds: st.SearchStrategy[str] = edge_integers.map(str)

#: --seed values that are no integer.
bad_seeds: st.SearchStrategy[str] = st.one_of(st.sampled_from(["", "abc", "1.5", "1e3", " 7", "0x10", "٣"]), plain_text)


def good_exclusive(project_ids: Sequence[str]) -> st.SearchStrategy[str]:
    """An --exclusive group of two or three of the file's project ids."""
    return st.lists(st.sampled_from(list(project_ids) or ["P1", "P2"]), min_size=2, max_size=3, unique=True).map(
        ",".join
    )


def bad_exclusive(project_ids: Sequence[str]) -> st.SearchStrategy[str]:
    """An --exclusive value that is no group: one id, unknown or repeated ids, bad separators."""
    ids = st.sampled_from(list(project_ids) or ["P1"])
    return st.one_of(
        st.lists(st.one_of(ids, plain_text), min_size=1, max_size=4).map(",".join),
        st.lists(ids, min_size=2, max_size=2).map(",".join),
        st.sampled_from(["", ",", "P1,", ",P1", "P1,,P2", "P1;P2", "P1 P2"]),
    )
