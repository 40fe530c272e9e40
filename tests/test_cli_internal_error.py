"""The command line's last line of defence: a bug still ends with one clear line and exit code 2.

The failure is injected (a library function replaced by one that raises), since
no input is known to cause one; the traceback appears only with ``--debug``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import asukasbudjetti.tally as tally
from asukasbudjetti.cli import main

ROOT = Path(__file__).resolve().parent.parent
KUMPULA = str(ROOT / "examples" / "kumpula_2025.pb")


def broken(*args: object, **kwargs: object) -> None:
    raise ZeroDivisionError("division by zero in a place nobody expected")


def test_an_unexpected_exception_is_one_line_and_exit_code_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(tally, "load_election", broken)
    output = tmp_path / "record.json"
    result = CliRunner().invoke(main, ["tally", KUMPULA, "-o", str(output)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: internal error while reading {KUMPULA}: ZeroDivisionError: division by zero in a place "
        "nobody expected; please report it with the file\n"
    )
    assert "Traceback" not in result.output
    assert not output.exists()
    assert list(tmp_path.iterdir()) == []


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tally, "load_election", broken)
    result = CliRunner().invoke(main, ["--debug", "tally", KUMPULA])
    assert result.exit_code == 2
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert "in broken" in result.stderr
    assert result.stderr.endswith("please report it with the file\n")


def test_a_command_reading_a_record_names_the_record(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    assert CliRunner().invoke(main, ["tally", KUMPULA, "-o", str(record)]).exit_code == 0
    import asukasbudjetti.io.record as reader

    monkeypatch.setattr(reader, "parse_record", broken)
    result = CliRunner().invoke(main, ["explain", str(record)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: internal error while reading {record}: ZeroDivisionError")


def test_our_own_errors_keep_exit_code_1() -> None:
    result = CliRunner().invoke(main, ["tally", str(ROOT / "no-such-file.pb")])
    assert result.exit_code == 1
    assert "internal error" not in result.stderr
