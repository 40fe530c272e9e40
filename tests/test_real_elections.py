"""Real elections: reproduce the outcome each city announced (PROJECTS ``selected``).

The expected outcome is read here from the file with the csv module alone, not
with the library's reader, so that the check does not lean on the code it checks.
``selected`` = 1 is funded by the rule; under Poznań's reserve rule (``greedy-custom``)
2 marks the reserve-funded project, which the rule must fund too; 3 (and 2 elsewhere,
e.g. Gdynia's turnout award) was paid from money outside the file, which no rule
can reproduce, and the record must say so.
"""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from asukasbudjetti.cli import main
from tests.conftest import pabulib_files, pabulib_params

GREEDY_RULES = {"greedy", "greedy-no-skip", "greedy-threshold", "greedy-exclusive", "greedy-custom"}


def announced(path: Path) -> tuple[str, dict[str, int]]:
    """The META rule and the ``selected`` column, read independently of the library."""
    text = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    section = ""
    header: list[str] = []
    rule = ""
    selected: dict[str, int] = {}
    for row in csv.reader(io.StringIO(text), delimiter=";"):
        if len(row) == 1 and row[0] in ("META", "PROJECTS", "VOTES"):
            section, header = row[0], []
            continue
        if not row:
            continue
        if not header:
            header = row
            continue
        if section == "META" and row[0] == "rule":
            rule = row[1]
        if section == "PROJECTS" and "selected" in header:
            fields = dict(zip(header, row, strict=True))
            selected[fields["project_id"]] = int(fields["selected"])
    return rule, selected


def reproducible(path: Path) -> bool:
    rule, selected = announced(path)
    return bool(selected) and rule in GREEDY_RULES


@pytest.mark.parametrize("path", pabulib_params())
def test_official_rule_reproduces_the_announced_outcome(path: Path) -> None:
    rule, selected = announced(path)
    if not selected:
        pytest.skip("the file publishes no outcome (no selected column)")
    if rule not in GREEDY_RULES:
        pytest.skip(f"META rule {rule!r} is not a greedy rule (equalshares/add1 and unknown come later)")
    result = CliRunner().invoke(main, ["tally", str(path), "--rule", "official", "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    [outcome] = record["outcomes"]
    marks_by_rule = {1, 2} if rule == "greedy-custom" else {1}
    expected = {p for p, mark in selected.items() if mark in marks_by_rule}
    outside = {p for p, mark in selected.items() if mark != 0 and mark not in marks_by_rule}
    assert outcome["rule"] == rule
    assert set(outcome["funded"]) == expected
    assert len(outcome["funded"]) == len(expected)  # no project funded twice
    assert set(outcome["announced"]["outside_money"]) == outside
    assert outcome["announced"]["matches"] is True
    # The pot never pays more than its budget (a reserve pays the rest).
    assert Fraction(outcome["spent"]) + Fraction(outcome["left"]) == Fraction(outcome["budget"])
    assert Fraction(outcome["left"]) >= 0


def test_the_sample_has_38_reproducible_greedy_elections() -> None:
    files = pabulib_files()
    if not files:
        pytest.skip("the real pabulib sample is missing")
    assert sum(reproducible(path) for path in files) == 38


def test_outside_money_is_reported_as_not_reproducible(pabulib_dir: Path) -> None:
    path = pabulib_dir / "Poland_Poznan_2023_5_-_Grunwald_Polnoc_Grunwald_Poludnie_Stary_Grunwald.pb"
    result = CliRunner().invoke(main, ["tally", str(path), "--rule", "official"])
    assert result.exit_code == 0, result.output
    # V.3 has selected = 3 in the file: paid from unused money of other districts.
    assert "not reproducible from the ballots): V.3" in result.output
