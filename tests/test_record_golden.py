"""Every record the golden manifest names is written today byte for byte as before.

tests/fixtures/records/ holds records written by the code before the typed record
model (see generate.py there): each fixture and example tallied with every rule
that runs on it, with and without margins, and the cycles (decisions, leftover
moves, Equal Shares). The bytes are the independent reference: they were written by
another implementation (the hand-built dicts), not by the code under test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from asukasbudjetti.cli import main
from asukasbudjetti.io.record import parse_record

ROOT = Path(__file__).resolve().parents[1]
RECORDS = ROOT / "tests" / "fixtures" / "records"
MANIFEST = json.loads((RECORDS / "manifest.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("entry", MANIFEST, ids=[entry["record"] for entry in MANIFEST])
def test_record_is_byte_identical_to_the_golden_one(entry: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    args = entry["args"]
    assert isinstance(args, list)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    expected = (RECORDS / str(entry["record"])).read_text(encoding="utf-8")
    assert result.stdout == expected


@pytest.mark.parametrize("entry", MANIFEST, ids=[entry["record"] for entry in MANIFEST])
def test_golden_record_reads_and_writes_back_unchanged(entry: dict[str, object]) -> None:
    raw = (RECORDS / str(entry["record"])).read_bytes()
    record = parse_record(raw, str(entry["record"]))
    assert record.dumps().encode("utf-8") == raw
