"""Margins of defeat: how far each unfunded project was from being funded.

For every project a rule did not fund (withdrawn projects are left out),
:func:`compute_margins` answers two questions, each by re-running the same rule on a
changed copy of the election, everything else fixed (the other ballots, the other
costs, the budget, the seed, the rule's parameters):

- ``extra_supporters`` (approval and choose-1 ballots only): the smallest number
  ``k`` of additional voters, each casting a ballot that approves this project alone,
  with which it would be funded (in the compiled profile: ``k`` more casts of the
  ballot approving it alone, exactly what compiling the file with ``k`` such more
  ballots gives).
- ``max_cost``: the largest cost at or below its current cost at which it would
  have been funded, exact, in the election's smallest money unit ``1 / D``, ``D``
  being the least common denominator of the budget and the costs (the unit the
  compiled profile counts in: 1 for whole euros, 1/100 for cents). ``None`` when no
  such cost funds it, not even 0 (or, under rules that never fund a free project,
  the smallest positive unit).

Every answer is found by exact search, never estimated: each probe re-runs the
rule, with the options the tally used (:func:`~asukasbudjetti.tally.resolve_rule`),
on a changed copy of the compiled profile; the file is read, validated and
compiled once.

``extra_supporters``: an exponential search (``k = 1, 2, 4, ...`` up to
``max_extra``, by default the number of voters + 1) for a ``k`` that funds the
project, then a binary search below it, then a confirmation that ``k - 1`` does
not fund it (re-tallied, or already tallied by the search). This gives the smallest
``k`` when funding is monotone in ``k`` (``k`` funds it, so does every larger
``k'``). That holds, and the search alone is exact, for:

- the greedy family (``greedy``, ``-no-skip``, ``-threshold``, ``-exclusive``,
  ``-custom``, ``-per-cost``, ``top1-greedy``): more supporters can only move the
  project earlier in the walking order, and the walk before its turn does not
  depend on it, so it meets at least as much money, no stop and no funded rival of
  its exclusive group that it would not meet later. Ties do not break this here:
  they are settled by lower cost and then by a lottery order drawn from the seed
  and the project ids, neither of which the new ballots change; a tie-breaker that
  depended on the ballots (say, more voters in some district) could.
- ``phragmen``: until the project is chosen the rounds are those without the new
  voters (who approve nothing else), and its ``s(p)`` is strictly lower with more
  of them (ties: lower cost, then more votes), so it is chosen no later, when no
  less money is left.
- ``max-welfare``: more supporters add the same welfare to every set containing
  the project, so an optimal set containing it stays better than every set without.

For the other rules (the Method of Equal Shares and its completions: new voters
also lower everyone's endowment ``B / n``, so no such argument holds) every
smaller ``k`` is re-tallied too, up to ``k = 50``. When a ``k`` below the one the
search found funds the project, the rule is not monotone in ``k`` here: the
method says so, with the witness, and the answer is the smallest ``k`` of a linear
scan ``1..50``. When no ``k`` up to ``max_extra`` funds it, the method says so and
a linear scan up to 50 looks further (from ``max_extra + 1`` for the monotone rules,
as nothing below can fund it, from 1 for the others).

``max_cost``: with the cost in integer units ``c`` (the project is unfunded at
``c``), probe the bottom of the range (cost 0; for the rules without a
monotonicity argument first the smallest positive unit, as Equal Shares never funds
a free project), then binary search between a funding cost and ``c``, then confirm
that the value found funds the project and one unit more does not. Funding is
monotone in the cost (any lower cost funds it too) for the greedy family (a lower
cost can only move the project earlier, through the tie on lower cost or its score
per cost, and it needs less money) and for ``phragmen`` (lower ``s(p)`` in every
round); there the binary search is exact. For greedy with skip the answer is the
money left at the project's turn, unless a lower cost moves it ahead of projects
tied with it on score, where more money is left (see the tests' hand-worked
examples). For the other rules (Equal Shares; ``max-welfare``, whose welfare
``votes * cost`` falls with the cost) the costs above the boundary are re-tallied
from ``c - 1`` downwards, up to 50 of them; a funding cost found there means the
rule is not monotone in the cost and is the exact largest (every cost above it was
tallied), and the method says so.

Plain Equal Shares (no completion, comparison, eligibility filter or fund-everything
shortcut) needs no search for the cost: lowering a project's cost leaves the run as
it was until the project wins a round, so the largest funding cost is the largest
cost at which it wins some round of the tally's own run (or is affordable after
its last round), found per round in closed form
(:mod:`~asukasbudjetti.audit.mes_margins`), then confirmed by two re-tallies. For
the extra supporters, a ``k`` with which the project's supporters hold less than
its cost at the start (``(N + k) B / (n + k) < c``) cannot fund it (money only
shrinks): those ``k`` are not tallied, and the linear scan starts above them.

``method`` reads ``supporters: CODE (details); cost: CODE (details)``. Codes:

- ``exact-search``: the search above, on a rule monotone in the quantity; exact.
- ``exact-search-checked``: the search, and every value on the wrong side of the
  boundary re-tallied; exact.
- ``exact-analysis``: (cost, plain Equal Shares) the one-run analysis above,
  confirmed: funded at the answer, not one unit above; exact.
- ``not-monotone``: a witness that the rule is not monotone here (given in the
  details); the answer is the smallest ``k`` of a linear scan up to 50 (for the
  cost: the largest funding cost, every cost above it tallied); exact within the scan.
- ``over-max-extra``: no ``k`` up to ``max_extra`` funds it; the answer is the
  smallest ``k`` of the linear scan up to 50, or ``None``; exact up to
  ``max(max_extra, 50)``.
- ``boundary-only``: the search found ``k`` (cost ``v``) funding it and ``k - 1``
  (``v`` + 1 unit) not, but the linear check stopped at its cap of 50 probes, so a
  smaller ``k`` (a larger cost) may still fund it. Not guaranteed exact.
- ``not-applicable``: extra supporters are only defined for approval and choose-1.

Under the greedy family the answer can only be where the project's place in the
walk or whether it fits changes: its score meeting another project's score (or
score per cost), the threshold, a tied project's cost, the money left at a step.
Those breakpoints are searched first (a binary search over a few hundred values:
about ten probes), and the answer is kept only when the probes confirm it (``k``
funds it and ``k - 1`` does not; the cost funds it and one unit more does not);
otherwise the general search runs.

Performance: ``tally Poland_Warszawa_2026.pb --rule greedy --margins`` (65
unfunded projects, 61,668 voters) takes about 1.3 s as a whole process (it took
4 min 28 s when every probe re-read and re-validated the file). Under the other
rules a project costs about ``2 log2(max_extra) + log2(c) + 4`` probes, plus up to
50 more per question, each a full run of the rule on the profile.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from fractions import Fraction
from functools import partial

import numpy as np

from asukasbudjetti.audit import mes_margins
from asukasbudjetti.errors import RuleError
from asukasbudjetti.model import Election
from asukasbudjetti.model.outcome import EqualSharesParameters, GreedyParameters, Outcome
from asukasbudjetti.model.record import Margin, PabulibInvocation, Record
from asukasbudjetti.profile import CompiledProfile, compile_profile
from asukasbudjetti.rules import check_ballots
from asukasbudjetti.rules.ties import DEFAULT_SEED
from asukasbudjetti.tally import OFFICIAL, resolve_rule, tally_file_and_election

#: The largest ``k`` (or the most costs) a linear scan or check probes.
LINEAR_SCAN_CAP = 50

GREEDY_FAMILY = frozenset(
    {
        "greedy",
        "greedy-no-skip",
        "greedy-threshold",
        "greedy-exclusive",
        "greedy-custom",
        "greedy-per-cost",
        "top1-greedy",
    }
)
#: Rules under which funding is monotone in the number of extra supporters.
MONOTONE_IN_SUPPORT = GREEDY_FAMILY | {"phragmen", "max-welfare"}
#: Rules under which funding is monotone in the project's cost (lower never hurts).
MONOTONE_IN_COST = GREEDY_FAMILY | {"phragmen"}


def tally_file_with_margins(
    path: str | os.PathLike[str],
    *,
    rule: str = OFFICIAL,
    seed: int = DEFAULT_SEED,
    exclusive: Sequence[Sequence[str]] = (),
    threshold: Fraction | int | str | None = None,
    params: Sequence[tuple[str, str]] = (),
    strict: bool = False,
    max_extra: int | None = None,
) -> Record:
    """Tally one ``.pb`` file (as :func:`~asukasbudjetti.tally.tally_file`), then add the margins.

    The file is read and validated once; ``tally --margins`` and ``verify`` of such a
    record run this.
    """
    record, election = tally_file_and_election(
        path, rule=rule, seed=seed, exclusive=exclusive, threshold=threshold, params=params, strict=strict
    )
    return add_margins(record, election, max_extra=max_extra)


def add_margins(record: Record, election: Election, *, max_extra: int | None = None) -> Record:
    """``record`` (of a tally of ``election``) with the margin of each project it leaves unfunded.

    The margins are found under the record's own invocation (rule, seed, exclusive
    groups, threshold, parameters), and the invocation then says ``margins``, so that
    ``verify`` computes them again.
    """
    invocation = record.invocation
    if not isinstance(invocation, PabulibInvocation) or len(record.outcomes) != 1:
        raise RuleError("margins are computed for the record of one pabulib file, not of a cycle")
    found = compute_margins(
        election,
        rule=invocation.rule,
        seed=invocation.seed,
        exclusive=invocation.exclusive,
        threshold=invocation.threshold,
        params=invocation.params,
        max_extra=max_extra,
    )
    pot = record.outcomes[0].model_copy(update={"margins": tuple(found.values())})
    return record.model_copy(update={"outcomes": (pot,), "invocation": invocation.model_copy(update={"margins": True})})


def compute_margins(
    election: Election,
    *,
    rule: str,
    seed: int = DEFAULT_SEED,
    exclusive: Sequence[Sequence[str]] = (),
    threshold: Fraction | int | str | None = None,
    params: Sequence[tuple[str, str]] = (),
    max_extra: int | None = None,
) -> dict[str, Margin]:
    """The margin of every project ``rule`` leaves unfunded, by project id in file order.

    The arguments are :func:`~asukasbudjetti.tally.tally_election`'s; ``max_extra``
    bounds the exponential search for extra supporters (default: the number of
    voters + 1). Withdrawn projects are left out; funded projects have no margin.
    """
    if max_extra is None:
        max_extra = len(election.ballots) + 1
    if max_extra < 1:
        raise ValueError(f"max_extra must be at least 1, not {max_extra}")
    # The rule and its options exactly as the tally runs them; every probe re-runs only
    # the rule, on a changed copy of the compiled profile (never the reader or validation).
    spec, options = resolve_rule(
        election, rule=rule, seed=seed, exclusive=exclusive, threshold=threshold, params=params
    )
    profile = compile_profile(election)
    check_ballots(spec, profile)
    base = spec.run(profile, options)
    rule_name = spec.name
    greedy = rule_name in GREEDY_FAMILY

    one_run_mes = mes_margins.applies(base, profile)

    def funds(changed: CompiledProfile, project_id: str) -> bool:
        if one_run_mes:
            # Plain Equal Shares: the run stops once the project is funded or dropped.
            return funds_project(changed, mes_params, changed.index(project_id))
        return project_id in spec.run(changed, options).funded

    replay: mes_margins.MesReplay | None = None
    if one_run_mes:
        from asukasbudjetti.rules.equalshares import MesParams, funds_project

        try:
            replay = mes_margins.MesReplay(profile, base)
        except mes_margins.ReplayMismatchError:
            replay = None  # the general search for the cost; nothing concluded from the replay

        recorded = base.params
        assert isinstance(recorded, EqualSharesParameters)  # applies() checked it
        mes_params = MesParams(
            utilities="cardinality" if recorded.utilities == "cardinality" else "cost", seed=recorded.seed
        )
    funded = set(base.funded)
    approval_like = election.vote_type.is_approval_like
    # Where each project's lone approval already is among the distinct ballots (-1: nowhere).
    lone = _lone_approval_rows(profile) if approval_like else []
    margins: dict[str, Margin] = {}
    for index, project in enumerate(election.projects):
        project_id = project.project_id
        if project.withdrawn or project_id in funded:
            continue
        affordable_from = _affordable_from(profile, index) if one_run_mes and approval_like else 1
        if affordable_from is None:
            extra, support_method = None, (
                "exact-analysis (it costs more than the whole budget, more than its supporters can ever hold)"
            )
        elif approval_like:
            supported = _SupportersAdded(profile, index, lone[index])
            extra, support_method = _smallest_extra(
                partial(_funds_with_supporters, funds, supported, project_id),
                max_extra=max_extra,
                monotone=rule_name in MONOTONE_IN_SUPPORT,
                breakpoints=_support_breakpoints(profile, index) if greedy else None,
                unfunded_below=affordable_from,
            )
        else:
            extra, support_method = None, f"not-applicable ({election.vote_type.value} ballots)"
        funds_at_cost = partial(_funds_at_cost, funds, profile, index, project_id)
        analysed = _mes_largest_cost(replay, index, funds_at_cost) if one_run_mes else None
        if analysed is not None:
            units, cost_method = analysed
        else:
            units, cost_method = _largest_cost(
                funds_at_cost,
                current=profile.cost_units[index],
                monotone=rule_name in MONOTONE_IN_COST,
                breakpoints=_cost_breakpoints(profile, base, index) if greedy else None,
            )
        margins[project_id] = Margin(
            project_id=project_id,
            extra_supporters=extra,
            max_cost=None if units is None else Fraction(units, profile.denominator),
            method=f"supporters: {support_method}; cost: {cost_method}",
        )
    return margins


def _affordable_from(profile: CompiledProfile, j: int) -> int | None:
    """Plain Equal Shares: the fewest extra voters approving project ``j`` alone with which
    its supporters can afford it in the first round (None: never).

    With ``k`` of them, each of the ``n + k`` voters holds ``B / (n + k)``, and the
    ``N + k`` supporters together ``(N + k) B / (n + k)``; money only shrinks in later
    rounds, so with less than the cost at the start the project is never funded. The
    smallest ``k`` with ``(N + k) B >= c (n + k)``, i.e. ``k (B - c) >= c n - N B``.
    """
    n, supporters = profile.voter_count, profile.supporters[j]
    budget, cost = profile.budget, profile.costs[j]
    if n == 0:
        return 1
    shortfall = cost * n - supporters * budget
    if shortfall <= 0:
        return 0
    if budget <= cost:
        return None
    return math.ceil(shortfall / (budget - cost))


def _mes_largest_cost(
    replay: mes_margins.MesReplay | None, j: int, funds: Callable[[int], bool]
) -> tuple[int | None, str] | None:
    """Plain Equal Shares: the largest funding cost from the tally's own run
    (:mod:`~asukasbudjetti.audit.mes_margins`), confirmed by re-tallies: funded at the
    answer and not one unit above (not at the smallest positive cost when there is no
    answer). None when the analysis does not replay or is not confirmed: the general
    search then runs."""
    if replay is None:
        return None
    current = replay.profile.cost_units[j]
    units = mes_margins.largest_funded_cost(replay, j)
    if units is None:
        if current > 1 and funds(1):
            return None
        return None, "exact-analysis (no positive cost wins a round of the run; re-tallied at the smallest unit)"
    if not funds(units) or (units + 1 < current and funds(units + 1)):
        return None
    return units, "exact-analysis (the largest cost winning a round of the run; re-tallied, one unit more not funded)"


def _funds_with_supporters(
    funds: Callable[[CompiledProfile, str], bool], supported: _SupportersAdded, project_id: str, k: int
) -> bool:
    return funds(supported.profile(k), project_id)


def _funds_at_cost(
    funds: Callable[[CompiledProfile, str], bool], profile: CompiledProfile, j: int, project_id: str, units: int
) -> bool:
    return funds(with_cost(profile, j, units), project_id)


def _lone_approval_rows(profile: CompiledProfile) -> list[int]:
    """For each project, the distinct ballot approving it alone, if some voters cast one (else -1)."""
    rows = [-1] * profile.project_count
    nonzero = profile.weights != 0
    single = np.flatnonzero(nonzero.sum(axis=1) == 1)
    for row in single:
        j = int(np.flatnonzero(nonzero[row])[0])
        if profile.weights[row, j] == 1 and rows[j] < 0:
            rows[j] = int(row)
    return rows


class _SupportersAdded:
    """Project ``j``'s profile with ``k`` more voters approving it alone, for any ``k``.

    As compiling the changed file would give it: ``k`` more casts of the distinct
    ballot approving ``j`` alone when there is one (row ``lone``), else one more
    distinct ballot cast ``k`` times. The rows are built once per project; each ``k``
    changes only the counts.
    """

    def __init__(self, profile: CompiledProfile, j: int, lone: int) -> None:
        self.base, self.j, self.lone = profile, j, lone
        if lone < 0:
            alone = np.zeros((1, profile.project_count), dtype=np.int64)
            alone[0, j] = 1
            self.weights = np.vstack([profile.weights, alone])
            self.approvals = np.vstack([profile.approvals, alone != 0])
        else:
            self.weights, self.approvals = profile.weights, profile.approvals

    def profile(self, k: int) -> CompiledProfile:
        base, j = self.base, self.j
        if self.lone >= 0:
            counts = base.counts.copy()
            counts[self.lone] += k
        else:
            counts = np.append(base.counts, np.int64(k))
        return base.model_copy(
            update={
                "weights": self.weights,
                "approvals": self.approvals,
                "counts": counts,
                "supporters": tuple(v + k if i == j else v for i, v in enumerate(base.supporters)),
                "scores": tuple(v + k if i == j else v for i, v in enumerate(base.scores)),
                "voter_count": base.voter_count + k,
            }
        )


def with_supporters(profile: CompiledProfile, j: int, k: int) -> CompiledProfile:
    """``profile`` with ``k`` more voters, each approving project ``j`` alone (approval and choose-1)."""
    return _SupportersAdded(profile, j, _lone_approval_rows(profile)[j]).profile(k)


def with_cost(profile: CompiledProfile, j: int, units: int) -> CompiledProfile:
    """``profile`` with project ``j`` costing ``units`` of the profile's money unit."""
    return profile.model_copy(
        update={
            "cost_units": tuple(units if i == j else u for i, u in enumerate(profile.cost_units)),
            "costs": tuple(profile.money(units) if i == j else c for i, c in enumerate(profile.costs)),
        }
    )


def _support_breakpoints(profile: CompiledProfile, j: int) -> list[int]:
    """Under a greedy rule, the numbers of extra supporters at which project ``j``'s place in
    the walk (or whether it passes the threshold) can change: its score meeting or passing
    another project's score, or score per cost; between two of them the walk is the same,
    so the smallest ``k`` that funds it is one of them (the search checks that it is)."""
    s, c = profile.scores[j], profile.cost_units[j]
    found = {1}
    for q in range(profile.project_count):
        if q == j or profile.withdrawn[q]:
            continue
        gap = profile.scores[q] - s
        found.update((gap, gap + 1))
        if c and profile.cost_units[q]:
            crossing = Fraction(profile.scores[q] * c, profile.cost_units[q]) - s
            found.update((math.floor(crossing), math.floor(crossing) + 1))
    # A threshold in score units is at most the largest score plus one: covered by the
    # gaps above when some project reaches it; the top of the range is probed anyway.
    return sorted(found)


def _cost_breakpoints(profile: CompiledProfile, base: Outcome, j: int) -> list[int]:
    """Under a greedy rule, the costs (in money units) at which project ``j``'s place in the
    walk or whether it fits can change: the money left at each step of the walk (and the
    cost a reserve share of it covers), and the costs and score-per-cost crossings of the
    projects it may tie with or overtake."""
    s = profile.scores[j]
    found = {0}
    for step in base.steps:
        left = int(step.money_left * profile.denominator)
        found.update((left, left + 1))
        share = base.params.reserve_share if isinstance(base.params, GreedyParameters) else None
        if share:
            covered = math.floor(Fraction(left) / share)
            found.update((covered, covered + 1))
    for q in range(profile.project_count):
        if q == j or profile.withdrawn[q]:
            continue
        other = profile.cost_units[q]
        found.update((other - 1, other, other + 1))
        if profile.scores[q]:
            crossing = math.floor(Fraction(s * other, profile.scores[q]))
            found.update((crossing - 1, crossing, crossing + 1))
    return sorted(found)


def _smallest_extra(
    funds: Callable[[int], bool],
    *,
    max_extra: int,
    monotone: bool,
    breakpoints: Sequence[int] | None = None,
    unfunded_below: int = 1,
) -> tuple[int | None, str]:
    """The smallest ``k >= 1`` with ``funds(k)`` (``funds(0)`` is false), and the method.

    ``unfunded_below``: every ``k`` below it is proven not to fund the project (under
    plain Equal Shares: its supporters cannot afford it from the first round), so
    those ``k`` are not tallied and the linear scan starts there.

    ``breakpoints`` (a monotone rule only): values among which the answer lies; a
    binary search over them finds it in a few probes, and the answer is kept only when
    ``k`` funds the project and ``k - 1`` does not, else the full search runs.
    """
    known: dict[int, bool] = {0: False}
    # The linear scan of a rule not known to be monotone: LINEAR_SCAN_CAP values from here.
    low = max(1, unfunded_below)
    top = low + LINEAR_SCAN_CAP - 1
    below = f"; below k={low} its supporters cannot afford it from the start" if low > 1 else ""

    def probe(k: int) -> bool:
        if k < unfunded_below:
            return False
        if k not in known:
            known[k] = funds(k)
        return known[k]

    if monotone and breakpoints is not None:
        candidates = sorted({k for k in breakpoints if 1 <= k < max_extra} | {max_extra})
        if probe(candidates[-1]):
            failing, funding = -1, len(candidates) - 1  # candidates[funding] funds it; [failing] (if any) does not
            while funding - failing > 1:
                middle = (failing + funding) // 2
                if probe(candidates[middle]):
                    funding = middle
                else:
                    failing = middle
            smallest = candidates[funding]
            if not probe(smallest - 1):
                return smallest, "exact-search (k-1 not funded; rule monotone in k)"

    def scan(start: int, stop: int) -> int | None:
        return next((k for k in range(start, stop + 1) if probe(k)), None)

    # Exponential search for a k that funds it, bounded by max_extra.
    lo, hi, k = 0, None, 1
    while hi is None:
        k = min(k, max_extra)
        if probe(k):
            hi = k
        elif k == max_extra:
            break
        else:
            lo, k = k, 2 * k
    if hi is None:
        # Under a monotone rule nothing up to max_extra can fund it: look beyond.
        found = scan(max_extra + 1, LINEAR_SCAN_CAP) if monotone else scan(low, top)
        if found is not None and found < max_extra:
            return found, (
                f"not-monotone (funded with k={found}, not with k={max_extra}); smallest k by linear scan "
                f"{low}..{top}{below}"
            )
        if found is None:
            if monotone:
                return None, f"over-max-extra (no k up to {max(max_extra, LINEAR_SCAN_CAP)} funds it)"
            return None, f"over-max-extra (no k up to {top}, nor k={max_extra}, funds it{below})"
        return found, f"over-max-extra (none up to max_extra={max_extra}); smallest k by linear scan up to {top}"
    # Binary search: lo does not fund it, hi does.
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if probe(mid):
            hi = mid
        else:
            lo = mid
    # Confirm the boundary with tallies (they are cached from the search).
    if not probe(hi) or probe(hi - 1):  # pragma: no cover - the search's invariant
        raise AssertionError(f"margin search lost its boundary at k={hi}")
    if monotone:
        return hi, "exact-search (k-1 not funded; rule monotone in k)"
    # Not known to be monotone: re-tally every smaller k, up to the cap.
    found = scan(low, min(top, hi - 1))
    if found is not None and found < hi:
        return found, (
            f"not-monotone (funded with k={found}, not with k={hi - 1}); smallest k by linear scan {low}..{top}{below}"
        )
    if hi - 2 > top:
        return hi, f"boundary-only (k={hi - 1} not funded; smaller k checked only up to {top}{below})"
    if low > 1:
        return hi, f"exact-search-checked (every smaller k from {low} re-tallied{below})"
    return hi, "exact-search-checked (every smaller k re-tallied)"


def _largest_cost(
    funds: Callable[[int], bool], *, current: int, monotone: bool, breakpoints: Sequence[int] | None = None
) -> tuple[int | None, str]:
    """The largest ``u < current`` (units) with ``funds(u)`` (``funds(current)`` is false).

    ``breakpoints`` (a monotone rule only): values among which the answer lies; the
    answer found among them is kept only when ``u`` funds the project and ``u + 1``
    does not, else the full search runs.
    """
    known: dict[int, bool] = {current: False}

    def probe(units: int) -> bool:
        if units not in known:
            known[units] = funds(units)
        return known[units]

    if monotone and breakpoints is not None and current > 0 and probe(0):
        candidates = sorted({u for u in breakpoints if 0 <= u < current} | {0})
        funding, failing = 0, len(candidates)  # candidates[funding] funds it; candidates[failing] (if any) does not
        while failing - funding > 1:
            middle = (funding + failing) // 2
            if probe(candidates[middle]):
                funding = middle
            else:
                failing = middle
        units = candidates[funding]
        if not probe(units + 1):
            return units, "exact-search (one unit more not funded; rule monotone in the cost)"

    if current == 0:
        return None, "exact-search (the cost is already 0)"
    # The bottom of the range: cost 0, and first the smallest positive unit for rules
    # that may pass over free projects (Equal Shares never funds a free project).
    lo: int | None
    if not monotone and current >= 2 and probe(1):
        lo = 1
    elif probe(0):
        lo = 0
    else:
        lo = None
    if lo is not None:
        hi = current
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if probe(mid):
                lo = mid
            else:
                hi = mid
        # Confirm: the value found funds it, one unit more does not.
        if not probe(lo) or probe(lo + 1):  # pragma: no cover - the search's invariant
            raise AssertionError(f"margin search lost its boundary at {lo} units")
    if monotone:
        if lo is None:
            return None, "exact-search (not funded even at cost 0; rule monotone in the cost)"
        return lo, "exact-search (one unit more not funded; rule monotone in the cost)"
    # Not known to be monotone: re-tally the costs above the boundary, from the top.
    floor = lo + 2 if lo is not None else 2
    for probes, units in enumerate(range(current - 1, floor - 1, -1)):
        if probes == LINEAR_SCAN_CAP:
            return lo, (
                f"boundary-only (one unit more not funded; costs {floor}..{units} units not re-tallied, "
                f"cap {LINEAR_SCAN_CAP})"
            )
        if probe(units):
            below = 0 if lo is None else lo + 1
            return units, (
                f"not-monotone (funded at {units} units, not at {below}); largest cost, every cost above re-tallied"
            )
    if lo is None:
        return None, "exact-search-checked (no cost below the current one funds it; every cost re-tallied)"
    return lo, "exact-search-checked (every cost above re-tallied)"
