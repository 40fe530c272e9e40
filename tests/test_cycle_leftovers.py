"""A budget cycle's leftover policies and council decisions, worked out by hand.

The cycle used throughout (greedy everywhere unless a test says otherwise):

  North 100.25: N1 70 (1 vote)          -> N1 funded, 30.25 left
  South 100:    S1 80 (1 vote)          -> S1 funded, 20 left
  East  100:    E1 100 (1 vote)         -> E1 funded, 0 left (no leftover move)
  City  100 (citywide):
    K1 140 (4 votes), K2 80 (3 votes), K3 15 (2 votes), K4 40 (1 vote)
    greedy walks K1, K2, K3, K4 (scores all differ, so no ties).

The districts leave 30.25 + 20 = 50.25.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from asukasbudjetti.cli import main

HEAD = """\
[cycle]
name = "Leftover test cycle"

[files]
projects = "projects.csv"
ballots = "ballots.csv"

[[pots]]
name = "North"
amount = "100.25"

[[pots]]
name = "South"
amount = "100"

[[pots]]
name = "East"
amount = "100"

[[pots]]
name = "City"
kind = "citywide"
amount = "100"
rule = "{city_rule}"
"""

PROJECTS = """\
project_id,pot,cost
N1,North,70
S1,South,80
E1,East,100
K1,City,140
K2,City,80
K3,City,15
K4,City,40
"""

BALLOTS = """\
voter_id,pot,projects
n1,North,N1
s1,South,S1
e1,East,E1
c1,City,"K1,K2,K3,K4"
c2,City,"K1,K2,K3"
c3,City,"K1,K2"
c4,City,K1
"""

DISTRICT_MOVES = [
    {"source": "North", "target": "City", "amount": "30.25"},
    {"source": "South", "target": "City", "amount": "20"},
]


def tally(tmp_path: Path, extra: str = "", city_rule: str = "greedy") -> dict[str, Any]:
    """Write the cycle with ``extra`` TOML appended, tally it, return the --json record."""
    cycle = tmp_path / "cycle.toml"
    cycle.write_text(HEAD.format(city_rule=city_rule) + extra, encoding="utf-8")
    (tmp_path / "projects.csv").write_text(PROJECTS, encoding="utf-8")
    (tmp_path / "ballots.csv").write_text(BALLOTS, encoding="utf-8")
    result = CliRunner().invoke(main, ["tally", str(cycle), "--json"])
    assert result.exit_code == 0, result.stderr
    record: dict[str, Any] = json.loads(result.stdout)
    return record


def pot(record: dict[str, Any], name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [o for o in record["outcomes"] if o["pot"] == name]
    assert len(found) == 1, [o["pot"] for o in record["outcomes"]]
    return found[0]


def money(outcome: dict[str, Any]) -> tuple[str, list[str], str, str]:
    return outcome["budget"], outcome["funded"], outcome["spent"], outcome["left"]


def steps(outcome: dict[str, Any]) -> list[tuple[str, str]]:
    return [(s["project"], s["decision"]) for s in outcome["steps"]]


def assert_districts_as_alone(record: dict[str, Any]) -> None:
    assert money(pot(record, "North")) == ("100.25", ["N1"], "70", "30.25")
    assert money(pot(record, "South")) == ("100", ["S1"], "80", "20")
    assert money(pot(record, "East")) == ("100", ["E1"], "100", "0")


def leftover(policy: str, order: str | None = None) -> str:
    return f'\n[leftover]\npolicy = "{policy}"\n' + (f'order = "{order}"\n' if order else "")


# --- leftover policies -------------------------------------------------------------------------


@pytest.mark.parametrize("extra", ["", leftover("unspent")], ids=["default", "explicit"])
def test_unspent_leaves_the_citywide_pot_its_own_amount(tmp_path: Path, extra: str) -> None:
    # City 100: K1 140 does not fit; K2 80 fits (20 left); K3 15 fits (5 left); K4 40 does not.
    record = tally(tmp_path, extra)
    assert_districts_as_alone(record)
    city = pot(record, "City")
    assert money(city) == ("100", ["K2", "K3"], "95", "5")
    assert steps(city) == [("K1", "did-not-fit"), ("K2", "funded"), ("K3", "funded"), ("K4", "did-not-fit")]
    assert record["cycle"] == {"name": "Leftover test cycle", "decisions": [], "leftover_moves": []}
    assert [o["pot"] for o in record["outcomes"]] == ["North", "South", "East", "City"]


def test_to_citywide_districts_first_changes_the_citywide_outcome(tmp_path: Path) -> None:
    # City 100 + 30.25 + 20 = 150.25: K1 140 now fits (10.25 left); K2 80, K3 15 and
    # K4 40 do not. Alone (unspent) the pot funded K2 and K3 instead.
    record = tally(tmp_path, leftover("to-citywide", "districts-first"))
    assert_districts_as_alone(record)
    city = pot(record, "City")
    assert money(city) == ("150.25", ["K1"], "140", "10.25")
    assert steps(city) == [("K1", "funded"), ("K2", "did-not-fit"), ("K3", "did-not-fit"), ("K4", "did-not-fit")]
    assert record["cycle"]["leftover_moves"] == DISTRICT_MOVES  # East left 0: no move
    assert [o["pot"] for o in record["outcomes"]] == ["North", "South", "East", "City"]


def test_to_citywide_default_order_is_districts_first(tmp_path: Path) -> None:
    record = tally(tmp_path, leftover("to-citywide"))
    assert money(pot(record, "City")) == ("150.25", ["K1"], "140", "10.25")
    assert record["cycle"]["leftover_moves"] == DISTRICT_MOVES


def test_to_citywide_citywide_first_tops_up_and_differs_from_districts_first(tmp_path: Path) -> None:
    # City alone on its 100: K2 and K3 funded, 5 left (as with unspent).
    # Top-up on the unfunded K1, K4 with 5 + 30.25 + 20 = 55.25: K1 140 does not fit,
    # K4 40 fits (15.25 left). The city funds K2, K3, K4; districts-first funded K1.
    record = tally(tmp_path, leftover("to-citywide", "citywide-first"))
    assert_districts_as_alone(record)
    assert money(pot(record, "City")) == ("100", ["K2", "K3"], "95", "5")
    top_up = pot(record, "City (top-up)")
    assert money(top_up) == ("55.25", ["K4"], "40", "15.25")
    assert ("K1", "did-not-fit") in steps(top_up)
    assert ("K4", "funded") in steps(top_up)
    assert record["cycle"]["leftover_moves"] == DISTRICT_MOVES
    assert [o["pot"] for o in record["outcomes"]] == ["North", "South", "East", "City", "City (top-up)"]

    first = tally(_fresh(tmp_path, "df"), leftover("to-citywide", "districts-first"))
    city_first = set(pot(record, "City")["funded"]) | set(top_up["funded"])
    districts_first = set(pot(first, "City")["funded"])
    assert city_first == {"K2", "K3", "K4"}
    assert districts_first == {"K1"}


def _fresh(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    return folder


def test_greedy_no_skip_orders_agree_as_the_top_up_resumes_where_the_walk_stopped(tmp_path: Path) -> None:
    # greedy-no-skip on City. Districts-first: 150.25, K1 fits (10.25 left), K2 does not: stop.
    # Citywide-first: on 100 K1 does not fit: stop, nothing funded, 100 left; the top-up
    # with 100 + 50.25 = 150.25 walks K1 (fits, 10.25 left), then K2 stops it. The same
    # projects and the same money left: a no-skip walk stopped at the first project that
    # did not fit, and the top-up starts from exactly there with all the money.
    districts = tally(_fresh(tmp_path, "df"), leftover("to-citywide", "districts-first"), "greedy-no-skip")
    city = tally(_fresh(tmp_path, "cf"), leftover("to-citywide", "citywide-first"), "greedy-no-skip")
    assert money(pot(districts, "City")) == ("150.25", ["K1"], "140", "10.25")
    assert money(pot(city, "City")) == ("100", [], "0", "100")
    assert money(pot(city, "City (top-up)")) == ("150.25", ["K1"], "140", "10.25")


def test_carry_over_moves_each_pots_leftover_to_the_next_cycle(tmp_path: Path) -> None:
    # Every pot is tallied on its own amount; City as with unspent (5 left).
    record = tally(tmp_path, leftover("carry-over"))
    assert_districts_as_alone(record)
    assert money(pot(record, "City")) == ("100", ["K2", "K3"], "95", "5")
    assert record["cycle"] == {
        "name": "Leftover test cycle",
        "decisions": [],
        "leftover_moves": [
            {"source": "North", "target": "next cycle", "amount": "30.25"},
            {"source": "South", "target": "next cycle", "amount": "20"},
            {"source": "City", "target": "next cycle", "amount": "5"},
        ],
    }


def test_table_lists_the_leftover_moves(tmp_path: Path) -> None:
    tally(tmp_path, leftover("to-citywide"))
    result = CliRunner().invoke(main, ["tally", str(tmp_path / "cycle.toml")])
    assert result.exit_code == 0, result.stderr
    assert "cycle 'Leftover test cycle':" in result.stdout
    # The cycle's currency (EUR by default), cents only where an amount has them.
    assert "  leftover: €30.25 from North to City" in result.stdout
    assert "  leftover: €20 from South to City" in result.stdout
    assert "  City: budget €150.25, spent €140, left €10.25, 1 funded" in result.stdout


# --- decisions ---------------------------------------------------------------------------------


def decision(kind: str, projects: list[str], reason: str) -> str:
    listed = ", ".join(f'"{p}"' for p in projects)
    return f'\n[[decisions]]\nkind = "{kind}"\nprojects = [{listed}]\nreason = "{reason}"\n'


def test_withdrawn_project_is_passed_over_and_reported(tmp_path: Path) -> None:
    # K2 withdrawn. City 100: K1 does not fit; K2 passed over; K3 15 fits (85 left);
    # K4 40 fits (45 left).
    record = tally(tmp_path, decision("withdrawn", ["K2"], "the proposer withdrew it"))
    city = pot(record, "City")
    assert money(city) == ("100", ["K3", "K4"], "55", "45")
    assert ("K2", "withdrawn") in steps(city)
    assert record["cycle"]["decisions"] == [
        {"kind": "withdrawn", "projects": ["K2"], "reason": "the proposer withdrew it"}
    ]


def test_excluded_project_is_never_funded_and_reported(tmp_path: Path) -> None:
    # K2 excluded: as withdrawn, K3 and K4 funded, 45 left.
    record = tally(tmp_path, decision("excluded", ["K2"], "not on city land"))
    city = pot(record, "City")
    assert money(city) == ("100", ["K3", "K4"], "55", "45")
    [k2] = [s for s in city["steps"] if s["project"] == "K2"]
    assert k2["decision"] in ("withdrawn", "excluded")  # passed over, whatever the label
    assert record["cycle"]["decisions"] == [{"kind": "excluded", "projects": ["K2"], "reason": "not on city land"}]


def test_force_funded_project_is_paid_first_from_the_pot(tmp_path: Path) -> None:
    # K4 (40) force-funded: paid first, the rule shares 100 - 40 = 60: K1 140 and K2 80
    # do not fit, K3 15 fits (45 left). Without the decision K2 and K3 were funded.
    record = tally(tmp_path, decision("force-funded", ["K4"], "council decision 12/2023"))
    city = pot(record, "City")
    assert money(city) == ("100", ["K4", "K3"], "55", "45")
    assert steps(city) == [("K1", "did-not-fit"), ("K2", "did-not-fit"), ("K3", "funded")]
    assert city["steps"][0]["money_left"] == "60"
    assert record["cycle"]["decisions"] == [
        {"kind": "force-funded", "projects": ["K4"], "reason": "council decision 12/2023"}
    ]


def test_force_funded_district_leftover_moves_to_citywide(tmp_path: Path) -> None:
    # K3 (15) force-funded in City, and to-citywide districts-first: City 150.25, K3
    # paid first (135.25 left for the rule): K1 140 does not fit, K2 80 fits (55.25),
    # K4 40 fits (15.25). Spent 15 + 80 + 40 = 135, left 15.25.
    extra = decision("force-funded", ["K3"], "already promised") + leftover("to-citywide")
    record = tally(tmp_path, extra)
    assert money(pot(record, "City")) == ("150.25", ["K3", "K2", "K4"], "135", "15.25")
    assert record["cycle"]["leftover_moves"] == DISTRICT_MOVES


def test_exclusive_projects_with_greedy_exclusive(tmp_path: Path) -> None:
    # K2 and K3 exclusive (same site). City 100: K1 does not fit; K2 fits (20 left);
    # K3 is excluded though it would fit; K4 40 does not fit. Funded K2 only, 20 left.
    record = tally(tmp_path, decision("exclusive", ["K2", "K3"], "same site"), "greedy-exclusive")
    city = pot(record, "City")
    assert money(city) == ("100", ["K2"], "80", "20")
    assert steps(city) == [("K1", "did-not-fit"), ("K2", "funded"), ("K3", "excluded"), ("K4", "did-not-fit")]
    [k3] = [s for s in city["steps"] if s["project"] == "K3"]
    assert k3["reason"] == "mutually exclusive with funded project K2"
    assert city["params"]["exclusive"] == [["K2", "K3"]]
    assert record["cycle"]["decisions"] == [{"kind": "exclusive", "projects": ["K2", "K3"], "reason": "same site"}]


def test_exclusive_decision_is_not_silently_ignored_under_another_rule(tmp_path: Path) -> None:
    # City greedy with K2 and K3 exclusive: as it is, K2 (80) and K3 (15) are both funded.
    # Either the decision is applied or the tally refuses the cycle; never both funded.
    cycle = tmp_path / "cycle.toml"
    cycle.write_text(
        HEAD.format(city_rule="greedy") + decision("exclusive", ["K2", "K3"], "same site"), encoding="utf-8"
    )
    (tmp_path / "projects.csv").write_text(PROJECTS, encoding="utf-8")
    (tmp_path / "ballots.csv").write_text(BALLOTS, encoding="utf-8")
    result = CliRunner().invoke(main, ["tally", str(cycle), "--json"])
    if result.exit_code == 0:
        funded = pot(json.loads(result.stdout), "City")["funded"]
        assert not {"K2", "K3"} <= set(funded)
    else:
        assert result.exit_code == 1
        assert "exclusive" in result.stderr
        assert "Traceback" not in result.stderr
