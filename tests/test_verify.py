"""``asukasbudjetti verify``: a record is verified only when its tally, run again, gives it byte for byte."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from asukasbudjetti import __version__
from asukasbudjetti.audit.verify import verify_record
from asukasbudjetti.cli import main
from asukasbudjetti.errors import InputError
from asukasbudjetti.model.record import canonical_json
from asukasbudjetti.tally import tally_file
from tests.conftest import PABULIB

ROOT = Path(__file__).resolve().parent.parent
GOOD = Path(__file__).resolve().parent / "fixtures" / "good"
KUMPULA = ROOT / "examples" / "kumpula_2025.pb"
SEINAJOKI = ROOT / "examples" / "seinajoki_2023"
TIE_LOTTERY = GOOD / "tie_lottery.pb"

RULES = ("greedy", "equalshares/add1", "phragmen", "max-welfare")
#: Rule and fixture pairs the tally refuses (vote type, or votes given only as counts).
REFUSED = {
    ("cumulative.pb", "phragmen"),
    ("ordinal.pb", "phragmen"),
    ("scoring.pb", "phragmen"),
    ("paper_votes.pb", "equalshares/add1"),
    ("paper_votes.pb", "phragmen"),
}
#: Five small files of the real sample, and Assen.
SAMPLE = (
    "Netherlands_Amsterdam_643.pb",
    "Poland_Zabrze_2020_Zaborze_Poludnie.pb",
    "Poland_Zabrze_2021_Makoszowy.pb",
    "France_Toulouse_2022_9_-_Trois_Cocus_Borderouge_Croix-Daurade_Paleficat_Grand_Selve.pb",
    "Poland_Gdynia_2022_Babie_Doly__small.pb",
    "Netherlands_Assen_2024.pb",
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def make_record(folder: Path, source: Path, *options: str) -> Path:
    """Copy ``source`` into ``folder`` and write its record there with ``tally ... -o``."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / source.name
    shutil.copyfile(source, copy)
    record = folder / "record.json"
    code, _, err = run("tally", str(copy), *options, "-o", str(record))
    assert code == 0, err
    return record


def make_cycle_record(folder: Path) -> Path:
    shutil.copytree(SEINAJOKI, folder)
    record = folder / "record.json"
    code, _, err = run("tally", str(folder / "cycle.toml"), "-o", str(record))
    assert code == 0, err
    return record


def edit(record: Path, change: Any) -> None:
    """Apply ``change`` to the record's data and write it back in canonical form."""
    data = json.loads(record.read_text(encoding="utf-8"))
    change(data)
    record.write_text(canonical_json(data), encoding="utf-8", newline="")


def verify_fails(record: Path, *options: str) -> str:
    code, out, err = run("verify", str(record), *options)
    assert code == 1, out
    assert err.startswith(f"Error: {record}: not verified")
    assert "Traceback" not in err
    return err


def verified(record: Path, *options: str) -> str:
    # In English whatever the inputs' language (kumpula_2025.pb says fi).
    code, out, err = run("verify", str(record), "--lang", "en", *options)
    assert code == 0, err
    assert out.startswith("verified: ")
    return out


# --- fresh records verify ---------------------------------------------------------------------------------------


def test_fresh_record_of_the_example_verifies(tmp_path: Path) -> None:
    record = make_record(tmp_path, KUMPULA)
    assert verified(record) == "verified: 1 input, 1 pot\n"
    report = verify_record(record)
    assert report.ok
    assert report.differences == []
    assert (report.inputs, report.pots) == (1, 1)


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("fixture", sorted(GOOD.glob("*.pb")), ids=lambda path: path.stem)
def test_fresh_records_of_the_fixtures_verify(tmp_path: Path, fixture: Path, rule: str) -> None:
    if (fixture.name, rule) in REFUSED:
        code, _, err = run("tally", str(fixture), "--rule", rule)
        assert code == 1
        assert "Error:" in err
        return
    verified(make_record(tmp_path, fixture, "--rule", rule))


def test_fresh_record_with_options_verifies(tmp_path: Path) -> None:
    options = ("--rule", "greedy-exclusive", "--exclusive", "P1,P2", "--seed", "11", "--threshold", "2")
    verified(make_record(tmp_path / "a", GOOD / "approval.pb", *options))
    params = ("--param", "add1_start=exact", "--param", "utilities=cardinality")
    verified(make_record(tmp_path / "b", GOOD / "approval.pb", "--rule", "equalshares/add1", *params))
    verified(make_record(tmp_path / "c", GOOD / "approval.pb", "--strict"))


def test_fresh_record_of_a_cycle_verifies(tmp_path: Path) -> None:
    record = make_cycle_record(tmp_path / "cycle")
    pots = len(json.loads(record.read_text(encoding="utf-8"))["outcomes"])
    assert verified(record) == f"verified: 3 inputs, {pots} pots\n"


@pytest.mark.parametrize("name", SAMPLE)
def test_fresh_records_of_real_elections_verify(tmp_path: Path, name: str) -> None:
    source = PABULIB / name
    if not source.is_file():
        pytest.skip(f"{source} is not there (the real pabulib sample lives beside the project)")
    verified(make_record(tmp_path, source))


# --- what makes a record fail -----------------------------------------------------------------------------------


def test_one_changed_input_byte_is_named(tmp_path: Path) -> None:
    record = make_record(tmp_path, KUMPULA)
    copy = tmp_path / KUMPULA.name
    raw = bytearray(copy.read_bytes())
    raw[-2] = ord("7") if raw[-2] != ord("7") else ord("8")
    copy.write_bytes(bytes(raw))
    err = verify_fails(record)
    assert f"input {KUMPULA.name} changed: sha256" in err
    assert json.loads(record.read_text(encoding="utf-8"))["inputs"][0]["sha256"] in err


def test_a_changed_cycle_input_is_named(tmp_path: Path) -> None:
    record = make_cycle_record(tmp_path / "cycle")
    ballots = tmp_path / "cycle" / "ballots.csv"
    ballots.write_bytes(ballots.read_bytes().replace(b"\n", b"\r\n", 1))
    err = verify_fails(record)
    assert "input ballots.csv changed: sha256" in err
    assert "cycle.toml" not in err


def test_missing_input_is_named(tmp_path: Path) -> None:
    record = make_record(tmp_path, KUMPULA)
    (tmp_path / KUMPULA.name).unlink()
    err = verify_fails(record)
    assert f"input {KUMPULA.name} is missing from {tmp_path}" in err


def test_edited_outcome_id_is_named(tmp_path: Path) -> None:
    record = make_record(tmp_path, KUMPULA)
    data = json.loads(record.read_text(encoding="utf-8"))
    funded = data["outcomes"][0]["funded"]
    edited = [*funded[:-1], "K99"]

    def change(data: dict[str, Any]) -> None:
        data["outcomes"][0]["funded"] = edited

    edit(record, change)
    err = verify_fails(record)
    assert f"outcomes[0].funded: record says {json.dumps(edited, separators=(',', ':'))}" in err
    assert f"but the tally gives {json.dumps(funded, separators=(',', ':'))}" in err


def test_edited_step_decision_is_named(tmp_path: Path) -> None:
    record = make_record(tmp_path, KUMPULA)

    def change(data: dict[str, Any]) -> None:
        data["outcomes"][0]["steps"][1]["decision"] = "withdrawn"

    edit(record, change)
    err = verify_fails(record)
    assert 'outcomes[0].steps[1].decision: record says "withdrawn" but the tally gives "funded"' in err


def test_edited_threshold_is_named(tmp_path: Path) -> None:
    record = make_record(tmp_path, GOOD / "approval.pb", "--threshold", "3")

    def change(data: dict[str, Any]) -> None:
        data["outcomes"][0]["params"]["threshold"] = "2"

    edit(record, change)
    assert 'outcomes[0].params.threshold: record says "2" but the tally gives "3"' in verify_fails(record)


def test_edited_threshold_in_the_invocation_is_named(tmp_path: Path) -> None:
    record = make_record(tmp_path, GOOD / "approval.pb", "--threshold", "3")

    def change(data: dict[str, Any]) -> None:
        data["invocation"]["threshold"] = "5"

    edit(record, change)
    err = verify_fails(record)
    assert 'outcomes[0].params.threshold: record says "3" but the tally gives "5"' in err
    assert "outcomes[0].funded:" in err


def test_edited_equal_shares_parameter_is_named(tmp_path: Path) -> None:
    record = make_record(tmp_path, GOOD / "approval.pb", "--rule", "equalshares/add1", "--param", "add1_start=exact")

    def change(data: dict[str, Any]) -> None:
        assert data["outcomes"][0]["params"]["add1_start"] == "exact"
        data["outcomes"][0]["params"]["add1_start"] = "floor"

    edit(record, change)
    err = verify_fails(record)
    assert 'outcomes[0].params.add1_start: record says "floor" but the tally gives "exact"' in err


def test_edited_seed_changes_the_outcome_where_the_lottery_decides(tmp_path: Path) -> None:
    # --rule greedy: lower cost, then the lottery (official would settle it by the published order).
    record = make_record(tmp_path, TIE_LOTTERY, "--rule", "greedy")
    data = json.loads(record.read_text(encoding="utf-8"))
    assert any(tie["decisive"] and "lottery" in tie["settled_by"] for tie in data["outcomes"][0]["ties"])
    funded = data["outcomes"][0]["funded"]
    seed = next(
        s for s in range(1, 100) if list(tally_file(TIE_LOTTERY, rule="greedy", seed=s).outcomes[0].funded) != funded
    )

    def change(data: dict[str, Any]) -> None:
        data["invocation"]["seed"] = seed

    edit(record, change)
    err = verify_fails(record)
    assert f"outcomes[0].params.seed: record says 0 but the tally gives {seed}" in err
    assert f"outcomes[0].funded: record says {json.dumps(funded, separators=(',', ':'))}" in err
    assert "outcomes[0].ties[0].projects:" in err


def test_removed_step_is_named(tmp_path: Path) -> None:
    record = make_record(tmp_path, KUMPULA)

    def change(data: dict[str, Any]) -> None:
        data["outcomes"][0]["steps"].pop()

    edit(record, change)
    err = verify_fails(record)
    assert "outcomes[0].steps: record has 5 entries but the tally gives 6" in err
    assert 'outcomes[0].steps[5]: not in the record, but the tally gives {"cost":' in err


def test_record_of_another_version_says_so(tmp_path: Path) -> None:
    record = make_record(tmp_path, KUMPULA)

    def change(data: dict[str, Any]) -> None:
        data["generator"]["version"] = "0.0.9"

    edit(record, change)
    assert f"generator.version: record made by 0.0.9, this is {__version__}" in verify_fails(record)


def test_same_content_in_other_bytes_is_not_verified(tmp_path: Path) -> None:
    record = make_record(tmp_path, KUMPULA)
    data = json.loads(record.read_text(encoding="utf-8"))
    record.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    assert "not canonical" in verify_fails(record)


def test_at_most_twenty_differences_then_a_count(tmp_path: Path) -> None:
    record = make_record(tmp_path, KUMPULA)

    def change(data: dict[str, Any]) -> None:
        # Project names are the one open mapping of a record: new keys keep it a record.
        data["outcomes"][0]["names"].update({f"x{k:02}": str(k) for k in range(25)})

    edit(record, change)
    report = verify_record(record)
    assert not report.ok
    assert report.count == 25
    assert len(report.differences) == 21
    assert report.differences[0] == 'outcomes[0].names.x00: record says "0" but the tally gives nothing'
    assert report.differences[-1] == "... and 5 more differences"
    assert "... and 5 more differences" in verify_fails(record)


def test_keys_a_record_does_not_have_are_a_clear_error(tmp_path: Path) -> None:
    """Unknown keys make the file no record at all (it once was one with 25 differences)."""
    record = make_record(tmp_path, KUMPULA)

    def change(data: dict[str, Any]) -> None:
        data.update({f"x{k:02}": k for k in range(25)})

    edit(record, change)
    code, _, err = run("verify", str(record))
    assert code == 1
    assert err.startswith(
        f"Error: {record}: not a result record this version reads: x00: Extra inputs are not permitted; "
    )
    assert "x04: Extra inputs are not permitted; ... and 20 more" in err
    assert "Traceback" not in err
    with pytest.raises(InputError, match="x00: Extra inputs are not permitted"):
        verify_record(record)


def test_invalid_json_is_a_clear_error(tmp_path: Path) -> None:
    record = make_record(tmp_path, KUMPULA)
    record.write_text(record.read_text(encoding="utf-8")[:-10], encoding="utf-8")
    code, _, err = run("verify", str(record))
    assert code == 1
    assert err.startswith(f"Error: {record}: not a result record: invalid JSON")
    assert "Traceback" not in err
    with pytest.raises(InputError, match="invalid JSON"):
        verify_record(record)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda data: data.pop("invocation"), "invocation: missing"),
        (lambda data: data.pop("inputs"), "inputs: missing"),
        (lambda data: data["invocation"].pop("seed"), "invocation.seed: missing"),
        (lambda data: data["invocation"].update(kind="lottery"), "invocation"),
        (lambda data: data["inputs"][0].update(file="../kumpula_2025.pb"), "is not a plain file name"),
        (
            lambda data: data["outcomes"][0].update(spent=99500.5),
            "outcomes[0].spent: Value error, expected exact money",
        ),
        (lambda data: data["outcomes"][0]["steps"][1].update(votes="7"), "outcomes[0].steps[1].votes: Input should be"),
        (lambda data: data["outcomes"][0]["steps"][1].update(decision="won"), "outcomes[0].steps[1].decision:"),
    ],
)
def test_record_without_what_verify_needs_is_a_clear_error(tmp_path: Path, change: Any, named: str) -> None:
    record = make_record(tmp_path, KUMPULA)
    edit(record, change)
    code, _, err = run("verify", str(record))
    assert code == 1
    assert err.startswith(f"Error: {record}: not a result record")
    assert named in err
    assert "Traceback" not in err


def test_a_json_value_that_is_not_a_record(tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    record.write_text("[1, 2]\n", encoding="utf-8")
    with pytest.raises(InputError, match="expected a JSON object"):
        verify_record(record)


def test_missing_record_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = run("verify", str(tmp_path / "nothing.json"))
    assert code == 1
    assert "cannot read the record" in err


def test_invocation_that_cannot_run_is_a_difference(tmp_path: Path) -> None:
    record = make_record(tmp_path, KUMPULA)

    def change(data: dict[str, Any]) -> None:
        data["invocation"]["rule"] = "no-such-rule"

    edit(record, change)
    assert "invocation: running the tally again fails: unknown rule 'no-such-rule'" in verify_fails(record)


# --- --inputs DIR --------------------------------------------------------------------------------------------------


def test_inputs_from_another_folder(tmp_path: Path) -> None:
    record = make_record(tmp_path / "work", KUMPULA, "--rule", "equalshares/add1")
    kept = tmp_path / "records" / "record.json"
    kept.parent.mkdir()
    shutil.move(record, kept)
    err = verify_fails(kept)
    assert f"input {KUMPULA.name} is missing from {kept.parent}" in err
    verified(kept, "--inputs", str(tmp_path / "work"))
    assert verify_record(kept, tmp_path / "work").ok


def test_cycle_inputs_from_another_folder(tmp_path: Path) -> None:
    record = make_cycle_record(tmp_path / "cycle")
    kept = tmp_path / "record.json"
    shutil.move(record, kept)
    assert "input cycle.toml is missing from" in verify_fails(kept)
    verified(kept, "--inputs", str(tmp_path / "cycle"))


def test_inputs_folder_that_does_not_exist(tmp_path: Path) -> None:
    record = make_record(tmp_path, KUMPULA)
    code, _, err = run("verify", str(record), "--inputs", str(tmp_path / "elsewhere"))
    assert code == 1
    assert "the inputs folder does not exist" in err


def test_cycle_with_files_in_subfolders(tmp_path: Path) -> None:
    """A cycle's files are found where the cycle file says, relative to it, also in subfolders."""
    folder = tmp_path / "cycle"
    (folder / "data").mkdir(parents=True)
    (folder / "pb").mkdir()
    shutil.copy(GOOD / "approval.pb", folder / "pb" / "a.pb")
    (folder / "cycle.toml").write_text(
        '[cycle]\nname = "x"\n[files]\nprojects = "data/p.csv"\nballots = "data/b.csv"\n'
        'paper_counts = "data/paper.csv"\n'
        '[[pots]]\nname = "A"\namount = "100"\nrule = "greedy"\n'
        '[[pots]]\nname = "B"\namount = "2000"\nrule = "greedy"\npabulib = "pb/a.pb"\n',
        encoding="utf-8",
    )
    (folder / "data" / "p.csv").write_text("project_id,pot,cost\nX,A,60\nY,A,50\n", encoding="utf-8")
    (folder / "data" / "b.csv").write_text("voter_id,pot,projects\nv1,A,X\nv2,A,X\nv3,A,Y\n", encoding="utf-8")
    (folder / "data" / "paper.csv").write_text("project_id,votes\nY,4\n", encoding="utf-8")
    record = tmp_path / "record.json"
    code, _, err = run("tally", str(folder / "cycle.toml"), "-o", str(record))
    assert code == 0, err
    inputs = json.loads(record.read_text(encoding="utf-8"))["inputs"]
    assert [entry["file"] for entry in inputs] == ["cycle.toml", "p.csv", "b.csv", "paper.csv", "a.pb"]
    assert verified(record, "--inputs", str(folder)) == "verified: 5 inputs, 2 pots\n"
    (folder / "data" / "paper.csv").write_text("project_id,votes\nX,4\n", encoding="utf-8")
    assert "input paper.csv changed: sha256" in verify_fails(record, "--inputs", str(folder))
    (folder / "pb" / "a.pb").unlink()
    assert f"input a.pb is missing from {folder / 'pb'}" in verify_fails(record, "--inputs", str(folder))
