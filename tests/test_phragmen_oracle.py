"""Oracles for sequential Phragmén: a plain reference on random elections, and pabutools.

The reference below is written from docs/rules.md alone, one voter at a time with
``Fraction`` loads; it shares no code with asukasbudjetti.rules (the lottery ticket
is recomputed here with hashlib). It checks every round of our outcome: the funded
project had the smallest ``s(p)`` among the projects still supported and
affordable, its supporters' new load is exactly that ``s(p)``, the money left and
the removed projects are right, the tie order is the documented one, and the rule
stops only when nothing fits.

pabutools (GPL-3.0, a development extra used only as an oracle) defines the rule
with one difference, on purpose: its ``sequential_phragmen`` stops altogether as
soon as a project with the smallest ``s(p)`` does not fit, where rules.md removes
that project and goes on (and pabutools, once nothing supported is left, still
funds unsupported projects that fit, which rules.md never does). So the
comparison replays our rounds under pabutools' stopping rule: pabutools' funded set
must be what that replay predicts, or else our outcome records a decisive tie that
only the lottery settled (pabutools' own tie order is set to lower cost, then more
votes, then whatever order its sets iterate in).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asukasbudjetti.io import read_pabulib_bytes
from asukasbudjetti.model.outcome import Outcome
from asukasbudjetti.profile import CompiledProfile, compile_profile
from asukasbudjetti.rules import RuleOptions
from asukasbudjetti.rules.phragmen import run_phragmen
from asukasbudjetti.tally import load_election
from tests.conftest import pabulib_params
from tests.strategies import PbElection, elections, ticket

F = Fraction
WITHDRAWN = F(999_999_999)
#: pabutools needs about 10 s for Warszawa 2026's 61,668 voters; larger files are left out.
MAX_ORACLE_VOTERS = 20_000


@dataclass
class Election:
    """The election as plain Python: what the reference reads."""

    ids: list[str]
    cost: dict[str, F]
    budget: F
    ballots: list[set[str]]


def parse(election: PbElection, seed: int) -> tuple[Election, Outcome]:
    """Our outcome and the same election as plain data."""
    plain = Election(
        ids=[f"p{j}" for j in range(len(election.costs))],
        cost={f"p{j}": F(c) for j, c in enumerate(election.costs)},
        budget=F(election.budget),
        ballots=[{p for p, _ in ballot} for ballot in election.ballots],
    )
    read = read_pabulib_bytes(election.text().encode(), "x.pb")
    assert read.election is not None
    profile = compile_profile(read.election)
    return plain, run_phragmen(profile, RuleOptions(seed=seed))


def settled_by(tied: list[str], cost: dict[str, F], votes: dict[str, int]) -> tuple[str, ...]:
    """The criteria that narrow the tied projects down to one, in turn."""
    criteria: list[str] = []
    cheapest = [p for p in tied if cost[p] == min(cost[q] for q in tied)]
    if len(cheapest) < len(tied):
        criteria.append("lower cost")
    if len(cheapest) > 1:
        top = [p for p in cheapest if votes[p] == max(votes[q] for q in cheapest)]
        if len(top) < len(cheapest):
            criteria.append("more votes")
        if len(top) > 1:
            criteria.append("lottery")
    return tuple(criteria)


def check_against_reference(election: Election, outcome: Outcome, seed: int) -> None:
    ids, cost, budget = election.ids, election.cost, election.budget
    voters = range(len(election.ballots))
    supporters = {p: [i for i in voters if p in election.ballots[i]] for p in ids}
    votes = {p: len(supporters[p]) for p in ids}
    load = [F(0) for _ in voters]
    money = budget
    remaining = [p for p in ids if votes[p] > 0 and cost[p] != WITHDRAWN]
    removed = [p for p in ids if cost[p] == WITHDRAWN]
    expected_ties = []
    for number, got in enumerate(outcome.phragmen_rounds, start=1):
        removed += [p for p in remaining if cost[p] > money]
        remaining = [p for p in remaining if cost[p] <= money]
        assert tuple(sorted(removed, key=ids.index)) == got.removed
        assert remaining, "a round was played with nothing left to fund"
        s = {p: (cost[p] + sum(load[i] for i in supporters[p])) / votes[p] for p in remaining}
        best = min(s.values())
        p = got.project_id
        # The funded project has the smallest s(p), and its supporters' load is exactly s(p).
        assert p in remaining
        assert s[p] == best
        assert isinstance(got.load, Fraction)
        assert got.load == best
        tied = sorted((q for q in remaining if s[q] == best), key=lambda q: (cost[q], -votes[q], ticket(seed, q)))
        assert tied[0] == p
        if len(tied) > 1:
            expected_ties.append((number, tuple(tied), settled_by(tied, cost, votes), True))
        for i in supporters[p]:
            load[i] = best
        money -= cost[p]
        remaining.remove(p)
        assert got.cost == cost[p]
        assert got.supporters == votes[p]
        assert got.money_left == money
        removed = []
    # The rule stops only when nothing supported fits any more.
    assert all(cost[p] > money for p in remaining)
    funded_cost = sum((cost[p] for p in outcome.funded), F(0))
    assert funded_cost <= budget
    assert outcome.spent == funded_cost
    assert outcome.left == money == budget - funded_cost
    assert len(set(outcome.funded)) == len(outcome.funded)
    assert [(t.step, t.projects, t.settled_by, t.decisive) for t in outcome.ties] == expected_ties


@settings(max_examples=300, deadline=None)
@given(elections(vote_types=("approval", "choose-1")), st.integers(0, 1000))
def test_phragmen_matches_the_reference(election: PbElection, seed: int) -> None:
    plain, outcome = parse(election, seed)
    check_against_reference(plain, outcome, seed)


@st.composite
def tie_prone_elections(draw: st.DrawFn) -> PbElection:
    """Few distinct costs and small electorates: ties on s(p) at every level are common."""
    m = draw(st.integers(1, 6))
    costs = tuple(draw(st.lists(st.sampled_from(["0", "1", "2", "3", "1.50", "999999999"]), min_size=m, max_size=m)))
    ids = [f"p{j}" for j in range(m)]
    ballots = draw(
        st.lists(st.lists(st.sampled_from(ids), min_size=1, max_size=m, unique=True), min_size=0, max_size=9)
    )
    budget = str(draw(st.integers(0, 9)))
    return PbElection("approval", budget, costs, tuple(tuple((p, 1) for p in b) for b in ballots))


@settings(max_examples=400, deadline=None)
@given(tie_prone_elections(), st.integers(0, 1000))
def test_phragmen_matches_the_reference_on_tie_prone_elections(election: PbElection, seed: int) -> None:
    plain, outcome = parse(election, seed)
    check_against_reference(plain, outcome, seed)


# ---------------------------------------------------------------------------
# The real sample: every round replayed exactly, and pabutools
# ---------------------------------------------------------------------------


def approval_profile(path: Path) -> CompiledProfile:
    election, _, _ = load_election(path)
    if not election.vote_type.is_approval_like:
        pytest.skip(f"{election.vote_type.value} ballots: Phragmén is defined for approval and choose-1")
    return compile_profile(election)


def replay(profile: CompiledProfile, outcome: Outcome) -> tuple[set[str], int]:
    """Check every round of ``outcome`` with exact loads; return what pabutools should fund.

    Each distinct ballot's load is kept as an index into the list of loads handed
    out so far; ``s(p)`` is summed over the voters of each load, in Fractions.

    pabutools' candidates are the projects whose cost fits the whole budget; each
    round it takes the smallest ``s(p)`` over all of them not yet funded (unsupported
    ones count as infinite) and stops as soon as one project at that minimum does
    not fit the money left. Returns the funded set that stopping rule gives on our
    rounds, and how many of our rounds pabutools plays too.
    """
    ids = profile.project_ids
    cost = list(profile.costs)
    votes = profile.supporters
    counts = profile.counts
    rows_of = [np.flatnonzero(profile.approvals[:, j]) for j in range(len(ids))]
    level = np.zeros(len(counts), dtype=np.int64)  # each distinct ballot's load, as an index into values
    values = [F(0)]
    money = profile.budget
    funded: list[int] = []
    pabutools_funded: list[int] | None = None  # set when pabutools stops
    ours = [ids.index(r.project_id) for r in outcome.phragmen_rounds]
    for number in range(len(ours) + 1):
        unfunded = [j for j in range(len(ids)) if j not in funded]
        s: dict[int, F] = {}
        for j in unfunded:
            # A project dearer than the whole budget is a candidate for neither rule.
            if votes[j] > 0 and cost[j] <= profile.budget:
                rows = rows_of[j]
                voters_at = np.bincount(np.repeat(level[rows], counts[rows]), minlength=len(values))
                loads = sum((values[lv] * int(c) for lv, c in enumerate(voters_at) if c), F(0))
                s[j] = (cost[j] + loads) / votes[j]
        if pabutools_funded is None:
            theirs = [j for j in unfunded if cost[j] <= profile.budget]
            finite = [j for j in theirs if j in s]
            tied = [j for j in finite if s[j] == min(s[k] for k in finite)] if finite else theirs
            if any(cost[j] > money for j in tied):
                pabutools_funded = list(funded)
            elif number == len(ours):
                # Nothing supported fits any more (checked below); pabutools goes on
                # with the unsupported projects, cheapest first, while all of them fit.
                rest = sorted(tied, key=cost.__getitem__)
                pabutools_funded = list(funded)
                while rest and all(cost[j] <= money for j in rest):
                    pabutools_funded.append(rest.pop(0))
                    money -= cost[pabutools_funded[-1]]
        candidates = [j for j in s if not profile.withdrawn[j] and cost[j] <= money]
        if number == len(ours):
            assert candidates == [], "the rule stopped while a supported project still fitted"
            break
        j = ours[number]
        assert j in candidates
        assert s[j] == min(s[k] for k in candidates)
        assert outcome.phragmen_rounds[number].load == s[j]
        level[rows_of[j]] = len(values)
        values.append(s[j])
        money -= cost[j]
        funded.append(j)
        assert outcome.phragmen_rounds[number].money_left == money
    assert pabutools_funded is not None
    shared = sum(1 for j in pabutools_funded if j in funded)
    return {ids[j] for j in pabutools_funded}, shared


@pytest.mark.parametrize("path", pabulib_params())
def test_every_round_on_real_files_replays_exactly(path: Path) -> None:
    profile = approval_profile(path)
    outcome = run_phragmen(profile, RuleOptions())
    replay(profile, outcome)
    assert outcome.spent + outcome.left == profile.budget
    assert outcome.spent == sum((profile.costs[profile.index(p)] for p in outcome.funded), F(0))


@pytest.mark.parametrize("path", pabulib_params())
def test_phragmen_agrees_with_pabutools(path: Path) -> None:
    pabutools_election = pytest.importorskip("pabutools.election", reason="pabutools is a dev extra")
    pabutools_rules = pytest.importorskip("pabutools.rules", reason="pabutools is a dev extra")
    pabutools_ties = pytest.importorskip("pabutools.tiebreaking", reason="pabutools is a dev extra")
    profile = approval_profile(path)
    if profile.voter_count > MAX_ORACLE_VOTERS:
        pytest.skip(
            f"{profile.voter_count} voters (more than {MAX_ORACLE_VOTERS:,}): pabutools' sequential_phragmen "
            "takes about 10 s on files this large, so they are compared by hand, not in the suite"
        )
    outcome = run_phragmen(profile, RuleOptions())
    expected, shared = replay(profile, outcome)

    instance, pb_profile = pabutools_election.parse_pabulib(str(path))
    lower_cost_then_votes = pabutools_ties.TieBreakingRule(
        lambda _instance, prof, project: (project.cost, -prof.approval_score(project))
    )
    theirs = pabutools_rules.sequential_phragmen(instance, pb_profile, tie_breaking=lower_cost_then_votes)
    theirs_ids = {project.name for project in theirs}
    if theirs_ids != expected:
        # pabutools breaks a tie on cost and votes in its own order; ours draws lots.
        lottery_ties = [t for t in outcome.ties if t.decisive and "lottery" in t.settled_by and t.step <= shared + 1]
        assert lottery_ties, (
            f"differs without a lottery tie: predicted-theirs={expected - theirs_ids}, "
            f"theirs-predicted={theirs_ids - expected}"
        )
