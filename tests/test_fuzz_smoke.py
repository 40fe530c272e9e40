"""A short fuzz run of every target on each test run, and checks that the harness sees crashes.

The long campaign is ``python -m fuzz --cases 100000 --jobs 2`` (see fuzz/__main__.py);
here a few hundred cases per target, always the same ones (fixed seeds), must keep the
property of :mod:`fuzz.check`: so a change that makes a reader crash on broken input
is caught by the suite, not months later by a user. A crash found here is replayed by
``python -m fuzz --cases 500 --target T --seed 20251130`` (the smoke run is the first two
batches of that campaign), which writes it as a fixture.

A fuzz run that finds nothing proves little if the checker could not see a crash: the
tests below the smoke run break the command on purpose (an exception, an endless loop,
half an output file) and expect the checker to say so.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import asukasbudjetti.cli as cli
import asukasbudjetti.tally as tally
from asukasbudjetti.errors import AsukasbudjettiError
from fuzz.campaign import BATCH, _cases, run_batch
from fuzz.check import run_case
from fuzz.targets import TARGETS, Case

#: The smoke run's seed: fixed, so that every run fuzzes the same cases.
SMOKE_SEED = 20251130

#: Batches of cases per target (500 cases): enough to pass through every command and
#: mutation family; the first batches of ``python -m fuzz --seed 20251130 --cases 500``.
SMOKE_BATCHES = 2

ROOT = Path(__file__).resolve().parents[1]
APPROVAL = (ROOT / "tests" / "fixtures" / "good" / "approval.pb").read_bytes()
RECORD = (ROOT / "tests" / "fixtures" / "records" / "003.json").read_bytes()


@pytest.mark.parametrize("batch", range(SMOKE_BATCHES))
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_fuzz_smoke_run_finds_no_crash(target: str, batch: int) -> None:
    stats = run_batch(target, SMOKE_SEED, batch, BATCH)
    crashes = [
        f"{crash.verdict.kind}: {crash.verdict.description}\n"
        f"    args {list(crash.case.args)}; made by {crash.case.note}"
        for crash in stats.crashes
    ]
    assert not crashes, f"{len(crashes)} of {stats.cases} cases broke the property:\n" + "\n".join(crashes[:10])
    assert stats.cases == BATCH, "hypothesis ran fewer cases than asked"


def test_the_same_seed_makes_the_same_cases() -> None:
    def made(seed: int) -> list[tuple[tuple[str, ...], dict[str, bytes]]]:
        cases: list[tuple[tuple[str, ...], dict[str, bytes]]] = []
        _cases("cycle", seed, 3, 40)(lambda index, case: cases.append((case.args, case.files)))
        return cases

    first = made(7)
    assert len(first) == 40
    assert made(7) == first
    assert made(8) != first


def _tally_case() -> Case:
    return Case("pabulib", {"approval.pb": APPROVAL}, ("tally", "approval.pb", "--json"))


def test_checker_passes_a_good_case() -> None:
    verdict = run_case(_tally_case())
    assert verdict.ok, verdict.description
    assert verdict.exit_code == 0


def test_checker_reports_an_unexpected_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("planted")

    monkeypatch.setattr(tally, "load_election", broken)
    verdict = run_case(_tally_case())
    assert verdict.kind in ("internal-error", "exception")
    assert "ZeroDivisionError" in verdict.description + verdict.signature


def test_checker_reports_a_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    def endless(*args: object, **kwargs: object) -> None:
        while True:
            pass

    monkeypatch.setattr(tally, "load_election", endless)
    started = time.perf_counter()
    verdict = run_case(_tally_case(), timeout=0.3)
    assert verdict.kind == "hang"
    assert time.perf_counter() - started < 5


def test_checker_reports_a_half_written_output(monkeypatch: pytest.MonkeyPatch) -> None:
    def half(path: str, text: str) -> None:
        Path(path).write_text(text[: len(text) // 2], encoding="utf-8")

    monkeypatch.setattr(cli, "write_atomically", half)
    case = Case("record", {"003.json": RECORD}, ("report", "003.json", "-o", "OUT.html"), output="OUT.html")
    verdict = run_case(case)
    assert verdict.kind == "partial-output"
    assert "</html>" in verdict.description


def test_checker_reports_an_error_that_names_no_file(monkeypatch: pytest.MonkeyPatch) -> None:
    def vague(*args: object, **kwargs: object) -> None:
        raise AsukasbudjettiError("something is wrong somewhere")

    monkeypatch.setattr(tally, "load_election", vague)
    verdict = run_case(_tally_case())
    assert verdict.exit_code == 1
    assert verdict.kind == "error-message"
