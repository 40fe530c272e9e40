"""The largest cost at which the Method of Equal Shares funds a project, from one run.

Why one run is enough: take a project ``p`` that plain MES (no completion, no
comparison, no eligibility filter) leaves unfunded at its cost ``c0``. Lowering
``p``'s cost changes nothing but ``p``'s own price (the endowment ``B / n`` and
every other project's supporters and cost stay). Until ``p`` is chosen, the rounds
of the run with the lower cost are therefore the rounds of the recorded run: ``p``'s
presence only matters in a round it wins (a project that is priced and loses, or
is dropped as unaffordable, changes no one's money). So ``p`` is funded at cost
``c`` exactly when, in some round ``t`` of the recorded run (or after its last
round, when no other project is affordable), ``p`` at cost ``c`` beats that round's
winner: a lower price per unit of utility, or the same price and the tie-breaking
order (lower cost, then more votes, then the lottery) in its favour.

Within one round, with the supporters' money ``m_i`` of that round, ``p``'s price
only rises with its cost (and a lower cost also wins ties), so the costs at which
``p`` wins round ``t`` are ``1 .. c_t`` for one ``c_t``, found in closed form:

- cost utilities (approval, ``u_i(p) = c``): price ``q(c) / c`` with ``q(c)`` the
  per-voter cap, ``sum_i min(m_i, q) = c``. ``q(c) / c <= K`` (``K`` the winner's
  price) iff ``g(c) = sum_i min(m_i, K c) - c >= 0``; ``g`` is concave with
  ``g(0) = 0``, so ``{g >= 0}`` is an interval ``[0, c_max]``;
- cardinality and point utilities: price ``rho(c)``, the smallest ``rho`` with
  ``sum_i min(m_i, rho u_i) >= c``; ``rho(c) <= K`` iff ``c <= sum_i min(m_i, K u_i)``.

At ``c_max`` (in whole money units) the price is compared exactly with ``K``; an
equal price goes to the tie-breaking order. The answer is the largest ``c_t`` over
the rounds, each computed in exact arithmetic; :mod:`asukasbudjetti.audit.margins`
then confirms it with two re-tallies (funded at the answer, not one unit above).

The supporters' money in each round is replayed from the record's rounds (each
supporter pays ``min(money, q u)``), and each round's replay must add up to the
winner's cost exactly, or nothing is concluded from it (:class:`ReplayMismatchError`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from asukasbudjetti.model.outcome import EqualSharesParameters, MesRound, Outcome
from asukasbudjetti.profile import CompiledProfile
from asukasbudjetti.rules.equalshares import supporting_rows
from asukasbudjetti.rules.ties import lottery_ranks


class ReplayMismatchError(Exception):
    """The recorded rounds do not replay on the profile: the analysis does not apply."""


def applies(outcome: Outcome, profile: CompiledProfile) -> bool:
    """Whether the one-run analysis applies: plain MES (no completion, comparison, filter,
    or fund-everything shortcut) with a recorded trace, on ballots whose every listed
    project has a positive utility (approval, or positive points)."""
    params = outcome.params
    if not isinstance(params, EqualSharesParameters) or outcome.endowment is None:
        return False
    if (params.completion, params.comparison, params.eligibility_k) != ("none", "none", None):
        return False
    if params.everything_affordable or profile.has_paper_votes:
        return False
    if profile.vote_type.is_approval_like:
        return True
    return bool(np.all(profile.weights[profile.approvals] > 0))


class MesReplay:
    """The supporters' money before each round of a recorded plain MES run, replayed once
    for all the projects it left unfunded.

    Rows with the same money share a level (``money[row_level[r]]``), as the rule
    itself keeps them: a city has tens of thousands of distinct ballots but few
    distinct amounts of money left.
    """

    def __init__(self, profile: CompiledProfile, outcome: Outcome) -> None:
        self.profile = profile
        self.outcome = outcome
        self.approval = profile.vote_type.is_approval_like
        params = outcome.params
        assert isinstance(params, EqualSharesParameters)  # applies() checked it
        self.cost_utilities = self.approval and params.utilities == "cost"
        self.lottery = lottery_ranks(params.seed, profile.project_ids)
        # The rule's own supporters (as it charges them), from its own function.
        self.rows = supporting_rows(profile)
        #: Before each round, then after the last: (row levels, the round or None).
        self.states: list[tuple[np.ndarray, MesRound | None]] = []
        #: Every level's money, exact, and as a float for quick bounds.
        self.money: list[Fraction] = []
        self.approximate = np.zeros(0)
        self._replay()

    def utilities(self, j: int) -> np.ndarray:
        rows = self.rows[j]
        if self.approval:
            return np.ones(len(rows), dtype=np.int64)
        weights: np.ndarray = self.profile.weights[rows, j]
        return weights

    def _replay(self) -> None:
        profile, outcome = self.profile, self.outcome
        assert outcome.endowment is not None
        row_level = np.zeros(len(profile.counts), dtype=np.int64)
        money = self.money
        money.append(Fraction(outcome.endowment))
        for mes_round in outcome.mes_rounds:
            self.states.append((row_level, mes_round))
            winner = profile.index(mes_round.project_id)
            rows, utilities = self.rows[winner], self.utilities(winner)
            width = int(utilities.max()) + 1
            keys = row_level[rows] * width + utilities
            unique, inverse = np.unique(keys, return_inverse=True)
            voters = np.bincount(inverse, weights=profile.counts[rows]).astype(np.int64).tolist()
            q = Fraction(mes_round.q)
            paid = Fraction(0)
            new_levels: list[int] = []
            for key, count in zip(unique.tolist(), voters, strict=True):
                had = money[key // width]
                payment = min(had, q * (key % width))
                paid += payment * count
                new_levels.append(len(money))
                money.append(had - payment)
            if paid != mes_round.cost:
                raise ReplayMismatchError(
                    f"round {mes_round.round}: the supporters of {mes_round.project_id} pay {paid}, "
                    f"not its cost {mes_round.cost}"
                )
            row_level = row_level.copy()
            row_level[rows] = np.asarray(new_levels, dtype=np.int64)[inverse]
        self.states.append((row_level, None))
        self.approximate = np.array([float(m) for m in money])

    def groups(self, j: int, row_level: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Project ``j``'s supporters in one state: (levels, utilities, voters), one entry per distinct pair."""
        rows, utilities = self.rows[j], self.utilities(j)
        width = int(utilities.max()) + 1
        keys = row_level[rows] * width + utilities
        unique, inverse = np.unique(keys, return_inverse=True)
        voters = np.bincount(inverse, weights=self.profile.counts[rows]).astype(np.int64)
        return unique // width, unique % width, voters

    def exact(self, levels: np.ndarray, utilities: np.ndarray, voters: np.ndarray) -> list[tuple[Fraction, int, int]]:
        money = self.money
        return [
            (money[level], u, n)
            for level, u, n in zip(levels.tolist(), utilities.tolist(), voters.tolist(), strict=True)
        ]


#: A float bound below this relative distance from a value decides nothing: far more
#: than the rounding error of summing a city's money in binary floating point.
_SLACK = 1e-6


def largest_funded_cost(replay: MesReplay, j: int) -> int | None:
    """The largest cost below project ``j``'s own, in the profile's money units, at which
    the recorded plain MES run would have funded it (None: no positive cost does).

    :func:`applies` must hold. Every answer is computed in exact arithmetic; floats
    only pass over rounds whose most money the supporters hold (an upper bound on the
    cost they can win at) is, by far more than any rounding error, no more than the
    best answer found already.
    """
    profile = replay.profile
    current = profile.cost_units[j]
    if not len(replay.rows[j]) or current <= 1:
        return None
    votes = profile.supporters[j]
    denominator = profile.denominator
    staged = []
    for row_level, mes_round in replay.states:
        levels, utilities, voters = replay.groups(j, row_level)
        held = float(replay.approximate[levels] @ voters) * denominator
        staged.append((held, levels, utilities, voters, mes_round))
    best = 0
    # Money only shrinks: the last state holds the least. Try the richest first.
    for held, levels, utilities, voters, mes_round in sorted(staged, key=lambda s: -s[0]):
        if held * (1 + _SLACK) < best + 1:
            break  # this round and every later one in the order: at most ``best`` units
        groups = replay.exact(levels, utilities, voters)
        if mes_round is None:
            # After the last round no other project is affordable: p wins if its
            # supporters can pay for it.
            total = sum((m * n for m, _, n in groups), Fraction(0))
            found = min(math.floor(total * denominator), current - 1)
        else:
            found = _largest_winning(replay, groups, mes_round, j, votes, current)
        best = max(best, found)
    return best if best >= 1 else None


def _largest_winning(
    rounds: MesReplay, groups: list[tuple[Fraction, int, int]], mes_round: MesRound, j: int, votes: int, current: int
) -> int:
    """The largest cost in units (below ``current``; 0 if none) at which ``j`` beats the round's winner."""
    profile = rounds.profile
    denominator = profile.denominator
    winner = profile.index(mes_round.project_id)
    # The winner's price per unit of utility, as the rule compares prices.
    price = 1 / Fraction(mes_round.effective_vote_count)
    if rounds.cost_utilities and price * sum(n for _, _, n in groups) < 1:
        return 0  # even equal shares of all their money would cost more per unit
    if rounds.cost_utilities:
        ceiling = _cost_utility_ceiling(groups, price)
    else:
        ceiling = sum((min(m, price * u) * n for m, u, n in groups), Fraction(0))
    units = min(math.floor(ceiling * denominator), current - 1)
    winner_cost = profile.cost_units[winner]
    rest = (-votes, rounds.lottery[j]) < (-profile.supporters[winner], rounds.lottery[winner])

    def wins(c: int) -> bool:
        # At or below the ceiling the price is never above the winner's; an equal
        # price goes to the tie-breaking order: lower cost, then more votes, then lottery.
        found = _price(rounds, groups, Fraction(c, denominator))
        return found < price or c < winner_cost or (c == winner_cost and rest)

    # The costs that win the round are 1 .. c_t (a lower cost never raises the price and
    # wins more ties). The price equals the winner's at the ceiling alone, or (all
    # supporters paying equal shares at exactly the winner's price) on the whole range,
    # where the lower cost decides: so c_t is one of these, the largest that wins.
    for c in sorted({units, units - 1, winner_cost, winner_cost - 1}, reverse=True):
        if 1 <= c <= units and wins(c):
            return c
    return 0


def _cost_utility_ceiling(groups: Sequence[tuple[Fraction, int, int]], price: Fraction) -> Fraction:
    """The largest ``c`` with ``sum_i min(m_i, price * c) >= c`` (``g`` concave, ``g(0) = 0``)."""
    ordered = sorted(groups)
    supporters = sum(n for _, _, n in ordered)
    if price * supporters < 1:
        return Fraction(0)  # even equal shares of the whole endowment cost more than K per unit
    capped = Fraction(0)  # money of the supporters whose money is below price * c
    uncapped = supporters

    def g(c: Fraction) -> Fraction:
        return capped + price * c * uncapped - c

    previous = Fraction(0)
    for m, _, n in ordered:
        breakpoint_ = m / price
        value = g(breakpoint_)
        if value < 0:
            # The root lies on the segment [previous, breakpoint_], where g is linear.
            start = g(previous)
            slope = (value - start) / (breakpoint_ - previous)
            return previous - start / slope
        capped += m * n
        uncapped -= n
        previous = breakpoint_
    return capped  # beyond the richest supporter everyone pays all: g(c) = total - c


def _price(rounds: MesReplay, groups: Sequence[tuple[Fraction, int, int]], cost: Fraction) -> Fraction:
    """``j``'s exact price per unit of utility at ``cost`` (the supporters can afford it)."""
    if rounds.cost_utilities:
        # The smallest cap q with sum min(m, q) >= cost; the price is q / cost.
        ordered = sorted((m, n) for m, _, n in groups)
        paid, uncapped = Fraction(0), sum(n for _, n in ordered)
        for m, n in ordered:
            if paid + m * uncapped >= cost:
                return (cost - paid) / uncapped / cost
            paid += m * n
            uncapped -= n
        raise ReplayMismatchError("the supporters cannot afford the cost the ceiling allowed")
    # The smallest rho with sum min(m, rho u) >= cost.
    ordered_groups = sorted(groups, key=lambda g: g[0] / g[1])
    paid, weight = Fraction(0), sum(u * n for _, u, n in ordered_groups)
    for m, u, n in ordered_groups:
        if paid + m / u * weight >= cost:
            return (cost - paid) / weight
        paid += m * n
        weight -= u * n
    raise ReplayMismatchError("the supporters cannot afford the cost the ceiling allowed")
