"""The tally command's contract: options, JSON record, -o, exit codes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from click.testing import CliRunner

from asukasbudjetti import __version__
from asukasbudjetti.cli import main

GOOD = Path(__file__).resolve().parent / "fixtures" / "good"
APPROVAL = GOOD / "approval.pb"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_exclusive_groups_from_the_command_line() -> None:
    # approval.pb, budget 3000.10: votes P1 5, P2 4, P3 3, P4 2, P5 1.
    # With P1 and P2 exclusive: P1 funded (left 1999.90), P2 excluded, P3 1200 fits
    # (left 799.90), P4 999.80 does not, P5 400 fits (left 399.90).
    code, out, err = run("tally", str(APPROVAL), "--rule", "greedy-exclusive", "--exclusive", "P1,P2", "--json")
    assert code == 0, err
    outcome = json.loads(out)["outcomes"][0]
    assert outcome["funded"] == ["P1", "P3", "P5"]
    assert outcome["left"] == "399.9"
    assert outcome["params"]["exclusive"] == [["P1", "P2"]]
    decisions = {step["project"]: step["decision"] for step in outcome["steps"]}
    assert decisions["P2"] == "excluded"


def test_exclusive_naming_an_unknown_project_is_a_clear_error() -> None:
    code, _, err = run("tally", str(APPROVAL), "--rule", "greedy-exclusive", "--exclusive", "P1,P9")
    assert code == 1
    assert "'P9'" in err
    assert "Traceback" not in err


def test_malformed_exclusive_option_is_a_usage_error() -> None:
    code, _, err = run("tally", str(APPROVAL), "--exclusive", "P1")
    assert code == 2
    assert "two or more project ids" in err


def test_record_states_rule_seed_version_and_input_digest() -> None:
    code, out, _ = run("tally", str(APPROVAL), "--seed", "7", "--json")
    assert code == 0
    record = json.loads(out)
    assert record["requested_rule"] == "official"
    assert record["generator"]["version"] == __version__
    assert record["outcomes"][0]["rule"] == "greedy"
    assert record["outcomes"][0]["params"]["seed"] == 7
    assert record["inputs"][0]["sha256"] == hashlib.sha256(APPROVAL.read_bytes()).hexdigest()
    assert record["inputs"][0]["size"] == APPROVAL.stat().st_size


def test_output_file_holds_the_same_record(tmp_path: Path) -> None:
    target = tmp_path / "record.json"
    code, out, _ = run("tally", str(APPROVAL), "--json", "-o", str(target))
    assert code == 0
    assert target.read_text(encoding="utf-8") == out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["record.json"]


def test_unwritable_output_is_exit_1_without_traceback(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "record.json"
    code, _, err = run("tally", str(APPROVAL), "-o", str(target))
    assert code == 1
    assert err.startswith("Error: ")
    assert "Traceback" not in err
    assert not target.exists()


def test_missing_input_file_is_exit_1() -> None:
    code, _, err = run("tally", "no-such-file.pb")
    assert code == 1
    assert "no-such-file.pb" in err


def test_table_shows_decisive_ties() -> None:
    code, out, _ = run("tally", str(GOOD / "tie_lottery.pb"))
    assert code == 0
    assert "tie at step" in out
    assert "lottery" in out


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0
    assert __version__ in out
