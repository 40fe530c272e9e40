"""The greedy family: the rules most cities use.

``greedy`` orders projects by ``score`` (votes for approval and choose-1, points for
cumulative and scoring, positional score for ordinal), highest first, walks the
list and funds every project whose cost fits in the money left, skipping those that
do not. Variants (../docs/rules.md):

- ``greedy-no-skip``: stop at the first project that does not fit.
- ``greedy-threshold``: projects scoring below a threshold are passed over.
- ``greedy-exclusive``: once one project of a group of mutually exclusive projects
  is funded, the others in the group are passed over.
- ``greedy-custom`` (Poznań's reserve rule): ``greedy-no-skip``, then the first project
  that did not fit is still funded when the money left covers at least 80% of its
  cost, the gap coming from a reserve outside the pot; then the rule stops.
- ``greedy-per-cost``: order by ``score / cost`` instead of ``score``.
- ``top1-greedy`` (Tampere): the most supported project first, whatever its cost if
  it fits the pot, then greedy fills the rest (by score, or by score per cost).

Every rule passes over withdrawn projects (pabulib's sentinel cost 999999999), and
``greedy-no-skip`` does not stop at one. Ties in the ordering are broken by
``tie_break``: ``cost`` (the default) takes the lower cost first, then the seeded
lottery (:mod:`asukasbudjetti.rules.ties`); ``published-order`` takes the project
the city listed first (its order in the file), as the cities whose outcomes are in
pabulib did (``--rule official`` uses it; see ../docs/rules.md for the evidence);
``lottery`` the seeded lottery alone. Each tie is recorded with the criteria that
settled it and whether it was decisive.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, ConfigDict

from asukasbudjetti.errors import RuleError
from asukasbudjetti.model.outcome import Decision, GreedyParameters, GreedyStep, Outcome, ReserveUse, Tie
from asukasbudjetti.money import format_money
from asukasbudjetti.profile import CompiledProfile
from asukasbudjetti.rules.ties import DEFAULT_SEED, lottery_ranks

#: Poznań funds the first project that does not fit if the pot covers 80% of it.
POZNAN_RESERVE_SHARE = Fraction(4, 5)

#: How ties on the ordering criterion are settled, and how the record names each way.
TieBreak = Literal["cost", "published-order", "lottery"]
TIE_BREAKING: dict[str, str] = {
    "cost": "lower cost, then lottery",
    "published-order": "published order",
    "lottery": "lottery",
}

#: Money left, whether the walk has stopped, the exclusive groups already funded.
_WalkState = tuple[int, bool, frozenset[int]]


class GreedyParams(BaseModel):
    """Everything a greedy rule needs besides the profile.

    ``threshold``: projects with ``score < threshold`` are passed over.
    ``skip``: go on past a project that does not fit (else stop there).
    ``order``: ``score`` or ``score-per-cost``. ``exclusive``: groups of mutually
    exclusive project ids. ``reserve_share``: with ``skip=False``, fund the first
    project that does not fit when the money left is at least this share of its cost.
    ``top1_first``: fund the highest-scoring project before the rest.
    ``tie_break``: how projects tied on the ordering criterion are ordered (see the
    module docstring).
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    threshold: Fraction | None = None
    skip: bool = True
    order: Literal["score", "score-per-cost"] = "score"
    exclusive: tuple[tuple[str, ...], ...] = ()
    reserve_share: Fraction | None = None
    top1_first: bool = False
    seed: int = DEFAULT_SEED
    tie_break: TieBreak = "cost"

    def as_record(self) -> GreedyParameters:
        """The parameters as the record shows them."""
        return GreedyParameters(
            threshold=self.threshold,
            skip=self.skip,
            order=self.order,
            exclusive=tuple(tuple(group) for group in self.exclusive),
            reserve_share=self.reserve_share,
            top1_first=self.top1_first,
            seed=self.seed,
            tie_breaking=TIE_BREAKING[self.tie_break],
        )


def _ordering(profile: CompiledProfile, params: GreedyParams) -> tuple[list[int], list[list[int]]]:
    """Projects in walking order, and the groups tied on the primary criterion."""
    m = profile.project_count
    lottery = lottery_ranks(params.seed, profile.project_ids)
    scores, costs = profile.scores, profile.cost_units

    def primary_of(j: int) -> tuple[int, Fraction | int]:
        if params.order == "score":
            return (0, -scores[j])  # whole numbers: no Fraction needed (margins sort thousands of times)
        if costs[j] == 0:
            return (0, Fraction(-scores[j]))  # free projects come first
        return (1, Fraction(-scores[j], costs[j]))

    primaries = [primary_of(j) for j in range(m)]

    def tie_key(j: int) -> tuple[int, ...]:
        if params.tie_break == "published-order":
            return (j,)
        if params.tie_break == "lottery":
            return (lottery[j],)
        return (costs[j], lottery[j])

    order = sorted(range(m), key=lambda j: (primaries[j], tie_key(j)))
    if params.top1_first and order:
        candidates = [j for j in range(m) if _passable(profile, params, j) is None]
        if candidates:
            top = min(candidates, key=lambda j: (-scores[j], tie_key(j)))
            order.remove(top)
            order.insert(0, top)
    groups: list[list[int]] = []
    for j in order:
        if _passable(profile, params, j) is not None:
            continue
        if groups and primaries[groups[-1][0]] == primaries[j]:
            groups[-1].append(j)
        else:
            groups.append([j])
    return order, [g for g in groups if len(g) > 1]


def _passable(profile: CompiledProfile, params: GreedyParams, j: int) -> Decision | None:
    """Why project ``j`` is passed over whatever the order, if it is."""
    if profile.withdrawn[j]:
        return Decision.WITHDRAWN
    if params.threshold is not None and profile.scores[j] < params.threshold:
        return Decision.BELOW_THRESHOLD
    return None


def run_greedy(profile: CompiledProfile, params: GreedyParams, rule: str) -> Outcome:
    """Run a greedy rule; ``rule`` is the name the outcome records."""
    ids = profile.project_ids
    known = set(ids)
    group_of: dict[int, int] = {}
    for g, group in enumerate(params.exclusive):
        for project_id in group:
            if project_id not in known:
                raise RuleError(
                    f"{profile.source}: exclusive group {','.join(group)} names project "
                    f"{project_id!r}, which is not in PROJECTS"
                )
            j = ids.index(project_id)
            if j in group_of:
                raise RuleError(f"{profile.source}: project {project_id!r} is in two exclusive groups")
            group_of[j] = g
    order, tied_groups = _ordering(profile, params)
    money = profile.budget_units
    funded: list[str] = []
    funded_in_group: dict[int, str] = {}
    steps: list[GreedyStep] = []
    reserve: ReserveUse | None = None
    stopped = False
    # The walk's state when each project's turn came: ties are replayed from it.
    states: dict[int, _WalkState] = {}
    for rank, j in enumerate(order, start=1):
        cost = profile.cost_units[j]
        money_before = money
        states[j] = (money, stopped, frozenset(funded_in_group))
        reason: str | None = None
        decision = _passable(profile, params, j)
        if decision is Decision.BELOW_THRESHOLD:
            reason = f"score {profile.scores[j]} < threshold {format_money(params.threshold or Fraction(0))}"
        if decision is None:
            if stopped:
                decision = Decision.NOT_REACHED
            elif j in group_of and group_of[j] in funded_in_group:
                decision = Decision.EXCLUDED
                reason = f"mutually exclusive with funded project {funded_in_group[group_of[j]]}"
            elif cost <= money:
                decision = Decision.FUNDED
                money -= cost
                funded.append(ids[j])
                if j in group_of:
                    funded_in_group[group_of[j]] = ids[j]
            elif params.skip:
                decision = Decision.DID_NOT_FIT
                reason = f"short by {format_money(profile.money(cost - money))}"
            else:
                stopped = True
                share = params.reserve_share
                if share is not None and money >= share * cost:
                    decision = Decision.RESERVE_FUNDED
                    reason = (
                        f"money left covers {format_money(Fraction(money, cost) * 100)}% of the cost "
                        f"(at least {format_money(share * 100)}% needed)"
                    )
                    reserve = ReserveUse(
                        project_id=ids[j],
                        cost=profile.costs[j],
                        from_pot=profile.money(money),
                        from_reserve=profile.money(cost - money),
                    )
                    funded.append(ids[j])
                    money = 0
                else:
                    decision = Decision.STOPPED
                    reason = f"short by {format_money(profile.money(cost - money))}; the rule stops here"
        steps.append(
            GreedyStep(
                rank=rank,
                project_id=ids[j],
                score=profile.scores[j],
                votes=profile.supporters[j],
                cost=profile.costs[j],
                money_left=profile.money(money_before),
                decision=decision,
                reason=reason,
            )
        )
    ties = _ties(profile, params, order, tied_groups, states, group_of)
    spent = profile.budget_units - money
    return Outcome(
        rule=rule,
        params=params.as_record(),
        budget=profile.budget,
        funded=tuple(funded),
        spent=profile.money(spent),
        left=profile.money(money),
        steps=tuple(steps),
        ties=ties,
        reserve=reserve,
    )


def _ties(
    profile: CompiledProfile,
    params: GreedyParams,
    order: list[int],
    tied_groups: list[list[int]],
    states: dict[int, _WalkState],
    group_of: dict[int, int],
) -> tuple[Tie, ...]:
    position = {j: rank for rank, j in enumerate(order, start=1)}
    ties: list[Tie] = []
    for group in tied_groups:
        costs = [profile.cost_units[j] for j in group]
        settled_by: tuple[str, ...]
        if params.tie_break == "published-order":
            settled_by = ("published order",)
        elif params.tie_break == "lottery":
            settled_by = ("lottery",)
        elif len(set(costs)) == len(costs):
            settled_by = ("lower cost",)
        elif len(set(costs)) == 1:
            settled_by = ("lottery",)
        else:
            settled_by = ("lower cost", "lottery")
        # Decisive when some order of the group funds other projects (or reserve-funds
        # another one). Moving each member to the front is enough to find such an order:
        # if no member-first order changes the outcome, no order does.
        state = states[group[0]]
        walked = _walk_group(profile, params, group, state, group_of)
        decisive = any(
            _walk_group(profile, params, [j, *(k for k in group if k != j)], state, group_of) != walked
            for j in group[1:]
        )
        ties.append(
            Tie(
                step=min(position[j] for j in group),
                projects=tuple(profile.project_ids[j] for j in group),
                settled_by=settled_by,
                decisive=decisive,
            )
        )
    return tuple(ties)


def _walk_group(
    profile: CompiledProfile,
    params: GreedyParams,
    members: list[int],
    state: _WalkState,
    group_of: dict[int, int],
) -> tuple[frozenset[int], int | None]:
    """The members funded, and the reserve-funded one, walking them in this order."""
    money, stopped, taken_groups = state
    taken = set(taken_groups)
    funded: set[int] = set()
    for j in members:
        if stopped:
            break
        if j in group_of and group_of[j] in taken:
            continue
        cost = profile.cost_units[j]
        if cost <= money:
            money -= cost
            funded.add(j)
            if j in group_of:
                taken.add(group_of[j])
        elif not params.skip:
            share = params.reserve_share
            if share is not None and money >= share * cost:
                return frozenset(funded | {j}), j
            stopped = True
    return frozenset(funded), None
