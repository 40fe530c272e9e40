"""The batch command: one CSV row per (file, rule), errors in their rows, same rows with --jobs.

The expected values are worked out from the fixtures by hand:

- ``approval.pb`` (budget 3000.10; votes P1 5, P2 4, P3 3, P4 2, P5 1). greedy: P1
  1000.20 (left 1999.90), P2 1000.10 (left 999.80), P3 1200 does not fit, P4 999.80
  fits exactly (left 0), P5 400 does not fit. greedy-no-skip stops at P3: P1 P2,
  spent 2000.30, left 999.80. Its META rule is greedy, so official = greedy.
- ``cumulative.pb`` (budget 1000.50; points K4 8, K2 6, K1 4, K3 2). greedy: K4 200,
  K2 300, K1 400 (spent 900, left 100.50), K3 250.50 does not fit; greedy-no-skip
  stops at K3, same funded set. Its META rule is greedy-threshold with
  min_project_score_threshold 5: K4 and K2 only (spent 500, left 500.50).
- ``unknown_project.pb``: line 21, voter v2 lists P9, which is not in PROJECTS.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from asukasbudjetti.batch import COLUMNS, BatchRow, tally_file_rules
from asukasbudjetti.cli import main
from asukasbudjetti.rules import RULES
from asukasbudjetti.tally import tally_file

FIXTURES = Path(__file__).resolve().parent / "fixtures"
RULE_LIST = "greedy,greedy-no-skip,official"
HEADER = "file,rule,vote_type,voters,projects,budget,funded,funded_count,spent,left,seconds,error"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["batch", *args])


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def without_seconds(text: str) -> list[list[str]]:
    seconds = COLUMNS.index("seconds")
    return [row[:seconds] + row[seconds + 1 :] for row in csv.reader(io.StringIO(text))]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two good elections and one bad one."""
    elections = tmp_path / "elections"
    elections.mkdir()
    shutil.copy(FIXTURES / "good" / "approval.pb", elections)
    shutil.copy(FIXTURES / "good" / "cumulative.pb", elections)
    shutil.copy(FIXTURES / "bad" / "unknown_project.pb", elections)
    return elections


def test_one_row_per_file_and_rule_in_order(folder: Path, tmp_path: Path) -> None:
    output = tmp_path / "results.csv"
    result = invoke(str(folder), "--rules", RULE_LIST, "-o", str(output))
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == "3 files x 3 rules: 6 ok, 3 errors"
    assert result.stdout == ""
    rows = read_rows(output)
    assert [(row["file"], row["rule"]) for row in rows] == [
        (file, rule)
        for file in ("approval.pb", "cumulative.pb", "unknown_project.pb")
        for rule in ("greedy", "greedy-no-skip", "official")
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elections", "results.csv"]  # no temporary file left


def test_funded_projects_and_money(folder: Path, tmp_path: Path) -> None:
    output = tmp_path / "results.csv"
    assert invoke(str(folder), "--rules", RULE_LIST, "-o", str(output)).exit_code == 0
    rows = {(row["file"], row["rule"]): row for row in read_rows(output)}

    greedy = rows["approval.pb", "greedy"]
    assert {k: greedy[k] for k in COLUMNS if k != "seconds"} == {
        "file": "approval.pb",
        "rule": "greedy",
        "vote_type": "approval",
        "voters": "5",
        "projects": "5",
        "budget": "3000.1",
        "funded": "P1 P2 P4",
        "funded_count": "3",
        "spent": "3000.1",
        "left": "0",
        "error": "",
    }
    assert (rows["approval.pb", "greedy-no-skip"]["funded"], rows["approval.pb", "greedy-no-skip"]["left"]) == (
        "P1 P2",
        "999.8",
    )
    assert rows["approval.pb", "official"]["funded"] == "P1 P2 P4"

    assert rows["cumulative.pb", "greedy"]["vote_type"] == "cumulative"
    assert (rows["cumulative.pb", "greedy"]["funded"], rows["cumulative.pb", "greedy"]["left"]) == ("K4 K2 K1", "100.5")
    assert rows["cumulative.pb", "greedy-no-skip"]["funded"] == "K4 K2 K1"
    official = rows["cumulative.pb", "official"]
    assert (official["funded"], official["funded_count"], official["spent"], official["left"]) == (
        "K4 K2",
        "2",
        "500",
        "500.5",
    )


def test_a_bad_file_is_reported_in_its_rows(folder: Path, tmp_path: Path) -> None:
    output = tmp_path / "results.csv"
    assert invoke(str(folder), "--rules", RULE_LIST, "-o", str(output)).exit_code == 0
    bad = [row for row in read_rows(output) if row["file"] == "unknown_project.pb"]
    assert [row["rule"] for row in bad] == ["greedy", "greedy-no-skip", "official"]
    for row in bad:
        assert row["error"].startswith(f"{folder / 'unknown_project.pb'}:21: voter 'v2' lists project 'P9'")
        assert "\n" not in row["error"]
        assert all(row[k] == "" for k in ("vote_type", "voters", "projects", "budget", "funded", "funded_count"))
        assert all(row[k] == "" for k in ("spent", "left"))


def test_a_rule_that_refuses_the_file_is_reported_in_its_row(tmp_path: Path) -> None:
    folder = tmp_path / "elections"
    folder.mkdir()
    shutil.copy(FIXTURES / "good" / "approval.pb", folder / "good.pb")
    # A valid election whose META rule is 'unknown': greedy runs, official cannot.
    shutil.copy(FIXTURES / "bad" / "unknown_rule_official.pb", folder / "unknown_rule.pb")
    output = tmp_path / "results.csv"
    result = invoke(str(folder), "--rules", "official,greedy", "-o", str(output))
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == "2 files x 2 rules: 3 ok, 1 error"
    rows = {(row["file"], row["rule"]): row for row in read_rows(output)}
    refused = rows["unknown_rule.pb", "official"]
    assert "META rule is 'unknown'" in refused["error"]
    assert refused["error"].startswith(f"{folder / 'unknown_rule.pb'}:")
    assert (refused["vote_type"], refused["voters"], refused["funded"], refused["funded_count"]) == (
        "approval",
        "4",
        "",
        "",
    )
    assert rows["unknown_rule.pb", "greedy"]["error"] == ""
    assert rows["unknown_rule.pb", "greedy"]["funded_count"] != ""


def test_csv_header_and_seconds_column(folder: Path, tmp_path: Path) -> None:
    output = tmp_path / "results.csv"
    assert invoke(str(folder), "--rules", RULE_LIST, "-o", str(output)).exit_code == 0
    text = output.read_text(encoding="utf-8")
    assert text.splitlines()[0] == HEADER
    assert ",".join(COLUMNS) == HEADER
    assert text.endswith("\n")
    assert "\r" not in text
    for row in read_rows(output):
        assert re.fullmatch(r"\d+\.\d{3}", row["seconds"]), row["seconds"]


def test_jobs_give_the_same_csv_apart_from_seconds(folder: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    first = invoke(str(folder), "--rules", RULE_LIST, "-o", str(one))
    second = invoke(str(folder), "--rules", RULE_LIST, "--jobs", "2", "-o", str(two))
    assert first.exit_code == second.exit_code == 0
    assert first.stderr == second.stderr
    assert without_seconds(one.read_text(encoding="utf-8")) == without_seconds(two.read_text(encoding="utf-8"))


def test_seed_reaches_every_tally(tmp_path: Path) -> None:
    # tie_lottery.pb: projects 9 and 10 tie on votes and cost; only the lottery decides.
    folder = tmp_path / "elections"
    folder.mkdir()
    shutil.copy(FIXTURES / "good" / "tie_lottery.pb", folder)
    funded: dict[int, str] = {}
    for seed in (1, 2):
        output = tmp_path / f"seed{seed}.csv"
        assert invoke(str(folder), "--rules", "greedy", "--seed", str(seed), "-o", str(output)).exit_code == 0
        funded[seed] = read_rows(output)[0]["funded"]
        expected = tally_file(folder / "tie_lottery.pb", rule="greedy", seed=seed).outcomes[0].funded
        assert funded[seed] == " ".join(expected)
    assert funded[1] != funded[2]


def test_subfolders_only_with_recursive(folder: Path, tmp_path: Path) -> None:
    sub = folder / "sub"
    sub.mkdir()
    shutil.copy(FIXTURES / "good" / "choose1.pb", sub / "a.pb")
    (folder / "notes.txt").write_text("not an election\n", encoding="utf-8")
    flat, deep = tmp_path / "flat.csv", tmp_path / "deep.csv"
    assert invoke(str(folder), "--rules", "greedy", "-o", str(flat)).exit_code == 0
    assert invoke(str(folder), "--rules", "greedy", "--recursive", "-o", str(deep)).exit_code == 0
    assert [row["file"] for row in read_rows(flat)] == ["approval.pb", "cumulative.pb", "unknown_project.pb"]
    assert [row["file"] for row in read_rows(deep)] == [
        "approval.pb",
        "cumulative.pb",
        "sub/a.pb",
        "unknown_project.pb",
    ]


def test_a_folder_without_pb_files_writes_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README.md").write_text("no elections here\n", encoding="utf-8")
    output = tmp_path / "results.csv"
    result = invoke(str(empty), "--rules", "greedy", "-o", str(output))
    assert result.exit_code == 1
    assert "no .pb files" in result.stderr
    assert "Traceback" not in result.output
    assert not output.exists()


def test_unknown_rule_is_a_usage_error_listing_the_rules(folder: Path, tmp_path: Path) -> None:
    output = tmp_path / "results.csv"
    result = invoke(str(folder), "--rules", "greedy,equal-shares", "-o", str(output))
    assert result.exit_code == 2
    assert "'equal-shares'" in result.stderr
    for name in ("official", *RULES):
        assert name in result.stderr
    assert not output.exists()


@pytest.mark.parametrize("rules", ["greedy,,official", "greedy,greedy"])
def test_empty_or_repeated_rule_names_are_usage_errors(folder: Path, tmp_path: Path, rules: str) -> None:
    output = tmp_path / "results.csv"
    result = invoke(str(folder), "--rules", rules, "-o", str(output))
    assert result.exit_code == 2
    assert "--rules" in result.stderr
    assert not output.exists()


def test_an_output_that_cannot_be_written_is_exit_1(folder: Path, tmp_path: Path) -> None:
    output = tmp_path / "missing" / "results.csv"
    result = invoke(str(folder), "--rules", "greedy", "-o", str(output))
    assert result.exit_code == 1
    assert "cannot write" in result.stderr
    assert "Traceback" not in result.output
    assert not output.parent.exists()


def _declared_rule(path: Path) -> str | None:
    """The META rule of a pabulib file, read without the library."""
    with path.open(encoding="utf-8-sig", errors="replace") as stream:
        for line in stream:
            key, _, value = line.strip().partition(";")
            if key.strip().upper() == "PROJECTS":
                return None
            if key.strip() == "rule":
                return value.strip()
    return None


def test_official_over_the_pabulib_sample(pabulib_dir: Path, tmp_path: Path) -> None:
    output = tmp_path / "pabulib.csv"
    result = invoke(str(pabulib_dir), "--rules", "official", "--jobs", "2", "-o", str(output))
    assert result.exit_code == 0, result.output
    rows = read_rows(output)
    files = sorted(path.name for path in pabulib_dir.glob("*.pb"))
    assert [row["file"] for row in rows] == files
    assert all(row["rule"] == "official" for row in rows)
    for row in rows:
        declared = _declared_rule(pabulib_dir / row["file"])
        if declared == "unknown":
            assert "META rule is 'unknown'" in row["error"], row["file"]
        elif declared == "equalshares/add1":
            # Netherlands_Assen_2024.pb: an error until equalshares/add1 is registered, then a result.
            assert row["file"] == "Netherlands_Assen_2024.pb"
            assert (row["error"] != "") != (row["funded_count"] != ""), row
        else:
            assert declared in RULES, row["file"]
            assert row["error"] == "", row["error"]
            assert int(row["funded_count"]) == len(row["funded"].split())


# --- long batches: a time limit per file, rows kept as they come ---------------------------------


def test_a_file_over_the_time_limit_is_a_row_saying_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import time as clock

    import asukasbudjetti.batch as batch_module

    def slow(*args: object, **kwargs: object) -> list[BatchRow]:
        clock.sleep(2)
        raise AssertionError("the timer should have stopped this")

    monkeypatch.setattr(batch_module, "_tally_file_rules", slow)
    good = FIXTURES / "good"
    rows = batch_module.tally_file_rules(good / "approval.pb", "approval.pb", ("greedy", "phragmen"), timeout=0.05)
    assert [(row.rule, row.error) for row in rows] == [
        ("greedy", "approval.pb: stopped after 0.05 s (--timeout-per-file); no result"),
        ("phragmen", "approval.pb: stopped after 0.05 s (--timeout-per-file); no result"),
    ]


def test_rows_are_kept_when_the_batch_is_interrupted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(folder: str, files: list[Path], rules: tuple[str, ...], **kwargs: Any) -> list[BatchRow]:
        first = tally_file_rules(files[0], files[0].name, rules)
        kwargs["on_file_done"](first)
        raise KeyboardInterrupt

    # The CLI imports the batch module when the command runs: patch it there.
    import asukasbudjetti.batch as batch_module

    monkeypatch.setattr(batch_module, "run_batch", interrupted)
    output = tmp_path / "out.csv"
    result = CliRunner().invoke(main, ["batch", str(FIXTURES / "good"), "-o", str(output)])
    assert result.exit_code == 1
    assert f"interrupted: 1 of 9 files done; their rows are in {output}.partial" in result.stderr
    assert not output.exists()
    lines = (tmp_path / "out.csv.partial").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("file,rule,")
    assert [line.split(",")[0] for line in lines[1:]] == ["approval.pb"]


def test_a_finished_batch_leaves_no_partial_file(tmp_path: Path) -> None:
    output = tmp_path / "out.csv"
    result = CliRunner().invoke(main, ["batch", str(FIXTURES / "good"), "-o", str(output)])
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
