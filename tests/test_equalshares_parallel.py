"""add1's exact plain trials (where a trial's region does not reach the next endowment and
binary64 cannot hold the inputs) are computed ahead in worker processes on large
elections; the outcome and the record must be exactly those of the plain loop, and those
of the jump with floating-point trials: the trace records only the endowments where the
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


def plain_trials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Exact trials (as where binary64 cannot hold the inputs), and every region promises
    nothing: after the first trial, the walk is all plain exact trials. The jump it is
    compared with runs floating-point trials: the records must not tell them apart."""
    monkeypatch.setattr(equalshares, "interval_supporters", lambda *args: None)
    monkeypatch.setattr(equalshares, "_overtaken", lambda *args: Fraction(0))
    monkeypatch.setattr(equalshares, "_PLAIN_AFTER_MISS", (10**9, 10**9))


@pytest.mark.parametrize("rule", ["equalshares/add1", "equalshares/add1u"])
@pytest.mark.parametrize("name", ["approval.pb", "choose1.pb", "cumulative.pb", "scoring.pb"])
def test_parallel_trials_give_the_same_record(name: str, rule: str, monkeypatch: pytest.MonkeyPatch) -> None:
    jumped = record(GOOD / name, rule)
    plain_trials(monkeypatch)
    monkeypatch.setattr(equalshares, "PARALLEL_MIN_ROWS", 10**9)
    sequential = record(GOOD / name, rule)
    monkeypatch.setattr(equalshares, "PARALLEL_MIN_ROWS", 0)
    parallel = record(GOOD / name, rule)
    assert parallel == sequential == jumped


def test_parallel_trials_on_assen(pabulib_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = pabulib_dir / "Netherlands_Assen_2024.pb"
    jumped = record(path, "official")
    plain_trials(monkeypatch)
    monkeypatch.setattr(equalshares, "PARALLEL_MIN_ROWS", 10**9)
    sequential = record(path, "official")
    monkeypatch.setattr(equalshares, "PARALLEL_MIN_ROWS", 0)
    parallel = record(path, "official")
    assert parallel == sequential == jumped
    # The walk tries 845 endowments (1190.48, then 1191 ... 2034); the record keeps the
    # first, the ones where the outcome changes, the adopted and the stopping one.
    assert 3 <= jumped.count('"accepted"') < 845
