"""Margins of defeat (asukasbudjetti.audit.margins): hand-worked examples and brute force.

The brute force re-tallies each unfunded project of small random approval elections
with every number of extra supporters 0..K and at every cost unit from its current
cost down to 0, and checks that compute_margins' searches found the smallest number
and the largest cost. Elections are built here, independently of the module.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asukasbudjetti.audit.margins import LINEAR_SCAN_CAP, _largest_cost, _smallest_extra, compute_margins
from asukasbudjetti.model import Ballot, BallotTable, Election, Project, VoteType
from asukasbudjetti.model.record import Margin
from asukasbudjetti.rules.ties import lottery_ranks
from asukasbudjetti.tally import load_election, tally_election

F = Fraction
WITHDRAWN = F(999_999_999)
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "good"
#: Extra supporters the brute force tries (k = 0..K_BRUTE).
K_BRUTE = 20


def make_election(
    budget: int | F,
    costs: dict[str, int | F],
    ballots: list[tuple[str, ...]],
    *,
    vote_type: VoteType = VoteType.APPROVAL,
    meta: dict[str, str] | None = None,
) -> Election:
    return Election(
        source="margins.pb",
        meta=meta or {"rule": "greedy"},
        vote_type=vote_type,
        budget=F(budget),
        projects=tuple(Project(project_id=p, cost=F(c)) for p, c in costs.items()),
        ballots=BallotTable.from_ballots(
            [Ballot(voter_id=f"v{i}", projects=ballot) for i, ballot in enumerate(ballots, start=1)]
        ),
    )


def funded(election: Election, rule: str, project_id: str, seed: int = 0) -> bool:
    pot, _ = tally_election(election, rule=rule, seed=seed)
    return project_id in pot.funded


def with_extra(election: Election, project_id: str, k: int) -> Election:
    """k more voters (ids x1..xk, unlike the v1.. of make_election) approving project_id alone."""
    ballots = [election.ballots.ballot(i) for i in range(len(election.ballots))]
    ballots += [Ballot(voter_id=f"x{i}", projects=(project_id,)) for i in range(1, k + 1)]
    return election.model_copy(update={"ballots": BallotTable.from_ballots(ballots)})


def with_cost(election: Election, project_id: str, cost: F) -> Election:
    projects = tuple(
        p.model_copy(update={"cost": cost}) if p.project_id == project_id else p for p in election.projects
    )
    return election.model_copy(update={"projects": projects})


def supporters_code(margin: Margin) -> str:
    return margin.method.split("; cost: ")[0].removeprefix("supporters: ").split(" ")[0]


def cost_code(margin: Margin) -> str:
    return margin.method.split("; cost: ")[1].split(" ")[0]


# --- hand-worked greedy examples -------------------------------------------------


def test_greedy_hand_worked_cheaper_challenger_wins_the_tie() -> None:
    # Budget 100. A costs 60 (3 votes), B 50 (2 votes), C 30 (1 vote).
    # Greedy walks A (3), B (2), C (1): A funded, 100 - 60 = 40 left; B 50 > 40 does
    # not fit; C 30 <= 40 funded, 10 left. Only B is unfunded.
    # max_cost(B): at any cost <= 50, B still has 2 votes, so it is still walked
    # second, after A, with 40 left: funded iff cost <= 40. max_cost = 40.
    # extra_supporters(B): k = 0 is the outcome above. k = 1: B has 3 votes, tied with
    # A; the tie goes to the lower cost, B 50 < A 60, so B is walked first: funded
    # (50 left), then A 60 > 50 does not fit, C 30 funded. So k = 1.
    election = make_election(
        100,
        {"A": 60, "B": 50, "C": 30},
        [("A", "B"), ("A", "B"), ("A", "C")],
    )
    margins = compute_margins(election, rule="greedy")
    assert set(margins) == {"B"}
    assert margins["B"].extra_supporters == 1
    assert margins["B"].max_cost == 40
    assert supporters_code(margins["B"]) == "exact-search"
    assert cost_code(margins["B"]) == "exact-search"
    # The arithmetic, re-tallied by hand.
    assert funded(with_extra(election, "B", 1), "greedy", "B")
    assert not funded(with_extra(election, "B", 1), "greedy", "A")
    assert funded(with_cost(election, "B", F(40)), "greedy", "B")
    assert not funded(with_cost(election, "B", F(41)), "greedy", "B")


def test_greedy_hand_worked_dearer_challenger_loses_the_tie() -> None:
    # As above but B costs 70. Status quo: A funded (40 left), B 70 > 40 no, C 30 yes.
    # max_cost(B) = 40 for the same reason (B stays second at any cost, 2 votes < 3).
    # k = 1: B 3 votes ties A; lower cost first: A 60 < B 70, so A is walked first,
    # funded, 40 left, and B 70 does not fit: not funded.
    # k = 2: B 4 votes > A 3: B first, funded (30 left); A 60 > 30 no. So k = 2.
    election = make_election(
        100,
        {"A": 60, "B": 70, "C": 30},
        [("A", "B"), ("A", "B"), ("A", "C")],
    )
    margins = compute_margins(election, rule="greedy")
    assert margins == {
        "B": Margin(project_id="B", extra_supporters=2, max_cost=F(40), method=margins["B"].method),
    }
    assert not funded(with_extra(election, "B", 1), "greedy", "B")
    assert funded(with_extra(election, "B", 2), "greedy", "B")


def seed_where(first: str, ids: tuple[str, ...]) -> int:
    """The smallest seed whose lottery puts ``first`` ahead of the other projects."""
    return next(
        seed
        for seed in range(1000)
        if min(range(len(ids)), key=lottery_ranks(seed, ids).__getitem__) == ids.index(first)
    )


@pytest.mark.parametrize(("lottery_winner", "expected"), [("B", 60), ("A", 59)])
def test_greedy_max_cost_above_the_money_left_when_a_lower_cost_wins_the_tie(
    lottery_winner: str, expected: int
) -> None:
    # Budget 100. A 60 and B 70 both have 3 votes. Ties go to the lower cost: A first,
    # funded, 40 left; B 70 > 40 not funded. The money left at B's turn is 40, but
    # lowering B's cost below 60 puts B first (lower cost wins the tie): funded with
    # 100 in hand. At exactly 60 the costs tie too and the seeded lottery decides:
    # max_cost(B) = 60 if B wins the lottery, else 59 (61..69 keep B behind A: 40 left).
    ids = ("A", "B")
    seed = seed_where(lottery_winner, ids)
    election = make_election(100, {"A": 60, "B": 70}, [("A", "B"), ("A", "B"), ("A", "B")])
    margins = compute_margins(election, rule="greedy", seed=seed)
    assert margins["B"].max_cost == expected
    # k = 1: B has 4 votes, walked first, funded.
    assert margins["B"].extra_supporters == 1


def test_fixture_approval_hand_worked() -> None:
    # tests/fixtures/good/approval.pb, budget 3000.10:
    # P1 1000.20 (5 votes), P2 1000.10 (4), P3 1200 (3), P4 999.80 (2), P5 400 (1).
    # Greedy: P1 -> 1999.90 left; P2 -> 999.80 left; P3 1200 no; P4 999.80 fits -> 0;
    # P5 400 no. Unfunded: P3, P5.
    # P3: its score 3 is unique, so at a lower cost it is still walked third, with
    # 999.80 left: max_cost 999.80 (the smallest unit is 0.10: the budget 3000.10).
    # k = 1: P3 has 4 votes, ties P2; lower cost first, P2 1000.10 < 1200, so P3 is
    # still third with 999.80 left: no. k = 2: 5 votes, ties P1 (1000.20 < 1200): P1,
    # then P3 with 1999.90 left: funded. extra_supporters 2.
    # P5: walked last with 0 left: max_cost 0. k = 1: 2 votes, ties P4; lower cost
    # first, P5 400 < 999.80: walked after P3 with 999.80 left, funded. So 1.
    election, _, _ = load_election(FIXTURES / "approval.pb")
    margins = compute_margins(election, rule="greedy")
    assert set(margins) == {"P3", "P5"}
    assert (margins["P3"].extra_supporters, margins["P3"].max_cost) == (2, F("999.80"))
    assert (margins["P5"].extra_supporters, margins["P5"].max_cost) == (1, F(0))
    assert funded(with_cost(election, "P3", F("999.80")), "greedy", "P3")
    assert not funded(with_cost(election, "P3", F("999.90")), "greedy", "P3")


def test_points_ballots_have_no_extra_supporters_but_a_max_cost() -> None:
    election, _, _ = load_election(FIXTURES / "cumulative.pb")
    margins = compute_margins(election, rule="greedy")
    assert margins
    for project_id, margin in margins.items():
        assert margin.extra_supporters is None
        assert supporters_code(margin) == "not-applicable"
        assert cost_code(margin) == "exact-search"
        if margin.max_cost is not None:
            assert funded(with_cost(election, project_id, margin.max_cost), "greedy", project_id)


def test_over_max_extra_falls_back_on_a_linear_scan() -> None:
    # greedy-threshold with threshold 5 and one voter: P2 (no votes) needs 5 extra
    # supporters to reach the threshold, more than max_extra = 1 voter + 1 = 2. The
    # rule is monotone in k, so the scan starts at 3 and finds 5.
    election = make_election(
        100, {"P1": 10, "P2": 10}, [("P1",)], meta={"rule": "greedy", "min_project_score_threshold": "5"}
    )
    margins = compute_margins(election, rule="greedy-threshold")
    assert set(margins) == {"P1", "P2"}  # P1's single vote is below the threshold too
    assert margins["P2"].extra_supporters == 5
    assert supporters_code(margins["P2"]) == "over-max-extra"
    assert margins["P1"].extra_supporters == 4
    # No cost makes up for too few votes.
    assert margins["P2"].max_cost is None
    assert not funded(with_extra(election, "P2", 4), "greedy-threshold", "P2")
    # With a larger max_extra the exponential search finds it.
    margins = compute_margins(election, rule="greedy-threshold", max_extra=8)
    assert margins["P2"].extra_supporters == 5
    assert supporters_code(margins["P2"]) == "exact-search"


def test_withdrawn_and_funded_projects_have_no_margin_and_the_election_is_unchanged() -> None:
    election = make_election(
        100,
        {"A": 60, "B": 50, "W": WITHDRAWN},
        [("A", "B", "W"), ("A", "W"), ("A",)],
    )
    before, _ = tally_election(election, rule="greedy")
    margins = compute_margins(election, rule="greedy")
    assert set(margins) == {"B"}
    after, _ = tally_election(election, rule="greedy")
    assert after == before
    assert len(election.ballots) == 3


def test_new_voter_ids_never_clash() -> None:
    # The file already has voters margin-1.. : the new voters get another prefix, and
    # the result is the one with neutral ids.
    election = make_election(100, {"A": 60, "B": 50, "C": 30}, [("A", "B"), ("A", "B"), ("A", "C")])
    renamed = election.model_copy(
        update={
            "ballots": BallotTable.from_ballots(
                [
                    Ballot(voter_id=f"margin-{i}", projects=election.ballots.projects[i])
                    for i in range(len(election.ballots))
                ]
            )
        }
    )
    assert compute_margins(renamed, rule="greedy") == compute_margins(election, rule="greedy")


def test_max_extra_must_be_positive() -> None:
    election = make_election(100, {"A": 60}, [("A",)])
    with pytest.raises(ValueError, match="max_extra"):
        compute_margins(election, rule="greedy", max_extra=0)


# --- the searches on synthetic predicates ----------------------------------------


def counting(predicate: Callable[[int], bool]) -> tuple[Callable[[int], bool], list[int]]:
    calls: list[int] = []

    def probe(value: int) -> bool:
        calls.append(value)
        return predicate(value)

    return probe, calls


def test_support_search_is_logarithmic_on_monotone_rules() -> None:
    probe, calls = counting(lambda k: k >= 37)
    assert _smallest_extra(probe, max_extra=1000, monotone=True) == (
        37,
        "exact-search (k-1 not funded; rule monotone in k)",
    )
    assert len(calls) <= 2 * 10 + 2
    assert len(set(calls)) == len(calls)  # every tally done once


def test_support_search_reports_non_monotone_rules() -> None:
    # Funded with k = 3 and k >= 8 but not 4..7: the search finds the boundary 8, the
    # check below it finds 3.
    value, method = _smallest_extra(lambda k: k == 3 or k >= 8, max_extra=100, monotone=False)
    assert value == 3
    assert method.startswith("not-monotone (funded with k=3, not with k=7)")
    # Funded only at k = 3 (never at max_extra): the linear scan from 1 finds it.
    value, method = _smallest_extra(lambda k: k == 3, max_extra=4, monotone=False)
    assert value == 3
    assert method.startswith("not-monotone (funded with k=3, not with k=4)")
    # A boundary too high to check every smaller k.
    value, method = _smallest_extra(lambda k: k >= 60, max_extra=100, monotone=False)
    assert value == 60
    assert method.startswith("boundary-only")
    # Nothing funds it.
    assert _smallest_extra(lambda k: False, max_extra=4, monotone=False) == (
        None,
        f"over-max-extra (no k up to {LINEAR_SCAN_CAP}, nor k=4, funds it)",
    )


def test_cost_search() -> None:
    probe, calls = counting(lambda u: u <= 12_345)
    assert _largest_cost(probe, current=1_000_000, monotone=True)[0] == 12_345
    assert len(calls) <= 22
    assert _largest_cost(lambda u: False, current=10, monotone=True)[0] is None
    assert _largest_cost(lambda u: True, current=0, monotone=True)[0] is None
    # Non-monotone: funded at 1..5 and at 9, not at 6..8 nor 10 (the current cost).
    value, method = _largest_cost(lambda u: 1 <= u <= 5 or u == 9, current=10, monotone=False)
    assert value == 9
    assert method.startswith("not-monotone (funded at 9 units, not at 6)")
    # Equal Shares-like: a free project is never funded, the smallest unit is.
    value, method = _largest_cost(lambda u: 1 <= u <= 7, current=10, monotone=False)
    assert (value, method.split(" ")[0]) == (7, "exact-search-checked")
    # Too wide a range above the boundary to re-tally all of it.
    value, method = _largest_cost(lambda u: u <= 7, current=1000, monotone=False)
    assert (value, method.split(" ")[0]) == (7, "boundary-only")


# --- brute force on small random approval elections ------------------------------


@st.composite
def small_elections(draw: st.DrawFn) -> Election:
    m = draw(st.integers(1, 5))
    ids = [f"p{j}" for j in range(1, m + 1)]
    costs: dict[str, int | F] = {}
    for project_id in ids:
        withdrawn = draw(st.integers(0, 9)) == 0
        costs[project_id] = WITHDRAWN if withdrawn else draw(st.integers(0, 40))
    n = draw(st.integers(0, 6))
    ballots = [tuple(draw(st.lists(st.sampled_from(ids), min_size=1, max_size=m, unique=True))) for _ in range(n)]
    vote_type = draw(st.sampled_from([VoteType.APPROVAL, VoteType.APPROVAL, VoteType.CHOOSE_1]))
    if vote_type is VoteType.CHOOSE_1:
        ballots = [ballot[:1] for ballot in ballots]
    budget = draw(st.one_of(st.integers(0, 100), st.integers(30, 100)))
    return make_election(budget, costs, ballots, vote_type=vote_type)


def check_brute_force(election: Election, rule: str, seed: int, *, monotone: bool) -> None:
    margins = compute_margins(election, rule=rule, seed=seed)
    base, _ = tally_election(election, rule=rule, seed=seed)
    unfunded = {p.project_id for p in election.projects if p.cost != WITHDRAWN} - set(base.funded)
    assert set(margins) == unfunded
    for project in election.projects:
        if project.project_id not in unfunded:
            continue
        pid = project.project_id
        margin = margins[pid]
        # Extra supporters: k = 0..K_BRUTE, each a full re-tally.
        by_k = [funded(with_extra(election, pid, k), rule, pid, seed) for k in range(K_BRUTE + 1)]
        assert not by_k[0]
        code = supporters_code(margin)
        codes = ("exact-search", "exact-search-checked", "not-monotone", "over-max-extra", "exact-analysis")
        assert code in codes, margin.method
        smallest = next((k for k, ok in enumerate(by_k) if ok), None)
        if margin.extra_supporters is None:
            # Every code above claims "none up to at least 50 >= K_BRUTE".
            assert smallest is None, margin.method
        elif margin.extra_supporters <= K_BRUTE:
            assert margin.extra_supporters == smallest, margin.method
        else:
            assert smallest is None, margin.method
        if monotone:
            # The module's monotonicity argument, checked: once funded, always funded.
            assert by_k == sorted(by_k), by_k
            assert code != "not-monotone"
        # Cost: every unit from the current cost down to 0 (integer costs: unit 1).
        current = int(project.cost)
        by_cost = {u: funded(with_cost(election, pid, F(u)), rule, pid, seed) for u in range(current + 1)}
        assert not by_cost[current]
        largest = max((u for u, ok in by_cost.items() if ok), default=None)
        codes = ("exact-search", "exact-search-checked", "not-monotone", "exact-analysis")
        assert cost_code(margin) in codes, margin.method
        assert margin.max_cost == (None if largest is None else F(largest)), margin.method
        if monotone:
            assert all(by_cost[u] for u in range(0, largest + 1)) if largest is not None else True


BRUTE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@BRUTE
@given(small_elections(), st.integers(0, 3))
def test_brute_force_greedy(election: Election, seed: int) -> None:
    check_brute_force(election, "greedy", seed, monotone=True)


@BRUTE
@given(small_elections(), st.integers(0, 3))
def test_brute_force_equalshares(election: Election, seed: int) -> None:
    check_brute_force(election, "equalshares", seed, monotone=False)


@BRUTE
@given(small_elections(), st.integers(0, 3))
def test_brute_force_phragmen(election: Election, seed: int) -> None:
    check_brute_force(election, "phragmen", seed, monotone=True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_elections(), st.sampled_from(["greedy-no-skip", "greedy-custom", "greedy-per-cost", "top1-greedy"]))
def test_brute_force_other_greedy_rules(election: Election, rule: str) -> None:
    check_brute_force(election, rule, 0, monotone=True)
