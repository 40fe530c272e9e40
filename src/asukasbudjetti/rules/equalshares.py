"""The Method of Equal Shares (MES) and its completions, in exact arithmetic.

Definition (Peters & Skowron; equalshares.net; ../docs/rules.md): every voter gets
an equal endowment ``e = B / n``. Each round, for every remaining project ``p``
whose supporters together still have at least ``cost(p)``, find the smallest price
``rho`` per unit of utility such that the supporters, each paying
``min(money_i, rho * u_i(p))``, cover the cost. Fund the project with the smallest
``rho`` (the largest *effective vote count* ``1 / rho``); each supporter pays her
share. A project whose supporters can no longer afford it is dropped for good
(money only shrinks). Stop when no project is affordable.

Utilities: on approval and choose-1 ballots, ``cost`` utilities (the default, what
cities use: ``u_i(p) = cost(p)``, so ``rho = q / cost`` where ``q`` is the
per-voter cap and the effective vote count is ``cost / q``) or ``cardinality``
(``u_i(p) = 1``: the smallest ``q`` wins). On cumulative, scoring and ordinal
ballots the utilities are the points or positional scores (additive utilities);
a project's supporters, who pay for it, are the voters with a positive utility
for it (a scoring ballot may give 0 or negative points: such a voter pays nothing
for that project). Projects that cost nothing or that nobody supports are never
funded by a round.

Ties on the effective vote count: lower cost, then more votes, then the lottery
order drawn once from the seed (:mod:`asukasbudjetti.rules.ties`) and reused for
every endowment a completion tries. Every tie among the best candidates of a round
is recorded.

Completions (``equalshares/add1`` and friends) and the comparison step follow the
pabulib checker and equalshares.net; see :class:`MesParams`.

Exactness and speed: voters with the same ballot form one row with a count, and
rows with the same money form a *level*. Money is exact (:class:`Fraction` per
level); a project's price is found by walking its supporters' levels from the
poorest up. A project's price only rises from round to round, so its last price
is a lower bound: each round evaluates projects in order of that bound and stops
when the bound exceeds the best exact price found (equalshares.net's pruning).
The add1 completion runs MES only where its outcome may change: a trial run also
bounds, exactly, the endowments up to which every run is the same, and the walk
jumps there; where those exact regions keep ending within a unit (a city), trials
run in certified floating point, over single endowments or whole ranges of them,
and answer only when every decision of the run is certain
(:mod:`asukasbudjetti.rules.mes_interval`); the exact run decides the rest
(:func:`_add1`; the one-unit walk, :func:`_add1_walk`, is its oracle).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import ceil, floor, gcd
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from asukasbudjetti.model.outcome import (
    Comparison,
    CompletionStep,
    EqualSharesParameters,
    MesPayment,
    MesRound,
    Outcome,
    Tie,
)
from asukasbudjetti.money import format_money
from asukasbudjetti.profile import CompiledProfile
from asukasbudjetti.rules.mes_interval import interval_run, interval_supporters
from asukasbudjetti.rules.ties import DEFAULT_SEED, lottery_ranks

Completion = Literal["none", "add1", "add1u", "utilitarian"]


class MesParams(BaseModel):
    """Every choice a Method of Equal Shares run makes, recorded with the outcome.

    - ``utilities``: ``cost`` or ``cardinality`` (approval and choose-1 ballots).
    - ``completion``: ``none``; ``add1`` (raise every endowment by ``add1_increment``
      while the outcome is not exhaustive and the raised run still fits the real
      budget); ``add1u`` (``add1``, then greedy by votes with the money left);
      ``utilitarian`` (plain MES, then greedy by votes with the money left).
    - ``add1_start``: ``floor`` starts the raised endowments at ``floor(B / n)``
      (equalshares.net and the pabulib checker: the first outcome is MES at
      ``B / n``, the next tries ``floor(B / n) + 1``, ...); ``exact`` raises from
      ``B / n`` itself (pabutools).
    - ``add1_stop_when_exhaustive``: stop as soon as no unfunded project fits the
      money left (equalshares.net); the pabulib checker never stops on that.
    - ``comparison``: ``none``, or ``satisfaction`` / ``exclusion``: compare with
      greedy by votes and take greedy when more voters prefer it.
    - ``eligibility_k``: a project with ``votes / n < cost / (k * B)`` is left out.
    - ``everything_affordable``: when all projects together fit the budget, fund all.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    utilities: Literal["cost", "cardinality"] = "cost"
    completion: Completion = "none"
    add1_start: Literal["floor", "exact"] = "floor"
    add1_increment: Fraction = Fraction(1)
    add1_stop_when_exhaustive: bool = True
    comparison: Literal["none", "satisfaction", "exclusion"] = "none"
    eligibility_k: Fraction | None = None
    everything_affordable: bool = False
    seed: int = DEFAULT_SEED

    def as_record(self, profile: CompiledProfile) -> EqualSharesParameters:
        approval = profile.vote_type.is_approval_like
        return EqualSharesParameters(
            utilities=self.utilities if approval else f"{profile.vote_type.value} points",
            completion=self.completion,
            add1_start=self.add1_start,
            add1_increment=self.add1_increment,
            add1_stop_when_exhaustive=self.add1_stop_when_exhaustive,
            comparison=self.comparison,
            eligibility_k=self.eligibility_k,
            everything_affordable=self.everything_affordable,
            seed=self.seed,
            tie_breaking="lower cost, then more votes, then lottery",
        )


@dataclass
class _Run:
    """One MES run at one endowment."""

    endowment: Fraction
    funded: list[int] = field(default_factory=list)
    spent_units: int = 0
    rounds: list[MesRound] = field(default_factory=list)
    ties: list[Tie] = field(default_factory=list)
    #: With ``regions``: every run from ``endowment`` up to (not including) this one
    #: funds the same projects in the same order (None: no limit found).
    until: Fraction | None = None


def _level_keys(levels: np.ndarray, width: int, utilities: np.ndarray) -> np.ndarray:
    """One key per (money level, utility): ``level * width + utility``, in int64 when it fits,
    else in Python integers (points so large that int64 would overflow; same order).

    Supporters' utilities are positive (:class:`_Supporters`), so ``0 < utility < width``
    and distinct pairs get distinct keys, ordered by level then utility.
    """
    keys: np.ndarray
    if (int(levels.max(initial=0)) + 1) * width < 2**62:
        keys = levels * width + utilities
    else:
        keys = levels.astype(object) * width + utilities.astype(object)
    return keys


class _Voters:
    """Rows of identical ballots grouped into levels of equal money, exactly.

    A level's money is an integer numerator over one common denominator (in the
    profile's money units), so comparisons and sums are plain integer arithmetic
    with no fraction to reduce at each step. A price can bring a new factor into
    the common denominator; rather than rescaling every level then, each level
    remembers the *epoch* it was created in, and is scaled by that epoch's factor
    when read. Level 0 is "no money left".

    With ``regions`` (the add1 completion's jump), each level also carries the slope
    of its money as a function of the common endowment ``x`` (held the same way:
    numerators, epochs, factors, one denominator). Near the endowment of the run,
    every quantity of the run is linear in ``x`` as long as the same supporters of
    each funded project pay all they have (:func:`_mes_run` explains the bound).
    """

    def __init__(self, profile: CompiledProfile, endowment_units: Fraction, *, regions: bool = False) -> None:
        self.counts = profile.counts
        self.denominator = endowment_units.denominator
        self.numerators: list[int] = [0, endowment_units.numerator]
        self.epochs: list[int] = [0, 0]
        self.factors: list[int] = [1]  # per epoch: numerator -> current denominator
        self.row_level = np.ones(len(profile.counts), dtype=np.int64)
        self.regions = regions
        # d(money in units) / dx: at first every voter has x, that is x * denominator units.
        self.slope_denominator = 1
        self.slope_numerators: list[int] = [0, profile.denominator]
        self.slope_epochs: list[int] = [0, 0]
        self.slope_factors: list[int] = [1]
        #: Set by ``price``: the slope of the money of the supporters who pay all they
        #: have (over ``slope_denominator``); for a project they cannot afford, the
        #: shortfall (over ``denominator``) and the slope of their money together.
        self.capped_slope = 0
        self.shortfall = (0, 0)
        #: Set by ``pay``: how far above the run's endowment the same supporters of the
        #: project just funded keep paying all they have (None: no limit).
        self.pay_limit: Fraction | None = None

    def value(self, level: int) -> int:
        return self.numerators[level] * self.factors[self.epochs[level]]

    def slope(self, level: int) -> int:
        return self.slope_numerators[level] * self.slope_factors[self.slope_epochs[level]]

    def groups(self, rows: np.ndarray, utilities: np.ndarray) -> tuple[list[int], list[int], list[int], list[int]]:
        """Supporters as parallel lists: money numerators, utilities, voters, and (with
        ``regions``) money slopes (unsorted)."""
        levels = self.row_level[rows]
        numerators, epochs, factors = self.numerators, self.epochs, self.factors
        if utilities.size and int(utilities[0]) == int(utilities.min()) == int(utilities.max()):
            # Every supporter values the project alike (approval): group by money alone.
            per_level = np.bincount(levels, weights=self.counts[rows], minlength=len(numerators))
            present = np.flatnonzero(per_level).tolist()
            values = [numerators[lv] * factors[epochs[lv]] for lv in present]
            counts = per_level[present].astype(np.int64).tolist()
            slopes = [self.slope(lv) for lv in present] if self.regions else []
            return values, [int(utilities[0])] * len(values), counts, slopes
        width = int(utilities.max()) + 1
        keys = _level_keys(levels, width, utilities)
        unique, inverse = np.unique(keys, return_inverse=True)
        sums = np.bincount(inverse, weights=self.counts[rows]).astype(np.int64).tolist()
        keys_list = unique.tolist()
        values = [self.value(key // width) for key in keys_list]
        slopes = [self.slope(key // width) for key in keys_list] if self.regions else []
        return values, [key % width for key in keys_list], sums, slopes

    def first_price(self, cost_units: int, weight: int, utility: int) -> tuple[int, int] | None:
        """The price in the first round, when every supporter still has the endowment and
        all value the project alike (``utility`` each)."""
        target = cost_units * self.denominator
        self.capped_slope = 0
        # Equal shares: each pays rho * u = target * u / weight, which she can afford
        # iff target * u <= e * weight; if she cannot, nor can they all together.
        if weight and target * utility <= self.numerators[1] * weight:
            return target, weight
        voters = weight // utility if utility else 0
        self.shortfall = (target - voters * self.value(1), voters * self.slope(1))
        return None

    def price(
        self, groups: tuple[list[int], list[int], list[int], list[int]], cost_units: int, weight: int
    ) -> tuple[int, int] | None:
        """The smallest rho with sum(min(money, rho * u)) == cost, as (A, W): rho = A / (W * denominator).

        ``weight`` is the supporters' total utility. None when their money together
        falls short of the cost.
        """
        values, utilities, counts, slopes = groups
        target = cost_units * self.denominator
        self.capped_slope = 0
        if weight == 0:
            self.shortfall = (target, 0)
            return None
        if len(set(utilities)) <= 1:
            # Alike utilities: if even the poorest can pay an equal share, that is the price.
            if values and min(values) * weight >= target * utilities[0]:
                return target, weight
            order = sorted(range(len(values)), key=values.__getitem__)
        else:
            order = sorted(range(len(values)), key=lambda g: Fraction(values[g], utilities[g]))
        paid = 0
        paid_slope = 0
        for g in order:
            money, u, count = values[g], utilities[g], counts[g]
            # rho * u <= money  <=>  (target - paid) * u <= money * weight
            if weight > 0 and (target - paid) * u <= money * weight:
                self.capped_slope = paid_slope
                return target - paid, weight
            paid += money * count
            weight -= u * count
            if slopes:
                paid_slope += slopes[g] * count
        self.shortfall = (target - paid, paid_slope)
        return None

    def pay(
        self, rows: np.ndarray, utilities: np.ndarray, share: int, weight: int, scale: int, trace: bool
    ) -> tuple[MesPayment, ...]:
        """Each supporter pays min(money, rho * u) with rho = share / (weight * denominator).

        With ``regions``, ``capped_slope`` must be what ``price`` left for this project.
        """
        uncapped_weight = weight
        common = gcd(share, weight)
        share, weight = share // common, weight // common
        if weight != 1:
            # A new common denominator (times weight): old epochs scale, a new one starts.
            self.factors = [factor * weight for factor in self.factors]
            self.denominator *= weight
        self.factors.append(1)
        epoch = len(self.factors) - 1
        levels = self.row_level[rows]
        width = int(utilities.max()) + 1
        keys = _level_keys(levels, width, utilities)
        unique, inverse = np.unique(keys, return_inverse=True)
        numerators, epochs, factors = self.numerators, self.epochs, self.factors
        groups = unique.tolist()
        money = [numerators[key // width] * factors[epochs[key // width]] for key in groups]
        owed = [share * (key % width) for key in groups]
        keeps = [m > o for m, o in zip(money, owed, strict=True)]
        left = [m - o for m, o, keep in zip(money, owed, keeps, strict=True) if keep]
        new_level = np.zeros(len(groups), dtype=np.int64)
        new_level[np.array(keeps, dtype=bool)] = np.arange(len(numerators), len(numerators) + len(left))
        numerators.extend(left)
        epochs.extend([epoch] * len(left))
        self.row_level[rows] = new_level[inverse]
        if self.regions:
            self._pay_slopes(groups, width, money, owed, keeps, uncapped_weight)
        if not trace:
            return ()
        # Who cannot pay the share pays all she has.
        amounts = [o if keep else m for m, o, keep in zip(money, owed, keeps, strict=True)]
        sums = np.bincount(inverse, weights=self.counts[rows]).astype(np.int64).tolist()
        paid: dict[int, int] = {}
        for amount, voters in zip(amounts, sums, strict=True):
            paid[amount] = paid.get(amount, 0) + voters
        # ``scale`` turns numerators into money (the profile's units are 1 / scale).
        denominator = self.denominator * scale
        return tuple(
            MesPayment.model_construct(voters=count, amount=Fraction(amount, denominator))
            for amount, count in sorted(paid.items())
        )

    def _pay_slopes(
        self, groups: list[int], width: int, money: list[int], owed: list[int], keeps: list[bool], uncapped_weight: int
    ) -> None:
        """The slopes of the money left after a payment, and how far up the endowment the
        same supporters keep paying all they have (``pay_limit``).

        rho(x) = (cost - money of those who pay all, at x) / (their utility left out), so
        d rho / dx = -capped_slope / (slope_denominator * uncapped_weight), and a group
        that pays its share keeps ``money - rho * u``, of slope ``slope + u * capped_slope
        / (slope_denominator * uncapped_weight)``. A group's verdict (pays its share, or
        all it has) holds while ``money - rho * u`` keeps its sign: that expression is
        linear, so it changes sign at most once.
        """
        capped = self.capped_slope
        common = gcd(capped, uncapped_weight)
        capped, factor = capped // common, uncapped_weight // common
        if factor != 1:
            self.slope_factors = [f * factor for f in self.slope_factors]
            self.slope_denominator *= factor
        self.slope_factors.append(1)
        epoch = len(self.slope_factors) - 1
        slope_numerators, slope_epochs, slope_factors = self.slope_numerators, self.slope_epochs, self.slope_factors
        best: tuple[int, int] | None = None  # the smallest distance, as money gap / slope
        for key, m, o, keep in zip(groups, money, owed, keeps, strict=True):
            level = key // width
            slope = slope_numerators[level] * slope_factors[slope_epochs[level]] + (key % width) * capped
            gap = m - o
            if keep:
                slope_numerators.append(slope)
                slope_epochs.append(epoch)
            if gap > 0 and slope < 0:
                distance = (gap, -slope)
            elif gap < 0 and slope > 0:
                distance = (-gap, slope)
            elif gap == 0 and slope != 0:
                distance = (0, 1)  # at the edge already: no promise above this endowment
            else:
                continue
            if best is None or distance[0] * best[1] < best[0] * distance[1]:
                best = distance
        # gap is over ``denominator``, slope over ``slope_denominator``.
        self.pay_limit = (
            None if best is None else Fraction(best[0] * self.slope_denominator, best[1] * self.denominator)
        )


#: The supporting rows of the last few ballot matrices seen, by the matrix's identity
#: (checked through a weak reference): a margin search re-runs the rule hundreds of
#: times on copies of one profile that share its ballot matrix and change only counts.
_ROWS_SEEN: list[tuple[weakref.ref[np.ndarray], list[np.ndarray]]] = []


def supporting_rows(profile: CompiledProfile) -> list[np.ndarray]:
    """Each project's supporters as rows (distinct ballots): the rows with a positive
    utility for it (see :class:`_Supporters`)."""
    return _rows_listing(profile.approvals if profile.vote_type.is_approval_like else profile.weights > 0)


def _rows_listing(approvals: np.ndarray) -> list[np.ndarray]:
    """Each column's rows that are true in ``approvals``."""
    for seen, rows_of in _ROWS_SEEN:
        if seen() is approvals:
            return rows_of
    projects, rows = np.nonzero(approvals.T)
    starts = np.searchsorted(projects, np.arange(approvals.shape[1] + 1))
    found = [rows[starts[j] : starts[j + 1]] for j in range(approvals.shape[1])]
    _ROWS_SEEN.insert(0, (weakref.ref(approvals), found))
    del _ROWS_SEEN[4:]
    return found


class _Supporters:
    """Each project's supporting rows and their utilities, computed once per rule run.

    A supporter is a voter with a positive utility for the project: only she pays
    for it (Peters & Skowron's ``N_p = {i : u_i(p) > 0}``; pabutools likewise). A
    scoring ballot may list a project with 0 or negative points: that voter counts
    in ``votes(p)`` (the tie-break) but neither pays for the project nor helps
    afford it (a negative "share" would be money given to the others).
    """

    def __init__(self, profile: CompiledProfile) -> None:
        approval = profile.vote_type.is_approval_like
        self.rows = supporting_rows(profile)
        # Approval: every supporter has utility 1 per unit (cost utilities rescale the price).
        self.utilities = [
            np.ones(len(r), dtype=np.int64) if approval else profile.weights[r, j] for j, r in enumerate(self.rows)
        ]
        # Each project's supporters' total utility (voters times utility).
        self.weights = [int(profile.counts[r] @ u) for r, u in zip(self.rows, self.utilities, strict=True)]
        # The common utility when all supporters value the project alike, else None.
        self.alike = [int(u[0]) if len(u) and int(u.min()) == int(u.max()) else None for u in self.utilities]


def _mes_run(
    profile: CompiledProfile,
    params: MesParams,
    endowment: Fraction,
    lottery: list[int],
    eligible: Sequence[int],
    supporters: _Supporters,
    *,
    trace: bool = True,
    watch: int | None = None,
    regions: bool = False,
) -> _Run:
    """One MES run at ``endowment``.

    With ``watch``, the run stops as soon as that project's fate is known: funded,
    or dropped (its supporters can no longer afford it, and money only shrinks);
    what it returns then is not a whole outcome.
    With ``regions`` (untraced trial runs of the add1 completion), the run also
    finds ``until``: every run at an endowment ``x`` with ``endowment <= x < until``
    funds the same projects in the same order. Proof sketch. Let every quantity of
    this run be written as a function of ``x``, keeping each comparison's verdict.
    Each voter's money is then linear in ``x``: she starts with ``x`` and each payment
    is either all she has (afterwards 0) or ``rho * u``, where the winner's price is
    ``rho = (cost - money of those who pay all) / (utility of the others)``, linear
    too. Such a run is the real run at ``x`` as long as

    1. every supporter of each funded project stays on her side (pays all she has,
       or her share): the sign of the linear ``money - rho * u`` (``_Voters.pay``);
    2. no other project beats the winner of a round. For ANY split of a project's
       supporters into those who pay all and the others,
       ``(cost - money of the first) / (utility of the others)`` is at most its
       price (sum(min(money, rho * u)) = cost bounds it), so the split found when the
       project was last priced gives a line below its price at every ``x``, in that
       round and in every later one (prices only rise as money shrinks). While that
       line stays above the winner's price (strictly when the project wins ties),
       the project cannot win;
    3. a project its supporters could not afford stays so (their money together,
       linear, stays under its cost).

    Each condition is a linear function keeping its sign, so it holds up to its
    root: ``until`` is the endowment plus the smallest such distance. It may lie
    below the true change (the lines of 2. are bounds); it is never above it.
    None when nothing limits the region.
    """
    run = _Run(endowment=endowment)
    voters = _Voters(profile, endowment * profile.denominator, regions=regions)
    approval = profile.vote_type.is_approval_like
    cost_utilities = approval and params.utilities == "cost"
    costs, cost_units = profile.costs, profile.cost_units
    supporters_rows, utility_rows = supporters.rows, supporters.utilities
    remaining = [j for j in eligible if costs[j] > 0 and len(supporters_rows[j]) > 0 and not profile.withdrawn[j]]
    # A project's price only rises as money shrinks: its last price is a lower bound.
    bound: dict[int, Fraction] = dict.fromkeys(remaining, Fraction(0))
    approximate: dict[int, float] = dict.fromkeys(remaining, 0.0)
    shares: dict[int, tuple[int, int]] = {}
    # regions: each project's last price line, d(bound) / dx, and the distances found.
    lines: dict[int, Fraction] = {}
    capped: dict[int, int] = {}
    distance: Fraction | None = None
    round_number = 0
    while remaining:
        round_number += 1
        # Floats order the bounds quickly; exact bounds decide between equal floats.
        order = sorted(remaining, key=lambda j: (approximate[j], bound[j]))
        best: Fraction | None = None
        evaluated: list[tuple[int, Fraction]] = []
        dropped: list[int] = []
        for j in order:
            if best is not None and bound[j] > best:
                break
            alike = supporters.alike[j]
            if round_number == 1 and alike is not None:
                # Nobody has paid yet and all value the project alike: equal shares.
                found = voters.first_price(cost_units[j], supporters.weights[j], alike)
            else:
                found = voters.price(
                    voters.groups(supporters_rows[j], utility_rows[j]), cost_units[j], supporters.weights[j]
                )
            if found is None:
                dropped.append(j)
                if regions:
                    gap, slope = voters.shortfall  # over denominator, slope_denominator
                    if slope > 0:
                        distance = _nearer(
                            distance, Fraction(gap * voters.slope_denominator, voters.denominator * slope)
                        )
                continue
            share, weight = found
            # The price per unit of utility in money; with cost utilities every
            # supporter's utility is the cost, so the key is q / cost.
            per_unit = cost_units[j] if cost_utilities else profile.denominator
            key = Fraction(share, weight * voters.denominator * per_unit)
            bound[j] = key
            approximate[j] = float(key)
            shares[j] = found
            evaluated.append((j, key))
            if regions:
                capped[j] = voters.capped_slope
                lines[j] = Fraction(-voters.capped_slope, voters.slope_denominator * weight * per_unit)
            if best is None or key < best:
                best = key
        for j in dropped:
            remaining.remove(j)
        if best is None or (watch is not None and watch in dropped):
            break
        tied = [j for j, key in evaluated if key == best]
        tied.sort(key=lambda j: (costs[j], -profile.supporters[j], lottery[j]))
        winner = tied[0]
        if len(tied) > 1:
            run.ties.append(_tie(profile, tied, round_number))
        share, weight = shares[winner]
        q = Fraction(share, weight * voters.denominator * profile.denominator)
        if regions:
            voters.capped_slope = capped[winner]
        payments = voters.pay(supporters_rows[winner], utility_rows[winner], share, weight, profile.denominator, trace)
        run.funded.append(winner)
        run.spent_units += cost_units[winner]
        remaining.remove(winner)
        if regions:
            distance = _nearer(distance, voters.pay_limit)
            distance = _nearer(distance, _overtaken(remaining, winner, bound, lines))
        if winner == watch:
            break
        if not trace:
            continue  # a completion's trial endowment: only the funded set matters
        run.rounds.append(
            MesRound(
                round=round_number,
                project_id=profile.project_ids[winner],
                cost=costs[winner],
                q=q,
                effective_vote_count=1 / best,
                payments=payments,
                candidates=tuple((profile.project_ids[j], 1 / key) for j, key in sorted(evaluated, key=lambda e: e[1])),
                dropped=tuple(profile.project_ids[j] for j in dropped),
            )
        )
    if regions and distance is not None:
        run.until = endowment + distance
    return run


def _nearer(distance: Fraction | None, other: Fraction | None) -> Fraction | None:
    """The smaller of two distances, None standing for no limit."""
    if other is None:
        return distance
    return other if distance is None or other < distance else distance


def _overtaken(
    remaining: Sequence[int], winner: int, bound: dict[int, Fraction], lines: dict[int, Fraction]
) -> Fraction | None:
    """How far above the run's endowment no project left can beat this round's winner
    (condition 2 of :func:`_mes_run`): each project's price line against the winner's.

    The distance excludes the crossing itself, so it holds whichever project wins a
    tie there; a project tied with the winner now (the winner won the tie) whose line
    falls below the winner's gives 0: no promise above this endowment.
    """
    best, rising = bound[winner], lines[winner]
    distance: Fraction | None = None
    for j in remaining:
        slope = lines[j] - rising
        if slope >= 0:
            continue  # the line draws away from the winner's price (or keeps level)
        gap = bound[j] - best
        reach = gap / -slope
        if distance is None or reach < distance:
            distance = reach
    return distance


def _tie(profile: CompiledProfile, tied: list[int], round_number: int) -> Tie:
    costs = [profile.costs[j] for j in tied]
    votes = [(profile.costs[j], profile.supporters[j]) for j in tied]
    settled: tuple[str, ...]
    if costs.count(costs[0]) == 1 and len(set(costs)) == len(costs):
        settled = ("lower cost",)
    elif len(set(votes)) == len(votes):
        settled = ("lower cost", "more votes")
    else:
        settled = ("lower cost", "more votes", "lottery")
    return Tie(
        step=round_number,
        projects=tuple(profile.project_ids[j] for j in tied),
        settled_by=settled,
        decisive=True,
    )


def _exhaustive(profile: CompiledProfile, funded: Sequence[int], spent_units: int, candidates: Sequence[int]) -> bool:
    """No unfunded project fits in the real budget left (equalshares.net's test, which
    counts free and unsupported projects too)."""
    left = profile.budget_units - spent_units
    chosen = set(funded)
    return not any(j not in chosen and profile.cost_units[j] <= left for j in candidates)


def _greedy_fill(
    profile: CompiledProfile, funded: list[int], spent_units: int, candidates: Sequence[int], lottery: list[int]
) -> tuple[list[int], int]:
    """Greedy by votes (skipping misfits) with the money left: the utilitarian completion."""
    chosen = set(funded)
    order = sorted(
        (j for j in candidates if j not in chosen),
        key=lambda j: (-profile.supporters[j], profile.cost_units[j], lottery[j]),
    )
    result = list(funded)
    for j in order:
        if profile.cost_units[j] <= profile.budget_units - spent_units:
            result.append(j)
            spent_units += profile.cost_units[j]
    return result, spent_units


def _eligible(profile: CompiledProfile, params: MesParams) -> tuple[list[int], list[int]]:
    """Projects that may be funded, and those the eligibility filter leaves out."""
    candidates = [j for j in range(profile.project_count) if not profile.withdrawn[j]]
    k = params.eligibility_k
    if k is None:
        return candidates, []
    n, budget = profile.voter_count, profile.budget
    # votes / n < cost / (k * B)  <=>  votes * k * B < cost * n   (all exact)
    out = [j for j in candidates if profile.supporters[j] * k * budget < profile.costs[j] * n]
    return [j for j in candidates if j not in out], out


def run_equal_shares(profile: CompiledProfile, params: MesParams, rule: str) -> Outcome:
    """Run MES with the completion, comparison and filters ``params`` ask for."""
    lottery = lottery_ranks(params.seed, profile.project_ids)
    candidates, ineligible = _eligible(profile, params)
    n = profile.voter_count
    budget = profile.budget
    completion_steps: list[CompletionStep] = []
    if params.everything_affordable and sum(profile.cost_units[j] for j in candidates) <= profile.budget_units:
        funded = sorted(candidates, key=lambda j: (-profile.supporters[j], profile.cost_units[j], lottery[j]))
        run = _Run(endowment=budget / n if n else Fraction(0), funded=funded)
        run.spent_units = sum(profile.cost_units[j] for j in funded)
    else:
        supporters = _Supporters(profile)
        # With add1, the first run's region also says whether exact regions reach far here.
        add1 = params.completion in ("add1", "add1u")
        run = _mes_run(profile, params, budget / n if n else Fraction(0), lottery, candidates, supporters, regions=add1)
        if params.completion in ("add1", "add1u") and n:
            run, completion_steps = _add1(profile, params, run, lottery, candidates, supporters)
    funded, spent_units = list(run.funded), run.spent_units
    if params.completion in ("add1u", "utilitarian"):
        funded, spent_units = _greedy_fill(profile, funded, spent_units, candidates, lottery)
    comparison: Comparison | None = None
    if params.comparison != "none":
        comparison = _compare(profile, params, funded, candidates, lottery)
        if comparison.chosen == "greedy":
            greedy_ids = set(comparison.greedy_funded)
            funded = [j for j in range(profile.project_count) if profile.project_ids[j] in greedy_ids]
            funded.sort(key=lambda j: comparison.greedy_funded.index(profile.project_ids[j]))
            spent_units = sum(profile.cost_units[j] for j in funded)
    return Outcome(
        rule=rule,
        params=params.as_record(profile),
        budget=budget,
        funded=tuple(profile.project_ids[j] for j in funded),
        spent=profile.money(spent_units),
        left=profile.money(profile.budget_units - spent_units),
        ties=tuple(run.ties),
        endowment=run.endowment,
        mes_rounds=tuple(run.rounds),
        completion=tuple(completion_steps),
        comparison=comparison,
        ineligible=tuple(profile.project_ids[j] for j in ineligible),
        steps=(),
        reserve=None,
    )


def funds_project(profile: CompiledProfile, params: MesParams, j: int) -> bool:
    """Whether plain MES (no completion, comparison, eligibility filter or fund-everything
    shortcut) funds project ``j``: its run, stopped as soon as that is decided (the
    margins' probes ask only this)."""
    if (params.completion, params.comparison, params.eligibility_k, params.everything_affordable) != (
        "none",
        "none",
        None,
        False,
    ):
        raise ValueError("funds_project answers for plain MES only")
    n = profile.voter_count
    if not n:
        return False
    lottery = lottery_ranks(params.seed, profile.project_ids)
    candidates, _ = _eligible(profile, params)
    run = _mes_run(profile, params, profile.budget / n, lottery, candidates, _Supporters(profile), trace=False, watch=j)
    return j in run.funded


#: After a miss of the exact regions (a trial whose region reaches fewer endowments of
#: the walk than this, or than the span floating-point trials last reached), this many
#: trials follow before regions are tried again, four times more after each further
#: miss up to the second figure: an exact run with regions costs several
#: floating-point runs on a city.
_AFTER_MISS = (4, 256)


def _step(
    profile: CompiledProfile, run: _Run, *, accepted: bool, reason: str, endowment: Fraction | None = None
) -> CompletionStep:
    """A completion's step recording ``run``'s outcome at ``endowment`` (by default the run's own)."""
    return CompletionStep(
        endowment=run.endowment if endowment is None else endowment,
        funded=tuple(profile.project_ids[j] for j in run.funded),
        spent=profile.money(run.spent_units),
        accepted=accepted,
        reason=reason,
    )


#: The most increments one certified floating-point run may cover (:func:`_add1`).
_RANGE_CAP = 2**40
#: After a span fails, this many runs keep the halved span before it doubles again
#: (doubling after each failure, up to the second figure).
_HOLD = (4, 64)


def _add1(
    profile: CompiledProfile,
    params: MesParams,
    first: _Run,
    lottery: list[int],
    candidates: Sequence[int],
    supporters: _Supporters,
) -> tuple[_Run, list[CompletionStep]]:
    """Raise every endowment by the increment while the raised outcome fits the real
    budget, with trials over ranges of endowments.

    The outcome is that of :func:`_add1_walk` (one MES run per increment). One run in
    certified floating point (:func:`~asukasbudjetti.rules.mes_interval.interval_run`)
    over every endowment from the next one of the walk to ``span`` increments above
    it either proves that they all fund the same projects in the same order, or
    cannot tell. Proved: the walk would adopt each of them (they fit the budget or
    not alike, and are exhaustive or not alike, since both depend only on what is
    funded), so it goes on from the last, or stops at the first; the span doubles.
    Not proved: the span halves; a single endowment that cannot be proved (a tie) is
    run exactly. When a span fails, the stretch below the first endowment at which a
    project not funded now becomes affordable is skipped as one step
    (:func:`_unaffordable_until`). Where binary64 cannot hold the inputs exactly
    (:func:`~asukasbudjetti.rules.mes_interval.interval_supporters`), every trial is an
    exact run with its region. The steps record the endowments where the outcome
    changes, the one adopted in the end, and the one that stopped the walk; every
    endowment of the walk between two recorded steps funds what the earlier of them
    funds.
    """
    floats = interval_supporters(profile, supporters.rows, supporters.utilities, supporters.weights)
    steps = [_step(profile, first, accepted=True, reason="the plain Method of Equal Shares at B / n")]
    increment = params.add1_increment
    current = first
    endowment = Fraction(floor(first.endowment)) if params.add1_start == "floor" else first.endowment
    fundable = {j for j in candidates if profile.costs[j] > 0 and len(supporters.rows[j])}
    cost_utilities = profile.vote_type.is_approval_like and params.utilities == "cost"
    span, hold, next_hold = 1, 0, _HOLD[0]
    floating, floating_next = 0, _AFTER_MISS[0]
    if first.until is not None and first.until <= endowment + increment:
        # The first run's exact region ends before the walk's first endowment: start
        # with floating-point trials, as after a miss.
        floating, floating_next = floating_next, 4 * floating_next
    while not _walk_stops(profile, params, current, candidates, fundable, steps):
        if floating:
            # Where regions fail, a stretch no run of which can fund anything new is one step.
            skipped = _skip(profile, params, current, endowment, lottery, candidates, supporters, steps)
            if skipped is not None:
                current, endowment, floating, span = skipped, skipped.endowment, 0, 1
                continue
        lowest = endowment + increment
        funded: list[int] | None = None
        if floating and floats is not None:
            highest = endowment + span * increment
            funded = interval_run(profile, floats, cost_utilities, lowest, highest, candidates, lottery)
            if funded is None and span > 1:
                # A wider span failed here: keep the halved one a while before doubling
                # again (a city's runs may differ within every two increments).
                span, hold, next_hold = span // 2, next_hold, min(2 * next_hold, _HOLD[1])
                continue
        if floating:
            floating -= 1
        if funded is None:
            # An exact run, with its region: first (where exact regions reach far, on a
            # small election, they jump furthest), and where a floating-point run cannot
            # decide (an exact tie, money exactly at a share or a cost: round figures).
            trial = _mes_run(profile, params, lowest, lottery, candidates, supporters, trace=False, regions=True)
            further = 0 if trial.until is None else max(ceil((trial.until - lowest) / increment) - 1, 0)
            last = lowest + further * increment
            if not floating:
                if further >= max(_AFTER_MISS[0], span):
                    floating_next = _AFTER_MISS[0]
                else:
                    floating, floating_next = floating_next, min(4 * floating_next, _AFTER_MISS[1])
        else:
            trial = _Run(endowment=lowest, funded=funded, spent_units=sum(profile.cost_units[j] for j in funded))
            last = highest
            if hold:
                hold -= 1
            else:
                span = min(2 * span, _RANGE_CAP)
                if span > 2:
                    next_hold = _HOLD[0]
        if trial.spent_units > profile.budget_units:
            _adopted_last(profile, current, steps)
            steps.append(
                _step(profile, trial, accepted=False, reason="over the budget: stop with the previous outcome")
            )
            break
        if trial.funded != current.funded:
            steps.append(
                _step(profile, trial, accepted=True, reason="fits the budget: adopted (the outcome changes here)")
            )
        settled = (
            params.add1_stop_when_exhaustive and _exhaustive(profile, trial.funded, trial.spent_units, candidates)
        ) or set(trial.funded) >= fundable
        # A settled outcome stops the walk at the first endowment of the range.
        endowment = lowest if settled else last
        current = _Run(endowment=endowment, funded=trial.funded, spent_units=trial.spent_units)
    if current is not first:
        # The adopted endowment's rounds, recorded in full (trials ran without a trace).
        current = _mes_run(profile, params, current.endowment, lottery, candidates, supporters)
    return current, steps


def _adopted_last(profile: CompiledProfile, current: _Run, steps: list[CompletionStep]) -> None:
    """Record the endowment finally adopted, when it is not the change point recorded last."""
    if current.endowment != steps[-1].endowment:
        steps.append(
            _step(
                profile,
                current,
                accepted=True,
                reason=f"fits the budget: adopted (the same projects as from {format_money(steps[-1].endowment)})",
            )
        )


def _skipped_step(
    profile: CompiledProfile, current: _Run, first_skipped: Fraction, skip_to: Fraction
) -> CompletionStep:
    """The step of a stretch skipped by :func:`_unaffordable_until`, run only at its last endowment."""
    return _step(
        profile,
        current,
        accepted=True,
        reason=f"endowments from {format_money(first_skipped)} to {format_money(skip_to)}: no "
        "project funded by none of them has supporters who together reach its cost, so every run "
        "fits the budget and funds only projects funded before (run only at the last)",
        endowment=skip_to,
    )


def _walk_stops(
    profile: CompiledProfile,
    params: MesParams,
    current: _Run,
    candidates: Sequence[int],
    fundable: set[int],
    steps: list[CompletionStep],
) -> bool:
    """Whether the walk stops at ``current``, the outcome it has adopted, recording why:
    exhaustive (with the exhaustive stop), or nothing left that a raised endowment
    could fund."""
    if params.add1_stop_when_exhaustive and _exhaustive(profile, current.funded, current.spent_units, candidates):
        steps.append(
            _step(profile, current, accepted=True, reason="exhaustive: no unfunded project fits the money left; stop")
        )
        return True
    if set(current.funded) >= fundable:
        _adopted_last(profile, current, steps)
        return True
    return False


def _skip(
    profile: CompiledProfile,
    params: MesParams,
    current: _Run,
    tried: Fraction,
    lottery: list[int],
    candidates: Sequence[int],
    supporters: _Supporters,
    steps: list[CompletionStep],
) -> _Run | None:
    """The run at the end of the stretch :func:`_unaffordable_until` finds after ``tried``,
    with the step that records the stretch; None when there is no such stretch.

    Below the first endowment at which a project not funded now could be paid for by
    its supporters together, every run funds some of the projects funded now and
    nothing else: it fits the budget, is not exhaustive (a project that fits the money
    left now fits what such a run leaves) and leaves a project to fund, so the walk
    adopts each run and goes on. Only the last one matters: it is run, and one step
    says what was skipped (what each run between funds is not known). Without this, a
    pot whose only project left costs millions would walk millions of runs.
    """
    increment = params.add1_increment
    skip_to = _unaffordable_until(profile, current, tried, candidates, supporters, increment)
    if skip_to is None:
        return None
    last = (
        _Run(endowment=skip_to)
        if not current.funded
        else _mes_run(profile, params, skip_to, lottery, candidates, supporters, trace=False)
    )
    steps.append(_skipped_step(profile, last, tried + increment, skip_to))
    return last


def _unaffordable_until(
    profile: CompiledProfile,
    current: _Run,
    tried: Fraction,
    candidates: Sequence[int],
    supporters: _Supporters,
    increment: Fraction,
) -> Fraction | None:
    """The last endowment of the walk (``tried``, the last one it reached, plus a whole
    number of increments, at least two) below which no project that ``current`` leaves
    unfunded is affordable; None when there is no such stretch.

    A run funds a project only when its supporters together have its cost, and at
    endowment ``x`` the ``n`` voters listing it have at most ``x * n``: below
    ``cost / n`` a project cannot be funded in any round.
    """
    funded = set(current.funded)
    bounds = []
    for j in candidates:
        if j in funded:
            continue
        voters = int(profile.counts[supporters.rows[j]].sum())
        if profile.costs[j] > 0 and voters:
            bounds.append(profile.costs[j] / voters)
    if not bounds:
        return None
    steps = ceil((min(bounds) - tried) / increment) - 1  # the last step strictly below the bound
    return tried + steps * increment if steps >= 2 else None


def _add1_walk(
    profile: CompiledProfile,
    params: MesParams,
    first: _Run,
    lottery: list[int],
    candidates: Sequence[int],
    supporters: _Supporters,
) -> tuple[_Run, list[CompletionStep]]:
    """The add1 completion as defined: one MES run per increment, one step per run.

    Kept as the oracle of :func:`_add1` (tests/test_add1_jump.py): the same outcome,
    and the same funded projects at every endowment it tries.
    """
    steps = [
        _step(
            profile,
            first,
            accepted=True,
            reason="the plain Method of Equal Shares at B / n",
        )
    ]
    current = first
    endowment = Fraction(floor(first.endowment)) if params.add1_start == "floor" else first.endowment
    fundable = {j for j in candidates if profile.costs[j] > 0 and len(supporters.rows[j])}
    while True:
        if params.add1_stop_when_exhaustive and _exhaustive(profile, current.funded, current.spent_units, candidates):
            steps.append(
                _step(
                    profile,
                    current,
                    accepted=True,
                    reason="exhaustive: no unfunded project fits the money left; stop",
                )
            )
            break
        if set(current.funded) >= fundable:
            break  # nothing left that a raised endowment could fund
        endowment += params.add1_increment
        trial = _mes_run(profile, params, endowment, lottery, candidates, supporters, trace=False)
        fits = trial.spent_units <= profile.budget_units
        steps.append(
            _step(
                profile,
                trial,
                accepted=fits,
                reason="fits the budget: adopted" if fits else "over the budget: stop with the previous outcome",
            )
        )
        if not fits:
            break
        current = trial
    if current is not first:
        current = _mes_run(profile, params, current.endowment, lottery, candidates, supporters)
    return current, steps


def _compare(
    profile: CompiledProfile, params: MesParams, funded: Sequence[int], candidates: Sequence[int], lottery: list[int]
) -> Comparison:
    """Count the voters better off under each outcome; greedy wins only with more of them."""
    greedy, _ = _greedy_fill(profile, [], 0, candidates, lottery)
    rule_mask = np.zeros(profile.project_count, dtype=np.int64)
    rule_mask[list(funded)] = 1
    greedy_mask = np.zeros(profile.project_count, dtype=np.int64)
    greedy_mask[greedy] = 1
    approvals = profile.approvals.astype(np.int64)
    under_rule = approvals @ rule_mask
    under_greedy = approvals @ greedy_mask
    if params.comparison == "exclusion":
        prefer_rule = int(profile.counts[(under_rule > 0) & (under_greedy == 0)].sum())
        prefer_greedy = int(profile.counts[(under_greedy > 0) & (under_rule == 0)].sum())
    else:
        prefer_rule = int(profile.counts[under_rule > under_greedy].sum())
        prefer_greedy = int(profile.counts[under_greedy > under_rule].sum())
    return Comparison(
        measure=params.comparison,
        prefer_rule=prefer_rule,
        prefer_greedy=prefer_greedy,
        greedy_funded=tuple(profile.project_ids[j] for j in greedy),
        rule_funded=tuple(profile.project_ids[j] for j in funded),
        chosen="greedy" if prefer_greedy > prefer_rule else "rule",
    )
