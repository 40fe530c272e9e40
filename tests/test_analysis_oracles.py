"""EJR and PJR against two oracles: pabutools (tiny instances) and our own brute force (small ones).

pabutools 1.2.3 enumerates every subset of voters times every subset of projects, so
it only runs on tiny instances (up to 8 voters and 6 projects here). Its "up to
one" checks are the weak form (``u(W) + max s(a) >= s(T)``), so they are compared
with ``up_to_one="weak"``; the brute force below follows the definitions in the
module docstring of :mod:`asukasbudjetti.analysis.justified` literally (every ``T``,
every group of voters inside ``N_T``) and checks both forms on larger instances.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import chain, combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asukasbudjetti.analysis.justified import JustifiedProperty, UpToOne, Verdict, certify, check
from asukasbudjetti.analysis.satisfaction import SatisfactionKind
from asukasbudjetti.io import read_pabulib_bytes
from asukasbudjetti.model import Election
from asukasbudjetti.profile import compile_profile

pabutools_election = pytest.importorskip("pabutools.election", reason="pabutools is a dev extra")
pabutools_jr = pytest.importorskip("pabutools.analysis.justifiedrepresentation", reason="pabutools is a dev extra")

PROPS: tuple[JustifiedProperty, ...] = ("EJR", "EJR-1", "PJR", "PJR-1", "strong EJR")


@st.composite
def approval_instances(
    draw: st.DrawFn, max_voters: int, max_projects: int
) -> tuple[int, list[int], list[list[int]], list[int]]:
    """(budget, costs, ballots as project indices, funded indices within the budget)."""
    m = draw(st.integers(min_value=1, max_value=max_projects))
    costs = draw(st.lists(st.integers(min_value=1, max_value=9), min_size=m, max_size=m))
    budget = draw(st.integers(min_value=1, max_value=sum(costs) + 2))
    n = draw(st.integers(min_value=1, max_value=max_voters))
    ballots = [draw(st.lists(st.integers(0, m - 1), min_size=1, max_size=m, unique=True)) for _ in range(n)]
    order = draw(st.permutations(range(m)))
    funded: list[int] = []
    spent = 0
    for j in order:  # a random outcome within the budget (any, not only a rule's)
        if spent + costs[j] <= budget and draw(st.booleans()):
            funded.append(j)
            spent += costs[j]
    return budget, costs, ballots, sorted(funded)


def election_of(budget: int, costs: list[int], ballots: list[list[int]]) -> Election:
    lines = ["META", "key;value", f"budget;{budget}", "vote_type;approval", "PROJECTS", "project_id;cost"]
    lines += [f"p{j};{c}" for j, c in enumerate(costs)]
    lines += ["VOTES", "voter_id;vote"] + [f"v{i};{','.join(f'p{j}' for j in b)}" for i, b in enumerate(ballots)]
    read = read_pabulib_bytes(("\n".join(lines) + "\n").encode(), "random.pb")
    assert read.election is not None, read.problems
    return read.election


def pabutools_says(
    budget: int, costs: list[int], ballots: list[list[int]], funded: list[int], prop: str, kind: SatisfactionKind
) -> bool:
    projects = [pabutools_election.Project(f"p{j}", c) for j, c in enumerate(costs)]
    instance = pabutools_election.Instance(projects, budget_limit=budget)
    profile = pabutools_election.ApprovalProfile(
        [pabutools_election.ApprovalBallot([projects[j] for j in b]) for b in ballots]
    )
    sat = pabutools_election.Cost_Sat if kind == "cost" else pabutools_election.Cardinality_Sat
    allocation = [projects[j] for j in funded]
    function = {
        "EJR": pabutools_jr.is_EJR_approval,
        "EJR-1": pabutools_jr.is_EJR_one_approval,
        "PJR": pabutools_jr.is_PJR_approval,
        "PJR-1": pabutools_jr.is_PJR_one_approval,
        "strong EJR": pabutools_jr.is_strong_EJR_approval,
    }[prop]
    return bool(function(instance, profile, sat, allocation))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    approval_instances(max_voters=8, max_projects=6), st.sampled_from(PROPS), st.sampled_from(["cost", "cardinality"])
)
def test_pabutools_agrees_on_tiny_instances(
    instance: tuple[int, list[int], list[list[int]], list[int]], prop: JustifiedProperty, kind: SatisfactionKind
) -> None:
    budget, costs, ballots, funded = instance
    # pabutools' checks walk 2^voters * 2^projects pairs: keep them tiny enough to finish.
    election = election_of(budget, costs, ballots)
    profile = compile_profile(election)
    ours = check(profile, [f"p{j}" for j in funded], prop, kind, up_to_one="weak")
    assert ours.verdict is not Verdict.NOT_DECIDED
    theirs = pabutools_says(budget, costs, ballots, funded, prop, kind)
    assert (ours.verdict is Verdict.HOLDS) == theirs, ours.witness


def brute_force(
    budget: int,
    costs: list[int],
    ballots: list[list[int]],
    funded: list[int],
    prop: JustifiedProperty,
    kind: SatisfactionKind,
    up_to_one: UpToOne,
) -> bool:
    """Whether ``prop`` holds, from its definition: every T, every group of voters approving all of T."""
    n = len(ballots)
    w = set(funded)

    def s(projects: set[int]) -> Fraction:
        return Fraction(sum(costs[j] if kind == "cost" else 1 for j in projects))

    def satisfied(value: Fraction, t: set[int]) -> bool:
        owed = s(t)
        if value >= owed:
            return True
        if prop in ("EJR-1", "PJR-1"):
            for a in t - w:
                if up_to_one == "strict" and value + s({a}) > owed:
                    return True
                if up_to_one == "weak" and value + max(s({b}) for b in t - w) >= owed:
                    return True
        return False

    for size in range(1, len(costs) + 1):
        for t_tuple in combinations(range(len(costs)), size):
            t = set(t_tuple)
            members = [i for i, b in enumerate(ballots) if t <= set(b)]
            for group_size in range(1, len(members) + 1):
                if Fraction(group_size, n) < Fraction(sum(costs[j] for j in t), budget):
                    continue
                for group in combinations(members, group_size):
                    got = [s(set(ballots[i]) & w) for i in group]
                    if prop == "strong EJR" and not all(satisfied(g, t) for g in got):
                        return False
                    if prop in ("EJR", "EJR-1") and not any(satisfied(g, t) for g in got):
                        return False
                    if prop in ("PJR", "PJR-1"):
                        union = set(chain.from_iterable(ballots[i] for i in group)) & w
                        if not satisfied(s(union), t):
                            return False
    return True


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    approval_instances(max_voters=12, max_projects=10),
    st.sampled_from(PROPS),
    st.sampled_from(["cost", "cardinality"]),
    st.sampled_from(["strict", "weak"]),
)
def test_brute_force_agrees_on_small_instances(
    instance: tuple[int, list[int], list[list[int]], list[int]],
    prop: JustifiedProperty,
    kind: SatisfactionKind,
    up_to_one: UpToOne,
) -> None:
    budget, costs, ballots, funded = instance
    profile = compile_profile(election_of(budget, costs, ballots))
    ids = [f"p{j}" for j in funded]
    ours = check(profile, ids, prop, kind, up_to_one=up_to_one)
    assert ours.verdict is not Verdict.NOT_DECIDED
    assert (ours.verdict is Verdict.HOLDS) == brute_force(budget, costs, ballots, funded, prop, kind, up_to_one)
    if ours.witness is not None:
        assert certify(profile, ids, prop, kind, ours.witness, up_to_one=up_to_one) is None
