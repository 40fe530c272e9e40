"""A budget cycle's ballot rules and voter rules, bad cycle files, and --exclude-invalid.

Every case writes a small cycle (TOML, projects.csv, ballots.csv) in tmp_path and runs
``asukasbudjetti validate`` and ``asukasbudjetti tally`` on it. A rejected ballot must
stop both with exit code 1 and the exact ``FILE:LINE: message; expected ...`` line,
never a traceback; the same file without the bad ballot must pass.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from asukasbudjetti.cli import main

HEAD = """\
[cycle]
name = "test cycle"

[files]
projects = "projects.csv"
ballots = "ballots.csv"
"""

# Two districts with their postal codes and a citywide pot, 100 each.
POTS = """\
[[pots]]
name = "North"
amount = "100"
postal_codes = ["60100"]
{north}

[[pots]]
name = "South"
amount = "100"
postal_codes = ["60200"]

[[pots]]
name = "City"
kind = "citywide"
amount = "100"
"""

PROJECTS = """\
project_id,pot,cost
N1,North,40
N2,North,30
N3,North,50
S1,South,40
C1,City,60
C2,City,30
"""

BALLOT_HEADER = "voter_id,pot,projects,points,age,postal_code"


def write_cycle(folder: Path, toml: str, ballots: list[str], projects: str = PROJECTS) -> tuple[Path, Path]:
    """The cycle file and its ballots file; ``ballots`` are rows under BALLOT_HEADER (line 2 on)."""
    folder.mkdir(parents=True, exist_ok=True)
    cycle = folder / "cycle.toml"
    cycle.write_text(HEAD + toml, encoding="utf-8")
    (folder / "projects.csv").write_text(projects, encoding="utf-8")
    ballots_csv = folder / "ballots.csv"
    ballots_csv.write_text("\n".join([BALLOT_HEADER, *ballots]) + "\n", encoding="utf-8")
    return cycle, ballots_csv


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def assert_clean_failure(result: Result) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout


def assert_accepted(cycle: Path) -> None:
    checked = invoke("validate", str(cycle))
    assert checked.exit_code == 0, checked.stderr
    assert f"{cycle}: valid (" in checked.stdout
    tallied = invoke("tally", str(cycle), "--json")
    assert tallied.exit_code == 0, tallied.stderr


def problem_lines(stderr: str) -> list[str]:
    """The FILE:LINE: lines of a command's standard error (without click's 'Error: ')."""
    lines = [line.removeprefix("Error: ") for line in stderr.splitlines()]
    return [line for line in lines if ": " in line and not line.endswith("file invalid")]


def assert_rejected(cycle: Path, expected_line: str) -> None:
    """validate and tally both stop with exactly this one problem."""
    for command in ("validate", "tally"):
        result = invoke(command, str(cycle))
        assert_clean_failure(result)
        assert expected_line in result.stderr, result.stderr
        assert problem_lines(result.stderr) == [expected_line], result.stderr


@dataclass(frozen=True)
class Case:
    id: str
    toml: str
    good: list[str]  # valid ballots, lines 2, 3, ...
    bad: str  # one invalid ballot, on the line after the good ones
    message: str
    expected: str
    projects: str = PROJECTS


def pots(north: str = "", extra: str = "") -> str:
    return POTS.format(north=north) + extra


CASES = [
    Case(
        "pot-the-cycle-does-not-have",
        pots(),
        ["v1,North,N1,,,"],
        "v2,West,N1,,,",
        "voter 'v2' votes in pot 'West', which the cycle does not have",
        "one of North, South, City",
    ),
    Case(
        "same-voter-twice-in-one-pot",
        pots(),
        ["v1,North,N1,,,", "v1,City,C1,,,"],
        "v1,North,N2,,,",
        "voter 'v1' votes again in pot 'North' (first on line 2)",
        "one ballot per voter and pot",
    ),
    Case(
        "voter-under-min-age",
        pots(extra="[voters]\nmin_age = 16\n"),
        ["v1,North,N1,,16,", "v2,South,S1,,70,"],
        "v3,North,N1,,15,",
        "voter 'v3' has age 15",
        "at least 16 (voters.min_age)",
    ),
    Case(
        "voter-without-age-when-min-age-is-set",
        pots(extra="[voters]\nmin_age = 16\n"),
        ["v1,North,N1,,16,"],
        "v2,North,N1,,,",
        "voter 'v2' has no age",
        "at least 16 (voters.min_age)",
    ),
    Case(
        "home-district-voter-outside-her-district",
        pots(extra='[voters]\nchoose = "home-district"\n'),
        ["v1,North,N1,,,60100", "v2,South,S1,,,60200", "v1,City,C1,,,60100"],
        "v3,South,S1,,,60100",
        "voter 'v3' (postal code 60100) votes in district 'South'",
        "a ballot in the voter's home district only",
    ),
    Case(
        "one-district-voter-in-two-districts",
        pots(extra='[voters]\nchoose = "one-district"\n'),
        ["v1,North,N1,,,", "v2,South,S1,,,"],
        "v1,South,S1,,,",
        "voter 'v1' votes in a second district, 'South' (first: 'North')",
        "a ballot in one district only",
    ),
    Case(
        # A district and the citywide pot are fine; a second district is not.
        "citywide-plus-one-two-districts",
        pots(extra='[voters]\nchoose = "citywide-plus-one"\n'),
        ["v1,North,N1,,,", "v1,City,C1,,,", "v2,City,C2,,,", "v2,South,S1,,,"],
        "v1,South,S1,,,",
        "voter 'v1' votes in a second district, 'South' (first: 'North')",
        "a ballot in one district only",
    ),
    Case(
        "project-of-another-pot",
        pots(),
        ["v1,North,N1,,,"],
        "v2,North,S1,,,",
        "voter 'v2' lists 'S1', a project of pot 'South'",
        "projects of pot 'North'",
    ),
    Case(
        "unknown-project",
        pots(),
        ["v1,North,N1,,,"],
        "v2,North,X9,,,",
        "voter 'v2' lists 'X9', not a project of the cycle",
        "projects of pot 'North'",
    ),
    Case(
        "project-listed-twice",
        pots(),
        ['v1,North,"N1,N2",,,'],
        'v2,North,"N1,N2,N1",,,',
        "voter 'v2' lists a project twice",
        "each project once",
    ),
    Case(
        "choose-1-with-two-projects",
        pots(north='ballot = { kind = "choose-1" }'),
        ["v1,North,N1,,,"],
        'v2,North,"N1,N2",,,',
        "voter 'v2' lists 2 projects",
        "exactly 1 (choose-1)",
    ),
    Case(
        "max-projects",
        pots(north="ballot = { max_projects = 2 }"),
        ['v1,North,"N1,N2",,,', "v2,North,N3,,,"],
        'v3,North,"N1,N2,N3",,,',
        "voter 'v3' lists 3 projects",
        "at most 2 in pot 'North'",
    ),
    Case(
        "min-projects",
        pots(north="ballot = { min_projects = 2 }"),
        ['v1,North,"N1,N2",,,', 'v2,North,"N1,N2,N3",,,'],
        "v3,North,N3,,,",
        "voter 'v3' lists 1 project",
        "at least 2 in pot 'North'",
    ),
    Case(
        # N1 40 + N2 30 + N3 50 = 120 > the pot's 100; N3 + N1 = 90 fits.
        "knapsack-basket-over-the-pot",
        pots(north='ballot = { kind = "knapsack" }'),
        ['v1,North,"N3,N1",,,', 'v2,North,"N1,N2",,,'],
        'v3,North,"N1,N2,N3",,,',
        "voter 'v3' fills a basket of 120",
        "at most the pot, 100",
    ),
    Case(
        # min_share 0.5 of 100 = 50: N3 alone (50) is enough, N2 alone (30) is not.
        "knapsack-basket-under-min-share",
        pots(north='ballot = { kind = "knapsack", min_share = "0.5" }'),
        ["v1,North,N3,,,", 'v2,North,"N1,N2",,,'],
        "v3,North,N2,,,",
        "voter 'v3' fills a basket of 30",
        "at least 50 (0.5 of the pot)",
    ),
    Case(
        "cumulative-max-points",
        pots(north='ballot = { kind = "cumulative", max_points = 5 }'),
        ['v1,North,"N1,N2","5,1",,', "v2,North,N3,3,,"],
        'v3,North,"N1,N2","6,1",,',
        "voter 'v3' gives 6 points to one project",
        "at most 5",
    ),
    Case(
        "cumulative-max-total-points",
        pots(north='ballot = { kind = "cumulative", max_total_points = 10 }'),
        ['v1,North,"N1,N2","6,4",,', "v2,North,N3,10,,"],
        'v3,North,"N1,N2","6,5",,',
        "voter 'v3' gives 11 points in all",
        "at most 10",
    ),
    Case(
        "cumulative-missing-points",
        pots(north='ballot = { kind = "cumulative" }'),
        ['v1,North,"N1,N2","2,1",,'],
        'v2,North,"N1,N2",,,',
        "voter 'v2' gives no points for each project",
        "one number of points per listed project",
    ),
    Case(
        "cumulative-fewer-points-than-projects",
        pots(north='ballot = { kind = "cumulative" }'),
        ['v1,North,"N1,N2","2,1",,'],
        'v2,North,"N1,N2",3,,',
        "voter 'v2' gives no points for each project",
        "one number of points per listed project",
    ),
    Case(
        "cumulative-negative-points",
        pots(north='ballot = { kind = "cumulative" }'),
        ['v1,North,"N1,N2","0,1",,'],
        'v2,North,"N1,N2","-1,3",,',
        "voter 'v2' gives negative points",
        "points of at least 0",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_valid_ballots_pass(tmp_path: Path, case: Case) -> None:
    cycle, _ = write_cycle(tmp_path, case.toml, case.good, case.projects)
    assert_accepted(cycle)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_invalid_ballot_is_refused_with_its_line(tmp_path: Path, case: Case) -> None:
    cycle, ballots_csv = write_cycle(tmp_path, case.toml, [*case.good, case.bad], case.projects)
    line = len(case.good) + 2  # the header is line 1
    assert_rejected(cycle, f"{ballots_csv}:{line}: {case.message}; expected {case.expected}")


def test_invalid_ballot_in_the_middle_keeps_its_own_line(tmp_path: Path) -> None:
    # The bad ballot on line 3, valid ones before and after it.
    cycle, ballots_csv = write_cycle(
        tmp_path,
        pots(north="ballot = { max_projects = 1 }"),
        ["v1,North,N1,,,", 'v2,North,"N1,N2",,,', "v3,City,C1,,,"],
    )
    assert_rejected(cycle, f"{ballots_csv}:3: voter 'v2' lists 2 projects; expected at most 1 in pot 'North'")


def test_one_district_means_no_citywide_ballot(tmp_path: Path) -> None:
    # choose = one-district: one district of the voter's choice and nothing else
    # (citywide plus one district is choose = citywide-plus-one).
    cycle, ballots_csv = write_cycle(
        tmp_path, pots(extra='[voters]\nchoose = "one-district"\n'), ["v1,North,N1,,,", "v1,City,C1,,,"]
    )
    result = invoke("validate", str(cycle))
    assert result.exit_code == 1
    assert (
        f"{ballots_csv}:3: voter 'v1' votes in the citywide pot 'City'; "
        "expected ballots in districts only (voters.choose = one-district)"
    ) in result.stderr


def test_any_lets_a_voter_vote_in_every_pot(tmp_path: Path) -> None:
    cycle, _ = write_cycle(tmp_path, pots(), ["v1,North,N1,,,", "v1,South,S1,,,", "v1,City,C1,,,"])
    assert_accepted(cycle)


def test_every_problem_of_a_ballot_is_listed(tmp_path: Path) -> None:
    # One ballot, three reasons: under age, a project twice, more than max_projects.
    cycle, ballots_csv = write_cycle(
        tmp_path,
        pots(north="ballot = { max_projects = 2 }", extra="[voters]\nmin_age = 16\n"),
        ["v1,North,N1,,30,", 'v2,North,"N1,N2,N1",,12,'],
    )
    result = invoke("validate", str(cycle))
    assert_clean_failure(result)
    assert problem_lines(result.stderr) == [
        f"{ballots_csv}:3: voter 'v2' has age 12; expected at least 16 (voters.min_age)",
        f"{ballots_csv}:3: voter 'v2' lists a project twice; expected each project once",
        f"{ballots_csv}:3: voter 'v2' lists 3 projects; expected at most 2 in pot 'North'",
    ]


# --- bad cycle files ---------------------------------------------------------------------------


def assert_cycle_refused(cycle: Path, expected: str) -> None:
    """validate and tally both refuse the cycle file with this text."""
    for command in ("validate", "tally"):
        result = invoke(command, str(cycle))
        assert_clean_failure(result)
        assert expected in result.stderr, result.stderr


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    cycle, _ = write_cycle(tmp_path, '[[pots]]\nname = "North"\namount = "100\n', ["v1,North,N1,,,"])
    # HEAD is lines 1-6, [[pots]] line 7, name line 8: the unterminated string is on line 9.
    assert_cycle_refused(cycle, f"{cycle}:9: Illegal character '\\n' (at line 9, column 14)")


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    cycle, _ = write_cycle(tmp_path, pots(north='colour = "red"'), ["v1,North,N1,,,"])
    assert_cycle_refused(cycle, f"{cycle}: pots.0.colour: Extra inputs are not permitted")


def test_unknown_section_is_refused(tmp_path: Path) -> None:
    cycle, _ = write_cycle(tmp_path, pots(extra="[leftovers]\npolicy = 'unspent'\n"), ["v1,North,N1,,,"])
    assert_cycle_refused(cycle, f"{cycle}: leftovers: Extra inputs are not permitted")


def test_amount_as_a_float_is_refused(tmp_path: Path) -> None:
    cycle, _ = write_cycle(tmp_path, '[[pots]]\nname = "North"\namount = 1000.5\n', ["v1,North,N1,,,"])
    assert_cycle_refused(
        cycle,
        f"{cycle}: pots.0.amount: Value error, write amounts as text or whole numbers, "
        'e.g. "1000.50" or 1000 (never 1000.5 as a float)',
    )


@pytest.mark.parametrize("amount", ['"1000.5"', "1000"])
def test_amount_as_text_or_whole_number_is_accepted(tmp_path: Path, amount: str) -> None:
    cycle, _ = write_cycle(
        tmp_path,
        f'[[pots]]\nname = "North"\namount = {amount}\n',
        ["v1,North,N1,,,"],
        "project_id,pot,cost\nN1,North,40\n",
    )
    assert_accepted(cycle)


def test_two_citywide_pots_are_refused(tmp_path: Path) -> None:
    toml = pots(extra='[[pots]]\nname = "City2"\nkind = "citywide"\namount = "5"\n')
    cycle, _ = write_cycle(tmp_path, toml, ["v1,North,N1,,,"])
    assert_cycle_refused(cycle, f"{cycle}: more than one citywide pot")


def test_pot_with_neither_amount_nor_population_is_refused(tmp_path: Path) -> None:
    toml = pots(extra='[[pots]]\nname = "East"\n')
    cycle, _ = write_cycle(tmp_path, toml, ["v1,North,N1,,,"])
    assert_cycle_refused(cycle, f"{cycle}: pot 'East' has no amount (and no population in a [split])")


def test_pot_with_neither_amount_nor_population_in_a_split_is_refused(tmp_path: Path) -> None:
    toml = (
        '[split]\ntotal = "1000"\n\n[[pots]]\nname = "North"\npopulation = 10\n\n'
        '[[pots]]\nname = "East"\n\n[[pots]]\nname = "City"\nkind = "citywide"\namount = "100"\n'
    )
    cycle, _ = write_cycle(tmp_path, toml, ["v1,North,N1,,,"], "project_id,pot,cost\nN1,North,40\n")
    assert_cycle_refused(
        cycle,
        f"{cycle}: pots East have neither a population nor an amount; "
        "pot 'East' has no amount (and no population in a [split])",
    )


BAD_POT_PROJECTS = PROJECTS + "W1,West,10\n"  # line 8


def test_tally_refuses_a_project_in_a_pot_the_cycle_does_not_have(tmp_path: Path) -> None:
    cycle, _ = write_cycle(tmp_path, pots(), ["v1,North,N1,,,"], BAD_POT_PROJECTS)
    result = invoke("tally", str(cycle))
    assert_clean_failure(result)
    projects_csv = tmp_path / "projects.csv"
    assert (
        f"{projects_csv}:8: project 'W1' is in pot 'West', which the cycle does not have; "
        "expected one of North, South, City"
    ) in result.stderr


def test_validate_refuses_a_project_in_a_pot_the_cycle_does_not_have(tmp_path: Path) -> None:
    cycle, _ = write_cycle(tmp_path, pots(), ["v1,North,N1,,,"], BAD_POT_PROJECTS)
    result = invoke("validate", str(cycle))
    assert_clean_failure(result)
    projects_csv = tmp_path / "projects.csv"
    assert (
        f"{projects_csv}:8: project 'W1' is in pot 'West', which the cycle does not have; "
        "expected one of North, South, City"
    ) in result.stderr


DECISION_ON_UNKNOWN = pots(extra='[[decisions]]\nkind = "withdrawn"\nprojects = ["Q9"]\nreason = "typo"\n')


def test_tally_refuses_a_decision_on_an_unknown_project(tmp_path: Path) -> None:
    cycle, _ = write_cycle(tmp_path, DECISION_ON_UNKNOWN, ["v1,North,N1,,,"])
    result = invoke("tally", str(cycle))
    assert_clean_failure(result)
    assert f"{cycle}: decision withdrawn names unknown projects Q9" in result.stderr


def test_validate_refuses_a_decision_on_an_unknown_project(tmp_path: Path) -> None:
    cycle, _ = write_cycle(tmp_path, DECISION_ON_UNKNOWN, ["v1,North,N1,,,"])
    result = invoke("validate", str(cycle))
    assert_clean_failure(result)
    assert f"{cycle}: decision withdrawn names unknown projects Q9" in result.stderr


# --- --exclude-invalid -------------------------------------------------------------------------

# North, greedy, 100: the valid ballots give N1 3 votes, N2 2, N3 1 -> N1 (40) and N2 (30)
# funded, N3 (50) does not fit. The invalid ballots all back N3; counted, they would
# give it 5 votes and fund N3 + N1 instead.
EXCLUDE_TOML = pots(
    north="ballot = { max_projects = 2 }",
    extra='[voters]\nmin_age = 16\nchoose = "citywide-plus-one"\n',
)
EXCLUDE_GOOD = [
    'v1,North,"N1,N2",,30,',  # 2
    'v2,North,"N1,N2",,40,',  # 3
    "v3,North,N1,,50,",  # 4
    "v4,North,N3,,60,",  # 5
    "v1,City,C2,,30,",  # 6
    "v2,City,C2,,40,",  # 7
    "v3,City,C1,,50,",  # 8
]
EXCLUDE_BAD = {
    9: ("v5,North,N3,,15,", "voter 'v5' has age 15", "at least 16 (voters.min_age)"),
    10: (
        'v6,North,"N3,N1,N2",,20,',
        "voter 'v6' lists 3 projects",
        "at most 2 in pot 'North'",
    ),
    11: ("v4,North,N3,,60,", "voter 'v4' votes again in pot 'North' (first on line 5)", "one ballot per voter and pot"),
    12: (
        "v3,South,S1,,50,",
        "voter 'v3' votes in a second district, 'South' (first: 'North')",
        "a ballot in one district only",
    ),
    13: ("v7,North,X9,,33,", "voter 'v7' lists 'X9', not a project of the cycle", "projects of pot 'North'"),
}


def outcome_of(record: dict[str, Any]) -> dict[str, Any]:
    """What the tally decided: the pots' outcomes and the cycle entry."""
    return {"outcomes": record["outcomes"], "cycle": record["cycle"]}


def test_exclude_invalid_leaves_out_and_lists_each_bad_ballot(tmp_path: Path) -> None:
    rows = EXCLUDE_GOOD + [row for row, _, _ in EXCLUDE_BAD.values()]
    cycle, ballots_csv = write_cycle(tmp_path / "all", EXCLUDE_TOML, rows)

    refused = invoke("tally", str(cycle), "--json")
    assert_clean_failure(refused)
    assert problem_lines(refused.stderr) == [
        f"{ballots_csv}:{line}: {message}; expected {expected}" for line, (_, message, expected) in EXCLUDE_BAD.items()
    ]

    kept = invoke("tally", str(cycle), "--exclude-invalid", "--json")
    assert kept.exit_code == 0, kept.stderr
    record = json.loads(kept.stdout)
    assert record["warnings"] == [
        {
            "file": "ballots.csv",
            "line": line,
            "code": "ballot-rule",
            "message": f"{ballots_csv}:{line}: warning: {message} (ballot left out); expected {expected}",
        }
        for line, (_, message, expected) in EXCLUDE_BAD.items()
    ]
    north = record["outcomes"][0]
    assert north["pot"] == "North"
    assert north["funded"] == ["N1", "N2"]
    assert [(s["project"], s["votes"]) for s in north["steps"]] == [("N1", 3), ("N2", 2), ("N3", 1)]

    # The same outcome as the file without those ballots.
    clean_cycle, _ = write_cycle(tmp_path / "clean", EXCLUDE_TOML, EXCLUDE_GOOD)
    clean = invoke("tally", str(clean_cycle), "--json")
    assert clean.exit_code == 0, clean.stderr
    clean_record = json.loads(clean.stdout)
    assert clean_record["warnings"] == []
    assert outcome_of(record) == outcome_of(clean_record)


def test_exclude_invalid_table_lists_the_warnings(tmp_path: Path) -> None:
    rows = [*EXCLUDE_GOOD, EXCLUDE_BAD[9][0]]
    cycle, ballots_csv = write_cycle(tmp_path, EXCLUDE_TOML, rows)
    result = invoke("tally", str(cycle), "--exclude-invalid")
    assert result.exit_code == 0, result.stderr
    assert "warnings (1):" in result.stdout
    assert (
        f"  {ballots_csv}:9: warning: voter 'v5' has age 15 (ballot left out); expected at least 16 (voters.min_age)"
    ) in result.stdout


def test_exclude_invalid_with_equal_shares_counts_only_the_kept_voters(tmp_path: Path) -> None:
    # Equal Shares splits the pot per voter, so a left-out voter must not keep a share.
    toml = EXCLUDE_TOML.replace('amount = "100"\npostal_codes = ["60100"]', 'amount = "100"\nrule = "equalshares"\n')
    rows = EXCLUDE_GOOD + [row for row, _, _ in EXCLUDE_BAD.values()]
    cycle, _ = write_cycle(tmp_path / "all", toml, rows)
    kept = invoke("tally", str(cycle), "--exclude-invalid", "--json")
    assert kept.exit_code == 0, kept.stderr
    clean_cycle, _ = write_cycle(tmp_path / "clean", toml, EXCLUDE_GOOD)
    clean = invoke("tally", str(clean_cycle), "--json")
    assert clean.exit_code == 0, clean.stderr
    assert json.loads(kept.stdout)["outcomes"][0]["rule"] == "equalshares"
    assert outcome_of(json.loads(kept.stdout)) == outcome_of(json.loads(clean.stdout))


def test_exclude_invalid_changes_nothing_on_a_valid_file(tmp_path: Path) -> None:
    cycle, _ = write_cycle(tmp_path, EXCLUDE_TOML, EXCLUDE_GOOD)
    plain = invoke("tally", str(cycle), "--json")
    kept = invoke("tally", str(cycle), "--json", "--exclude-invalid")
    assert plain.exit_code == kept.exit_code == 0
    assert json.loads(kept.stdout)["warnings"] == []
    assert outcome_of(json.loads(plain.stdout)) == outcome_of(json.loads(kept.stdout))
