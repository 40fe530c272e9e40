"""Priceability, Pareto optimality and the core: exact, on instances small enough.

* **Pareto optimal** (cost or cardinality satisfaction): no other set of projects
  within the budget gives every voter at least as much and some voter more.
  Decided by trying every affordable set, so only with at most
  :data:`SUBSET_LIMIT` usable projects; the witness is the better set.
* **In the core** (Fain, Munagala and Shah 2018 for PB; Peters, Pierczyński and
  Skowron 2021): no group ``S`` and projects ``T`` with ``cost(T) <= |S| * b / n``
  such that every voter of ``S`` prefers ``T`` alone to the outcome
  (``u_i(T) > u_i(W)``). For a fixed ``T`` the largest such group is every voter
  who prefers ``T``, so every ``T`` is tried: the same limit.
* **Priceable** (Peters, Pierczyński, Shah and Skowron, "Market-based explanations
  of collective decisions", AAAI 2021; the conditions C1-C5 of pabutools 1.2.3's
  ``priceable``, without its optional exhaustiveness C0b): some voter budget
  ``e >= 0`` and payments ``p_i(c) >= 0`` with (C1) a voter pays only for funded
  projects she approves, (C2) at most ``e`` in all, (C3) a funded project's
  payments add up to its cost, (C4) nobody pays for an unfunded project, and (C5)
  the supporters of an unfunded project ``c`` have at most ``cost(c)`` left
  together. Identical ballots may pay identically (averaging any price system over
  them gives another one), so the unknowns are one payment per distinct ballot and
  funded project it approves. It is a linear program, solved here by an exact
  simplex method in :class:`~fractions.Fraction` (Bland's rule, so it ends): a yes
  comes with the price system, re-checked condition by condition; a no is the exact
  optimum of the first phase. Only with at most :data:`PRICE_VARIABLE_LIMIT`
  payments, and for at most :data:`PRICE_SECONDS` seconds.

Larger instances are *not decided*, and the result says which limit was reached.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from fractions import Fraction
from itertools import combinations

import numpy as np
from pydantic import BaseModel, ConfigDict

from asukasbudjetti.analysis.justified import Verdict
from asukasbudjetti.analysis.satisfaction import SatisfactionKind, ballot_satisfactions
from asukasbudjetti.money import Exact
from asukasbudjetti.profile import CompiledProfile

#: The most usable projects for which every subset is tried (2^16 subsets).
SUBSET_LIMIT = 16
#: The most payments (distinct ballot, funded project it approves) the exact simplex takes.
PRICE_VARIABLE_LIMIT = 120
#: Seconds the exact simplex may pivot before priceability is "not decided".
PRICE_SECONDS = 10.0


class _OutOfTimeError(Exception):
    pass


class BetterSet(BaseModel):
    """A witness: projects within the budget that ``voters`` voters prefer (core) or nobody likes less (Pareto)."""

    model_config = ConfigDict(frozen=True)

    projects: tuple[str, ...]
    cost: Exact
    voters: int


class SmallCheck(BaseModel):
    model_config = ConfigDict(frozen=True)

    property: str
    satisfaction: SatisfactionKind | None = None
    verdict: Verdict
    witness: BetterSet | None = None
    reason: str | None = None


class Payment(BaseModel):
    """Every voter casting ``ballot`` pays ``amount`` towards ``project``."""

    model_config = ConfigDict(frozen=True)

    ballot: tuple[str, ...]
    voters: int
    project: str
    amount: Exact


class Priceability(BaseModel):
    model_config = ConfigDict(frozen=True)

    verdict: Verdict
    voter_budget: Exact | None = None
    payments: tuple[Payment, ...] = ()
    reason: str | None = None


class SmallChecks(BaseModel):
    model_config = ConfigDict(frozen=True)

    pareto: tuple[SmallCheck, ...]
    core: tuple[SmallCheck, ...]
    priceability: Priceability


def _usable(profile: CompiledProfile) -> list[int]:
    return [
        j
        for j in range(profile.project_count)
        if not profile.withdrawn[j] and profile.supporters[j] > 0 and profile.cost_units[j] <= profile.budget_units
    ]


def _utilities(profile: CompiledProfile, projects: Sequence[int], kind: SatisfactionKind) -> list[int]:
    ids = [profile.project_ids[j] for j in projects]
    return ballot_satisfactions(profile, ids, kind)


def pareto(profile: CompiledProfile, funded: Sequence[str], kind: SatisfactionKind) -> SmallCheck:
    """Whether ``funded`` is Pareto optimal for ``kind`` satisfaction (every affordable set tried)."""
    usable = _usable(profile)
    if not profile.vote_type.is_approval_like:
        return SmallCheck(property="Pareto", satisfaction=kind, verdict=Verdict.NOT_DECIDED, reason="approval only")
    if len(usable) > SUBSET_LIMIT:
        return SmallCheck(
            property="Pareto",
            satisfaction=kind,
            verdict=Verdict.NOT_DECIDED,
            reason=f"{len(usable)} projects, more than the {SUBSET_LIMIT} whose every subset is tried",
        )
    now = ballot_satisfactions(profile, funded, kind)
    counts = [int(c) for c in profile.counts]
    for size in range(1, len(usable) + 1):
        for subset in combinations(usable, size):
            if sum(profile.cost_units[j] for j in subset) > profile.budget_units:
                continue
            other = _utilities(profile, subset, kind)
            if all(o >= w for o, w in zip(other, now, strict=True)) and any(
                o > w for o, w in zip(other, now, strict=True)
            ):
                better = sum(c for o, w, c in zip(other, now, counts, strict=True) if o > w)
                return SmallCheck(
                    property="Pareto",
                    satisfaction=kind,
                    verdict=Verdict.FAILS,
                    witness=BetterSet(
                        projects=tuple(profile.project_ids[j] for j in subset),
                        cost=sum((profile.costs[j] for j in subset), Fraction(0)),
                        voters=better,
                    ),
                )
    return SmallCheck(property="Pareto", satisfaction=kind, verdict=Verdict.HOLDS)


def core(profile: CompiledProfile, funded: Sequence[str], kind: SatisfactionKind) -> SmallCheck:
    """Whether ``funded`` is in the core for ``kind`` satisfaction (every set of projects tried)."""
    usable = _usable(profile)
    if not profile.vote_type.is_approval_like:
        return SmallCheck(property="core", satisfaction=kind, verdict=Verdict.NOT_DECIDED, reason="approval only")
    if profile.has_paper_votes:
        return SmallCheck(property="core", satisfaction=kind, verdict=Verdict.NOT_DECIDED, reason="paper votes")
    if len(usable) > SUBSET_LIMIT:
        return SmallCheck(
            property="core",
            satisfaction=kind,
            verdict=Verdict.NOT_DECIDED,
            reason=f"{len(usable)} projects, more than the {SUBSET_LIMIT} whose every subset is tried",
        )
    now = ballot_satisfactions(profile, funded, kind)
    counts = [int(c) for c in profile.counts]
    n = profile.voter_count
    for size in range(1, len(usable) + 1):
        for subset in combinations(usable, size):
            cost = sum(profile.cost_units[j] for j in subset)
            other = _utilities(profile, subset, kind)
            group = sum(c for o, w, c in zip(other, now, counts, strict=True) if o > w)
            if group and group * profile.budget_units >= n * cost:
                return SmallCheck(
                    property="core",
                    satisfaction=kind,
                    verdict=Verdict.FAILS,
                    witness=BetterSet(
                        projects=tuple(profile.project_ids[j] for j in subset),
                        cost=sum((profile.costs[j] for j in subset), Fraction(0)),
                        voters=group,
                    ),
                )
    return SmallCheck(property="core", satisfaction=kind, verdict=Verdict.HOLDS)


# --- priceability: an exact simplex ------------------------------------------------------------------------------


def _feasible(
    rows: list[list[Fraction]], senses: list[str], rhs: list[Fraction], width: int, seconds: float = PRICE_SECONDS
) -> list[Fraction] | None:
    """A point ``x >= 0`` with ``rows[k] . x (<= or =) rhs[k]``, or ``None`` when there is none.

    Phase one of the simplex method in exact arithmetic: slack variables for ``<=``,
    an artificial variable per row (rows made to have ``rhs >= 0``), minimise the sum
    of the artificials with Bland's rule (no cycling). Feasible iff that minimum is 0.
    """
    m = len(rows)
    slacks = [k for k in range(m) if senses[k] == "<="]
    total = width + len(slacks) + m
    tableau: list[list[Fraction]] = []
    basis: list[int] = []
    for k in range(m):
        row = [Fraction(0)] * (total + 1)
        sign = -1 if rhs[k] < 0 else 1
        for j, value in enumerate(rows[k]):
            row[j] = sign * value
        if senses[k] == "<=":
            row[width + slacks.index(k)] = Fraction(sign)
        row[width + len(slacks) + k] = Fraction(1)
        row[total] = sign * rhs[k]
        tableau.append(row)
        basis.append(width + len(slacks) + k)
    artificial = set(range(width + len(slacks), total))
    # Objective: minimise the sum of artificials, as reduced costs over the non-basic columns.
    cost = [Fraction(0)] * (total + 1)
    for row in tableau:
        for j in range(total + 1):
            if j not in artificial:
                cost[j] -= row[j]
    deadline = time.monotonic() + seconds
    while True:
        if time.monotonic() > deadline:
            raise _OutOfTimeError
        entering = next((j for j in range(total) if cost[j] < 0 and j not in artificial), None)
        if entering is None:
            break
        ratios = [(tableau[k][total] / tableau[k][entering], basis[k], k) for k in range(m) if tableau[k][entering] > 0]
        if not ratios:  # unbounded below cannot happen for a sum of non-negative artificials
            break
        _, _, leaving = min(ratios)
        pivot = tableau[leaving][entering]
        tableau[leaving] = [v / pivot for v in tableau[leaving]]
        for k in range(m):
            if k != leaving and tableau[k][entering] != 0:
                factor = tableau[k][entering]
                tableau[k] = [a - factor * b for a, b in zip(tableau[k], tableau[leaving], strict=True)]
        if cost[entering] != 0:
            factor = cost[entering]
            cost = [a - factor * b for a, b in zip(cost, tableau[leaving], strict=True)]
        basis[leaving] = entering
    if -cost[total] != 0:
        return None
    point = [Fraction(0)] * width
    for k, column in enumerate(basis):
        if column < width:
            point[column] = tableau[k][total]
    return point


def priceability(profile: CompiledProfile, funded: Sequence[str]) -> Priceability:
    """Whether ``funded`` is priceable, with a price system when it is (see the module docstring)."""
    if not profile.vote_type.is_approval_like or profile.has_paper_votes:
        return Priceability(verdict=Verdict.NOT_DECIDED, reason="approval ballots without paper votes only")
    funded_set = {profile.index(p) for p in funded}
    approvals = profile.approvals
    distinct = approvals.shape[0]
    variables = [(r, c) for r in range(distinct) for c in sorted(funded_set) if approvals[r, c]]
    if len(variables) > PRICE_VARIABLE_LIMIT:
        return Priceability(
            verdict=Verdict.NOT_DECIDED,
            reason=f"{len(variables)} payments to find, more than the {PRICE_VARIABLE_LIMIT} the exact method takes",
        )
    width = len(variables) + 1  # the last unknown is the voter budget e
    e = len(variables)
    counts = [int(v) for v in profile.counts]
    rows: list[list[Fraction]] = []
    senses: list[str] = []
    rhs: list[Fraction] = []
    for r in range(distinct):  # C2: a voter's payments add up to at most e
        row = [Fraction(0)] * width
        for k, (vr, _) in enumerate(variables):
            if vr == r:
                row[k] = Fraction(1)
        row[e] = Fraction(-1)
        rows.append(row)
        senses.append("<=")
        rhs.append(Fraction(0))
    for c in sorted(funded_set):  # C3: payments for a funded project add up to its cost
        row = [Fraction(0)] * width
        for k, (vr, vc) in enumerate(variables):
            if vc == c:
                row[k] = Fraction(counts[vr])
        rows.append(row)
        senses.append("=")
        rhs.append(profile.costs[c])
    for c in range(profile.project_count):  # C5: an unfunded project's supporters have at most its cost left
        if c in funded_set or profile.supporters[c] == 0:
            continue
        row = [Fraction(0)] * width
        for r in range(distinct):
            if approvals[r, c]:
                row[e] += counts[r]
        for k, (vr, _) in enumerate(variables):
            if approvals[vr, c]:
                row[k] -= counts[vr]
        rows.append(row)
        senses.append("<=")
        rhs.append(profile.costs[c])
    try:
        point = _feasible(rows, senses, rhs, width)
    except _OutOfTimeError:
        return Priceability(
            verdict=Verdict.NOT_DECIDED,
            reason=f"the exact simplex did not finish within {PRICE_SECONDS:g} s ({len(variables)} payments)",
        )
    if point is None:
        return Priceability(verdict=Verdict.FAILS, reason="no voter budget and payments meet C1-C5")
    payments = tuple(
        Payment(
            ballot=tuple(profile.project_ids[j] for j in np.flatnonzero(approvals[r])),
            voters=counts[r],
            project=profile.project_ids[c],
            amount=point[k],
        )
        for k, (r, c) in enumerate(variables)
        if point[k] != 0
    )
    result = Priceability(verdict=Verdict.HOLDS, voter_budget=point[e], payments=payments)
    problem = check_price_system(profile, funded, result)
    if problem is not None:
        return Priceability(verdict=Verdict.NOT_DECIDED, reason=f"the price system found did not check ({problem})")
    return result


def check_price_system(profile: CompiledProfile, funded: Sequence[str], prices: Priceability) -> str | None:
    """Re-check a price system against C1-C5 from the profile alone: ``None`` when it is one."""
    if prices.voter_budget is None or prices.voter_budget < 0:
        return "no voter budget"
    ids = profile.project_ids
    funded_set = set(funded)
    ballots: dict[tuple[str, ...], int] = {}
    for r in range(profile.approvals.shape[0]):
        key = tuple(ids[j] for j in np.flatnonzero(profile.approvals[r]))
        ballots[key] = ballots.get(key, 0) + int(profile.counts[r])
    spent: dict[tuple[str, ...], Fraction] = dict.fromkeys(ballots, Fraction(0))
    paid: dict[str, Fraction] = {}
    for payment in prices.payments:
        if payment.ballot not in ballots or payment.voters != ballots[payment.ballot]:
            return f"unknown ballot {payment.ballot}"
        if payment.amount < 0:
            return "a negative payment"
        if payment.project not in payment.ballot:
            return "C1: a voter pays for a project she does not approve"
        if payment.project not in funded_set:
            return "C4: a payment for an unfunded project"
        spent[payment.ballot] += payment.amount
        paid[payment.project] = paid.get(payment.project, Fraction(0)) + payment.amount * payment.voters
    if any(value > prices.voter_budget for value in spent.values()):
        return "C2: a voter pays more than the voter budget"
    cost_of = dict(zip(ids, profile.costs, strict=True))
    for project in funded_set:
        if paid.get(project, Fraction(0)) != cost_of[project]:
            return f"C3: {project} is paid {paid.get(project, Fraction(0))}, not its cost"
    for j, project in enumerate(ids):
        if project in funded_set or profile.supporters[j] == 0:
            continue
        left = sum(
            ((prices.voter_budget - spent[b]) * count for b, count in ballots.items() if project in b), Fraction(0)
        )
        if left > cost_of[project]:
            return f"C5: the supporters of {project} have {left} left, more than its cost"
    return None


def small_checks(profile: CompiledProfile, funded: Sequence[str]) -> SmallChecks:
    kinds: tuple[SatisfactionKind, ...] = ("cost", "cardinality")
    return SmallChecks(
        pareto=tuple(pareto(profile, funded, kind) for kind in kinds),
        core=tuple(core(profile, funded, kind) for kind in kinds),
        priceability=priceability(profile, funded),
    )


__all__ = [
    "PRICE_SECONDS",
    "PRICE_VARIABLE_LIMIT",
    "SUBSET_LIMIT",
    "BetterSet",
    "Payment",
    "Priceability",
    "SmallCheck",
    "SmallChecks",
    "check_price_system",
    "core",
    "pareto",
    "priceability",
    "small_checks",
]
