"""Sequential Phragmén on hand-solved elections.

Every expected value below was worked out on paper from the ballots, never copied
from the program; the comment above each test gives the arithmetic round by round:
``s(p) = (cost(p) + sum of the loads of A(p)) / |A(p)|``, the project with the
smallest ``s(p)`` is funded and its supporters' load becomes ``s(p)``. Money and
loads are exact (``F("2.50")`` is 2.50 digit for digit, ``F(5, 8)`` five eighths).
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from asukasbudjetti.errors import UnsupportedVoteTypeError
from asukasbudjetti.io import read_pabulib_bytes
from asukasbudjetti.model.outcome import Outcome, Tie
from asukasbudjetti.problems import Severity
from asukasbudjetti.profile import CompiledProfile, compile_profile
from asukasbudjetti.rules import RuleOptions
from asukasbudjetti.rules.phragmen import run_phragmen
from asukasbudjetti.validation import validate
from tests.strategies import ticket

F = Fraction

#: (project, cost, supporters, load, money left, removed before the round)
Round = tuple[str, F, int, F, F, tuple[str, ...]]


def pb_text(budget: str, costs: dict[str, str], votes: list[str], vote_type: str = "approval") -> str:
    """A .pb file: ``votes[i]`` is voter ``v{i+1}``'s comma-separated ballot."""
    lines = ["META", "key;value", f"budget;{budget}", f"vote_type;{vote_type}", "rule;phragmen"]
    lines += ["PROJECTS", "project_id;cost", *(f"{p};{c}" for p, c in costs.items())]
    has_points = vote_type in ("cumulative", "scoring")
    lines += ["VOTES", "voter_id;vote;points" if has_points else "voter_id;vote"]
    for i, vote in enumerate(votes, start=1):
        points = ";" + ",".join("1" for _ in vote.split(",")) if has_points else ""
        lines.append(f"v{i};{vote}{points}")
    return "\n".join(lines) + "\n"


def compiled(text: str, source: str = "hand.pb") -> CompiledProfile:
    read = read_pabulib_bytes(text.encode(), source)
    assert read.problems == []
    assert read.election is not None
    assert [p for p in validate(read.election) if p.severity is Severity.ERROR] == []
    return compile_profile(read.election)


def phragmen(text: str, seed: int = 0) -> Outcome:
    outcome = run_phragmen(compiled(text), RuleOptions(seed=seed))
    assert outcome.rule == "phragmen"
    assert outcome.spent + outcome.left == outcome.budget
    assert outcome.params.model_dump() == {
        "seed": seed,
        "tie_breaking": "lower cost, then more votes, then lottery",
        "loads": "exact",
    }
    assert outcome.funded == tuple(r.project_id for r in outcome.phragmen_rounds)
    assert [r.round for r in outcome.phragmen_rounds] == list(range(1, len(outcome.funded) + 1))
    return outcome


def rounds(outcome: Outcome) -> list[Round]:
    return [(r.project_id, r.cost, r.supporters, r.load, r.money_left, r.removed) for r in outcome.phragmen_rounds]


# ---------------------------------------------------------------------------
# Three projects, five voters, budget 13.
#   A 3 (v1 v2 v3), B 4 (v1 v2 v5), C 6 (v4 v5)
# Round 1, loads all 0: s(A) = 3/3 = 1, s(B) = 4/3, s(C) = 6/2 = 3 -> A at 1;
#   v1 v2 v3 carry 1; money left 13 - 3 = 10.
# Round 2: s(B) = (4 + 1 + 1 + 0)/3 = 2, s(C) = (6 + 0 + 0)/2 = 3 -> B at 2;
#   v1 v2 v5 carry 2 (v3 keeps 1); money left 10 - 4 = 6.
# Round 3: s(C) = (6 + 0 [v4] + 2 [v5])/2 = 4 -> C at 4; money left 0.
# ---------------------------------------------------------------------------
THREE = pb_text("13", {"A": "3", "B": "4", "C": "6"}, ["A,B", "A,B", "A", "C", "B,C"])


def test_three_projects_five_voters() -> None:
    outcome = phragmen(THREE)
    assert rounds(outcome) == [
        ("A", F(3), 3, F(1), F(10), ()),
        ("B", F(4), 3, F(2), F(6), ()),
        ("C", F(6), 2, F(4), F(0), ()),
    ]
    assert outcome.funded == ("A", "B", "C")
    assert outcome.spent == 13
    assert outcome.left == 0
    assert outcome.ties == ()


# Same election, budget 10: after A and B the money left is 10 - 3 - 4 = 3 < 6,
# so C is removed before round 3 and the rule stops with 3 unspent.
def test_project_that_no_longer_fits_is_not_funded() -> None:
    outcome = phragmen(THREE.replace("budget;13", "budget;10"))
    assert rounds(outcome) == [
        ("A", F(3), 3, F(1), F(7), ()),
        ("B", F(4), 3, F(2), F(3), ()),
    ]
    assert outcome.spent == 7
    assert outcome.left == 3


# ---------------------------------------------------------------------------
# Decimal cost, fractional loads, a removal recorded. Budget 10.
#   A 2.50 (v1 v2 v3 v4), B 7 (v1 v2), C 6 (v3 v4 v5), D 1 (v5)
# Round 1: s(A) = 2.5/4 = 5/8, s(B) = 7/2, s(C) = 6/3 = 2, s(D) = 1/1 = 1
#   -> A at 5/8; v1..v4 carry 5/8; money left 7.50.
# Round 2 (everything still fits in 7.50): s(B) = (7 + 5/8 + 5/8)/2 = 33/8,
#   s(C) = (6 + 5/8 + 5/8 + 0)/3 = 29/12, s(D) = 1 -> D at 1; v5 carries 1;
#   money left 6.50.
# Round 3: B (7 > 6.50) is removed first; s(C) = (6 + 5/8 + 5/8 + 1)/3 = 11/4
#   -> C at 11/4; money left 0.50.
# ---------------------------------------------------------------------------
DECIMAL = pb_text(
    "10",
    {"A": "2.50", "B": "7", "C": "6", "D": "1"},
    ["A,B", "A,B", "A,C", "A,C", "C,D"],
)


def test_exact_fractional_loads_and_removal_before_a_round() -> None:
    outcome = phragmen(DECIMAL)
    assert rounds(outcome) == [
        ("A", F("2.50"), 4, F(5, 8), F("7.50"), ()),
        ("D", F(1), 1, F(1), F("6.50"), ()),
        ("C", F(6), 3, F(11, 4), F("0.50"), ("B",)),
    ]
    assert outcome.spent == F("9.50")
    assert outcome.left == F("0.50")


# ---------------------------------------------------------------------------
# Identical ballots are merged into one row with a count: the loads must still be
# weighted by the number of voters. Budget 5.
#   A 1 (v1 v2 v3: three identical ballots "A,B"), B 4 (v1 v2 v3 v4)
# Round 1: s(A) = 1/3, s(B) = 4/4 = 1 -> A at 1/3; money left 4.
# Round 2: s(B) = (4 + 3 * 1/3 + 0)/4 = 5/4 -> B at 5/4; money left 0.
# ---------------------------------------------------------------------------
def test_repeated_ballots_weigh_by_their_count() -> None:
    outcome = phragmen(pb_text("5", {"A": "1", "B": "4"}, ["A,B", "A,B", "A,B", "B"]))
    assert rounds(outcome) == [
        ("A", F(1), 3, F(1, 3), F(4), ()),
        ("B", F(4), 4, F(5, 4), F(0), ()),
    ]


# ---------------------------------------------------------------------------
# A tie settled by the lower cost. Budget 3.
#   A 1 (v1), B 2 (v2 v3)
# Round 1: s(A) = 1/1 = 1, s(B) = 2/2 = 1: tied; A is cheaper -> A at 1; left 2.
# Round 2: s(B) = 1 (no supporter of B carries a load) -> B at 1; left 0.
# ---------------------------------------------------------------------------
def test_tie_settled_by_lower_cost() -> None:
    outcome = phragmen(pb_text("3", {"B": "2", "A": "1"}, ["A", "B", "B"]))
    assert outcome.funded == ("A", "B")
    assert [r.load for r in outcome.phragmen_rounds] == [F(1), F(1)]
    assert outcome.ties == (Tie(step=1, projects=("A", "B"), settled_by=("lower cost",), decisive=True),)


# ---------------------------------------------------------------------------
# Ties settled by more votes, after the lower cost. Budget 6.
#   C 1 (v3 v4 v5), A 2 (v1 v2), B 2 (v3 v4 v5), D 3 (v6 v7 v8)
# Round 1: s(C) = 1/3, s(A) = 2/2 = 1, s(B) = 2/3, s(D) = 3/3 = 1 -> C at 1/3;
#   v3 v4 v5 carry 1/3; money left 5.
# Round 2: s(A) = 1, s(B) = (2 + 3 * 1/3)/3 = 1, s(D) = 1: a three-way tie.
#   Lower cost keeps A and B (2 < 3); more votes keeps B (3 > 2) -> B at 1;
#   the order is B, A (cost 2), then D (cost 3). Money left 3.
# Round 3: s(A) = 1, s(D) = 1: tied; A is cheaper -> A at 1; money left 1.
# Round 4: D (3 > 1) is removed; nothing remains.
# ---------------------------------------------------------------------------
def test_ties_settled_by_lower_cost_then_more_votes() -> None:
    votes = ["A", "A", "C,B", "C,B", "C,B", "D", "D", "D"]
    outcome = phragmen(pb_text("6", {"A": "2", "B": "2", "C": "1", "D": "3"}, votes))
    assert rounds(outcome) == [
        ("C", F(1), 3, F(1, 3), F(5), ()),
        ("B", F(2), 3, F(1), F(3), ()),
        ("A", F(2), 2, F(1), F(1), ()),
    ]
    assert outcome.ties == (
        Tie(step=2, projects=("B", "A", "D"), settled_by=("lower cost", "more votes"), decisive=True),
        Tie(step=3, projects=("A", "D"), settled_by=("lower cost",), decisive=True),
    )


# Equal cost and s(p), more votes alone decides. Budget 4.
#   C 1 (v3 v4 v5), A 2 (v1 v2), B 2 (v3 v4 v5)
# Round 1: C at 1/3 (as above); left 3. Round 2: s(A) = 1, s(B) = (2 + 1)/3 = 1,
# same cost -> B (3 votes) at 1; left 1. Round 3: A (2 > 1) is removed.
def test_tie_settled_by_more_votes_alone() -> None:
    outcome = phragmen(pb_text("4", {"A": "2", "B": "2", "C": "1"}, ["A", "A", "C,B", "C,B", "C,B"]))
    assert outcome.funded == ("C", "B")
    assert outcome.left == 1
    assert outcome.ties == (Tie(step=2, projects=("B", "A"), settled_by=("more votes",), decisive=True),)


# ---------------------------------------------------------------------------
# A tie only the lottery can settle. Budget 1.
#   A 1 (v1), B 1 (v2): s(A) = s(B) = 1, same cost, same votes.
# The smaller SHA-256 ticket wins; the loser no longer fits (1 > 0).
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(6))
def test_tie_settled_by_the_lottery(seed: int) -> None:
    outcome = phragmen(pb_text("1", {"A": "1", "B": "1"}, ["A", "B"]), seed=seed)
    order = tuple(sorted(("A", "B"), key=lambda p: ticket(seed, p)))
    assert outcome.funded == order[:1]
    assert outcome.ties == (Tie(step=1, projects=order, settled_by=("lottery",), decisive=True),)


def test_the_lottery_depends_on_the_seed() -> None:
    text = pb_text("1", {"A": "1", "B": "1"}, ["A", "B"])
    assert {phragmen(text, seed=seed).funded for seed in range(12)} == {("A",), ("B",)}


# ---------------------------------------------------------------------------
# Projects nobody supports are never funded, even when free; withdrawn projects
# (cost 999999999) are removed before round 1; a free supported project costs
# its supporters nothing. Budget 10.
#   Z 0 (v1), N 1 (no supporter), W 999999999 (v2), A 4 (v1 v2)
# Round 1 (W removed): s(Z) = 0/1 = 0, s(A) = 4/2 = 2 -> Z at 0; left 10.
# Round 2: s(A) = (4 + 0 + 0)/2 = 2 -> A at 2; left 6. N never runs.
# ---------------------------------------------------------------------------
def test_unsupported_free_and_withdrawn_projects() -> None:
    costs = {"Z": "0", "N": "1", "W": "999999999", "A": "4"}
    outcome = phragmen(pb_text("10", costs, ["Z,A", "W,A"]))
    assert rounds(outcome) == [
        ("Z", F(0), 1, F(0), F(10), ("W",)),
        ("A", F(4), 2, F(2), F(6), ()),
    ]
    assert "N" not in outcome.funded


# ---------------------------------------------------------------------------
# Choose-1: supporters never overlap, so no load is ever shared and Phragmén
# funds by cost per vote, skipping what no longer fits. Budget 10.
#   A 6 (3 votes: s = 2), B 4 (1 vote: s = 4), C 3 (2 votes: s = 3/2)
# Round 1: C at 3/2, left 7. Round 2: A at 2, left 1. Round 3: B (4 > 1) removed.
# ---------------------------------------------------------------------------
def test_choose_one_ballots() -> None:
    outcome = phragmen(pb_text("10", {"A": "6", "B": "4", "C": "3"}, ["A", "A", "A", "B", "C", "C"], "choose-1"))
    assert rounds(outcome) == [
        ("C", F(3), 2, F(3, 2), F(7), ()),
        ("A", F(6), 3, F(2), F(1), ()),
    ]


# No voter at all: nothing is funded and nothing is spent.
def test_no_ballots_at_all() -> None:
    outcome = phragmen(pb_text("5", {"A": "1"}, []))
    assert outcome.funded == ()
    assert outcome.spent == 0
    assert outcome.left == 5


@pytest.mark.parametrize("vote_type", ["cumulative", "scoring", "ordinal"])
def test_other_vote_types_are_refused_with_the_file_name(vote_type: str) -> None:
    text = pb_text("5", {"A": "1", "B": "2"}, ["A,B", "B"], vote_type)
    profile = compiled(text, source="district.pb")
    with pytest.raises(UnsupportedVoteTypeError) as caught:
        run_phragmen(profile, RuleOptions())
    message = str(caught.value)
    assert message.startswith("district.pb: ")
    assert vote_type in message
    assert "approval, choose-1" in message
