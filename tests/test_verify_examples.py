"""Fresh records of every bundled example verify; a changed ballot byte does not."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from asukasbudjetti.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize("name", ["helsinki_2025", "seinajoki_2023", "tampere_2025"])
def test_cycle_example_records_verify(name: str, tmp_path: Path) -> None:
    folder = tmp_path / name
    shutil.copytree(EXAMPLES / name, folder)
    record = folder / "record.json"
    made = CliRunner().invoke(main, ["tally", str(folder / "cycle.toml"), "-o", str(record)])
    assert made.exit_code == 0, made.output
    verified = CliRunner().invoke(main, ["verify", str(record)])
    assert verified.exit_code == 0, verified.output
    assert verified.output.startswith("verified:")
    ballots = folder / "ballots.csv"
    ballots.write_bytes(ballots.read_bytes().replace(b"\n", b"\n ", 1))
    changed = CliRunner().invoke(main, ["verify", str(record)])
    assert changed.exit_code == 1
    assert "input ballots.csv changed: sha256" in changed.stderr


def test_kumpula_record_verifies(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "kumpula_2025.pb", tmp_path / "kumpula_2025.pb")
    record = tmp_path / "record.json"
    assert CliRunner().invoke(main, ["tally", str(tmp_path / "kumpula_2025.pb"), "-o", str(record)]).exit_code == 0
    verified = CliRunner().invoke(main, ["verify", str(record)])
    assert verified.exit_code == 0, verified.output
