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


# --- additive utilities (points) --------------------------------------------------------------------------------

pabutools_cardinal = pytest.importorskip("pabutools.election.ballot.cardinalballot", reason="pabutools is a dev extra")


@st.composite
def points_instances(
    draw: st.DrawFn, max_voters: int, max_projects: int
) -> tuple[int, list[int], list[list[int]], list[int]]:
    """(budget, costs, each voter's points for every project (0 = not listed), funded indices)."""
    m = draw(st.integers(min_value=1, max_value=max_projects))
    costs = draw(st.lists(st.integers(min_value=1, max_value=9), min_size=m, max_size=m))
    budget = draw(st.integers(min_value=1, max_value=sum(costs) + 2))
    n = draw(st.integers(min_value=1, max_value=max_voters))
    points = [
        draw(st.lists(st.integers(min_value=0, max_value=3), min_size=m, max_size=m).filter(any)) for _ in range(n)
    ]
    funded: list[int] = []
    for j in draw(st.permutations(range(m))):
        if sum(costs[k] for k in funded) + costs[j] <= budget and draw(st.booleans()):
            funded.append(j)
    return budget, costs, points, sorted(funded)


def points_election(budget: int, costs: list[int], points: list[list[int]]) -> Election:
    lines = ["META", "key;value", f"budget;{budget}", "vote_type;scoring", "PROJECTS", "project_id;cost"]
    lines += [f"p{j};{c}" for j, c in enumerate(costs)] + ["VOTES", "voter_id;vote;points"]
    for i, row in enumerate(points):
        listed = [j for j, v in enumerate(row) if v > 0]
        lines.append(f"v{i};{','.join(f'p{j}' for j in listed)};{','.join(str(row[j]) for j in listed)}")
    read = read_pabulib_bytes(("\n".join(lines) + "\n").encode(), "points.pb")
    assert read.election is not None, read.problems
    return read.election


def additive_brute_force(
    budget: int, costs: list[int], points: list[list[int]], funded: list[int], prop: str, up_to_one: UpToOne
) -> bool:
    """EJR, PJR and their up-to-one forms for additive utilities from the definitions: every T, every
    group, alpha = the group's least utility for each project of T."""
    n, w = len(points), set(funded)
    for size in range(1, len(costs) + 1):
        for t in combinations(range(len(costs)), size):
            for group_size in range(1, n + 1):
                if group_size * budget < n * sum(costs[j] for j in t):
                    continue
                for group in combinations(range(n), group_size):
                    owed = sum(min(points[i][j] for i in group) for j in t)
                    if prop in ("PJR", "PJR-1"):
                        group_got = sum(max(points[i][j] for i in group) for j in w)
                        extra = [max(points[i][a] for i in group) for a in t if a not in w]
                        fine = group_got >= owed
                        if prop == "PJR-1" and extra:
                            if up_to_one == "strict":
                                fine = fine or any(group_got + v > owed for v in extra)
                            else:
                                fine = fine or group_got + max(extra) >= owed
                        if not fine:
                            return False
                        continue
                    satisfied = False
                    for i in group:
                        got = sum(points[i][j] for j in w)
                        missing = [points[i][a] for a in t if a not in w]
                        if got >= owed:
                            satisfied = True
                        elif prop == "EJR-1" and missing:
                            if up_to_one == "strict" and any(got + v > owed for v in missing):
                                satisfied = True
                            if up_to_one == "weak" and got + max(missing) >= owed:
                                satisfied = True
                    if not satisfied:
                        return False
    return True


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    points_instances(max_voters=6, max_projects=5),
    st.sampled_from(["EJR", "EJR-1", "PJR", "PJR-1"]),
    st.sampled_from(["strict", "weak"]),
)
def test_additive_checks_agree_with_brute_force_and_pabutools(
    instance: tuple[int, list[int], list[list[int]], list[int]], prop: JustifiedProperty, up_to_one: UpToOne
) -> None:
    from asukasbudjetti.analysis.additive import certify_additive, check_additive

    budget, costs, points, funded = instance
    profile = compile_profile(points_election(budget, costs, points))
    ids = [f"p{j}" for j in funded]
    ours = check_additive(profile, ids, prop, up_to_one=up_to_one)
    assert ours.verdict is not Verdict.NOT_DECIDED
    assert (ours.verdict is Verdict.HOLDS) == additive_brute_force(budget, costs, points, funded, prop, up_to_one)
    if ours.witness is not None:
        assert certify_additive(profile, ids, prop, ours.witness, up_to_one=up_to_one) is None
    if up_to_one == "weak" or prop in ("EJR", "PJR"):
        # pabutools' cardinal checks need every ballot to score every project (0 where not listed).
        projects = [pabutools_election.Project(f"p{j}", c) for j, c in enumerate(costs)]
        instance_ = pabutools_election.Instance(projects, budget_limit=budget)
        profile_ = pabutools_election.CardinalProfile(
            [pabutools_cardinal.CardinalBallot({projects[j]: v for j, v in enumerate(row)}) for row in points]
        )
        function = {
            "EJR": pabutools_jr.is_EJR_cardinal,
            "EJR-1": pabutools_jr.is_EJR_one_cardinal,
            "PJR": pabutools_jr.is_PJR_cardinal,
            "PJR-1": pabutools_jr.is_PJR_one_cardinal,
        }[prop]
        theirs = bool(function(instance_, profile_, [projects[j] for j in funded]))
        assert (ours.verdict is Verdict.HOLDS) == theirs
