"""``compare``: several rules on one election, measured exactly per voter.

Every expected number here is worked out by hand or computed again in the test
from the ballots (read with the csv module), never taken from the library.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from fractions import Fraction
from itertools import combinations
from pathlib import Path

import pytest
from click.testing import CliRunner

from asukasbudjetti.audit.compare import (
    Comparison,
    check_rule_names,
    compare_election,
    compare_file,
    comparison_json,
    render_comparison,
)
from asukasbudjetti.cli import main
from asukasbudjetti.cycles import pot_elections, tally_cycle
from asukasbudjetti.errors import RuleError, UnknownRuleError
from asukasbudjetti.tally import load_election

ROOT = Path(__file__).resolve().parent.parent
GOOD = Path(__file__).resolve().parent / "fixtures" / "good"
APPROVAL = GOOD / "approval.pb"
CYCLE = ROOT / "examples" / "seinajoki_2023" / "cycle.toml"

# Four voters, three projects, budget 8:
#   v1 {A, B}, v2 {A, B}, v3 {A}, v4 {C};  A costs 4 (3 votes), B 4 (2 votes), C 2 (1 vote).
TINY = """META
key;value
description;Hand-made: four voters, three projects
num_projects;3
num_votes;4
budget;8
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;votes;name
A;4;3;Majority's first
B;4;2;Majority's second
C;2;1;Minority's
VOTES
voter_id;vote
v1;A,B
v2;A,B
v3;A
v4;C
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.pb"
    path.write_text(TINY, encoding="utf-8")
    return path


def by_rule(comparison: Comparison) -> dict[str, tuple[tuple[str, ...], Fraction | None, Fraction | None]]:
    return {r.rule: (r.funded, r.average_approved_funded, r.share_with_one) for r in comparison.rules}


def test_hand_worked_tiny_election(tiny: Path) -> None:
    election, _, _ = load_election(tiny)
    comparison = compare_election(election, ["greedy", "equalshares", "max-welfare", "phragmen"])
    # greedy by votes: A (4, left 4), B (4, left 0); C does not fit.
    # max-welfare (votes x cost): {A,B} 3*4 + 2*4 = 20 beats {A,C} 14 and {B,C} 10.
    # Equal Shares: 2 per voter. A costs v1..v3 4/3 each (4/3 per unit of cost 1/3),
    # B would cost v1, v2 2 each (1/2), C costs v4 2 (1): A first. Then v1, v2 have
    # 2/3 each, 4/3 < 4 for B; v4 pays 2 for C. Funded A, C; spent 6.
    # Phragmén: A gives v1..v3 load 4/3; then B (4 + 8/3)/2 = 10/3, C 2/1 = 2: C;
    # then B would spend 10 > 8.
    assert by_rule(comparison) == {
        # approved funded per voter: v1 2, v2 2, v3 1, v4 0
        "greedy": (("A", "B"), Fraction(5, 4), Fraction(3, 4)),
        "max-welfare": (("A", "B"), Fraction(5, 4), Fraction(3, 4)),
        # v1 1, v2 1, v3 1, v4 1
        "equalshares": (("A", "C"), Fraction(1), Fraction(1)),
        "phragmen": (("A", "C"), Fraction(1), Fraction(1)),
    }
    assert [(r.spent, r.left, r.approved_funded, r.voters_with_one) for r in comparison.rules] == [
        (Fraction(8), Fraction(0), 5, 3),
        (Fraction(6), Fraction(2), 4, 4),
        (Fraction(8), Fraction(0), 5, 3),
        (Fraction(6), Fraction(2), 4, 4),
    ]
    assert comparison.voters == 4
    assert comparison.measure == "approved"
    assert comparison.refused == ()
    pairs = {
        (p.first, p.second): (p.better_under_first, p.better_under_second, p.same, p.only_first, p.only_second)
        for p in comparison.pairs
    }
    # greedy vs Equal Shares: v1, v2 better off under greedy (2 > 1), v4 under MES (1 > 0), v3 the same.
    assert pairs == {
        ("greedy", "equalshares"): (2, 1, 1, ("B",), ("C",)),
        ("greedy", "max-welfare"): (0, 0, 4, (), ()),
        ("greedy", "phragmen"): (2, 1, 1, ("B",), ("C",)),
        ("equalshares", "max-welfare"): (1, 2, 1, ("C",), ("B",)),
        ("equalshares", "phragmen"): (0, 0, 4, (), ()),
        ("max-welfare", "phragmen"): (2, 1, 1, ("B",), ("C",)),
    }


def test_cli_table_and_json_on_the_tiny_election(tiny: Path) -> None:
    code, out, err = run("compare", str(tiny), "--rules", "greedy,equalshares")
    assert code == 0, err
    assert "greedy vs equalshares: 2 better off under greedy, 1 under equalshares, 1 the same" in out
    assert "1.25" in out
    assert "pot 'tiny.pb'" in out
    assert "3 (75%)" in out
    assert "only greedy: B" in out
    assert "only equalshares: C" in out

    code, out, err = run("compare", str(tiny), "--rules", "greedy,equalshares", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["file"] == "tiny.pb"
    assert data["rules"] == ["greedy", "equalshares"]
    assert data["cycle"] is None
    (pot,) = data["pots"]
    greedy, mes = pot["rules"]
    # exact numbers as text: no floats anywhere
    assert greedy["average_approved_funded"] == "1.25"
    assert greedy["share_with_one"] == "0.75"
    assert greedy["spent"] == "8"
    assert mes["average_approved_funded"] == "1"
    assert mes["funded"] == ["A", "C"]
    assert pot["pairs"] == [
        {
            "first": "greedy",
            "second": "equalshares",
            "better_under_first": 2,
            "better_under_second": 1,
            "same": 1,
            "only_first": ["B"],
            "only_second": ["C"],
        }
    ]
    assert "float" not in out
    assert not any(isinstance(v, float) for v in _leaves(data))


def _leaves(value: object) -> list[object]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


# --- approval.pb, against an independent computation from the ballots ------------------


def read_pb(path: Path) -> tuple[Fraction, dict[str, Fraction], list[set[str]]]:
    """Budget, costs and ballots of a .pb file, read with the csv module only."""
    sections: dict[str, list[list[str]]] = {}
    current = ""
    for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8")), delimiter=";"):
        if len(row) == 1 and row[0].strip() in ("META", "PROJECTS", "VOTES"):
            current = row[0].strip()
            sections[current] = []
        elif row:
            sections[current].append(row)
    meta = dict(sections["META"][1:])
    header = sections["PROJECTS"][0]
    costs = {row[0]: Fraction(row[header.index("cost")]) for row in sections["PROJECTS"][1:]}
    vote = sections["VOTES"][0].index("vote")
    ballots = [set(row[vote].split(",")) for row in sections["VOTES"][1:]]
    return Fraction(meta["budget"]), costs, ballots


def independent_greedy(budget: Fraction, costs: dict[str, Fraction], ballots: list[set[str]]) -> list[str]:
    """By votes, highest first (ties: lower cost), skipping what does not fit."""
    votes = {p: sum(p in b for b in ballots) for p in costs}
    funded, left = [], budget
    for p in sorted(costs, key=lambda p: (-votes[p], costs[p])):
        if costs[p] <= left:
            funded.append(p)
            left -= costs[p]
    return funded


def independent_max_welfare(budget: Fraction, costs: dict[str, Fraction], ballots: list[set[str]]) -> set[str]:
    """Every subset that fits; the one of largest sum of votes x cost (asserted unique)."""
    votes = {p: sum(p in b for b in ballots) for p in costs}
    ids = list(costs)
    scored = [
        (sum(votes[p] * costs[p] for p in subset), set(subset))
        for k in range(len(ids) + 1)
        for subset in combinations(ids, k)
        if sum((costs[p] for p in subset), Fraction(0)) <= budget
    ]
    best = max(score for score, _ in scored)
    winners = [subset for score, subset in scored if score == best]
    assert len(winners) == 1
    return winners[0]


def independent_equal_shares(budget: Fraction, costs: dict[str, Fraction], ballots: list[set[str]]) -> set[str]:
    """Method of Equal Shares, cost utilities, no completion (no ties on this fixture)."""
    money = [budget / len(ballots)] * len(ballots)
    funded: set[str] = set()
    while True:
        best: tuple[Fraction, str, Fraction] | None = None
        for p, cost in costs.items():
            supporters = [i for i, b in enumerate(ballots) if p in b]
            if p in funded or sum(money[i] for i in supporters) < cost:
                continue
            # the smallest cap rho with sum(min(money_i, rho)) = cost
            remaining, count = cost, len(supporters)
            for m in sorted(money[i] for i in supporters):
                if m * count >= remaining:
                    rho = remaining / count
                    break
                remaining -= m
                count -= 1
            if best is None or rho / cost < best[0]:
                best = (rho / cost, p, rho)
        if best is None:
            return funded
        _, chosen, rho = best
        funded.add(chosen)
        for i, b in enumerate(ballots):
            if chosen in b:
                money[i] -= min(money[i], rho)


def independent_measures(
    funded: Sequence[str] | set[str], ballots: list[set[str]]
) -> tuple[list[int], Fraction, Fraction]:
    per_voter = [len(b & set(funded)) for b in ballots]
    return (
        per_voter,
        Fraction(sum(per_voter), len(ballots)),
        Fraction(sum(1 for s in per_voter if s > 0), len(ballots)),
    )


def test_approval_fixture_against_an_independent_computation() -> None:
    budget, costs, ballots = read_pb(APPROVAL)
    expected = {
        "greedy": set(independent_greedy(budget, costs, ballots)),
        "equalshares": independent_equal_shares(budget, costs, ballots),
        "max-welfare": independent_max_welfare(budget, costs, ballots),
    }
    # By hand: greedy P1, P2, then P4 fits the 999.80 left exactly; MES P1, P2.
    assert expected == {"greedy": {"P1", "P2", "P4"}, "equalshares": {"P1", "P2"}, "max-welfare": {"P1", "P2", "P4"}}

    report = compare_file(APPROVAL, list(expected))
    (comparison,) = report.pots
    assert comparison.voters == len(ballots)
    satisfaction = {}
    for result in comparison.rules:
        assert set(result.funded) == expected[result.rule]
        assert result.spent == sum(costs[p] for p in result.funded)
        assert result.left == budget - result.spent
        per_voter, average, share = independent_measures(result.funded, ballots)
        assert result.average_approved_funded == average
        assert result.share_with_one == share
        assert result.approved_funded == sum(per_voter)
        satisfaction[result.rule] = per_voter
    assert len(comparison.pairs) == 3
    for pair in comparison.pairs:
        a, b = satisfaction[pair.first], satisfaction[pair.second]
        assert pair.better_under_first == sum(x > y for x, y in zip(a, b, strict=True))
        assert pair.better_under_second == sum(y > x for x, y in zip(a, b, strict=True))
        assert pair.same == sum(x == y for x, y in zip(a, b, strict=True))
        assert set(pair.only_first) == expected[pair.first] - expected[pair.second]
        assert set(pair.only_second) == expected[pair.second] - expected[pair.first]
    # greedy and max-welfare: 11/5 approved funded projects per voter, MES 9/5;
    # v4 (3 against 2) and v5 (2 against 1) are better off under greedy.
    greedy, mes, welfare = comparison.rules
    assert (greedy.average_approved_funded, mes.average_approved_funded) == (Fraction(11, 5), Fraction(9, 5))
    assert welfare.average_approved_funded == Fraction(11, 5)
    first = comparison.pairs[0]
    assert (first.first, first.second, first.better_under_first, first.better_under_second) == (
        "greedy",
        "equalshares",
        2,
        0,
    )


def test_official_runs_the_declared_rule() -> None:
    (comparison,) = compare_file(APPROVAL, ["official", "greedy"]).pots
    official, greedy = comparison.rules
    assert (official.rule, official.ran) == ("official", "greedy")
    assert official.funded == greedy.funded
    assert comparison.pairs[0].same == comparison.voters


# --- other ballots ---------------------------------------------------------------------------


def test_non_approval_ballots_count_listed_projects_and_say_so() -> None:
    (comparison,) = compare_file(GOOD / "ordinal.pb", ["greedy", "phragmen"]).pots
    assert comparison.measure == "listed"
    # Phragmén is defined for approval and choose-1 only: refused, with the reason, not raised.
    assert [r.rule for r in comparison.refused] == ["phragmen"]
    assert "not defined for ordinal ballots" in comparison.refused[0].reason
    assert comparison.pairs == ()
    text = render_comparison(compare_file(GOOD / "ordinal.pb", ["greedy", "phragmen"]))
    assert "her ballot lists it" in text
    assert "phragmen: not run:" in text


def test_paper_votes_are_left_out_of_the_per_voter_measures() -> None:
    (comparison,) = compare_file(GOOD / "paper_votes.pb", ["greedy", "equalshares"]).pots
    assert comparison.paper_votes == 5
    assert comparison.voters == 4
    # Equal Shares needs individual ballots: refused.
    assert [r.rule for r in comparison.refused] == ["equalshares"]
    (greedy,) = comparison.rules
    # greedy with the paper votes: B (6 votes, 50), then A (3, 60) does not fit, C (2, 40) does.
    assert greedy.funded == ("B", "C")
    # online ballots v1 {A,C}, v2 {A}, v3 {A,C}, v4 {B}: 1, 0, 1, 1
    assert greedy.average_approved_funded == Fraction(3, 4)
    assert greedy.share_with_one == Fraction(3, 4)


# --- a cycle ---------------------------------------------------------------------------------


def read_cycle_csv(folder: Path) -> tuple[dict[str, dict[str, Fraction]], dict[str, list[set[str]]]]:
    costs: dict[str, dict[str, Fraction]] = {}
    with (folder / "projects.csv").open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            costs.setdefault(row["pot"], {})[row["project_id"]] = Fraction(row["cost"])
    ballots: dict[str, list[set[str]]] = {}
    with (folder / "ballots.csv").open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            ballots.setdefault(row["pot"], []).append(set(row["projects"].split(",")))
    return costs, ballots


def test_cycle_compares_each_pot_on_its_own_amount() -> None:
    report = compare_file(CYCLE, ["official", "greedy", "equalshares/add1"])
    assert report.cycle is not None
    amounts = {"Pohjoinen": 20000, "Itäinen": 70000, "Läntinen": 70000, "Eteläinen": 20000, "Koko kaupunki": 20000}
    assert [pot.pot for pot in report.pots] == list(amounts)
    assert [pot.budget for pot in report.pots] == list(amounts.values())
    assert any("leftover" in note for note in report.notes)
    costs, ballots = read_cycle_csv(CYCLE.parent)
    tallied = {pot.pot: pot for pot in tally_cycle(CYCLE).outcomes}
    for pot in report.pots:
        official, greedy, _ = pot.rules
        assert official.ran == "greedy"  # every pot's rule in the file
        expected = independent_greedy(Fraction(amounts[pot.pot]), costs[pot.pot], ballots[pot.pot])
        assert list(greedy.funded) == expected
        assert official.funded == greedy.funded
        if pot.pot != "Koko kaupunki":
            # the districts get no leftovers: the same election as the tally's
            assert greedy.funded == tallied[pot.pot].funded
        assert pot.voters == len(ballots[pot.pot])
        satisfaction = {}
        for result in pot.rules:
            per_voter, average, share = independent_measures(result.funded, ballots[pot.pot])
            assert (result.average_approved_funded, result.share_with_one) == (average, share)
            satisfaction[result.rule] = per_voter
        for pair in pot.pairs:
            a, b = satisfaction[pair.first], satisfaction[pair.second]
            assert pair.better_under_first == sum(x > y for x, y in zip(a, b, strict=True))
            assert pair.better_under_second == sum(y > x for x, y in zip(a, b, strict=True))
    # The citywide pot on its own 20000: K1 and K2 have 3 votes each, K2 is cheaper
    # (15000); K1 (18000) and K3 (6000) no longer fit. The tally gave it the
    # districts' 23000 of leftovers as well, and funded all three.
    citywide = report.pots[-1]
    assert citywide.rules[1].funded == ("K2",)
    assert tallied["Koko kaupunki"].funded == ("K2", "K1", "K3")
    # voters a1 {K1,K3}, a3 {K2,K1}, a6 {K2}, a8 {K1,K2}: 0, 1, 1, 1
    assert citywide.rules[1].average_approved_funded == Fraction(3, 4)


def test_cycle_from_the_command_line() -> None:
    code, out, err = run("compare", str(CYCLE), "--rules", "greedy,equalshares/add1", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert [pot["pot"] for pot in data["pots"]] == ["Pohjoinen", "Itäinen", "Läntinen", "Eteläinen", "Koko kaupunki"]
    code, out, err = run("compare", str(CYCLE), "--rules", "greedy,equalshares/add1")
    assert code == 0, err
    assert out.startswith("cycle ")
    assert "pot 'Itäinen'" in out


FORCED_CUMULATIVE = """[cycle]
name = "forced"
[files]
projects = "projects.csv"
ballots = "ballots.csv"
[[pots]]
name = "A"
amount = "100"
rule = "greedy"
ballot = { kind = "cumulative", max_total_points = 10 }
[[decisions]]
kind = "force-funded"
projects = ["X"]
reason = "council"
"""


def test_pot_elections_leave_out_force_funded_projects_with_their_points(tmp_path: Path) -> None:
    (tmp_path / "cycle.toml").write_text(FORCED_CUMULATIVE, encoding="utf-8")
    (tmp_path / "projects.csv").write_text("project_id,pot,cost,name\nX,A,10,x\nY,A,50,y\nZ,A,60,z\n", encoding="utf-8")
    (tmp_path / "ballots.csv").write_text(
        'voter_id,pot,projects,points\nv1,A,"X,Y","5,5"\nv2,A,"X,Z","9,1"\nv3,A,Z,3\n', encoding="utf-8"
    )
    (election,) = pot_elections(tmp_path / "cycle.toml").values()
    assert election.budget == 90  # 100 less X's 10
    assert election.ballots.projects == (("Y",), ("Z",), ("Z",))
    assert election.ballots.points == ((5,), (1,), (3,))
    report = compare_file(tmp_path / "cycle.toml", ["greedy"])
    # scores Y 5, Z 4: Y (50 of 90), then Z (60) does not fit.
    assert report.pots[0].rules[0].funded == ("Y",)
    assert any("force-funded" in note for note in report.notes)


# --- rule names ---------------------------------------------------------------------------


def test_unknown_rule_is_refused_with_the_list() -> None:
    code, _, err = run("compare", str(APPROVAL), "--rules", "greedy,nosuchrule")
    assert code == 2
    assert "nosuchrule" in err
    assert "equalshares/add1" in err
    assert "official" in err
    assert "Traceback" not in err
    with pytest.raises(UnknownRuleError) as caught:
        compare_file(APPROVAL, ["greedy", "nosuchrule"])
    assert "max-welfare" in caught.value.known


@pytest.mark.parametrize("rules", [[], ["greedy", "greedy"], ["greedy", ""]])
def test_empty_or_repeated_rule_names_are_refused(rules: list[str]) -> None:
    with pytest.raises(RuleError):
        check_rule_names(rules)


def test_a_bad_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    code, _, err = run("compare", str(tmp_path / "missing.pb"), "--rules", "greedy")
    assert code == 1
    assert "cannot read" in err


def test_json_is_canonical_and_exact(tiny: Path) -> None:
    report = compare_file(tiny, ["greedy", "equalshares", "phragmen"], seed=3)
    text = comparison_json(report)
    assert text.endswith("\n")
    data = json.loads(text)
    assert data["pots"][0]["seed"] == 3
    assert data["generator"]["name"] == "asukasbudjetti"
    assert text == comparison_json(compare_file(tiny, ["greedy", "equalshares", "phragmen"], seed=3))


EXCLUSIVE = """[cycle]
name = "exclusive"
[files]
projects = "projects.csv"
ballots = "ballots.csv"
[[pots]]
name = "A"
amount = "100"
rule = "greedy"
[[decisions]]
kind = "exclusive"
projects = ["X", "Y"]
reason = "the same site"
"""


def test_exclusive_decisions_go_to_greedy_rules_and_refuse_the_others(tmp_path: Path) -> None:
    (tmp_path / "cycle.toml").write_text(EXCLUSIVE, encoding="utf-8")
    (tmp_path / "projects.csv").write_text("project_id,pot,cost,name\nX,A,40,x\nY,A,40,y\nZ,A,40,z\n", encoding="utf-8")
    (tmp_path / "ballots.csv").write_text(
        'voter_id,pot,projects\nv1,A,"X,Y"\nv2,A,"X,Y"\nv3,A,"X,Y,Z"\n', encoding="utf-8"
    )
    (pot,) = compare_file(tmp_path / "cycle.toml", ["official", "greedy-no-skip", "equalshares"]).pots
    # X and Y have 3 votes each and cost the same, so the lottery orders them; whichever
    # is funded, the other is passed over as exclusive, and Z (1 vote) fits the 60 left.
    official, no_skip = pot.rules
    assert official.funded == no_skip.funded
    assert len(official.funded) == 2
    assert "Z" in official.funded
    assert official.funded[0] in ("X", "Y")
    assert [r.rule for r in pot.refused] == ["equalshares"]
    assert "cannot honour the exclusive projects (X, Y)" in pot.refused[0].reason
    assert official.funded == tally_cycle(tmp_path / "cycle.toml").outcomes[0].funded
