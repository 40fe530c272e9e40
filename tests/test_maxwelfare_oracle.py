"""Oracles for max-welfare: brute force on small elections, pabutools on real ones.

The brute force is written from docs/rules.md and the rule's documented choice
among optima alone: it counts votes, points and positional scores from the
ballots itself, enumerates every set of projects with exact Fractions, and picks
among the optimal sets (of projects with positive welfare) the lower total cost,
then the set funding the lottery-first project (ticket
SHA-256("asukasbudjetti-lottery:{seed}:{id}"), smaller first) among those the sets
disagree on. It shares no code with asukasbudjetti.rules.
"""

from __future__ import annotations

import time
from fractions import Fraction
from itertools import combinations
from pathlib import Path
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asukasbudjetti.io import read_pabulib_bytes
from asukasbudjetti.model.outcome import Outcome
from asukasbudjetti.profile import CompiledProfile, compile_profile
from asukasbudjetti.rules import RuleOptions
from asukasbudjetti.rules.greedy import GreedyParams, run_greedy
from asukasbudjetti.rules.maxwelfare import Objective, run_max_welfare
from asukasbudjetti.tally import load_election
from tests.conftest import pabulib_params
from tests.strategies import PbElection, elections, ticket

F = Fraction
OBJECTIVES: tuple[Objective, ...] = ("cost", "score")
#: pabutools' ILP (PuLP and CBC) needs seconds on the largest files; those are skipped here.
PABUTOOLS_MAX_VOTERS = 20_000


def profile_of(election: PbElection, **order: list[int]) -> CompiledProfile:
    read = read_pabulib_bytes(election.text(**order).encode(), "x.pb")
    assert read.election is not None
    return compile_profile(read.election)


def oracle_welfare(election: PbElection, objective: Objective) -> dict[str, F]:
    """Each project's welfare, from the ballots (money welfare as exact amounts)."""
    ids = [f"p{j}" for j in range(len(election.costs))]
    cost = {p: F(text) for p, text in zip(ids, election.costs, strict=True)}
    votes = dict.fromkeys(ids, 0)
    score = dict.fromkeys(ids, 0)
    longest = max(len(ballot) for ballot in election.ballots)
    for ballot in election.ballots:
        for k, (p, points) in enumerate(ballot):
            votes[p] += 1
            if election.vote_type in ("approval", "choose-1"):
                score[p] += 1
            elif election.vote_type in ("cumulative", "scoring"):
                score[p] += points
            else:  # ordinal: position k of a ballot scores L - k, L the longest ballot
                score[p] += longest - k
    if objective == "score":
        return {p: F(score[p]) for p in ids}
    per_cost = votes if election.vote_type in ("approval", "choose-1") else score
    return {p: per_cost[p] * cost[p] for p in ids}


def check_against_brute_force(election: PbElection, objective: Objective, seed: int) -> Outcome:
    ids = [f"p{j}" for j in range(len(election.costs))]
    cost = {p: F(text) for p, text in zip(ids, election.costs, strict=True)}
    budget = F(election.budget)
    welfare = oracle_welfare(election, objective)
    subsets = [
        frozenset(s)
        for size in range(len(ids) + 1)
        for s in combinations(ids, size)
        if sum(cost[p] for p in s) <= budget
    ]
    best = max(sum(welfare[p] for p in s) for s in subsets)
    # The rule funds only projects that add welfare.
    optima = [s for s in subsets if sum(welfare[p] for p in s) == best and all(welfare[p] > 0 for p in s)]
    lottery = sorted(ids, key=lambda p: ticket(seed, p))

    def preference(s: frozenset[str]) -> tuple[F, tuple[int, ...]]:
        # lower cost; then, in lottery order, funding each project beats not funding it
        return sum((cost[p] for p in s), F(0)), tuple(0 if p in s else 1 for p in lottery)

    chosen = min(optima, key=preference)

    outcome = run_max_welfare(profile_of(election), RuleOptions(seed=seed), objective=objective)
    assert set(outcome.funded) == chosen
    assert len(outcome.funded) == len(chosen)
    assert outcome.spent == sum(cost[p] for p in chosen)
    assert outcome.spent <= budget
    assert outcome.left == budget - outcome.spent
    assert outcome.optimum is not None
    assert outcome.optimum.value == best
    assert list(outcome.funded) == sorted(chosen, key=lambda p: (-welfare[p], cost[p], ticket(seed, p)))
    same_cost = [s for s in optima if s != chosen and sum(cost[p] for p in s) == outcome.spent]
    if len(optima) == 1:
        assert outcome.ties == ()
    else:
        (tie,) = outcome.ties
        assert tie.settled_by == (("lottery",) if same_cost else ("lower total cost",))
        assert tie.decisive
        funded_part = [p for p in tie.projects if p in chosen]
        assert tie.projects[: len(funded_part)] == tuple(funded_part)
        other = (chosen - set(tie.projects)) | set(tie.projects[len(funded_part) :])
        assert other in optima
        assert other != chosen
    return outcome


@st.composite
def tied_elections(draw: st.DrawFn) -> PbElection:
    """Up to 10 projects with few distinct costs and few voters: many equal optima.

    Sometimes every voter approves every project, so that welfare per unit of cost
    is the same for all (max-welfare is then subset sum, with many equal optima).
    """
    vote_type = draw(st.sampled_from(["approval", "choose-1", "cumulative", "scoring", "ordinal"]))
    m = draw(st.integers(2, 10))
    costs = tuple(draw(st.lists(st.sampled_from(["0", "1", "2", "2", "3", "4", "1.50"]), min_size=m, max_size=m)))
    budget = str(draw(st.integers(1, 12)))
    ids = [f"p{j}" for j in range(m)]
    if vote_type == "approval" and draw(st.integers(0, 3)) == 0:
        everyone = tuple((p, 1) for p in ids)
        return PbElection(vote_type, budget, costs, (everyone,) * draw(st.integers(1, 3)))
    ballots = []
    for _ in range(draw(st.integers(1, 3))):
        if vote_type == "choose-1":
            chosen = [draw(st.sampled_from(ids))]
        else:
            chosen = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=m, unique=True))
        points = [draw(st.integers(1, 2)) for _ in chosen]
        ballots.append(tuple(zip(chosen, points, strict=True)))
    return PbElection(vote_type, budget, costs, tuple(ballots))


@settings(max_examples=300, deadline=None)
@given(elections(), st.sampled_from(OBJECTIVES), st.integers(0, 5))
def test_max_welfare_equals_brute_force(election: PbElection, objective: Objective, seed: int) -> None:
    check_against_brute_force(election, objective, seed)


@settings(max_examples=300, deadline=None)
@given(tied_elections(), st.sampled_from(OBJECTIVES), st.integers(0, 5))
def test_max_welfare_equals_brute_force_with_many_ties(election: PbElection, objective: Objective, seed: int) -> None:
    check_against_brute_force(election, objective, seed)


@settings(max_examples=150, deadline=None)
@given(st.one_of(elections(), tied_elections()), st.sampled_from(OBJECTIVES), st.integers(0, 5), st.randoms())
def test_project_and_ballot_order_do_not_matter(
    election: PbElection, objective: Objective, seed: int, random: Random
) -> None:
    projects = list(range(len(election.costs)))
    ballots = list(range(len(election.ballots)))
    random.shuffle(projects)
    random.shuffle(ballots)
    options = RuleOptions(seed=seed)
    listed = run_max_welfare(profile_of(election), options, objective=objective)
    shuffled = run_max_welfare(
        profile_of(election, project_order=projects, ballot_order=ballots), options, objective=objective
    )
    assert shuffled == listed


@pytest.mark.parametrize("path", pabulib_params())
def test_real_elections_are_fast_feasible_and_not_worse_than_greedy(path: Path) -> None:
    election, _, _ = load_election(path)
    profile = compile_profile(election)
    greedy = run_greedy(profile, GreedyParams(), "greedy")
    index = {p: j for j, p in enumerate(profile.project_ids)}
    per_unit = profile.supporters if profile.vote_type.is_approval_like else profile.scores
    for objective in OBJECTIVES:
        started = time.perf_counter()
        outcome = run_max_welfare(profile, RuleOptions(), objective=objective)
        # Milliseconds on every sample file; one second leaves room for a slow machine.
        assert time.perf_counter() - started < 1
        assert outcome.optimum is not None
        costs = [profile.costs[index[p]] for p in outcome.funded]
        assert outcome.spent == sum(costs) <= profile.budget

        def welfare(j: int, objective: Objective = objective) -> F:
            if objective == "score":
                return F(profile.scores[j])
            return per_unit[j] * profile.costs[j]

        assert outcome.optimum.value == sum(welfare(index[p]) for p in outcome.funded)
        assert outcome.optimum.value >= sum(welfare(index[p]) for p in greedy.funded)
        # An optimum leaves no project of positive welfare that still fits.
        for j in range(profile.project_count):
            if profile.project_ids[j] not in outcome.funded and welfare(j) > 0 and not profile.withdrawn[j]:
                assert profile.costs[j] > outcome.left


@pytest.mark.parametrize("path", pabulib_params())
def test_max_welfare_equals_pabutools(path: Path) -> None:
    pabutools_election = pytest.importorskip("pabutools.election", reason="pabutools is a dev extra")
    pabutools_rules = pytest.importorskip("pabutools.rules", reason="pabutools is a dev extra")
    election, _, _ = load_election(path)
    if not election.vote_type.is_approval_like:
        pytest.skip(f"{election.vote_type.value} ballots: the pabutools comparison is for approval and choose-1")
    profile = compile_profile(election)
    if profile.voter_count > PABUTOOLS_MAX_VOTERS:
        pytest.skip(
            f"{profile.voter_count} voters: pabutools needs several seconds here "
            f"(more than {PABUTOOLS_MAX_VOTERS}); compared by hand once, same set"
        )
    outcome = run_max_welfare(profile, RuleOptions())
    ours = set(outcome.funded)

    instance, pabutools_profile = pabutools_election.parse_pabulib(str(path))
    theirs_outcome = pabutools_rules.max_additive_utilitarian_welfare(
        instance, pabutools_profile, sat_class=pabutools_election.Cost_Sat
    )
    theirs = {project.name for project in theirs_outcome}

    index = {p: j for j, p in enumerate(profile.project_ids)}

    def welfare(projects: set[str]) -> F:
        return sum((profile.supporters[index[p]] * profile.costs[index[p]] for p in projects), F(0))

    assert sum(profile.costs[index[p]] for p in theirs) <= profile.budget
    assert outcome.optimum is not None
    assert welfare(ours) == welfare(theirs) == outcome.optimum.value
    if ours != theirs:
        # Two optimal sets: ours must have seen that there is more than one.
        assert outcome.ties, f"ours-theirs={ours - theirs}, theirs-ours={theirs - ours}"
