"""Sequential Phragmén (``phragmen``): projects bought by the voters' loads.

Every voter carries a load, 0 at the start. In each round, every remaining project
``p`` with at least one supporter would give its supporters the new common load
``s(p) = (cost(p) + sum of the loads of A(p)) / |A(p)|``; the project with the
smallest ``s(p)`` is funded and each of its supporters' load becomes ``s(p)``.
Before each round, withdrawn projects (pabulib's sentinel cost 999999999) and
projects whose cost no longer fits in the money left (the budget minus the cost of
the funded projects) are removed for good; the rule stops when no project remains.
Projects nobody supports are never funded. This is ../docs/rules.md's definition:
Phragmén's sequential rule (Brill, Freeman, Janson and Lackner, "Phragmén's voting
methods and justified representation", AAAI 2017) with project costs in place of
unit costs. pabutools' ``sequential_phragmen`` differs on purpose in two ways: it
stops the whole rule as soon as a project with the smallest ``s(p)`` does not fit,
where rules.md removes that project and goes on; and once no supported project is
left it funds unsupported projects that fit.

Ties on ``s(p)`` are broken by the lower cost, then by more votes (``|A(p)|``), then
by the seeded lottery (:mod:`asukasbudjetti.rules.ties`), drawn once before the
first round. The outcome records every round (project, cost, supporters, the new
load ``s(p)`` as an exact fraction, the money left and the projects removed before
the round) and every tie at the smallest ``s(p)``, with the criteria that singled
out the funded project (a tie at the minimum always decides which project is
funded in that round, so it is recorded as decisive). Projects that stop fitting
after the last round have no round to be listed in: every unfunded project is then
withdrawn, unsupported, listed as removed, or dearer than the money left.

Exactness and speed: all supporters of a funded project get the same load, so the
loads take at most ``rounds + 1`` distinct values ("load levels"). A numpy matrix
``level_counts[level, project]`` counts the voters at each level who support each
project, so the loads of ``A(p)`` add up to ``sum over levels of value * count``:
a few Python-integer products per project and round, with every level's value kept
over one common denominator. Nothing is ever rounded: no float enters a decision.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from asukasbudjetti.errors import UnsupportedVoteTypeError
from asukasbudjetti.model.outcome import Outcome, PhragmenParameters, PhragmenRound, Tie
from asukasbudjetti.profile import CompiledProfile
from asukasbudjetti.rules.ties import lottery_ranks

if TYPE_CHECKING:
    # Only for the annotation: rules/__init__.py imports this module to register it.
    from asukasbudjetti.rules.options import RuleOptions

#: How the record describes the tie order and the arithmetic.
TIE_BREAKING = "lower cost, then more votes, then lottery"

_SUPPORTED = "approval, choose-1"


class _Loads:
    """The voters' loads as levels: each distinct ballot row sits at one level.

    ``numerators[level] / common`` is the level's load in money units (scaled by the
    profile's denominator, so that costs are integers). ``level_counts[level, j]`` is
    the number of voters at that level who support project ``j``.
    """

    def __init__(
        self, approvals: np.ndarray[Any, np.dtype[np.bool_]], counts: np.ndarray[Any, np.dtype[np.int64]]
    ) -> None:
        rows, m = approvals.shape
        self.approvals = approvals
        # Each row's approvals weighted by how many voters cast that ballot. Every sum
        # taken below is at most the number of voters, so int32 is exact below 2**31
        # voters (half the memory to move, the main cost); int64 beyond.
        small = int(counts.sum()) < 2**31
        self.weighted: np.ndarray[Any, np.dtype[np.int32]] | np.ndarray[Any, np.dtype[np.int64]] = np.multiply(
            approvals, counts[:, None], dtype=np.int32 if small else np.int64
        )
        # There are at most m + 1 levels; 16-bit levels sort fastest (radix sort).
        self.level_of_row = np.zeros(rows, dtype=np.int16 if m < 2**15 - 1 else np.int32)
        self.level_counts = np.zeros((m + 1, m), dtype=np.int64)
        self.level_counts[0] = self.weighted.sum(axis=0)
        self.numerators: list[int] = [0]
        self.common = 1
        self.active: list[int] = [0]

    def sums(self, projects: list[int]) -> dict[int, int]:
        """For each project, the sum of its supporters' loads, times ``common``."""
        active = self.active
        numerators = np.array([self.numerators[level] for level in active], dtype=object)
        # An object array holds Python integers: the products and sums are exact.
        table = self.level_counts[np.ix_(active, projects)].astype(object)
        return dict(zip(projects, (numerators @ table).tolist(), strict=True))

    def raise_supporters(self, project: int, load: Fraction) -> None:
        """Set the load of every supporter of ``project`` to ``load`` (a new level)."""
        if load.denominator != 1:
            common = math.lcm(self.common, load.denominator)
            if common != self.common:
                factor = common // self.common
                self.numerators = [n * factor for n in self.numerators]
                self.common = common
        level = len(self.numerators)
        self.numerators.append(load.numerator * (self.common // load.denominator))
        rows = np.flatnonzero(self.approvals[:, project])
        # Group the moved rows by their old level and take each group's column sums
        # off its level; the new level gets all of them.
        old = self.level_of_row[rows]
        order = np.argsort(old, kind="stable")
        old_sorted = old[order]
        starts = np.flatnonzero(np.concatenate(([True], old_sorted[1:] != old_sorted[:-1])))
        per_level = np.add.reduceat(self.weighted[rows[order]], starts, axis=0, dtype=np.int64)
        self.level_counts[old_sorted[starts]] -= per_level
        self.level_counts[level] = per_level.sum(axis=0)
        self.level_of_row[rows] = level
        self.active = np.flatnonzero(self.level_counts[: level + 1].any(axis=1)).tolist()


def run_phragmen(profile: CompiledProfile, options: RuleOptions) -> Outcome:
    """Run sequential Phragmén on an approval or choose-1 profile.

    Only ``options.seed`` (the lottery's) is used. Raises
    :class:`~asukasbudjetti.errors.UnsupportedVoteTypeError` for other vote types.
    """
    seed = options.seed
    if not profile.vote_type.is_approval_like:
        raise UnsupportedVoteTypeError(
            f"{profile.source}: rule phragmen is not defined for {profile.vote_type.value} ballots; "
            f"it is defined for {_SUPPORTED}"
        )
    ids = profile.project_ids
    m = profile.project_count
    costs = profile.cost_units
    votes = profile.supporters
    lottery = lottery_ranks(seed, ids)

    def tie_key(j: int) -> tuple[int, int, int]:
        return (costs[j], -votes[j], lottery[j])

    loads = _Loads(profile.approvals, profile.counts)
    money = profile.budget_units
    withdrawn = [j for j in range(m) if profile.withdrawn[j]]
    remaining = [j for j in range(m) if votes[j] > 0 and not profile.withdrawn[j]]
    removed_before: list[int] = withdrawn
    funded: list[str] = []
    rounds: list[PhragmenRound] = []
    ties: list[Tie] = []
    while True:
        fitting = [j for j in remaining if costs[j] <= money]
        removed_before = sorted({*removed_before, *(j for j in remaining if costs[j] > money)})
        remaining = fitting
        if not remaining:
            break
        number = len(rounds) + 1
        sums = loads.sums(remaining)
        common = loads.common
        # s(p) times common, exactly; every candidate shares the factor ``common``.
        scaled = {j: Fraction(costs[j] * common + sums[j], votes[j]) for j in remaining}
        best = min(scaled.values())
        tied = sorted((j for j in remaining if scaled[j] == best), key=tie_key)
        chosen = tied[0]
        if len(tied) > 1:
            ties.append(
                Tie(
                    step=number,
                    projects=tuple(ids[j] for j in tied),
                    settled_by=_settled_by(tied, costs, votes),
                    decisive=True,
                )
            )
        load = best / common  # in money units (scaled by profile.denominator)
        loads.raise_supporters(chosen, load)
        money -= costs[chosen]
        remaining.remove(chosen)
        funded.append(ids[chosen])
        rounds.append(
            PhragmenRound(
                round=number,
                project_id=ids[chosen],
                cost=profile.costs[chosen],
                supporters=votes[chosen],
                load=load / profile.denominator,
                money_left=profile.money(money),
                removed=tuple(ids[j] for j in removed_before),
            )
        )
        removed_before = []
    return Outcome(
        rule="phragmen",
        params=PhragmenParameters(seed=seed, tie_breaking=TIE_BREAKING, loads="exact"),
        budget=profile.budget,
        funded=tuple(funded),
        spent=profile.money(profile.budget_units - money),
        left=profile.money(money),
        ties=tuple(ties),
        phragmen_rounds=tuple(rounds),
        steps=(),
        reserve=None,
    )


def _settled_by(tied: list[int], costs: tuple[int, ...], votes: tuple[int, ...]) -> tuple[str, ...]:
    """The criteria that narrowed the tied projects down to the funded one, in turn."""
    settled: list[str] = []
    contenders = tied
    lowest = min(costs[j] for j in contenders)
    cheapest = [j for j in contenders if costs[j] == lowest]
    if len(cheapest) < len(contenders):
        settled.append("lower cost")
    contenders = cheapest
    if len(contenders) > 1:
        most = max(votes[j] for j in contenders)
        best_supported = [j for j in contenders if votes[j] == most]
        if len(best_supported) < len(contenders):
            settled.append("more votes")
        if len(best_supported) > 1:
            settled.append("lottery")
    return tuple(settled)
