"""Justified representation: does a large enough group that agrees on projects get its share?

Definitions (Peters, Pierczyński and Skowron, "Proportional participatory budgeting
with additive utilities", NeurIPS 2021; Aziz, Lee and Talmon 2018 for PJR; pabutools
1.2.3 ``analysis/justifiedrepresentation.py`` and ``analysis/cohesiveness.py``).
There are ``n`` voters and a budget ``b``; voter ``i`` approves the projects ``A_i``;
``W`` is the funded set; ``s(X)`` is the satisfaction a set of projects ``X`` gives
(``cost``: ``cost(X)``; ``cardinality``: ``|X|``), and ``u_i(X) = s(X ∩ A_i)``.

* A group of voters ``S`` is **T-cohesive** for a non-empty set of projects ``T``
  when every voter of ``S`` approves every project of ``T`` and
  ``|S| / n >= cost(T) / b`` (``|S| * b >= n * cost(T)``): it is large enough to
  deserve the money ``T`` costs.
* **EJR**: for every T-cohesive ``S``, some voter ``i`` of ``S`` has
  ``u_i(W) >= s(T)``.
* **EJR up to one project** (Peters et al. 2021): for every T-cohesive ``S``, some
  ``i`` of ``S`` has ``u_i(W) >= s(T)``, or ``u_i(W) + s(a) > s(T)`` for some
  ``a`` of ``T`` not funded. pabutools' ``is_EJR_one_approval`` asks for less:
  ``u_i(W) + max(s(a) for a in T \\ W) >= s(T)`` (``>=`` where the paper has ``>``);
  :data:`UpToOne` names the two forms, ``"strict"`` (the paper, our default) and
  ``"weak"`` (pabutools).
* **PJR**: for every T-cohesive ``S``, the group as a whole has
  ``s(W ∩ (A_i ∪ ... for i in S)) >= s(T)``; **PJR up to one project** as for EJR,
  with that group satisfaction in place of ``u_i(W)``.
* **strong EJR** (pabutools' ``is_strong_EJR_approval``): for every T-cohesive
  ``S``, *every* voter of ``S`` has ``u_i(W) >= s(T)``.

A check answers *holds*, *fails* with a **witness** (the cohesive group: its
ballots, the projects ``T`` they agree on, what each got, what they were owed),
or *not decided* when the search did not finish within its limits; it never
guesses. Every witness is re-checked in exact arithmetic by :func:`certify` from
the profile alone before it is reported.

The search (exact, in integers). Identical ballots are merged, and a voter's
standing depends only on her ballot, so a violating group can always take every
copy of the ballots it uses. For a fixed ``T`` the candidates are ``N_T``, the
ballots approving all of ``T``; a violation of EJR needs the ballots of ``N_T``
whose ``u_i(W)`` is below a limit ``L(T) <= s(T)`` to weigh at least
``n * cost(T) / b``. The sets ``T`` are enumerated depth first, each once, and a
branch is cut when no extension can succeed: ``N_T`` only shrinks and ``cost(T)``
only grows as ``T`` grows, and every extension ``T'`` that is still cohesive has
``s(T') <= smax(T)`` (for cost satisfaction ``b * |N_T| / n``; for cardinality the
most further projects whose costs fit in that), so only ballots with
``u_i(W) < smax(T)`` can ever join a violating group. For PJR the group is a subset
of EJR's candidates; for each ``T`` a branch and bound over the funded projects
``C`` the group may touch (``s(C) < L(T)``) finds the largest group whose funded
approvals lie inside ``C``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from asukasbudjetti.analysis.satisfaction import SatisfactionKind, ballot_satisfactions, funded_mask
from asukasbudjetti.money import Exact
from asukasbudjetti.profile import CompiledProfile

#: The properties, by the names the literature uses.
JustifiedProperty = Literal["EJR", "EJR-1", "PJR", "PJR-1", "strong EJR"]
PROPERTIES: tuple[JustifiedProperty, ...] = ("EJR", "EJR-1", "PJR", "PJR-1")
#: "strict": Peters et al. 2021 (``u(W ∪ {a}) > s(T)``); "weak": pabutools 1.2.3 (``>=``).
UpToOne = Literal["strict", "weak"]

#: Default limits of one check: search nodes and seconds.
NODE_LIMIT = 2_000_000
TIME_LIMIT = 60.0


class Verdict(StrEnum):
    HOLDS = "holds"
    FAILS = "fails"
    NOT_DECIDED = "not decided"


class WitnessBallot(BaseModel):
    """One kind of ballot in the witness group: the projects it approves, how many voters cast it,
    and the satisfaction ``u_i(W)`` each of them gets."""

    model_config = ConfigDict(frozen=True)

    approves: tuple[str, ...]
    voters: int
    satisfaction: Exact
    #: Additive utilities: the ballot's utility for each project of ``approves``.
    points: tuple[int, ...] = ()


class Witness(BaseModel):
    """A cohesive group the outcome does not serve as the property asks.

    ``projects`` is ``T``; ``owed`` is ``s(T)``; ``limit`` the satisfaction every
    voter (EJR) or the group (PJR) stayed below (``owed``, or less for the
    up-to-one forms); ``needed`` is ``n * cost(T) / b``, the voters ``T``'s cost
    entitles to; ``group_got`` (PJR) the satisfaction the group's funded approvals
    give together, ``group_funded`` those projects.
    """

    model_config = ConfigDict(frozen=True)

    projects: tuple[str, ...]
    cost: Exact
    owed: Exact
    limit: Exact
    voters: int
    needed: Exact
    ballots: tuple[WitnessBallot, ...]
    group_got: Exact | None = None
    group_funded: tuple[str, ...] = ()
    #: Additive utilities: ``alpha(a)`` for each project of ``projects``, the least utility
    #: the group gives it; ``owed`` is their sum.
    thresholds: tuple[Exact, ...] = ()


class JustifiedCheck(BaseModel):
    """One property checked on one outcome."""

    model_config = ConfigDict(frozen=True)

    property: JustifiedProperty
    #: ``cost`` or ``cardinality`` (approval ballots), ``additive`` (points and rankings).
    satisfaction: SatisfactionKind | Literal["additive"]
    up_to_one: UpToOne
    verdict: Verdict
    witness: Witness | None = None
    #: Sets ``T`` the search visited (each a node).
    nodes: int
    seconds_limit: Exact
    node_limit: int
    #: Why it is not decided (the limit reached, or what the check does not cover).
    reason: str | None = None


class _LimitReachedError(Exception):
    """The search ran out of nodes or time."""


@dataclass
class _Search:
    """The profile in the integers the search works in."""

    prop: JustifiedProperty
    up_to_one: UpToOne
    n: int
    budget: int
    costs: list[int]
    sat: list[int]
    funded: list[bool]
    approvals: Any  # bool matrix, distinct ballots x projects
    counts: Any  # int64 per distinct ballot
    utility: Any  # int64 (or object) u_i(W) per distinct ballot
    funded_columns: list[int]
    #: Per distinct ballot, the funded projects it approves as a bit mask over ``funded_columns``.
    funded_bits: list[int]
    order: list[int]
    deadline: float
    node_limit: int
    nodes: int = 0
    found: tuple[list[int], Any, int, list[int] | None] | None = None
    sets: dict[int, frozenset[int]] = field(default_factory=dict)

    def tick(self) -> None:
        self.nodes += 1
        if self.nodes > self.node_limit:
            raise _LimitReachedError(f"the search visited more than {self.node_limit} sets of projects")
        if self.nodes % 256 == 0 and time.monotonic() > self.deadline:
            raise _LimitReachedError("the search ran out of time")

    def limit(self, s_t: int, slack: int) -> int:
        """``L(T)``: a voter (EJR) or group (PJR) below it is short-changed."""
        if self.prop in ("EJR-1", "PJR-1") and slack > 0:
            return s_t - slack + 1 if self.up_to_one == "strict" else s_t - slack
        return s_t

    def weight(self, rows: Any) -> int:
        return int(self.counts[rows].sum())

    def smax(self, cost_t: int, weight_n: int, t_size: int, after: int) -> int:
        """An upper bound on ``s(T')`` for every cohesive ``T' ⊇ T`` built from projects after ``after``."""
        allowance = self.budget * weight_n // self.n  # cost(T') <= b |N_T| / n
        if self.sat is self.costs:
            return allowance
        room = allowance - cost_t
        extra = 0
        for cost in sorted(self.costs[j] for j in self.order[after:]):
            if cost > room:
                break
            room -= cost
            extra += 1
        return t_size + extra


def _search_from(ctx: _Search, t: list[int], rows: Any, cost_t: int, s_t: int, slack: int, position: int) -> None:
    ctx.tick()
    weight_n = ctx.weight(rows)
    if weight_n * ctx.budget < ctx.n * cost_t:
        return  # not cohesive, and no extension is
    bound = ctx.smax(cost_t, weight_n, len(t), position)
    hopeful = rows[ctx.utility[rows] < bound]
    if ctx.prop == "strong EJR":
        if hopeful.size == 0:
            return
    elif ctx.weight(hopeful) * ctx.budget < ctx.n * cost_t:
        return
    limit = ctx.limit(s_t, slack)
    group = rows[ctx.utility[rows] < limit]
    if not t:
        pass  # T must not be empty
    elif ctx.prop == "strong EJR":
        if group.size:
            ctx.found = (list(t), rows, limit, None)  # the whole cohesive group; some members fall short
            return
    elif group.size and ctx.weight(group) * ctx.budget >= ctx.n * cost_t:  # a group is never empty
        if ctx.prop in ("EJR", "EJR-1"):
            ctx.found = (list(t), group, limit, None)
            return
        chosen = _pjr_group(ctx, t, group, limit, cost_t)
        if chosen is not None:
            ctx.found = (list(t), chosen[0], limit, chosen[1])
            return
    for k in range(position, len(ctx.order)):
        j = ctx.order[k]
        column = ctx.approvals[hopeful, j]
        if ctx.prop != "strong EJR" and ctx.weight(hopeful[column]) * ctx.budget < ctx.n * (cost_t + ctx.costs[j]):
            continue
        child_rows = rows[ctx.approvals[rows, j]]
        t.append(j)
        _search_from(
            ctx,
            t,
            child_rows,
            cost_t + ctx.costs[j],
            s_t + ctx.sat[j],
            max(slack, 0 if ctx.funded[j] else ctx.sat[j]),
            k + 1,
        )
        t.pop()
        if ctx.found is not None:
            return


def _funded_set(ctx: _Search, row: int) -> frozenset[int]:
    """The funded projects ballot ``row`` approves (column indices), from its bit mask."""
    bits = ctx.funded_bits[row]
    cached = ctx.sets.get(bits)
    if cached is None:
        cached = ctx.sets[bits] = frozenset(j for k, j in enumerate(ctx.funded_columns) if bits >> k & 1)
    return cached


def _pjr_group(ctx: _Search, t: list[int], group: Any, limit: int, cost_t: int) -> tuple[Any, list[int]] | None:
    """Ballots of ``group`` weighing ``n * cost(T) / b`` or more whose funded approvals together
    satisfy less than ``limit``, and those funded projects; ``None`` when there are none.

    Branch and bound over the funded projects ``C`` the group may touch: a ballot
    joins when its funded approvals lie inside ``C``.
    """
    needed = ctx.n * cost_t
    by_set: dict[frozenset[int], int] = {}
    for r in group:
        key = _funded_set(ctx, int(r))
        by_set[key] = by_set.get(key, 0) + int(ctx.counts[r])
    kinds = list(by_set.items())
    touched = sorted({j for key, _ in kinds for j in key}, key=lambda j: -sum(w for key, w in kinds if j in key))

    def best(chosen: frozenset[int], s_chosen: int, k: int) -> frozenset[int] | None:
        ctx.tick()
        inside = sum(w for key, w in kinds if key <= chosen)
        if inside and inside * ctx.budget >= needed:
            return chosen
        if k == len(touched):
            return None
        # Bound: the ballots that could still fit if every undecided project joined (within the limit).
        open_projects = chosen | frozenset(p for p in touched[k:] if s_chosen + ctx.sat[p] < limit)
        if sum(w for key, w in kinds if key <= open_projects) * ctx.budget < needed:
            return None
        j = touched[k]
        if s_chosen + ctx.sat[j] < limit:
            found = best(chosen | {j}, s_chosen + ctx.sat[j], k + 1)
            if found is not None:
                return found
        return best(chosen, s_chosen, k + 1)

    chosen = best(frozenset(), 0, 0)
    if chosen is None:
        return None
    rows = np.array([r for r in group if _funded_set(ctx, int(r)) <= chosen], dtype=np.int64)
    return rows, sorted(chosen)


def check(
    profile: CompiledProfile,
    funded: Sequence[str],
    prop: JustifiedProperty,
    satisfaction: SatisfactionKind = "cost",
    *,
    up_to_one: UpToOne = "strict",
    time_limit: float = TIME_LIMIT,
    node_limit: int = NODE_LIMIT,
) -> JustifiedCheck:
    """Decide ``prop`` for the outcome ``funded`` exactly, or say it is not decided within the limits."""
    common: dict[str, Any] = {
        "property": prop,
        "satisfaction": satisfaction,
        "up_to_one": up_to_one,
        "seconds_limit": Fraction(str(time_limit)),
        "node_limit": node_limit,
    }
    if not profile.vote_type.is_approval_like:
        return JustifiedCheck(
            **common,
            verdict=Verdict.NOT_DECIDED,
            nodes=0,
            reason=f"{profile.vote_type.value} ballots: the check covers approval ballots only",
        )
    if profile.has_paper_votes:
        return JustifiedCheck(
            **common,
            verdict=Verdict.NOT_DECIDED,
            nodes=0,
            reason="paper votes given only as counts per project are not ballots: groups cannot be formed",
        )
    ctx = _context(profile, funded, prop, satisfaction, up_to_one, time_limit, node_limit)
    try:
        if ctx.n and ctx.budget:
            _search_from(ctx, [], np.arange(ctx.approvals.shape[0]), 0, 0, 0, 0)
    except _LimitReachedError as reached:
        return JustifiedCheck(**common, verdict=Verdict.NOT_DECIDED, nodes=ctx.nodes, reason=str(reached))
    if ctx.found is None:
        return JustifiedCheck(**common, verdict=Verdict.HOLDS, nodes=ctx.nodes)
    t, rows, limit, group_funded = ctx.found
    witness = _witness(profile, funded, satisfaction, t, rows, limit, group_funded)
    problem = certify(profile, funded, prop, satisfaction, witness, up_to_one=up_to_one)
    if problem is not None:  # a bug in the search: never report an uncertified violation
        return JustifiedCheck(
            **common,
            verdict=Verdict.NOT_DECIDED,
            nodes=ctx.nodes,
            reason=f"the violation found did not certify ({problem})",
        )
    return JustifiedCheck(**common, verdict=Verdict.FAILS, witness=witness, nodes=ctx.nodes)


def _context(
    profile: CompiledProfile,
    funded: Sequence[str],
    prop: JustifiedProperty,
    satisfaction: SatisfactionKind,
    up_to_one: UpToOne,
    time_limit: float,
    node_limit: int,
) -> _Search:
    mask = funded_mask(profile, funded)
    costs = list(profile.cost_units)
    sat = costs if satisfaction == "cost" else [1] * len(costs)
    utility_list = ballot_satisfactions(profile, funded, satisfaction)
    big = max(utility_list, default=0) >= 2**62 or profile.budget_units * profile.voter_count >= 2**62
    utility = np.array(utility_list, dtype=object if big else np.int64)
    counts = profile.counts if not big else np.array([int(c) for c in profile.counts], dtype=object)
    n = profile.voter_count
    # Projects that can be in some cohesive T: not withdrawn, cost(p) <= b * votes(p) / n.
    usable = [
        j
        for j in range(profile.project_count)
        if not profile.withdrawn[j] and profile.supporters[j] * profile.budget_units >= n * costs[j]
    ]
    usable.sort(key=lambda j: (-profile.supporters[j], j))
    funded_columns = [j for j in range(profile.project_count) if mask[j]]
    approvals = profile.approvals
    funded_bits = [0] * approvals.shape[0]
    for bit, j in enumerate(funded_columns):  # one vectorised pass per funded project
        for r in np.flatnonzero(approvals[:, j]).tolist():
            funded_bits[r] |= 1 << bit
    return _Search(
        prop=prop,
        up_to_one=up_to_one,
        n=n,
        budget=profile.budget_units,
        costs=costs,
        sat=sat,
        funded=[bool(v) for v in mask],
        approvals=approvals,
        counts=counts,
        utility=utility,
        funded_columns=funded_columns,
        funded_bits=funded_bits,
        order=usable,
        deadline=time.monotonic() + time_limit,
        node_limit=node_limit,
    )


def _witness(
    profile: CompiledProfile,
    funded: Sequence[str],
    satisfaction: SatisfactionKind,
    t: list[int],
    rows: Any,
    limit: int,
    group_funded: list[int] | None,
) -> Witness:
    scale = Fraction(1, profile.denominator) if satisfaction == "cost" else Fraction(1)
    utility = ballot_satisfactions(profile, funded, satisfaction)
    cost = sum((profile.costs[j] for j in t), Fraction(0))
    projects = tuple(profile.project_ids[j] for j in sorted(t))
    owed = cost if satisfaction == "cost" else Fraction(len(t))
    ballots = tuple(
        sorted(
            (
                WitnessBallot(
                    approves=tuple(profile.project_ids[j] for j in np.flatnonzero(profile.approvals[int(r)])),
                    voters=int(profile.counts[int(r)]),
                    satisfaction=utility[int(r)] * scale,
                )
                for r in rows
            ),
            key=lambda b: (-b.voters, b.approves),
        )
    )
    group_got = None
    if group_funded is not None:
        group_got = sum(
            (profile.costs[j] if satisfaction == "cost" else Fraction(1) for j in group_funded), Fraction(0)
        )
    return Witness(
        projects=projects,
        cost=cost,
        owed=owed,
        limit=limit * scale,
        voters=sum(b.voters for b in ballots),
        needed=Fraction(profile.voter_count) * cost / profile.budget,
        ballots=ballots,
        group_got=group_got,
        group_funded=tuple(profile.project_ids[j] for j in group_funded or ()),
    )


def certify(
    profile: CompiledProfile,
    funded: Sequence[str],
    prop: JustifiedProperty,
    satisfaction: SatisfactionKind,
    witness: Witness,
    *,
    up_to_one: UpToOne = "strict",
) -> str | None:
    """Re-check a witness from the profile alone, in Fractions: ``None`` when it shows a violation
    of ``prop``, else what is wrong with it.

    Independent of the search: it rebuilds every number from the ballots the witness
    names and the definitions in the module's docstring.
    """
    ids = profile.project_ids
    cost_of = dict(zip(ids, profile.costs, strict=True))
    funded_set = set(funded)
    if not witness.projects or not set(witness.projects) <= set(ids):
        return "T is empty or names unknown projects"

    def s(projects: set[str] | frozenset[str] | tuple[str, ...]) -> Fraction:
        return sum((cost_of[p] if satisfaction == "cost" else Fraction(1) for p in projects), Fraction(0))

    available = _ballot_counts(profile)
    position = {p: j for j, p in enumerate(ids)}

    def packed(approves: frozenset[str]) -> bytes:
        row = np.zeros(len(ids), dtype=np.bool_)
        row[[position[p] for p in approves if p in position]] = True
        return bytes(np.packbits(row))

    t = set(witness.projects)
    owed = s(t)
    missing = t - funded_set
    slack = max((s({a}) for a in missing), default=Fraction(0))
    voters = 0
    touched: set[str] = set()
    worst = Fraction(0)  # the best-off member's satisfaction (EJR: all must stay below)
    for ballot in witness.ballots:
        key = frozenset(ballot.approves)
        if not key <= set(position) or available.get(packed(key), 0) < ballot.voters or ballot.voters <= 0:
            return f"no {ballot.voters} ballots approving exactly {sorted(key)}"
        if not t <= key:
            return f"ballot {sorted(key)} does not approve all of T"
        voters += ballot.voters
        got = s(key & funded_set)
        worst = max(worst, got)
        touched |= key & funded_set
    if voters == 0:
        return "the group is empty"
    if voters * profile.budget < profile.voter_count * s_cost(t, cost_of):
        return f"{voters} voters are too few for T (cost {s_cost(t, cost_of)})"

    def short(value: Fraction) -> bool:
        if prop in ("EJR", "PJR", "strong EJR") or not missing:
            return value < owed
        if up_to_one == "strict":
            return value < owed and value + slack <= owed
        return value + slack < owed

    if prop == "strong EJR":
        return None if any(short(s(frozenset(b.approves) & funded_set)) for b in witness.ballots) else "all satisfied"
    if prop in ("EJR", "EJR-1"):
        return None if short(worst) else f"a voter got {worst}, enough against {owed}"
    group = s(touched)
    return None if short(group) else f"the group got {group}, enough against {owed}"


def _ballot_counts(profile: CompiledProfile) -> dict[bytes, int]:
    """Voters per kind of ballot, each keyed by its approvals packed into bytes (the bits in project order)."""
    packed = np.ascontiguousarray(np.packbits(profile.approvals, axis=1))
    counts: dict[bytes, int] = {}
    for key, count in zip((bytes(row) for row in packed), (int(c) for c in profile.counts), strict=True):
        counts[key] = counts.get(key, 0) + count
    return counts


def s_cost(projects: set[str], cost_of: dict[str, Fraction]) -> Fraction:
    return sum((cost_of[p] for p in projects), Fraction(0))


__all__ = [
    "NODE_LIMIT",
    "PROPERTIES",
    "TIME_LIMIT",
    "JustifiedCheck",
    "JustifiedProperty",
    "UpToOne",
    "Verdict",
    "Witness",
    "WitnessBallot",
    "certify",
    "check",
]
