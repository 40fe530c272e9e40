"""add1 with exact trials only (as where binary64 cannot hold the inputs exactly) gives the
record of add1 with floating-point trials: the trace records only the endowments where the
outcome changes, however the walk got there."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

import asukasbudjetti.rules.equalshares as equalshares
from asukasbudjetti.tally import tally_file

GOOD = Path(__file__).resolve().parent / "fixtures" / "good"


def record(path: Path, rule: str) -> str:
    return tally_file(path, rule=rule).dumps()


def exact_trials(monkeypatch: pytest.MonkeyPatch) -> None:
    """No floating-point trials, and every region promises nothing: after the first
    trial, the walk is exact runs, one endowment each (with the skip of stretches
    where nothing new is affordable)."""
    monkeypatch.setattr(equalshares, "interval_supporters", lambda *args: None)
    monkeypatch.setattr(equalshares, "_overtaken", lambda *args: Fraction(0))


@pytest.mark.parametrize("rule", ["equalshares/add1", "equalshares/add1u"])
@pytest.mark.parametrize("name", ["approval.pb", "choose1.pb", "cumulative.pb", "scoring.pb"])
def test_exact_trials_give_the_same_record(name: str, rule: str, monkeypatch: pytest.MonkeyPatch) -> None:
    floating = record(GOOD / name, rule)
    exact_trials(monkeypatch)
    assert record(GOOD / name, rule) == floating


def test_exact_trials_on_assen(pabulib_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = pabulib_dir / "Netherlands_Assen_2024.pb"
    floating = record(path, "official")
    exact_trials(monkeypatch)
    assert record(path, "official") == floating
    # The walk tries 845 endowments (1190.48, then 1191 ... 2034); the record keeps the
    # first, the ones where the outcome changes, the adopted and the stopping one.
    assert 3 <= floating.count('"accepted"') < 845
