"""The utilitarian optimum (``max-welfare``): the most welfare the budget can buy.

Definition (../docs/rules.md, "Utilitarian optimum"): among all sets of projects
whose total cost fits in the budget ``B``, choose one of largest total welfare,
the welfare of a set being the sum of its projects' welfare. The ``objective``
says what a project's welfare is:

- ``"cost"`` (the default: approval with cost utilities, as pabutools'
  ``max_additive_utilitarian_welfare`` with ``Cost_Sat``): ``votes(p) * cost(p)``
  for approval and choose-1 ballots, each supporter valuing the project at its
  cost. Cumulative, scoring and ordinal ballots have points rather than
  approvals, so there the welfare is ``score(p) * cost(p)`` (points, or positional
  score, times cost).
- ``"score"``: ``score(p)`` (votes for approval and choose-1, points for
  cumulative and scoring, positional score for ordinal).

Projects never funded: withdrawn ones (pabulib's sentinel cost 999999999), those
costing more than the budget, and those of zero (or negative) welfare, which add
nothing; in particular, with the ``"cost"`` objective a free project has zero
welfare and is not funded. With ``"score"``, a free project of positive score is
in every optimal set and is funded.

Choice among equal optima, a total order on sets that depends on project ids
(through the lottery), never on the order projects are listed in: the smaller
total cost; then the set that funds the lottery-first project (the lottery order
of :mod:`asukasbudjetti.rules.ties` for ``options.seed``) among the projects on
which the two sets disagree. As no optimal set contains another (every project
funded adds welfare), this is the same as preferring the set whose lottery places,
sorted, come first lexicographically.

Method: a 0/1 knapsack, solved exactly in Python integers (costs and the budget in
the profile's scaled units, never floats) by depth-first branch and bound over the
projects in decreasing welfare per unit of cost, started from the greedy-by-ratio
set. A subtree is cut when Dantzig's fractional-knapsack bound on its welfare
(rounded down: welfare is an integer) falls short of the best set found, or
when it can at most equal that welfare and the fractional least cost of reaching
it (rounded up) is no lower than the best set's cost. A second search looks for
another set of optimal welfare; only when one of the same least cost exists does a
third, depth-first in lottery order (each project tried in before out), pick the
first optimal set of least cost it meets, which is the one the lottery order
prefers. Knapsack is NP-hard, so a contrived instance could take long (many
projects of equal welfare per unit of cost make it subset sum), but every file of
the pabulib sample (up to ~95 projects, budgets up to tens of millions of units)
takes milliseconds.

The outcome records: ``funded`` ordered by welfare (highest first), then lower
cost, then lottery; ``optimum`` (the objective, the optimal total welfare as an
exact amount, in money for ``"cost"``, the method and the choice rule); and, when
another set of the same total welfare exists, one :class:`Tie` at ``step`` 1.
``settled_by`` is ``("lower total cost",)`` when every other optimal set costs
more, ``("lottery",)`` when some other optimal set costs the same; ``projects``
lists the projects on which the funded set and one other optimal set (of least
cost among the others) disagree, the funded set's first, each part in lottery
order.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Literal

from asukasbudjetti.model.outcome import MaxWelfareParameters, Optimum, Outcome, Tie
from asukasbudjetti.profile import CompiledProfile
from asukasbudjetti.rules.ties import lottery_ranks

if TYPE_CHECKING:
    # Only for the annotation: rules/__init__.py imports this module to register it.
    from asukasbudjetti.rules.options import RuleOptions

RULE_NAME = "max-welfare"
METHOD = (
    "branch and bound (depth-first, Dantzig fractional-knapsack bound on welfare and "
    "fractional least cost of the best welfare, exact integer arithmetic)"
)
CHOICE_AMONG_OPTIMA = (
    "lower total cost, then the set funding the lottery-first project among those the optimal sets disagree on"
)

Objective = Literal["cost", "score"]


def project_welfare(profile: CompiledProfile, objective: Objective) -> list[int]:
    """Each project's welfare in exact integers (money in the profile's scaled units)."""
    if objective == "score":
        return list(profile.scores)
    per_unit = profile.supporters if profile.vote_type.is_approval_like else profile.scores
    return [count * cost for count, cost in zip(per_unit, profile.cost_units, strict=True)]


def _objective_text(profile: CompiledProfile, objective: Objective) -> str:
    if objective == "score":
        return "sum of score(p)"
    if profile.vote_type.is_approval_like:
        return "sum of votes(p) * cost(p)"
    return "sum of score(p) * cost(p)"


def run_max_welfare(profile: CompiledProfile, options: RuleOptions, *, objective: Objective = "cost") -> Outcome:
    """Fund the set of largest total welfare that fits in the budget (see the module docstring)."""
    if objective not in ("cost", "score"):
        raise ValueError(f"objective must be 'cost' or 'score', not {objective!r}")
    welfare = project_welfare(profile, objective)
    costs = profile.cost_units
    capacity = profile.budget_units
    lottery = lottery_ranks(options.seed, profile.project_ids)
    eligible = [
        j for j in range(profile.project_count) if not profile.withdrawn[j] and welfare[j] > 0 and costs[j] <= capacity
    ]
    # Free projects of positive welfare (only with "score") are in every optimal set.
    free = [j for j in eligible if costs[j] == 0]
    # The knapsack's items, in lottery order: bit i of a set's mask is items[i].
    items = sorted((j for j in eligible if costs[j] > 0), key=lambda j: lottery[j])
    item_welfare = [welfare[j] for j in items]
    item_costs = [costs[j] for j in items]

    def totals(mask: int) -> tuple[int, int]:
        chosen = [i for i in range(len(items)) if mask >> i & 1]
        return sum(item_welfare[i] for i in chosen), sum(item_costs[i] for i in chosen)

    # 1. One optimal set of least cost. The empty set fits, so one is found.
    first = _knapsack(item_welfare, item_costs, capacity, at_least=0, exclude=None) or 0
    best_welfare, least_cost = totals(first)
    # 2. Another set of optimal welfare, if any: the least costly such.
    other = _knapsack(item_welfare, item_costs, capacity, at_least=best_welfare, exclude=first, enough_at=least_cost)
    chosen_mask = first
    ties: tuple[Tie, ...] = ()
    if other is not None:
        if totals(other)[1] == least_cost:
            # 3. Optimal sets of equal cost: the lottery order chooses among them.
            chosen_mask = _lottery_first(item_welfare, item_costs, capacity, best_welfare, least_cost)
            if chosen_mask != first:
                other = first
        ties = (_tie(profile, items, lottery, chosen_mask, other),)

    chosen = free + [items[i] for i in range(len(items)) if chosen_mask >> i & 1]
    total_welfare = sum(welfare[j] for j in chosen)
    funded = sorted(chosen, key=lambda j: (-welfare[j], costs[j], lottery[j]))
    spent = sum(costs[j] for j in funded)
    value = profile.money(total_welfare) if objective == "cost" else Fraction(total_welfare)
    return Outcome(
        rule=RULE_NAME,
        params=MaxWelfareParameters(objective=objective, seed=options.seed, choice_among_optima=CHOICE_AMONG_OPTIMA),
        budget=profile.budget,
        funded=tuple(profile.project_ids[j] for j in funded),
        spent=profile.money(spent),
        left=profile.money(capacity - spent),
        ties=ties,
        optimum=Optimum(
            objective=_objective_text(profile, objective),
            value=value,
            method=METHOD,
            choice_among_optima=CHOICE_AMONG_OPTIMA,
        ),
        steps=(),
        reserve=None,
    )


def _tie(profile: CompiledProfile, items: list[int], lottery: list[int], chosen_mask: int, other_mask: int) -> Tie:
    costs = profile.cost_units
    only_chosen = [j for i, j in enumerate(items) if chosen_mask >> i & 1 and not other_mask >> i & 1]
    only_other = [j for i, j in enumerate(items) if other_mask >> i & 1 and not chosen_mask >> i & 1]
    same_cost = sum(costs[j] for j in only_chosen) == sum(costs[j] for j in only_other)
    differing = sorted(only_chosen, key=lambda j: lottery[j]) + sorted(only_other, key=lambda j: lottery[j])
    return Tie(
        step=1,
        projects=tuple(profile.project_ids[j] for j in differing),
        settled_by=("lottery",) if same_cost else ("lower total cost",),
        decisive=True,
    )


class _Bounds:
    """Fractional bounds over items ``start..`` taken in decreasing welfare per unit of cost.

    The order compares ratios exactly (as fractions). Greedy in that order solves
    both fractional relaxations: the most welfare for some money (Dantzig's bound),
    and the least cost of some welfare. Every set's welfare and cost are integers,
    so the first is rounded down and the second up.
    """

    def __init__(self, welfare: Sequence[int], costs: Sequence[int], start: int = 0) -> None:
        self.order = sorted(range(start, len(welfare)), key=lambda i: Fraction(-welfare[i], costs[i]))
        self.welfare = [welfare[i] for i in self.order]
        self.costs = [costs[i] for i in self.order]
        self.prefix_welfare = [0]
        self.prefix_cost = [0]
        for w, c in zip(self.welfare, self.costs, strict=True):
            self.prefix_welfare.append(self.prefix_welfare[-1] + w)
            self.prefix_cost.append(self.prefix_cost[-1] + c)

    def most_welfare(self, i: int, money: int) -> int:
        """At most this much welfare fits in ``money`` from the items from place ``i`` on."""
        n = len(self.order)
        limit = self.prefix_cost[i] + money
        last = bisect_right(self.prefix_cost, limit, i, n + 1) - 1
        bound = self.prefix_welfare[last] - self.prefix_welfare[i]
        if last < n:
            bound += (limit - self.prefix_cost[last]) * self.welfare[last] // self.costs[last]
        return bound

    def least_cost(self, i: int, needed: int) -> int | None:
        """Reaching ``needed`` welfare from the items from place ``i`` on costs at least this.

        ``None`` when those items do not have that much welfare.
        """
        if needed <= 0:
            return 0
        n = len(self.order)
        goal = self.prefix_welfare[i] + needed
        t = bisect_left(self.prefix_welfare, goal, i, n + 1)
        if t > n:
            return None
        # Items i..t-2 whole, then the needed part of item t-1, rounded up.
        short = goal - self.prefix_welfare[t - 1]
        return self.prefix_cost[t - 1] - self.prefix_cost[i] - (-short * self.costs[t - 1] // self.welfare[t - 1])


def _knapsack(
    welfare: Sequence[int],
    costs: Sequence[int],
    capacity: int,
    *,
    at_least: int,
    exclude: int | None,
    enough_at: int | None = None,
) -> int | None:
    """The set (a bit mask) of most welfare, then least cost, among those that fit.

    Only sets of welfare at least ``at_least`` count, and not ``exclude``, whose
    proper subsets must not count either (true for the callers: ``exclude`` is
    optimal, and dropping an item loses welfare); ``None`` when no set counts.
    ``enough_at``: stop at the first counted set of welfare ``at_least`` costing
    that (no counted set does better). Every welfare and cost is a positive integer.
    """
    bounds = _Bounds(welfare, costs)
    n = len(bounds.order)
    w, c = bounds.welfare, bounds.costs
    prefix_welfare, prefix_cost = bounds.prefix_welfare, bounds.prefix_cost
    bit = [1 << i for i in bounds.order]
    tail_bits = [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        tail_bits[i] = tail_bits[i + 1] | bit[i]

    # The best set so far: (welfare, cost, mask); a counted set must beat the start.
    best_welfare, best_cost, best_mask = at_least, capacity + 1, None
    if exclude is None:
        # Start from the greedy-by-ratio set: a good first bound cuts early.
        money, greedy_welfare, mask = capacity, 0, 0
        for i in range(n):
            if c[i] <= money:
                money -= c[i]
                greedy_welfare += w[i]
                mask |= bit[i]
        if greedy_welfare >= at_least:
            best_welfare, best_cost, best_mask = greedy_welfare, capacity - money, mask

    # Depth-first, explicit stack: (next place, money left, welfare, cost, set so far).
    stack = [(0, capacity, 0, 0, 0)]
    while stack:
        i, money, value, spent, mask = stack.pop()
        limit = prefix_cost[i] + money
        last = bisect_right(prefix_cost, limit, i, n + 1) - 1
        if last == n:
            # Everything left fits: taking it all is best in this subtree (most welfare;
            # every other set here has less, so none counts when this one is excluded).
            candidate = mask | tail_bits[i]
            whole = value + prefix_welfare[n] - prefix_welfare[i]
            cost = spent + prefix_cost[n] - prefix_cost[i]
            if (whole, -cost) > (best_welfare, -best_cost) and candidate != exclude:
                best_welfare, best_cost, best_mask = whole, cost, candidate
                if enough_at is not None and cost <= enough_at:
                    return best_mask
            continue
        most = value + bounds.most_welfare(i, money)
        if most < best_welfare:
            continue
        if most == best_welfare:
            # At best a tie on welfare: worth exploring only for a lower cost.
            cheapest = bounds.least_cost(i, best_welfare - value)
            if cheapest is None or spent + cheapest >= best_cost:
                continue
        # Leave item i out (explored second), put it in (explored first) when it fits.
        stack.append((i + 1, money, value, spent, mask))
        if c[i] <= money:
            stack.append((i + 1, money - c[i], value + w[i], spent + c[i], mask | bit[i]))
    return best_mask


def _lottery_first(welfare: Sequence[int], costs: Sequence[int], capacity: int, target: int, target_cost: int) -> int:
    """The first set in lottery order (a bit mask) of welfare ``target`` costing ``target_cost``.

    The items are in lottery order. Depth-first, trying each item in before out,
    meets sets in the order "funds the lottery-first item on which two sets
    disagree" first, so the first set found is the one that order prefers. No set
    has more welfare or, at that welfare, less cost (the callers found those
    values), and subtrees that the bounds show cannot reach both are cut.
    """
    n = len(welfare)
    suffix_bounds: dict[int, _Bounds] = {}
    stack = [(0, capacity, 0, 0, 0)]
    while stack:
        i, money, value, spent, mask = stack.pop()
        if i == n:
            if value == target and spent == target_cost:
                return mask
            continue
        bounds = suffix_bounds.get(i)
        if bounds is None:
            bounds = suffix_bounds[i] = _Bounds(welfare, costs, i)
        if value + bounds.most_welfare(0, money) < target:
            continue
        cheapest = bounds.least_cost(0, target - value)
        if cheapest is None or spent + cheapest > target_cost:
            continue
        stack.append((i + 1, money, value, spent, mask))
        if costs[i] <= money:
            stack.append((i + 1, money - costs[i], value + welfare[i], spent + costs[i], mask | 1 << i))
    raise AssertionError("unreachable: the branch and bound found a set of this welfare and cost")
