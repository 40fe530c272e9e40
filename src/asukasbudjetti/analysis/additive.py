"""EJR, PJR and their up-to-one forms for additive utilities: points (cumulative, scoring) and rankings.

A voter's utility for a project is the points her ballot gives it (cumulative and
scoring), or for a ranking the positional score of the compiled profile
(``L - k`` for the project at 0-based place ``k``; :mod:`asukasbudjetti.profile`),
0 for a project she did not list; ``u_i(W)`` is the sum over the funded projects.

Definitions (Peters, Pierczyński and Skowron 2021, additive utilities; pabutools
1.2.3 ``is_EJR_cardinal``, ``is_EJR_one_cardinal``): a group ``S`` is
**(alpha, T)-cohesive** when ``|S| * b >= n * cost(T)`` and every voter of ``S``
gives every project ``a`` of ``T`` at least ``alpha(a)``. **EJR**: for every such
group some voter has ``u_i(W) >= sum(alpha)``. **EJR up to one project**: ... or
``u_i(W) + u_i(a) > sum(alpha)`` for some ``a`` of ``T`` not funded (``"strict"``,
the paper); pabutools' form adds ``max u_i(a)`` and asks for ``>=`` (``"weak"``).
The best ``alpha`` for a group is the least utility in it, as pabutools takes it.

The search is exact and in integers, like the approval one: the sets ``T`` and a
threshold ``alpha(a)`` for each of their projects (a positive utility some
candidate gives ``a``) are enumerated depth first; the candidates are the ballots
giving every project of ``T`` at least its threshold, and a branch stops when even
the ballots that could still be owed more than they have
(``u_i(W) < sum(alpha) + u_i(projects still to come)``) are too few. PJR for
additive utilities (pabutools' ``is_PJR_cardinal``): the group's satisfaction is
``sum(max(u_i(p) for i in S) for p in W)``, against ``sum(alpha)``; for each ``T``
and thresholds, a second search chooses a cap on each funded project's best utility
in the group (and, up to one project, on each unfunded project of ``T``), the group
being the candidates within every cap.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from asukasbudjetti.analysis.justified import (
    NODE_LIMIT,
    TIME_LIMIT,
    JustifiedCheck,
    JustifiedProperty,
    UpToOne,
    Verdict,
    Witness,
    WitnessBallot,
)
from asukasbudjetti.profile import CompiledProfile

#: The properties decided for additive utilities.
ADDITIVE_PROPERTIES: tuple[JustifiedProperty, ...] = ("EJR", "EJR-1", "PJR", "PJR-1")


class _OutOfLimitError(Exception):
    pass


def _utilities(profile: CompiledProfile) -> Any:
    """Utility matrix, distinct ballots x projects (points, positional scores, or 0/1 for approval)."""
    return np.where(profile.approvals, profile.weights, 0).astype(np.int64)


def check_additive(
    profile: CompiledProfile,
    funded: Sequence[str],
    prop: JustifiedProperty,
    *,
    up_to_one: UpToOne = "strict",
    time_limit: float = TIME_LIMIT,
    node_limit: int = NODE_LIMIT,
) -> JustifiedCheck:
    """Decide EJR or EJR-1 for additive utilities exactly, or say it is not decided."""
    common: dict[str, Any] = {
        "property": prop,
        "satisfaction": "additive",
        "up_to_one": up_to_one,
        "seconds_limit": Fraction(str(time_limit)),
        "node_limit": node_limit,
    }
    if prop not in ("EJR", "EJR-1", "PJR", "PJR-1"):
        return JustifiedCheck(
            **common, verdict=Verdict.NOT_DECIDED, nodes=0, reason=f"{prop} is decided for approval ballots only"
        )
    if profile.has_paper_votes:
        return JustifiedCheck(
            **common, verdict=Verdict.NOT_DECIDED, nodes=0, reason="paper votes are not ballots: no groups"
        )
    utility = _utilities(profile)
    if int(np.abs(utility).max(initial=0)) * max(profile.project_count, 1) >= 2**40:
        return JustifiedCheck(**common, verdict=Verdict.NOT_DECIDED, nodes=0, reason="utilities too large")
    funded_mask = np.zeros(profile.project_count, dtype=np.bool_)
    for project_id in funded:
        funded_mask[profile.index(project_id)] = True
    got = utility[:, funded_mask].sum(axis=1)
    counts = profile.counts
    n, budget = profile.voter_count, profile.budget_units
    costs = profile.cost_units
    order = [
        j
        for j in range(profile.project_count)
        if not profile.withdrawn[j] and profile.supporters[j] * budget >= n * costs[j]
    ]
    order.sort(key=lambda j: (-profile.supporters[j], j))
    # suffix[:, k]: a ballot's utility for the projects order[k:], for the bound.
    columns = utility[:, order] if order else np.zeros((utility.shape[0], 0), dtype=np.int64)
    suffix = np.concatenate(
        [np.cumsum(columns[:, ::-1], axis=1)[:, ::-1], np.zeros((utility.shape[0], 1), np.int64)], 1
    )
    deadline = time.monotonic() + time_limit
    nodes = 0
    found: list[tuple[list[tuple[int, int]], Any]] = []

    def weight(rows: Any) -> int:
        return int(counts[rows].sum())

    def search(chosen: list[tuple[int, int]], rows: Any, cost: int, owed: int, position: int) -> None:
        nonlocal nodes
        nodes += 1
        if nodes > node_limit:
            raise _OutOfLimitError(f"the search visited more than {node_limit} sets of projects and thresholds")
        if nodes % 256 == 0 and time.monotonic() > deadline:
            raise _OutOfLimitError("the search ran out of time")
        if weight(rows) * budget < n * cost:
            return
        hopeful = rows[got[rows] < owed + suffix[rows, position]]
        if weight(hopeful) * budget < n * cost or hopeful.size == 0:
            return
        if chosen and prop in ("PJR", "PJR-1"):
            short_rows = rows[got[rows] < owed]  # a member of a short-changed group has less than owed
            if short_rows.size and weight(short_rows) * budget >= n * cost:
                group = _pjr_caps(short_rows, [j for j, _ in chosen], owed, cost)
                if group is not None:
                    found.append((list(chosen), group))
                    return
        elif chosen:
            short = got[rows] < owed
            missing = [j for j, _ in chosen if not funded_mask[j]]
            if prop == "EJR-1" and missing:
                slack = utility[np.ix_(rows, missing)].max(axis=1)
                short &= (got[rows] + slack <= owed) if up_to_one == "strict" else (got[rows] + slack < owed)
            group = rows[short]
            if group.size and weight(group) * budget >= n * cost:
                found.append((list(chosen), group))
                return
        for k in range(position, len(order)):
            j = order[k]
            values = np.unique(utility[hopeful, j])
            for alpha in (int(v) for v in values if v > 0):
                child = rows[utility[rows, j] >= alpha]
                if weight(hopeful[utility[hopeful, j] >= alpha]) * budget < n * (cost + costs[j]):
                    break  # larger thresholds only keep fewer ballots
                chosen.append((j, alpha))
                search(chosen, child, cost + costs[j], owed + alpha, k + 1)
                chosen.pop()
                if found:
                    return

    funded_columns = [int(j) for j in np.flatnonzero(funded_mask)]

    def _pjr_caps(candidates: Any, t: list[int], owed: int, cost: int) -> Any | None:
        """Ballots among ``candidates`` weighing ``n * cost(T) / b`` or more whose best utility for each
        funded project (and, up to one, each unfunded project of ``T``) stays within caps that
        leave the group short of ``owed``; ``None`` when there are none.

        Depth first over a cap for each such project, ascending among the candidates' values.
        """
        nonlocal nodes
        extra = [j for j in t if not funded_mask[j]] if prop == "PJR-1" else []
        projects = funded_columns + extra
        needed = n * cost

        def short(funded_sum: int, slack: int) -> bool:
            if not extra:
                return funded_sum < owed
            if up_to_one == "strict":
                return funded_sum < owed and funded_sum + slack <= owed
            return funded_sum + slack < owed

        def caps(rows: Any, k: int, funded_sum: int, slack: int) -> Any | None:
            nonlocal nodes
            nodes += 1
            if nodes > node_limit or (nodes % 256 == 0 and time.monotonic() > deadline):
                raise _OutOfLimitError("the search ran out of nodes or time choosing the group")
            if rows.size == 0 or weight(rows) * budget < needed:
                return None
            if k == len(projects):
                return rows if short(funded_sum, slack) else None
            j = projects[k]
            for cap in (int(v) for v in np.unique(utility[rows, j])):
                if k < len(funded_columns) and funded_sum + cap >= owed:
                    break  # the group's funded projects alone would be worth owed
                kept = rows[utility[rows, j] <= cap]
                found_rows = caps(
                    kept,
                    k + 1,
                    funded_sum + (cap if k < len(funded_columns) else 0),
                    max(slack, cap) if k >= len(funded_columns) else slack,
                )
                if found_rows is not None:
                    return found_rows
            return None

        return caps(candidates, 0, 0, 0)

    try:
        if n and budget:
            search([], np.arange(utility.shape[0]), 0, 0, 0)
    except _OutOfLimitError as reached:
        return JustifiedCheck(**common, verdict=Verdict.NOT_DECIDED, nodes=nodes, reason=str(reached))
    if not found:
        return JustifiedCheck(**common, verdict=Verdict.HOLDS, nodes=nodes)
    chosen, group = found[0]
    witness = _witness(profile, utility, got, chosen, group)
    if prop in ("PJR", "PJR-1"):
        best = utility[np.ix_(group, funded_columns)].max(axis=0) if funded_columns else np.zeros(0, np.int64)
        witness = witness.model_copy(
            update={
                "group_got": Fraction(int(best.sum())),
                "group_funded": tuple(profile.project_ids[j] for j, v in zip(funded_columns, best, strict=True) if v),
            }
        )
    problem = certify_additive(profile, funded, prop, witness, up_to_one=up_to_one)
    if problem is not None:
        return JustifiedCheck(
            **common,
            verdict=Verdict.NOT_DECIDED,
            nodes=nodes,
            reason=f"the violation found did not certify ({problem})",
        )
    return JustifiedCheck(**common, verdict=Verdict.FAILS, witness=witness, nodes=nodes)


def _witness(profile: CompiledProfile, utility: Any, got: Any, chosen: list[tuple[int, int]], group: Any) -> Witness:
    chosen = sorted(chosen)
    t = [j for j, _ in chosen]
    cost = sum((profile.costs[j] for j in t), Fraction(0))
    owed = Fraction(sum(alpha for _, alpha in chosen))
    ballots = tuple(
        sorted(
            (
                WitnessBallot(
                    approves=tuple(profile.project_ids[j] for j in np.flatnonzero(profile.approvals[int(r)])),
                    points=tuple(int(utility[int(r), j]) for j in np.flatnonzero(profile.approvals[int(r)])),
                    voters=int(profile.counts[int(r)]),
                    satisfaction=Fraction(int(got[int(r)])),
                )
                for r in group
            ),
            key=lambda b: (-b.voters, b.approves, b.points),
        )
    )
    return Witness(
        projects=tuple(profile.project_ids[j] for j in t),
        cost=cost,
        owed=owed,
        limit=owed,
        voters=sum(b.voters for b in ballots),
        needed=Fraction(profile.voter_count) * cost / profile.budget,
        ballots=ballots,
        thresholds=tuple(Fraction(alpha) for _, alpha in chosen),
    )


def certify_additive(
    profile: CompiledProfile,
    funded: Sequence[str],
    prop: JustifiedProperty,
    witness: Witness,
    *,
    up_to_one: UpToOne = "strict",
) -> str | None:
    """Re-check an additive witness from the profile alone, in Fractions (``None``: it shows a violation)."""
    ids = profile.project_ids
    utility = _utilities(profile)
    available: dict[tuple[tuple[str, ...], tuple[int, ...]], int] = {}
    for r in range(utility.shape[0]):
        listed = [int(j) for j in np.flatnonzero(profile.approvals[r])]
        key = (tuple(ids[j] for j in listed), tuple(int(utility[r, j]) for j in listed))
        available[key] = available.get(key, 0) + int(profile.counts[r])
    if not witness.projects or len(witness.thresholds) != len(witness.projects):
        return "T is empty or has no thresholds"
    funded_set = set(funded)
    cost = sum((profile.costs[ids.index(p)] for p in witness.projects), Fraction(0))
    voters = 0
    owed = sum(witness.thresholds, Fraction(0))
    if prop in ("PJR", "PJR-1"):
        best: dict[str, int] = {}
        for ballot in witness.ballots:
            key = (ballot.approves, ballot.points)
            if ballot.voters <= 0 or available.get(key, 0) < ballot.voters:
                return f"no {ballot.voters} ballots {key}"
            value = dict(zip(ballot.approves, ballot.points, strict=True))
            if any(value.get(p, 0) < a for p, a in zip(witness.projects, witness.thresholds, strict=True)):
                return "a ballot gives a project of T less than its threshold"
            for p, v in value.items():
                best[p] = max(best.get(p, 0), v)
            voters += ballot.voters
        group = Fraction(sum(v for p, v in best.items() if p in funded_set))
        missing = [Fraction(best.get(p, 0)) for p in witness.projects if p not in funded_set]
        if group >= owed:
            return f"the group got {group}, enough against {owed}"
        if prop == "PJR-1" and missing:
            slack = max(missing)
            if (group + slack > owed) if up_to_one == "strict" else (group + slack >= owed):
                return "one more project would satisfy the group"
        if voters * profile.budget < profile.voter_count * cost:
            return f"{voters} voters are too few for T"
        return None
    for ballot in witness.ballots:
        key = (ballot.approves, ballot.points)
        if ballot.voters <= 0 or available.get(key, 0) < ballot.voters:
            return f"no {ballot.voters} ballots {key}"
        value = dict(zip(ballot.approves, ballot.points, strict=True))
        for project, alpha in zip(witness.projects, witness.thresholds, strict=True):
            if value.get(project, 0) < alpha:
                return f"a ballot gives {project} less than {alpha}"
        got = Fraction(sum(v for p, v in value.items() if p in funded_set))
        if got >= owed:
            return f"a voter got {got}, enough against {owed}"
        if prop == "EJR-1":
            extra = [Fraction(value.get(p, 0)) for p in witness.projects if p not in funded_set]
            if extra and (got + max(extra) > owed if up_to_one == "strict" else got + max(extra) >= owed):
                return "one more project would satisfy a voter"
        voters += ballot.voters
    if voters == 0 or voters * profile.budget < profile.voter_count * cost:
        return f"{voters} voters are too few for T"
    return None


__all__ = ["ADDITIVE_PROPERTIES", "certify_additive", "check_additive"]
