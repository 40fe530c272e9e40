"""Every kind of record conforms to the shipped JSON Schema (package and docs copies agree)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from asukasbudjetti.cycles import tally_cycle
from asukasbudjetti.record import build_record, dumps_record
from asukasbudjetti.tally import tally_file

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is a dev extra")

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "tests" / "fixtures" / "good"
SCHEMA = json.loads(resources.files("asukasbudjetti").joinpath("record.schema.json").read_text(encoding="utf-8"))


def test_docs_copy_is_the_package_copy() -> None:
    assert json.loads((ROOT / "docs" / "record.schema.json").read_text(encoding="utf-8")) == SCHEMA


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("approval.pb", "greedy"),
        ("approval.pb", "greedy-custom"),
        ("approval.pb", "equalshares/add1"),
        ("approval.pb", "equalshares/add1-comparison"),
        ("approval.pb", "phragmen"),
        ("approval.pb", "max-welfare"),
        ("cumulative.pb", "official"),
        ("withdrawn.pb", "greedy-no-skip"),
        ("tie_lottery.pb", "greedy"),
        ("paper_votes.pb", "greedy"),
    ],
)
def test_records_conform(name: str, rule: str) -> None:
    record = json.loads(dumps_record(build_record(tally_file(GOOD / name, rule=rule))))
    jsonschema.validate(record, SCHEMA)


def test_cycle_record_conforms() -> None:
    record = json.loads(dumps_record(build_record(tally_cycle(ROOT / "examples" / "seinajoki_2023" / "cycle.toml"))))
    jsonschema.validate(record, SCHEMA)


def test_schema_rejects_a_float_amount() -> None:
    record = json.loads(dumps_record(build_record(tally_file(GOOD / "approval.pb", rule="greedy"))))
    record["outcomes"][0]["spent"] = 3000.1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(record, SCHEMA)


def test_record_with_margins_and_names_conforms() -> None:
    result = tally_file(ROOT / "examples" / "kumpula_2025.pb", rule="greedy", margins=True)
    record = json.loads(dumps_record(build_record(result)))
    jsonschema.validate(record, SCHEMA)
    [outcome] = record["outcomes"]
    assert outcome["names"]["K1"] == "Skatepark; lighting and benches"
    # kumpula: K3 (6 votes, 40000) did not fit with 25000 left; K5 (3 votes, 20000) with 10000 left.
    margins = {m["project"]: m for m in outcome["margins"]}
    assert set(margins) == {"K3", "K5"}
    assert margins["K3"]["max_cost"] == "25000"
    assert margins["K5"]["max_cost"] == "10000"
