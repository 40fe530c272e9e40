"""Equal Shares runs in certified floating point, for the add1 completion's trials.

The add1 completion (:mod:`asukasbudjetti.rules.equalshares`) needs, for each
endowment it tries, only which projects a Method of Equal Shares run funds, in
order. An exact run is slow on a city (tens of thousands of distinct ballots,
money in fractions whose denominators grow with every price). This module runs
MES in binary floating point *with every quantity enclosed in an interval that
provably contains the exact value*, and answers only when every decision of the
run is certain:

- each voter's money lies in ``[lo, hi]`` (kept as ``lo`` per voter and one width
  for all);
- a project's price per unit of utility, ``rho``, the smallest with
  ``sum(c_i * min(m_i, rho * u_i)) == cost``, is decreasing in every ``m_i``, so the
  price of any money between ``lo`` and ``hi`` lies between the price of ``hi`` and
  the price of ``lo``; a candidate bound is *certified* by evaluating that sum at
  the bound, with the rounding error of the evaluation bounded (Higham, *Accuracy
  and Stability of Numerical Algorithms*, 2nd ed., section 4.2: a floating-point
  sum of ``n`` terms is within ``gamma_{n-1} = (n - 1) u / (1 - (n - 1) u)`` of the
  sum of the absolute values of its terms, ``u = 2**-53``; here with margin);
- a project wins a round only when its whole interval lies below every other
  project's; a project is dropped only when even the most money its supporters may
  have falls short of its cost;
- a payment ``max(0, m - rho * u)`` is increasing in ``m`` and decreasing in ``rho``,
  so the new money lies between the payment of the ends, widened by the rounding
  of the two operations.

A run whose decisions are all certain funds exactly what the exact run funds, in
the same order; where two intervals overlap (a true tie, or a near one) the run
says so by returning None, and the caller runs the exact rule. The same run over a
whole *range* of endowments (every voter starts with money in ``[x_a, x_b]``)
certifies that every endowment of the range funds the same projects in the same
order: the add1 completion jumps over such a range in one run. This does not
depend on which supporters pay all they have (the exact regions of
:func:`~asukasbudjetti.rules.equalshares._mes_run` do), so it survives the changes
of structure that end those regions every fraction of a unit on a city.

Nothing here reaches an outcome or a record: the run that is adopted is run again
exactly, with its trace.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any, cast

import numpy as np

from asukasbudjetti.profile import CompiledProfile

FloatArray = np.ndarray[Any, np.dtype[np.float64]]

#: Unit roundoff of IEEE binary64.
_U = 2.0**-53
#: Integers up to this size are exact in binary64.
_EXACT_INTEGERS = 2**53
#: Points up to this size: a payment numbers (money level, points) pairs as
#: ``level * (points + 1) + points`` in 64-bit integers.
_LARGEST_POINTS = 2**24
#: Relative half-widths tried, in order, when certifying an approximate price: the
#: first is above the rounding of a sum of a city's ballots, the last
#: leaves intervals too wide to separate anything but clear winners.
_MARGINS = (2.0**-40, 2.0**-30, 2.0**-20)


class IntervalSupporters:
    """Each project's supporters as floating-point arrays, built once per election.

    ``None`` from :func:`interval_supporters` when some count, utility or cost is too
    large to be exact in binary64 (the run would then not be certain of its inputs).
    """

    def __init__(
        self,
        rows: list[np.ndarray],
        counts: list[FloatArray],
        weighted: list[FloatArray],
        utilities: list[FloatArray | None],
        keys: list[np.ndarray | None],
        weights: list[int],
    ) -> None:
        self.rows = rows
        #: Voters per supporting row.
        self.counts = counts
        #: Voters times utility per supporting row (the same as ``counts`` on approval).
        self.weighted = weighted
        #: Utility per supporting row; None when every supporter's is 1 (approval).
        self.utilities = utilities
        #: Utility per supporting row as integers (None on approval): a payment sends
        #: the rows of one money level with one utility to one new level.
        self.keys = keys
        #: The supporters' total utility, exact and as a float.
        self.integer_weights = weights
        self.weights = [float(w) for w in weights]
        #: The number of supporters, as a one-element array.
        self.voters = [np.array([c.sum()]) for c in counts]


def interval_supporters(
    profile: CompiledProfile, rows: list[np.ndarray], utilities: list[np.ndarray], weights: list[int]
) -> IntervalSupporters | None:
    """The float arrays for :func:`interval_run`, or None when an input is not exact in
    binary64 (a count, a cost, the budget or a total utility of 2**53 or more) or
    points are too large to number levels by (2**24 or more)."""
    if max(profile.cost_units, default=0) >= _EXACT_INTEGERS or profile.budget_units >= _EXACT_INTEGERS:
        return None
    if max(weights, default=0) >= _EXACT_INTEGERS:
        return None
    approval = profile.vote_type.is_approval_like
    float_counts = profile.counts.astype(np.float64)
    counts: list[FloatArray] = []
    weighted: list[FloatArray] = []
    utils: list[FloatArray | None] = []
    keys: list[np.ndarray | None] = []
    for r, u in zip(rows, utilities, strict=True):
        c = float_counts[r]
        counts.append(c)
        if approval:
            weighted.append(c)
            utils.append(None)
            keys.append(None)
        else:
            if len(u) and int(np.abs(u).max()) >= _LARGEST_POINTS:
                return None
            uf = u.astype(np.float64)
            utils.append(uf)
            keys.append(u)
            # Each product is below 2**53 * 2**53: its rounding is bounded like any other.
            weighted.append(c * uf)
    return IntervalSupporters(rows, counts, weighted, utils, keys, weights)


def _down(x: float) -> float:
    return math.nextafter(x, -math.inf)


def _up(x: float) -> float:
    return math.nextafter(x, math.inf)


def _bounds(x: Fraction) -> tuple[float, float]:
    """Floats below and above ``x`` (``float`` of a Fraction is correctly rounded)."""
    f = float(x)
    return _down(f), _up(f)


class _Price:
    """A project's price per unit of utility, in money units: ``low <= rho <= high``."""

    __slots__ = ("equal", "high", "low")

    def __init__(self, low: float, high: float, equal: int | None = None) -> None:
        self.low = low
        self.high = high
        #: When every supporter with money left pays an equal share: their total
        #: utility, and the price is exactly cost / that.
        self.equal = equal


def _paid(money: FloatArray, counts: FloatArray, utilities: FloatArray | None, rho: float) -> float:
    """The computed ``sum(c_i * min(m_i, rho * u_i))`` (rounded)."""
    cap = rho if utilities is None else rho * utilities
    return float(np.dot(counts, np.minimum(money, cap)))


def _solve(
    money: FloatArray, counts: FloatArray, weighted: FloatArray, utilities: FloatArray | None, cost: float
) -> float:
    """An approximate price: supporters sorted by what they can pay per unit of utility,
    the first whose share at the price of those after her she can afford sets it
    (only the certification that follows makes the answer trusted)."""
    ratio = money if utilities is None else money / utilities
    order = np.argsort(ratio, kind="stable")
    ratio = ratio[order]
    spent = counts[order] * money[order]
    # Paid by those before each supporter (who pay all they have), and the utility left.
    before = np.cumsum(spent) - spent
    weighted_sorted = weighted[order]
    rest = weighted_sorted[::-1].cumsum()[::-1]
    share = (cost - before) / rest
    fits = np.flatnonzero(share <= ratio)
    return float(share[fits[0]]) if len(fits) else float(ratio[-1])


def _price(
    lo: FloatArray,
    width: float,
    counts: FloatArray,
    weighted: FloatArray,
    utilities: FloatArray | None,
    weight: int,
    cost: float,
) -> _Price | bool:
    """The certified price interval of a project whose supporters have money in
    ``[lo, lo + width]``; False when they certainly cannot afford it; True when that
    is not certain either way, or no interval could be certified.

    ``weight`` is the total utility of these supporters (those known to have nothing
    left may be left out: they pay nothing at any price)."""
    n = len(counts)
    if not n:
        return False
    # Twice the relative error bound of a computed sum of n non-negative rounded
    # products (gamma_{n+1}), so that the rounding of each check below is covered too.
    gamma = (n + 4) * 4.0 * _U
    margins = [max(margin, 8.0 * gamma) for margin in _MARGINS]
    equal = cost / weight
    cheapest = float(lo.min() if utilities is None else (lo / utilities).min())
    if cheapest >= equal * (1.0 + margins[0]):
        # Every supporter can pay an equal share (so they can afford it): the price is
        # cost / weight itself.
        return _Price(_down(_down(equal)), _up(_up(equal)), equal=weight)
    if utilities is None:
        return _approval_price(lo, width, counts, float(weight), cost, gamma, margins)
    # (The sum rounds down by at most half a unit roundoff: the factor covers it.)
    hi = (lo + width) * (1.0 + 2.0 * _U)
    most = float(np.dot(counts, hi))
    if most * (1.0 + gamma) < cost:
        return False
    least = float(np.dot(counts, lo))
    if least * (1.0 - gamma) < cost:
        return True  # affordable or not, it is not certain
    # The price of the most money is the lower end; of the least money, the higher.
    rho = _solve(hi, counts, weighted, utilities, cost)
    # lo is hi less a little: one Newton step from rho on lo's payments (concave, so
    # the step stays below lo's price) comes near it without sorting again.
    cap = rho if utilities is None else rho * utilities
    uncapped = lo > cap
    rest = float(np.dot(weighted, uncapped))
    short = cost - float(np.dot(counts, np.where(uncapped, cap, lo)))
    rho_high = rho + short / rest if rest > 0.0 and short > 0.0 else rho
    for margin in margins:
        low = rho * (1.0 - margin)
        # Below the price for every money up to hi: even hi pays less than the cost there.
        if _paid(hi, counts, utilities, low) * (1.0 + gamma) >= cost:
            continue
        high = rho_high * (1.0 + margin)
        if _paid(lo, counts, utilities, high) * (1.0 - gamma) < cost:
            continue
        return _Price(low, high)
    return True


def _approval_price(
    lo: FloatArray, width: float, counts: FloatArray, weight: float, cost: float, gamma: float, margins: list[float]
) -> _Price | bool:
    """:func:`_price` where every supporter's utility is 1, from one sort of ``lo``.

    For ANY set S of supporters, ``sum(c * min(m, rho)) <= money of S + rho * (voters
    outside S)``, so the price is at least ``(cost - money of S) / (voters outside S)``:
    with S the supporters who pay all they have at the price of ``lo`` and their
    money at most ``lo + width`` each, a lower end. And ``sum(c * min(lo, high))`` is exactly the money
    of those with ``lo <= high`` plus ``high`` times the others: where that reaches
    the cost, ``high`` is an upper end (sums rounded, bounded by ``gamma``).
    """
    order = np.argsort(lo)
    lo_sorted = lo[order]
    voters = counts[order]
    # Inclusive prefix sums: the first k supporters' money at lo and at hi, and their number.
    paid_lo = np.cumsum(voters * lo_sorted)
    least = float(paid_lo[-1])
    if (least + width * weight) * (1.0 + gamma) < cost:
        return False  # even the most money they may have falls short
    if least * (1.0 - gamma) < cost:
        return True  # affordable or not, it is not certain
    counted = np.cumsum(voters)
    # At the price lo_k, those before k pay all they have and the others lo_k each:
    # the first k where that reaches the cost sets the price, a share of lo_k or less.
    fits = paid_lo + lo_sorted * (weight - counted) >= cost
    k = int(fits.argmax())
    if not fits[k]:
        return True
    others_k = weight - float(counted[k]) + float(voters[k])
    rho = (cost - (float(paid_lo[k]) - float(voters[k]) * float(lo_sorted[k]))) / others_k
    in_s = float(counted[k - 1]) if k else 0.0  # exact: whole numbers
    money_s = float(paid_lo[k - 1]) + width * in_s if k else 0.0
    others = weight - in_s
    # (The subtraction and the division round once each, relative to their results.)
    low = _down((cost - money_s * (1.0 + gamma)) / others * (1.0 - 4.0 * _U))
    for margin in margins:
        high = rho * (1.0 + margin)
        below = int(np.searchsorted(lo_sorted, high, side="right"))
        paying_all = float(paid_lo[below - 1]) if below else 0.0
        rest = weight - (float(counted[below - 1]) if below else 0.0)
        if (paying_all + high * rest) * (1.0 - gamma) >= cost:
            return _Price(low, high)
    return True


class _Levels:
    """Every row's money as an interval, rows with the same history sharing a *level*
    (as the exact run's levels): a price reads one interval per level present among
    the supporters, not one per row. Level 0 is "nothing left"."""

    def __init__(self, row_count: int, lo: float, hi: float) -> None:
        self.of_row = np.ones(row_count, dtype=np.int64)
        self.lo = np.zeros(64)
        self.lo[1] = lo
        #: Every level's money is at least its ``lo`` and at most ``lo + width`` (one
        #: width for all: a payment widens every interval it touches by about as much,
        #: the width of the price, so one bound costs little and halves the work).
        self.width = _up(hi - lo)
        #: No one's money is ever above this.
        self.top = hi
        self.size = 2
        self.compact_at = row_count // 2 + 1024
        self.paid = False
        #: This round's supporters by level, per project priced (approval): the
        #: winner's are reused by ``pay``.
        self.grouped: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def supporters(
        self, supporters: IntervalSupporters, j: int
    ) -> tuple[FloatArray, float, FloatArray, FloatArray, FloatArray | None, int]:
        """Project ``j``'s supporters as (lo, width, voters, voters times utility,
        utility, total utility); on approval ballots, those with nothing left (level 0)
        are left out of all of it."""
        utilities = supporters.utilities[j]
        weight = supporters.integer_weights[j]
        if utilities is None and not self.paid:
            # Nobody has paid yet: every supporter has the starting money.
            return self.lo[1:2], self.width, supporters.voters[j], supporters.voters[j], None, weight
        levels = self.of_row[supporters.rows[j]]
        if utilities is None:
            voters = cast(FloatArray, np.bincount(levels, weights=supporters.counts[j], minlength=self.size))
            present = voters.nonzero()[0]
            self.grouped[j] = (levels, present)
            if len(present) and present[0] == 0:
                # They pay nothing at any price: a price where all the others pay equal
                # shares is then exactly cost / the others (an exact tie is told).
                weight -= int(voters[0])
                present = present[1:]
            counts = voters[present]
            return self.lo[present], self.width, counts, counts, None, weight
        return self.lo[levels], self.width, supporters.counts[j], supporters.weighted[j], utilities, weight

    def pay(self, supporters: IntervalSupporters, j: int, price: _Price) -> None:
        """Project ``j``'s supporters pay ``min(m, rho * u)``: each (level, utility) present
        moves to a new level, or to level 0 when surely nothing is left."""
        rows = supporters.rows[j]
        keys = supporters.keys[j]
        place: np.ndarray | None = None
        if keys is None:
            if j in self.grouped:
                levels, present = self.grouped[j]
            else:
                levels = self.of_row[rows]
                present = np.bincount(levels, minlength=self.size).nonzero()[0]
            old, utility = present, None
            # Old level -> new level, filled in below.
            place = np.zeros(self.size, dtype=np.int64)
        else:
            levels = self.of_row[rows]
            span = int(keys.max()) + 1
            pairs, inverse = np.unique(levels * span + keys, return_inverse=True)
            old, utility = pairs // span, (pairs % span).astype(np.float64)
        most_utility = 1.0 if utility is None else float(utility.max())
        pay_high = price.high if utility is None else price.high * utility
        pay_low = price.low if utility is None else price.low * utility
        m_lo, width = self.lo[old], self.width
        # max(0, m - rho * u) for m in [lo, lo + width]: from lo - high * u to lo + width
        # - low * u, each rounded at most thrice, so widened by four unit roundoffs of
        # the sizes; surely nothing is left where even the top end is not above 0.
        new_lo = np.maximum(0.0, (m_lo - pay_high) - 4.0 * _U * (m_lo + pay_high))
        left = (m_lo + width - pay_low) + 4.0 * _U * (m_lo + width + pay_low) > 0.0
        # Every new interval is at most the old width plus the price's, plus the roundings.
        spread = (price.high - price.low) * most_utility
        self.width = (width + spread + 8.0 * _U * (self.top + width + price.high * most_utility)) * (1.0 + 4.0 * _U)
        count = int(left.sum())
        if self.size + count > len(self.lo):
            self.lo = np.concatenate([self.lo, np.zeros(max(len(self.lo), count))])
        target = np.zeros(len(old), dtype=np.int64)
        target[left] = np.arange(self.size, self.size + count)
        self.lo[self.size : self.size + count] = new_lo[left]
        self.size += count
        if place is None:
            self.of_row[rows] = target[inverse]
        else:
            place[old] = target
            self.of_row[rows] = place[levels]
        self.grouped.clear()
        self.paid = True
        if self.size > self.compact_at:
            self._compact()

    def _compact(self) -> None:
        """Renumber the levels some row is still at (level 0 stays 0): a price reads the
        levels by their number, so dead ones would cost every later price. The next
        compaction waits until the levels have doubled again."""
        used = np.bincount(self.of_row, minlength=self.size) > 0
        used[0] = True
        self.of_row = (np.cumsum(used) - 1)[self.of_row]
        self.lo = np.concatenate([self.lo[: self.size][used], np.zeros(64)])
        self.size = int(used.sum())
        self.compact_at = max(self.compact_at, 2 * self.size)


def _first_round(
    supporters: IntervalSupporters, costs: Sequence[int], projects: Sequence[int], lo: float, hi: float
) -> dict[int, _Price | bool] | None:
    """The first round's answers on approval ballots, where every supporter has the
    starting money: a project's supporters can pay equal shares, or cannot afford it
    (``n * x < cost``), or it is too close to tell (left to :func:`_price`)."""
    if any(supporters.utilities[j] is not None for j in projects):
        return None
    answers: dict[int, _Price | bool] = {}
    for j in projects:
        cost, voters = float(costs[j]), supporters.weights[j]
        equal = cost / voters
        # Each bound is off by a few roundings at most: 2**-40 is far above them.
        if lo >= equal * (1.0 + _MARGINS[0]):
            answers[j] = _Price(_down(_down(equal)), _up(_up(equal)), equal=supporters.integer_weights[j])
        elif hi * voters * (1.0 + _MARGINS[0]) < cost:
            answers[j] = False
    return answers


def interval_run(
    profile: CompiledProfile,
    supporters: IntervalSupporters,
    cost_utilities: bool,
    lowest: Fraction,
    highest: Fraction,
    eligible: Sequence[int],
    lottery: Sequence[int],
) -> list[int] | None:
    """The projects every MES run at an endowment from ``lowest`` to ``highest`` funds,
    in order; None when this run cannot certify that (a tie, a near tie, an
    affordability too close to call, or a range too wide): run the exact rule then.
    """
    if highest * profile.denominator >= _EXACT_INTEGERS:
        return None  # beyond every cost (and near the end of floats for a huge increment)
    lo_start, _ = _bounds(lowest * profile.denominator)
    _, hi_start = _bounds(highest * profile.denominator)
    money = _Levels(len(profile.counts), lo_start, hi_start)
    costs = profile.cost_units
    rows = supporters.rows
    remaining = [j for j in eligible if costs[j] > 0 and len(rows[j]) > 0 and not profile.withdrawn[j]]
    # Keys order projects as the exact run does: the price per unit of utility, over
    # the cost with cost utilities (q / cost).
    per_unit = {j: float(costs[j]) if cost_utilities else 1.0 for j in remaining}
    bound = dict.fromkeys(remaining, 0.0)  # a lower bound of each project's key

    def exact_key(j: int, weight: int) -> Fraction:
        # The exact rule's key when the price is cost / weight: cost / (weight * per unit).
        return Fraction(costs[j], weight * (costs[j] if cost_utilities else 1))

    funded: list[int] = []
    first = _first_round(supporters, costs, remaining, lo_start, hi_start)
    while remaining:
        remaining.sort(key=bound.__getitem__)
        best_high: float | None = None
        prices: dict[int, _Price] = {}
        highs: dict[int, float] = {}
        dropped: list[int] = []
        for j in remaining:
            if best_high is not None and bound[j] > best_high:
                break
            known = None if first is None else first.get(j)
            found = _price(*money.supporters(supporters, j), float(costs[j])) if known is None else known
            if found is False:
                dropped.append(j)
                continue
            if found is True:
                return None
            # Dividing by the per-unit figure rounds once: widen by one unit roundoff each way.
            key_low = _down(found.low / per_unit[j])
            highs[j] = _up(found.high / per_unit[j])
            bound[j] = max(bound[j], key_low)
            prices[j] = found
            if best_high is None or highs[j] < best_high:
                best_high = highs[j]
        for j in dropped:
            remaining.remove(j)
        if best_high is None:
            break
        winner = min(highs, key=highs.__getitem__)
        # Certain if every other project's key is surely above the winner's; or if all
        # that may not be are paid in equal shares, whose keys are exact fractions
        # (cost utilities: a project's effective vote count is then its number of
        # supporters, and equal counts tie exactly): the exact rule's order decides.
        # (Those not priced this round have a bound above best_high: the loop stopped
        # at the first of them, in the order of the bounds.)
        contenders = [j for j in prices if bound[j] <= best_high]
        if len(contenders) > 1:
            weights = {j: prices[j].equal for j in contenders}
            exact = {j: exact_key(j, w) for j, w in weights.items() if w is not None}
            if len(exact) < len(contenders):
                return None
            winner = min(contenders, key=lambda j: (exact[j], costs[j], -profile.supporters[j], lottery[j]))
        money.pay(supporters, winner, prices[winner])
        first = None
        funded.append(winner)
        remaining.remove(winner)
    return funded
