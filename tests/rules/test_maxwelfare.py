"""The utilitarian optimum (max-welfare) on small elections solved by hand.

Each election is written out as .pb text next to its test; the comment gives
every project's welfare, the sets that fit and the one that wins, worked out on
paper. Welfare with cost utilities is votes(p) * cost(p); money is exact.
"""

from __future__ import annotations

from fractions import Fraction
from textwrap import dedent

import pytest

from asukasbudjetti.io import read_pabulib_bytes
from asukasbudjetti.model.outcome import Optimum, Outcome, Tie
from asukasbudjetti.profile import CompiledProfile, compile_profile
from asukasbudjetti.rules import RuleOptions
from asukasbudjetti.rules.greedy import GreedyParams, run_greedy
from asukasbudjetti.rules.maxwelfare import CHOICE_AMONG_OPTIMA, run_max_welfare
from tests.strategies import ticket

F = Fraction  # exact money, short: F("70.10") is 70.10 digit for digit


def profile_of(text: str, vote_type: str = "approval") -> CompiledProfile:
    """Compile .pb text; ``text`` holds the PROJECTS and VOTES sections and a budget line."""
    budget, body = dedent(text).strip().split("\n", 1)
    header = f"META\nkey;value\n{budget}\nvote_type;{vote_type}\nrule;greedy\n"
    read = read_pabulib_bytes((header + body + "\n").encode(), "hand.pb")
    assert read.problems == []
    assert read.election is not None
    return compile_profile(read.election)


def run(profile: CompiledProfile, seed: int = 0, objective: str = "cost") -> Outcome:
    outcome = run_max_welfare(profile, RuleOptions(seed=seed), objective=objective)  # type: ignore[arg-type]
    assert outcome.spent + outcome.left == outcome.budget
    assert outcome.rule == "max-welfare"
    return outcome


def seed_where_first(first: str, others: list[str]) -> int:
    """The smallest seed whose lottery puts ``first`` before every one of ``others``."""
    return next(s for s in range(1000) if all(ticket(s, first) < ticket(s, o) for o in others))


# budget 100.00
#   P1 70.10 (4 votes) welfare 4 * 70.10 = 280.40
#   P2 50.25 (3 votes) welfare 3 * 50.25 = 150.75
#   P3 45.50 (3 votes) welfare 3 * 45.50 = 136.50
# greedy by votes: P1 (left 29.90), P2 and P3 do not fit: welfare 280.40
# sets that fit: {P1} 280.40, {P2} 150.75, {P3} 136.50, {P2, P3} 95.75 -> 287.25
#   ({P1, P3} costs 115.60, {P1, P2} 120.35: too much)
# optimum {P2, P3}: welfare 287.25, spent 95.75, left 4.25
NOT_GREEDY = """
    budget;100.00
    PROJECTS
    project_id;cost
    P1;70.10
    P2;50.25
    P3;45.50
    VOTES
    voter_id;vote
    v1;P1,P2,P3
    v2;P1,P2,P3
    v3;P1,P2,P3
    v4;P1
"""


def test_greedy_is_not_optimal_here() -> None:
    profile = profile_of(NOT_GREEDY)
    greedy = run_greedy(profile, GreedyParams(), "greedy")
    assert greedy.funded == ("P1",)
    outcome = run(profile)
    # funded order: welfare 150.75 (P2) before 136.50 (P3)
    assert outcome.funded == ("P2", "P3")
    assert outcome.spent == F("95.75")
    assert outcome.left == F("4.25")
    assert outcome.ties == ()
    assert outcome.optimum == Optimum(
        objective="sum of votes(p) * cost(p)",
        value=F("287.25"),
        method=outcome.optimum.method if outcome.optimum else "",
        choice_among_optima=CHOICE_AMONG_OPTIMA,
    )
    assert outcome.optimum is not None
    assert outcome.optimum.method.startswith("branch and bound")
    assert outcome.params.model_dump() == {"objective": "cost", "seed": 0, "choice_among_optima": CHOICE_AMONG_OPTIMA}


def test_score_objective_counts_votes_only() -> None:
    # welfare = votes: P1 4, P2 3, P3 3; {P2, P3} = 6 > {P1} = 4
    # funded order: equal welfare 3, then lower cost: P3 (45.50) before P2 (50.25)
    outcome = run(profile_of(NOT_GREEDY), objective="score")
    assert outcome.funded == ("P3", "P2")
    assert outcome.optimum is not None
    assert outcome.optimum.objective == "sum of score(p)"
    assert outcome.optimum.value == 6
    assert outcome.params.objective == "score"


# budget 10
#   X cost 10 (1 vote)  welfare 10
#   Y cost 5  (2 votes) welfare 10
#   W cost 6  (1 vote)  welfare 6
# sets that fit: {X} 10 (cost 10), {Y} 10 (cost 5), {W} 6; {Y, W} costs 11
# two optima of welfare 10: the lower total cost wins, {Y}; spent 5, left 5
EQUAL_WELFARE = """
    budget;10
    PROJECTS
    project_id;cost
    X;10
    Y;5
    W;6
    VOTES
    voter_id;vote
    v1;X,Y
    v2;Y,W
"""


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_two_optima_lower_total_cost_wins(seed: int) -> None:
    outcome = run(profile_of(EQUAL_WELFARE), seed)
    assert outcome.funded == ("Y",)
    assert (outcome.spent, outcome.left) == (F(5), F(5))
    assert outcome.optimum is not None
    assert outcome.optimum.value == 10
    # the projects the two optima disagree on: the funded set's first
    assert outcome.ties == (Tie(step=1, projects=("Y", "X"), settled_by=("lower total cost",), decisive=True),)


# budget 10
#   A cost 6 (2 votes) welfare 12
#   B cost 6 (2 votes) welfare 12
#   C cost 3 (1 vote)  welfare 3
# {A, B} costs 12: too much. Best: {A, C} and {B, C}, welfare 15, cost 9 each;
# the lottery decides: the set holding whichever of A, B draws first.
IDENTICAL_TWINS = """
    budget;10
    PROJECTS
    project_id;cost
    A;6
    B;6
    C;3
    VOTES
    voter_id;vote
    v1;A,B,C
    v2;A,B
"""


@pytest.mark.parametrize(("winner", "loser"), [("A", "B"), ("B", "A")])
def test_two_optima_of_equal_cost_the_lottery_decides(winner: str, loser: str) -> None:
    seed = seed_where_first(winner, [loser])
    outcome = run(profile_of(IDENTICAL_TWINS), seed)
    # funded order: welfare 12 (the winner) then 3 (C)
    assert outcome.funded == (winner, "C")
    assert (outcome.spent, outcome.left) == (F(9), F(1))
    assert outcome.optimum is not None
    assert outcome.optimum.value == 15
    assert outcome.ties == (Tie(step=1, projects=(winner, loser), settled_by=("lottery",), decisive=True),)
    assert outcome.params.seed == seed


# budget 10, one vote each: welfare = cost
#   A cost 10 -> 10; B cost 4 -> 4; C cost 6 -> 6
# optima: {A} and {B, C}, welfare 10 and cost 10 each. They disagree on A, B and C:
# the set holding the lottery-first of the three wins: A first -> {A}; B or C first
# -> {B, C}. (The same as comparing the sets' sorted lists of lottery places.)
ONE_AGAINST_TWO = """
    budget;10
    PROJECTS
    project_id;cost
    A;10
    B;4
    C;6
    VOTES
    voter_id;vote
    v1;A
    v2;B
    v3;C
"""


@pytest.mark.parametrize(
    ("first", "funded"),
    [("A", ("A",)), ("B", ("C", "B")), ("C", ("C", "B"))],
)
def test_one_against_two_the_lottery_first_project_decides(first: str, funded: tuple[str, ...]) -> None:
    seed = seed_where_first(first, [p for p in "ABC" if p != first])
    outcome = run(profile_of(ONE_AGAINST_TWO), seed)
    # funded order: welfare 6 (C) before 4 (B)
    assert outcome.funded == funded
    assert outcome.spent == 10
    (tie,) = outcome.ties
    assert tie.settled_by == ("lottery",)
    assert set(tie.projects) == {"A", "B", "C"}
    assert tie.projects[: len(funded)] == tuple(sorted(funded, key=lambda p: ticket(seed, p)))


# budget 1000
#   P1 999999999 (withdrawn; 3 votes)          never funded
#   P2 0 (2 votes): welfare 2 * 0 = 0         cost objective: not funded (adds nothing)
#   P3 400 (0 votes): welfare 0                not funded
#   P4 600 (1 vote): welfare 600               funded
#   P5 1200 (3 votes): costs more than the pot not funded
# optimum {P4}: 600, spent 600, left 400
# score objective: P2 has score 2 and costs nothing: funded too; {P2, P4} = 2 + 1 = 3
NEVER_FUNDED = """
    budget;1000
    PROJECTS
    project_id;cost
    P1;999999999
    P2;0
    P3;400
    P4;600
    P5;1200
    VOTES
    voter_id;vote
    v1;P1,P2,P5
    v2;P1,P2,P4,P5
    v3;P1,P5
"""


def test_withdrawn_zero_welfare_and_too_costly_projects_are_not_funded() -> None:
    profile = profile_of(NEVER_FUNDED)
    outcome = run(profile)
    assert outcome.funded == ("P4",)
    assert (outcome.spent, outcome.left) == (F(600), F(400))
    assert outcome.ties == ()
    assert outcome.optimum is not None
    assert outcome.optimum.value == 600


def test_score_objective_funds_a_free_project_with_votes() -> None:
    outcome = run(profile_of(NEVER_FUNDED), objective="score")
    # funded order: score 2 (P2) before 1 (P4)
    assert outcome.funded == ("P2", "P4")
    assert (outcome.spent, outcome.left) == (F(600), F(400))
    assert outcome.optimum is not None
    assert outcome.optimum.value == 3


# cumulative, budget 10: welfare = points * cost
#   A cost 8: 5 + 1 = 6 points -> 48
#   B cost 5: 4 points         -> 20
#   C cost 5: 1 + 3 = 4 points -> 20
# sets that fit: {A} 48, {B, C} 40, {B} 20, {C} 20 -> {A}, spent 8, left 2
# score objective: {A} 6 < {B, C} 8 -> {B, C}; equal score 4, equal cost 5: lottery order
CUMULATIVE = """
    budget;10
    PROJECTS
    project_id;cost
    A;8
    B;5
    C;5
    VOTES
    voter_id;vote;points
    v1;A,C;5,1
    v2;B,A,C;4,1,3
"""


def test_cumulative_welfare_is_points_times_cost() -> None:
    profile = profile_of(CUMULATIVE, "cumulative")
    outcome = run(profile)
    assert outcome.funded == ("A",)
    assert outcome.optimum is not None
    assert outcome.optimum.objective == "sum of score(p) * cost(p)"
    assert outcome.optimum.value == 48
    scored = run(profile, seed=0, objective="score")
    assert set(scored.funded) == {"B", "C"}
    assert scored.funded == tuple(sorted("BC", key=lambda p: ticket(0, p)))
    assert scored.optimum is not None
    assert scored.optimum.value == 8
    assert scored.ties == ()


def test_nothing_fits() -> None:
    # budget 0: only the empty set fits
    outcome = run(profile_of("budget;0\nPROJECTS\nproject_id;cost\nP1;5\nVOTES\nvoter_id;vote\nv1;P1"))
    assert outcome.funded == ()
    assert (outcome.spent, outcome.left) == (F(0), F(0))
    assert outcome.optimum is not None
    assert outcome.optimum.value == 0


def test_unknown_objective_is_refused() -> None:
    with pytest.raises(ValueError, match="objective"):
        run(profile_of(NOT_GREEDY), objective="votes")
