"""Brute-force oracle for the greedy family on small random approval elections.

The oracle below is written from docs/rules.md alone: count each project's
approvals (a project repeated on a ballot counts once), sort by votes descending,
then cost ascending, then (only for the second property) the lottery ticket
SHA-256("asukasbudjetti-lottery:{seed}:{id}"), smaller first; pass over withdrawn
projects (cost 999999999); then walk the list. It shares no code with
asukasbudjetti.rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from itertools import permutations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from asukasbudjetti.model import Ballot, BallotTable, Election, Project, VoteType
from asukasbudjetti.model.outcome import Decision, Outcome
from asukasbudjetti.tally import tally_election
from tests.strategies import ticket

F = Fraction  # exact money, short: F("999.80") is 999.80 digit for digit
WITHDRAWN = F(999_999_999)
POZNAN = F(4, 5)

#: rule name -> (skip misfits, reserve share)
RULES: dict[str, tuple[bool, F | None]] = {
    "greedy": (True, None),
    "greedy-no-skip": (False, None),
    "greedy-custom": (False, POZNAN),
}


@st.composite
def elections(draw: st.DrawFn, *, max_projects: int, costs: st.SearchStrategy[F]) -> Election:
    m = draw(st.integers(1, max_projects))
    # ids 1..m: with ten or more projects, "10" sorts before "9" as text.
    ids = [str(i + 1) for i in range(m)]
    projects = []
    for project_id in ids:
        withdrawn = draw(st.integers(0, 7)) == 0
        cost = WITHDRAWN if withdrawn else draw(costs)
        projects.append(Project(project_id=project_id, cost=cost))
    n = draw(st.integers(0, 12))
    ballots = [
        Ballot(
            voter_id=f"v{i}",
            # lists, not sets: a project may be repeated on a ballot (it counts once)
            projects=tuple(draw(st.lists(st.sampled_from(ids), min_size=1, max_size=m + 1))),
        )
        for i in range(n)
    ]
    budget = draw(st.integers(0, 3000)) * F(draw(st.sampled_from([1, 10, 100])), 10)
    return Election(
        source="oracle.pb",
        meta={"rule": "greedy"},
        vote_type=VoteType.APPROVAL,
        budget=budget,
        projects=tuple(projects),
        ballots=BallotTable.from_ballots(ballots),
    )


def cents(low: int, high: int) -> st.SearchStrategy[F]:
    return st.integers(low, high).map(lambda c: F(c, 100))


def hundreds(low: int, high: int) -> st.SearchStrategy[F]:
    return st.integers(low, high).map(lambda c: F(c * 100))


def approvals(election: Election) -> dict[str, int]:
    return {
        p.project_id: sum(p.project_id in set(ballot) for ballot in election.ballots.projects)
        for p in election.projects
    }


def oracle_walk(
    order: Sequence[str], cost: dict[str, F], budget: F, skip: bool, share: F | None
) -> tuple[list[str], F, str | None]:
    """Funded projects in order, money left, and the reserve-funded project."""
    money = budget
    funded: list[str] = []
    for p in order:
        if cost[p] <= money:
            funded.append(p)
            money -= cost[p]
        elif skip:
            continue
        else:
            if share is not None and money >= share * cost[p]:
                funded.append(p)
                return funded, F(0), p
            break
    return funded, money, None


def tally(election: Election, rule: str, seed: int = 0) -> Outcome:
    pot, _ = tally_election(election, rule=rule, seed=seed)
    return pot


def check_against_oracle(outcome: Outcome, order: list[str], election: Election, skip: bool, share: F | None) -> None:
    cost = {p.project_id: p.cost for p in election.projects}
    funded, money, reserved = oracle_walk(order, cost, election.budget, skip, share)
    assert outcome.funded == tuple(funded)
    assert outcome.left == money
    assert outcome.spent == election.budget - money
    assert (outcome.reserve.project_id if outcome.reserve else None) == reserved
    walked = [s.project_id for s in outcome.steps if s.decision is not Decision.WITHDRAWN]
    assert walked == order
    withdrawn = {p.project_id for p in election.projects if p.cost == WITHDRAWN}
    assert {s.project_id for s in outcome.steps if s.decision is Decision.WITHDRAWN} == withdrawn


@settings(max_examples=300, deadline=None)
@given(elections(max_projects=9, costs=cents(0, 150_000)), st.integers(0, 5))
def test_greedy_family_matches_oracle_without_exact_ties(election: Election, seed: int) -> None:
    votes = approvals(election)
    eligible = [p.project_id for p in election.projects if p.cost != WITHDRAWN]
    keys = [(votes[p.project_id], p.cost) for p in election.projects if p.cost != WITHDRAWN]
    assume(len(set(keys)) == len(keys))
    cost = {p.project_id: p.cost for p in election.projects}
    order = sorted(eligible, key=lambda p: (-votes[p], cost[p]))
    for rule, (skip, share) in RULES.items():
        outcome = tally(election, rule, seed)
        check_against_oracle(outcome, order, election, skip, share)
        # Ties on votes alone are settled by the lower cost, never by the lottery.
        assert all(tie.settled_by == ("lower cost",) for tie in outcome.ties)
    # greedy-no-skip funds a prefix of the order: everything before the first misfit.
    no_skip = tally(election, "greedy-no-skip", seed).funded
    assert list(no_skip) == order[: len(no_skip)]
    if len(no_skip) < len(order):
        assert cost[order[len(no_skip)]] > election.budget - sum(cost[p] for p in no_skip)
    # On approval ballots the most supported project heads the greedy order anyway.
    assert tally(election, "top1-greedy", seed).funded == tally(election, "greedy", seed).funded


@settings(max_examples=300, deadline=None)
@given(elections(max_projects=6, costs=hundreds(0, 8)), st.integers(0, 1000))
def test_greedy_family_matches_oracle_with_ties(election: Election, seed: int) -> None:
    # Costs in whole hundreds from 0 to 800: ties on votes and on cost are frequent.
    votes = approvals(election)
    cost = {p.project_id: p.cost for p in election.projects}
    eligible = [p.project_id for p in election.projects if p.cost != WITHDRAWN]
    order = sorted(eligible, key=lambda p: (-votes[p], cost[p], ticket(seed, p)))
    # maximal runs of equal votes (the greedy order's primary criterion)
    runs: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(order) + 1):
        if i == len(order) or votes[order[i]] != votes[order[start]]:
            if i - start > 1:
                runs.append((start, i))
            start = i
    for rule, (skip, share) in RULES.items():
        outcome = tally(election, rule, seed)
        check_against_oracle(outcome, order, election, skip, share)
        expected = []
        for a, b in runs:
            group = order[a:b]
            group_costs = [cost[p] for p in group]
            if len(set(group_costs)) == len(group):
                settled: tuple[str, ...] = ("lower cost",)
            elif len(set(group_costs)) == 1:
                settled = ("lottery",)
            else:
                settled = ("lower cost", "lottery")
            # decisive: some order of the tied projects changes what is funded
            outcomes = set()
            for perm in permutations(group):
                funded, _, reserved = oracle_walk([*order[:a], *perm, *order[b:]], cost, election.budget, skip, share)
                outcomes.add((frozenset(funded), reserved))
            expected.append((tuple(group), settled, len(outcomes) > 1))
        # steps are counted over the whole walk, withdrawn projects included
        rank = {s.project_id: s.rank for s in outcome.steps}
        got = [(t.step, t.projects, t.settled_by, t.decisive) for t in outcome.ties]
        assert got == [(rank[g[0]], g, s, d) for g, s, d in expected]
