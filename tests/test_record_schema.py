"""The record's JSON Schema is generated from the model, shipped current, and holds every kind of record.

The golden records (tests/fixtures/records, written by the code before the typed
model) are the independent witnesses: greedy and every greedy variant, each Equal
Shares variant, Phragmén, max-welfare, records with margins and names, and cycles
with council decisions, leftover moves and Equal Shares pots.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from asukasbudjetti.cli import main
from asukasbudjetti.errors import InputError
from asukasbudjetti.io.record import parse_record, read_record
from asukasbudjetti.model.schemas import record_schema, record_schema_text

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is a dev extra")

ROOT = Path(__file__).resolve().parent.parent
RECORDS = ROOT / "tests" / "fixtures" / "records"
MANIFEST: list[dict[str, Any]] = json.loads((RECORDS / "manifest.json").read_text(encoding="utf-8"))
SHIPPED = json.loads(resources.files("asukasbudjetti").joinpath("record.schema.json").read_text(encoding="utf-8"))
REGENERATE = (
    "regenerate it: asukasbudjetti schema --record -o src/asukasbudjetti/record.schema.json "
    "&& asukasbudjetti schema --record -o docs/record.schema.json"
)


def golden(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((RECORDS / name).read_text(encoding="utf-8"))
    return data


def first_record(predicate: Any) -> str:
    """The first golden record whose invocation arguments satisfy ``predicate``."""
    return next(entry["record"] for entry in MANIFEST if predicate(entry["args"]))


def test_shipped_schema_is_the_generated_one() -> None:
    assert record_schema() == SHIPPED, REGENERATE


def test_docs_copy_is_byte_identical_to_the_generated_one() -> None:
    assert (ROOT / "docs" / "record.schema.json").read_text(encoding="utf-8") == record_schema_text(), REGENERATE


def test_schema_command_prints_the_record_schema() -> None:
    result = CliRunner().invoke(main, ["schema", "--record"])
    assert result.exit_code == 0
    assert json.loads(result.output) == SHIPPED


def test_golden_set_has_every_kind_of_record() -> None:
    rules = {arg for entry in MANIFEST for arg in entry["args"][3:4]}
    for rule in (
        "greedy",
        "greedy-custom",
        "equalshares",
        "equalshares/add1",
        "equalshares/add1u",
        "equalshares/utilitarian",
        "equalshares-comparison",
        "equalshares/add1-comparison",
        "phragmen",
        "max-welfare",
    ):
        assert rule in rules
    assert any("--margins" in entry["args"] for entry in MANIFEST)
    kinds = {key for entry in MANIFEST for key in golden(entry["record"])}
    assert "cycle" in kinds
    cycle = golden(first_record(lambda args: args[1] == "tests/fixtures/cycles/decisions/cycle.toml"))["cycle"]
    assert {d["kind"] for d in cycle["decisions"]} == {"force-funded", "withdrawn", "exclusive"}
    assert cycle["leftover_moves"]


@pytest.mark.parametrize("entry", MANIFEST, ids=[entry["record"] for entry in MANIFEST])
def test_every_golden_record_conforms(entry: dict[str, Any]) -> None:
    jsonschema.validate(golden(entry["record"]), SHIPPED)


# --- a wrong type or a missing field: refused by the schema and by the reader, naming the path ----------------

GREEDY = first_record(lambda args: args == ["tally", "tests/fixtures/good/approval.pb", "--json"])
MES = first_record(lambda args: args[1:4] == ["tests/fixtures/good/approval.pb", "--rule", "equalshares"])
MARGINS = first_record(lambda args: "--margins" in args and "greedy" in args)
CYCLE = first_record(lambda args: args[1] == "tests/fixtures/cycles/decisions/cycle.toml")


def spoil(name: str, path: list[str | int], value: Any = None, *, delete: bool = False) -> dict[str, Any]:
    record = golden(name)
    node: Any = record
    for part in path[:-1]:
        node = node[part]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return record


CASES = [
    (GREEDY, ["outcomes", 0, "spent"], 3000.1, False, "outcomes[0].spent"),
    (GREEDY, ["outcomes", 0, "steps", 1, "cost"], "1000,10", False, "outcomes[0].steps[1].cost"),
    (GREEDY, ["outcomes", 0, "steps", 0, "votes"], "5", False, "outcomes[0].steps[0].votes"),
    (GREEDY, ["outcomes", 0, "steps", 0, "decision"], "maybe", False, "outcomes[0].steps[0].decision"),
    (GREEDY, ["outcomes", 0, "funded"], "P1", False, "outcomes[0].funded"),
    (GREEDY, ["outcomes", 0, "ties"], None, True, "outcomes[0].ties"),
    (GREEDY, ["outcomes", 0, "reserve"], None, True, "outcomes[0].reserve"),
    (GREEDY, ["inputs", 0, "sha256"], None, True, "inputs[0].sha256"),
    (GREEDY, ["invocation", "seed"], "0", False, "invocation.seed"),
    (GREEDY, ["invocation", "strict"], None, True, "invocation.strict"),
    (GREEDY, ["outcomes", 0, "surprise"], 1, False, "outcomes[0].surprise"),
    (MES, ["outcomes", 0, "mes_rounds", 0, "q"], 200, False, "outcomes[0].mes_rounds[0].q"),
    (
        MES,
        ["outcomes", 0, "mes_rounds", 0, "payments", 0, "voters"],
        None,
        True,
        "outcomes[0].mes_rounds[0].payments[0].voters",
    ),
    (MARGINS, ["outcomes", 0, "margins", 0, "max_cost"], 12.5, False, "outcomes[0].margins[0].max_cost"),
    (CYCLE, ["cycle", "decisions", 0, "kind"], "forgotten", False, "cycle.decisions[0].kind"),
    (CYCLE, ["cycle", "leftover_moves", 0, "amount"], None, True, "cycle.leftover_moves[0].amount"),
]


@pytest.mark.parametrize(("name", "path", "value", "delete", "where"), CASES, ids=[case[4] for case in CASES])
def test_a_spoiled_record_is_refused_naming_the_field(
    name: str, path: list[str | int], value: Any, delete: bool, where: str, tmp_path: Path
) -> None:
    record = spoil(name, path, value, delete=delete)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(record, SHIPPED)
    target = tmp_path / "spoiled.json"
    target.write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_record(target)
    message = str(caught.value)
    assert message.startswith(f"{target}: not a result record")
    assert f"{where}: " in message


def test_a_spoiled_record_is_refused_by_the_cli_without_a_traceback(tmp_path: Path) -> None:
    target = tmp_path / "spoiled.json"
    target.write_text(json.dumps(spoil(GREEDY, ["outcomes", 0, "left"], 0)), encoding="utf-8")
    for command in (["explain", str(target)], ["report", str(target)], ["verify", str(target)]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 1, command
        assert "outcomes[0].left" in result.stderr
        assert "Traceback" not in result.stderr


def test_reading_is_strict_but_writing_back_is_exact() -> None:
    raw = (RECORDS / MES).read_bytes()
    record = parse_record(raw, MES)
    # A money field is an exact Fraction in Python and its exact text in JSON.
    first = record.outcomes[0].mes_rounds[0]
    assert first.q * 5 == first.cost  # approval.pb: P1 (1000.20) paid by its 5 supporters
    assert record.dumps().encode("utf-8") == raw
