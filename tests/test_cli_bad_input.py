"""The command line on bad input: one fixture per kind of problem, each with its line.

Every file in ``tests/fixtures/bad/`` is the same small approval election (4 projects,
4 voters, budget 100; ``BASE`` below) with exactly one thing wrong. The ``.pb`` format
has no comments, so the table ``BAD`` documents each fixture: its problem, the line
that holds it, and a piece of the message that must name it. The lines and messages
were written from the fixtures, not copied from the program's output.

For each fixture ``tally FILE -o OUT --json`` must exit 1 with ``Error: FILE:LINE: ...``
(FILE as given on the command line) as its first problem, no traceback, no OUT and no
temporary file left behind; ``validate FILE`` must exit 1 naming the same line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from asukasbudjetti.cli import main
from asukasbudjetti.rules import rule_names

TESTS = Path(__file__).parent
BAD_DIR = TESTS / "fixtures" / "bad"
EXAMPLE = TESTS.parent / "examples" / "kumpula_2025.pb"

#: The good election every fixture is a variant of.
BASE = """\
META
key;value
description;Bad-input fixture for asukasbudjetti tests
country;Finland
unit;Testila
instance;2025
num_projects;4
num_votes;4
budget;100
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;name
P1;40;Alpha
P2;30;Beta
P3;20;Gamma
P4;50;Delta
VOTES
voter_id;vote
v1;P1,P2
v2;P2,P3
v3;P1
v4;P4,P3
"""
# Lines of BASE: 1 META, 9 budget, 10 vote_type, 12 PROJECTS, 13 its header,
# 14-17 P1-P4, 18 VOTES, 19 its header, 20-23 v1-v4.

# (fixture, line of the problem, part of the message, reported alone)
BAD: list[tuple[str, int, str, bool]] = [
    # --- file structure ---
    # The file ends after P4 (line 17) with no VOTES section; reported at the last line.
    ("missing_votes_section", 17, "the file has no VOTES section", True),
    # VOTES (line 12) comes before PROJECTS (line 18).
    ("section_out_of_order", 12, "section VOTES where section PROJECTS should start", True),
    # A second PROJECTS marker on line 18, after P4.
    ("duplicate_section", 18, "section PROJECTS appears a second time (first on line 12)", True),
    # A title line before META.
    ("data_before_meta", 1, "'Participatory budget 2025 export' before any section", True),
    # META header is key;val.
    ("bad_meta_header", 2, "META header 'key;val' lacks value", True),
    # PROJECTS header project_id;name has no cost column.
    ("missing_project_columns", 13, "PROJECTS header 'project_id;name' lacks cost", True),
    # PROJECTS header project_id;cost;name;cost.
    ("duplicate_column", 13, "PROJECTS header names column 'cost' twice", True),
    # VOTES is followed directly by ballots, so v1's row is taken as the header.
    ("missing_votes_header", 19, "VOTES header 'v1;P1,P2' lacks voter_id, vote", True),
    # Cumulative ballots whose VOTES header (line 20) has no points column.
    ("missing_points_column", 20, "VOTES header 'voter_id;vote' lacks points", True),
    # v3;P1;extra: three fields under a two-column header.
    ("field_count", 22, "VOTES row has 3 fields", True),
    # comment;#1: first;second (an unquoted ';' in a value).
    ("meta_field_count", 12, "META row has 3 fields", True),
    # v2;"P2,P3 opens a quote that is never closed.
    ("unbalanced_quote", 21, "cannot split the line into fields", True),
    # P2;30;"Be"ta: text after a closing quote.
    ("stray_quote", 15, "cannot split the line into fields", True),
    # unit;Test\xe4la written in Latin-1.
    ("not_utf8", 5, "byte 0xe4 is not UTF-8 text", True),
    # The same, in a file whose lines end with CR alone.
    ("not_utf8_cr_line_ends", 5, "byte 0xe4 is not UTF-8 text", True),
    # --- META ---
    # budget;1e5 (an exponent).
    ("bad_budget", 9, "budget: '1e5' is not an amount of money", True),
    # No budget line; reported at the META line.
    ("missing_budget", 1, "META has no budget", True),
    # vote_type;approve.
    ("bad_vote_type", 10, "vote_type 'approve' is not a pabulib vote type", True),
    # No vote_type line.
    ("missing_vote_type", 1, "META has no vote_type", True),
    # budget;100 on line 9, budget;200 on line 10.
    ("duplicate_meta_key", 10, "META key 'budget' appears again (first on line 9)", True),
    # max_length;three.
    ("bad_meta_integer", 12, "META max_length is 'three'; expected a whole number", True),
    # num_votes;-4.
    ("negative_meta_integer", 8, "META num_votes is -4; expected a whole number of at least 0", True),
    # max_sum_cost;lots.
    ("bad_max_sum_cost", 12, "META max_sum_cost: 'lots' is not an amount of money", True),
    # min_project_score_threshold;1,000 (thousands separator or decimal comma?).
    ("bad_threshold", 12, "META min_project_score_threshold: '1,000' is ambiguous", True),
    # vote_type choose-1 with max_length;2.
    ("choose1_max_length", 12, "META max_length is 2 for choose-1 ballots", True),
    # --- PROJECTS ---
    # P2;nan.
    ("bad_cost_nan", 15, "project 'P2': cost 'nan' is not an amount of money", True),
    # P2;inf.
    ("bad_cost_inf", 15, "project 'P2': cost 'inf' is not an amount of money", True),
    # P2;-30.
    ("negative_cost", 15, "project 'P2': cost '-30' is negative", True),
    # P2;3e1.
    ("bad_cost_exponent", 15, "project 'P2': cost '3e1' is not an amount of money", True),
    # P2 costs 3 followed by 5000 zeros: more digits than Python's int() reads.
    ("huge_cost", 15, "project 'P2': cost '3000", True),
    # votes column: P2;30;many.
    ("bad_project_votes", 15, "project 'P2': votes 'many' is not a whole number", True),
    # selected column: P3 selected 7.
    ("bad_selected", 16, "project 'P3': selected is 7; expected 0, 1, 2 or 3", True),
    # P4 has the withdrawn cost 999999999 and selected 1.
    ("withdrawn_selected", 17, "project 'P4' has the withdrawn cost 999999999 but selected 1", True),
    # A fifth project row ;25;Epsilon with no id (no ballot names it).
    ("empty_project_id", 18, "project_id is empty", True),
    # P2 on line 15 and again on line 16 (num_projects says 5 rows).
    ("duplicate_project", 16, "project 'P2' is listed again (first on line 15)", True),
    # --- VOTES ---
    # v2;P2,P9.
    ("unknown_project", 21, "voter 'v2' lists project 'P9', which is not in PROJECTS", True),
    # v2 on line 21 and again on line 23 (num_votes says 5 rows).
    ("duplicate_voter", 23, "voter 'v2' votes again (first on line 21)", True),
    # ;P1: a ballot with no voter_id.
    ("empty_voter_id", 22, "voter_id is empty", True),
    # v2;P2,,P3.
    ("empty_item", 21, "voter 'v2': vote 'P2,,P3' has an empty item", True),
    # v3; with nothing after the separator.
    ("empty_ballot", 22, "voter 'v3' lists no project in column vote", True),
    # max_length;2 and v4;P4,P3,P1.
    ("ballot_too_long", 24, "voter 'v4' lists 3 projects; expected at most 2 (META max_length)", True),
    # min_length;2 and v3;P1.
    ("ballot_too_short", 23, "voter 'v3' lists 1 project; expected at least 2 (META min_length)", True),
    # vote_type choose-1 and v2;P2,P3.
    ("choose1_two_projects", 21, "voter 'v2' lists 2 projects; expected exactly 1 project", True),
    # Cumulative, v2;P2,P3;5: one number of points for two projects.
    ("points_count_mismatch", 22, "voter 'v2' gives 1 points for 2 projects", True),
    # Cumulative, max_points;6 and v1;P1,P2;7,3.
    ("points_above_max", 22, "voter 'v1' gives project 'P1' 7 points; expected at most 6", True),
    # Cumulative, v1;P1,P2;2.5,7.5.
    ("points_not_integer", 21, "voter 'v1': points '2.5,7.5' are not whole numbers", True),
    # Cumulative, v1;P1,P2;11,-1.
    ("negative_cumulative_points", 21, "voter 'v1': cumulative points '11,-1' include a negative", True),
    # Cumulative, v1 gives P1 99999999999999999999 points: more than 64 bits hold.
    ("huge_points", 20, "voter 'v1' gives project 'P1' 99999999999999999999 points", True),
    # Ordinal, v1;P1,P2,P1.
    ("repeated_project_in_ordinal", 20, "voter 'v1' lists project 'P1' more than once", True),
]
#: rule;unknown on line 11: a valid file that --rule official cannot tally.
UNKNOWN_RULE = "unknown_rule_official"


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _assert_clean_failure(result: Result) -> None:
    """Exit 1 through click's error path: no uncaught exception, no traceback."""
    assert result.exit_code == 1, result.output
    # CliRunner swallows an uncaught exception (exit code 1 too): it must be SystemExit.
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


@pytest.fixture
def in_tests_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from tests/ so that fixtures are passed as relative paths, as a user types them."""
    monkeypatch.chdir(TESTS)


def _fixture(kind: str) -> str:
    return f"fixtures/bad/{kind}.pb"


def test_every_fixture_is_in_the_table() -> None:
    on_disk = {path.stem for path in BAD_DIR.glob("*.pb")}
    assert on_disk == {kind for kind, *_ in BAD} | {UNKNOWN_RULE}
    assert len(BAD) == len({kind for kind, *_ in BAD})


@pytest.mark.usefixtures("in_tests_dir")
@pytest.mark.parametrize(("kind", "line", "message", "alone"), BAD, ids=[kind for kind, *_ in BAD])
def test_tally_rejects_bad_input(kind: str, line: int, message: str, alone: bool, tmp_path: Path) -> None:
    fixture = _fixture(kind)
    out = tmp_path / "record.json"
    result = _run("tally", fixture, "-o", str(out), "--json")
    _assert_clean_failure(result)
    assert result.stdout == ""
    problems = result.stderr.splitlines()
    # The first problem printed is this fixture's problem, at its line.
    assert problems[0].startswith(f"Error: {fixture}:{line}: "), result.stderr
    assert message in problems[0]
    if alone:
        assert len(problems) == 1, result.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("in_tests_dir")
@pytest.mark.parametrize(("kind", "line", "message", "alone"), BAD, ids=[kind for kind, *_ in BAD])
def test_validate_rejects_bad_input(kind: str, line: int, message: str, alone: bool) -> None:
    fixture = _fixture(kind)
    result = _run("validate", fixture)
    _assert_clean_failure(result)
    assert result.stdout == ""
    problems = result.stderr.splitlines()
    assert problems[0].startswith(f"{fixture}:{line}: "), result.stderr
    assert message in problems[0]
    assert problems[-1] == "Error: 1 of 1 file invalid"
    if alone:
        assert len(problems) == 2, result.stderr


@pytest.mark.usefixtures("in_tests_dir")
def test_unknown_rule_validates_but_official_tally_fails(tmp_path: Path) -> None:
    fixture = _fixture(UNKNOWN_RULE)
    result = _run("validate", fixture)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{fixture}: valid (4 ballots, 4 projects)\n"

    out = tmp_path / "record.json"
    result = _run("tally", fixture, "-o", str(out), "--json")
    _assert_clean_failure(result)
    assert result.stderr.startswith(f"Error: {fixture}:11: the file's META rule is 'unknown'")
    assert "choose one of: " in result.stderr
    for name in rule_names():
        assert name in result.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []

    # Naming a rule tallies the same file.
    result = _run("tally", fixture, "--rule", "greedy", "-o", str(out), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["outcomes"][0]["funded"] == ["P3", "P2", "P1"]


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return str(path)


def test_twenty_problems_are_listed_then_counted(tmp_path: Path) -> None:
    # 25 ballots (lines 20-44) each naming project P9, which does not exist.
    head = BASE[: BASE.index("v1;")].replace("num_votes;4", "num_votes;25")
    text = head + "".join(f"v{i:02};P9\n" for i in range(1, 26))
    path = _write(tmp_path, "many.pb", text)
    expected = [f"{path}:{19 + i}: voter 'v{i:02}' lists project 'P9', which is not in PROJECTS" for i in range(1, 21)]

    result = _run("tally", path, "--json")
    _assert_clean_failure(result)
    lines = result.stderr.splitlines()
    assert len(lines) == 21
    assert lines[0].startswith("Error: " + expected[0])
    for line, start in zip(lines[1:20], expected[1:], strict=True):
        assert line.startswith(start)
    assert lines[20] == "... and 5 more problems"

    result = _run("validate", path)
    _assert_clean_failure(result)
    lines = result.stderr.splitlines()
    assert [line.split(";")[0] for line in lines[:20]] == expected
    assert lines[20:] == ["... and 5 more problems", "Error: 1 of 1 file invalid"]


# v1 names P1 twice (line 20).
REPEATED = BASE.replace("v1;P1,P2\n", "v1;P1,P2,P1\n")
# num_votes;5 (line 8) but four ballots.
NUM_VOTES = BASE.replace("num_votes;4\n", "num_votes;5\n")


def test_repeated_project_in_approval_ballot_is_a_warning(tmp_path: Path) -> None:
    path = _write(tmp_path, "repeated.pb", REPEATED)
    out = tmp_path / "record.json"
    result = _run("tally", path, "-o", str(out), "--json")
    assert result.exit_code == 0, result.output
    assert out.read_text() == result.stdout
    record = json.loads(result.stdout)
    [warning] = record["warnings"]
    assert warning["file"] == "repeated.pb"
    assert warning["line"] == 20
    assert warning["code"] == "repeated-project"
    assert warning["message"].startswith(f"{path}:20: warning: voter 'v1' lists project 'P1'")
    assert "counted once" in warning["message"]
    # P1 is on v1's and v3's ballots: 2 supporters, not 3.
    steps = {step["project"]: step for step in record["outcomes"][0]["steps"]}
    assert steps["P1"]["votes"] == 2
    assert steps["P1"]["score"] == 2
    # P1, P2 and P3 all have 2 votes: --rule official settles the tie by the order the
    # file lists them in (P1, P2, P3); 40 + 30 + 20 = 90 fits the budget of 100.
    assert record["outcomes"][0]["funded"] == ["P1", "P2", "P3"]

    result = _run("validate", path)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{path}: valid (4 ballots, 4 projects, 1 warnings)\n"
    assert result.stderr.startswith(f"{path}:20: warning: voter 'v1' lists project 'P1'")


def test_num_votes_mismatch_is_a_warning(tmp_path: Path) -> None:
    path = _write(tmp_path, "num_votes.pb", NUM_VOTES)
    result = _run("tally", path, "--json")
    assert result.exit_code == 0, result.output
    [warning] = json.loads(result.stdout)["warnings"]
    assert warning["line"] == 8
    assert warning["code"] == "summary-mismatch"
    assert "META num_votes says 5 but the file has 4 ballots" in warning["message"]

    # The table output lists the warning too.
    result = _run("tally", path)
    assert result.exit_code == 0, result.output
    assert f"{path}:8: warning: META num_votes says 5" in result.stdout


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (REPEATED, 20, "voter 'v1' lists project 'P1' more than once; counted once"),
        (NUM_VOTES, 8, "META num_votes says 5 but the file has 4 ballots"),
    ],
    ids=["repeated-project", "num-votes"],
)
def test_strict_turns_warnings_into_errors(text: str, line: int, message: str, tmp_path: Path) -> None:
    path = _write(tmp_path, "warned.pb", text)
    out = tmp_path / "record.json"
    result = _run("tally", path, "--strict", "-o", str(out), "--json")
    _assert_clean_failure(result)
    assert result.stderr.startswith(f"Error: {path}:{line}: {message}")
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["warned.pb"]

    result = _run("validate", "--strict", path)
    _assert_clean_failure(result)
    assert result.stderr.startswith(f"{path}:{line}: {message}")


def test_validate_accepts_a_good_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "good.pb", BASE)
    result = _run("validate", path)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{path}: valid (4 ballots, 4 projects)\n"
    assert result.stderr == ""

    result = _run("validate", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    assert f"{EXAMPLE}: valid (" in result.stdout


def test_tally_of_a_good_file_leaves_only_the_record(tmp_path: Path) -> None:
    # The positive control of the "nothing left behind" checks above.
    source = tmp_path / "in"
    source.mkdir()
    path = _write(source, "good.pb", BASE)
    out = tmp_path / "record.json"
    result = _run("tally", path, "-o", str(out), "--json")
    assert result.exit_code == 0, result.output
    assert sorted(tmp_path.iterdir()) == sorted([source, out])
    # Three projects tied on 2 votes, settled by the published order under --rule official.
    assert json.loads(out.read_text())["outcomes"][0]["funded"] == ["P1", "P2", "P3"]
