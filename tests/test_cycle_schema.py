"""The cycle file's JSON Schema shipped in docs/ is the one the model produces."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from asukasbudjetti.cli import main
from asukasbudjetti.model.cycle import Cycle

SHIPPED = Path(__file__).resolve().parent.parent / "docs" / "cycle.schema.json"


def test_shipped_schema_is_current() -> None:
    assert json.loads(SHIPPED.read_text(encoding="utf-8")) == Cycle.model_json_schema()


def test_schema_command_prints_it() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output)["title"] == "Cycle"
