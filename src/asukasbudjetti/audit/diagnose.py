"""Diagnosing a differing outcome: the smallest change that makes the rule reproduce the announced one.

When a tally's funded projects differ from the ones the city announced (PROJECTS
``selected``; the record's ``announced``), :func:`diagnose` searches for the
smallest change to the count under which the same rule funds exactly the announced
projects (``announced.funded``; projects paid from outside money are outside the
ballots and are not reproduced). The changes, tried in this order:

1. ``tie-order``: greedy ties settled another way (``tie_break`` = ``cost``,
   ``published-order`` or ``lottery``, whichever the tally did not use).
2. ``leave-out``: one project left out of the count (an unstated exclusion or
   withdrawal), any project the city did not select (and not withdrawn already).
3. ``force-in``: one project the city selected funded before the count, its cost
   taken from the budget, the rule sharing the rest.
4. ``exclusive-group``: for ``greedy-exclusive``, one more group of two projects:
   one the tally funds and the city selected, and one the tally funds and the city
   did not (projects already in a group are left alone).
5. ``budget``: another budget. For the greedy family the exact interval: with the
   announced set ``S`` fixed, the money spent before each project's turn does not
   depend on the budget (the walking order does not either), so each project of
   ``S`` gives a lower bound (it fits) and each other project the rule would
   consider an upper bound (it does not fit; for ``greedy-no-skip`` only the first,
   where the walk stops; under Poznań's reserve rule that one must not even be
   reserve-funded, and the last project of ``S`` may be). For the other
   rules a bounded scan (:data:`BUDGET_SCAN_STEPS` around the budget and the
   announced projects' total cost, each reproducing stretch's ends refined by
   bisection), said so in the record (``exact`` false and a ``budget`` limit).
6. ``threshold``: for a greedy rule run with a score threshold, every level of the
   threshold (one per distinct score) is tallied: exact.
7. ``rule``: another rule of the same family (the greedy family; the Equal Shares
   family).
8. ``rule-parameter``: an Equal Shares parameter (``utilities``; for ``add1``
   completions ``add1_start``, ``add1_stop_when_exhaustive`` and a few values of
   ``add1_increment``).
9. Two changes: pairs of ``leave-out`` and ``force-in`` changes.

Every explanation of the smallest size found is reported (all the single changes
that reproduce it; if there is none, all the pairs), or none with up to two
changes. Changes run on the compiled profile (a copy with a project withdrawn, a
budget changed, ...) through the rule's ``spec.run``; the file is never read or
validated again. Every explanation is then checked by one full re-tally
(:func:`~asukasbudjetti.tally.tally_election` on an :class:`Election` changed the
same way, with the invocation changed the same way) before it is reported; for an
interval of budgets or thresholds, at both ends (and a greedy budget interval is
checked not to reproduce one money unit beyond either end).

Bounds. Under a greedy rule that skips projects that do not fit, leaving out a
project the count does not fund changes nothing (the walk before and after its
turn is the same, and the order of the others does not depend on it); under the
ones that stop (``greedy-no-skip``, Poznań's), leaving out a project the walk never
reached changes nothing either. Such leave-outs are not tallied, alone or in a
pair. A pair is therefore searched as a first change the count depends on, then a
second change the count with the first depends on: this misses no pair that
reproduces the announced outcome when no single change does (if neither change of
a pair matters after the other, the pair's count is one change's). For the greedy
family that is a few hundred tallies of about a millisecond each on a Warszawa
district (the six real elections that differ: 0.01 to 0.06 s each). The other rules
have no such argument: every pair is a candidate, up to :data:`PAIR_CAP_OTHER` of
them (:data:`PAIR_CAP_GREEDY` for the greedy family), and a search cut short is
listed in the diagnosis' ``limits``. Their tallies are slower too: an
``equalshares/add1`` file of 14 projects (Assen) takes about 20 s to find that no
explanation exists.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from asukasbudjetti.batch import one_line
from asukasbudjetti.errors import AsukasbudjettiError, RuleError
from asukasbudjetti.model import WITHDRAWN_COST, Election
from asukasbudjetti.model.outcome import Decision, EqualSharesParameters, GreedyParameters, Outcome
from asukasbudjetti.model.record import (
    BudgetChange,
    Change,
    Diagnosis,
    ExclusiveGroupChange,
    Explanation,
    ForceInChange,
    LeaveOutChange,
    PabulibInvocation,
    PotOutcome,
    Record,
    RuleChange,
    RuleParameterChange,
    SearchLimit,
    ThresholdChange,
    TieOrderChange,
)
from asukasbudjetti.money import format_money
from asukasbudjetti.profile import CompiledProfile, compile_profile
from asukasbudjetti.rules import RuleOptions, RuleSpec, check_ballots
from asukasbudjetti.rules.greedy import TIE_BREAKING
from asukasbudjetti.rules.ties import DEFAULT_SEED
from asukasbudjetti.tally import OFFICIAL, resolve_rule, tally_election, tally_file_and_election

#: The most changes an explanation has.
MAX_CHANGES = 2
#: The most pairs of changes tallied under a greedy rule (after the pruning above,
#: a Warszawa district needs a few hundred).
PAIR_CAP_GREEDY = 20_000
#: The most pairs of changes tallied under any other rule (each tally may take a second).
PAIR_CAP_OTHER = 50
#: The budgets a scan tries (rules with no exact budget interval): the budget
#: changed by these percentages, and the announced projects' total cost.
BUDGET_SCAN_STEPS = (-50, -20, -10, -5, -2, -1, 1, 2, 5, 10, 20, 50)
#: The most bisection steps refining each end of a stretch of scanned budgets that reproduce.
BUDGET_BISECTIONS = 24

#: The greedy family and the Equal Shares family, in the order another rule is tried.
GREEDY_RULES = (
    "greedy",
    "greedy-no-skip",
    "greedy-threshold",
    "greedy-exclusive",
    "greedy-custom",
    "greedy-per-cost",
    "top1-greedy",
)
MES_RULES = (
    "equalshares",
    "equalshares/add1",
    "equalshares/add1u",
    "equalshares/utilitarian",
    "equalshares-comparison",
    "equalshares/add1-comparison",
)
#: ``add1_increment`` values tried besides the one the tally used (whole ones: a smaller increment
#: multiplies the time a completion takes).
ADD1_INCREMENTS = ("1", "2", "5", "10")
#: Greedy decisions after which leaving the project out can change the count
#: (it took money, or the walk stopped at it).
_WEIGHED = frozenset({Decision.FUNDED, Decision.RESERVE_FUNDED, Decision.STOPPED})
#: Short words that say nothing about what a project is (for the similar-name test).
_FILLER = frozenset({"przy", "oraz", "dla", "the", "and", "with", "from", "ulica", "ul", "sekä", "ja"})


# --- one change, as the search applies it ------------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """One or two changes as the search applies them: to the compiled profile and options, or to the election.

    Project positions are indexes into the election's projects (file order).
    """

    left_out: tuple[int, ...] = ()
    forced: tuple[int, ...] = ()
    budget_units: int | None = None
    threshold: Fraction | None = None
    sets_threshold: bool = False
    rule: str | None = None
    param: tuple[str, str] | None = None
    group: tuple[str, str] | None = None

    def __add__(self, other: Edit) -> Edit:
        """Two leave-out or force-in changes made together."""
        return Edit(left_out=self.left_out + other.left_out, forced=self.forced + other.forced)


@dataclass(frozen=True)
class TallyArguments:
    """:func:`~asukasbudjetti.tally.tally_election`'s arguments besides the election: those of a
    tally, or of a tally with a change."""

    rule: str = OFFICIAL
    seed: int = DEFAULT_SEED
    exclusive: tuple[tuple[str, ...], ...] = ()
    threshold: Fraction | int | str | None = None
    params: tuple[tuple[str, str], ...] = ()


@dataclass
class _Base:
    """The tally being diagnosed: its election and arguments, compiled profile, rule and options."""

    election: Election
    arguments: TallyArguments
    pot: PotOutcome
    profile: CompiledProfile
    spec: RuleSpec
    options: RuleOptions
    target: frozenset[str]
    #: The tally's greedy walk: each project's decision and the money left at its turn.
    steps: dict[str, tuple[Decision, Fraction]] = field(default_factory=dict)

    @property
    def greedy(self) -> bool:
        return isinstance(self.pot.params, GreedyParameters)

    @property
    def prunable(self) -> bool:
        """Whether leaving out a project the walk does not weigh changes nothing (see the module's Bounds)."""
        params = self.pot.params
        # Tampere's favourite first, with the rest by score per cost: leaving out the favourite
        # (even one that does not fit) moves another project to the front.
        return isinstance(params, GreedyParameters) and not (params.top1_first and params.order != "score")


def diagnose(
    election: Election,
    pot: PotOutcome,
    *,
    rule: str = OFFICIAL,
    seed: int = DEFAULT_SEED,
    exclusive: Sequence[Sequence[str]] = (),
    threshold: Fraction | int | str | None = None,
    params: Sequence[tuple[str, str]] = (),
) -> Diagnosis | None:
    """The smallest changes under which the tally of ``election`` reproduces the announced outcome.

    ``pot`` is the tally's pot (from :func:`~asukasbudjetti.tally.tally_election` with
    the same arguments, which are the tally's). ``None`` when the election announces
    no outcome or the tally reproduces it.
    """
    if pot.announced is None or pot.announced.matches:
        return None
    arguments = TallyArguments(
        rule=rule,
        seed=seed,
        exclusive=tuple(tuple(group) for group in exclusive),
        threshold=threshold,
        params=tuple((key, value) for key, value in params),
    )
    spec, options = resolve_rule(election, **_keywords(arguments))
    base = _Base(
        election=election,
        arguments=arguments,
        pot=pot,
        profile=compile_profile(election),
        spec=spec,
        options=options,
        target=frozenset(pot.announced.funded),
        steps={step.project_id: (step.decision, step.money_left) for step in pot.steps},
    )
    if spec.run(base.profile, options).funded != pot.funded:  # pragma: no cover - the tally's own rule and options
        raise AssertionError(f"{election.source}: the diagnosis does not reproduce the tally it diagnoses")
    limits: list[SearchLimit] = []
    found = list(_single_changes(base, limits))
    if not found:
        found = _pairs(base, limits)
    return Diagnosis(
        size=len(found[0]) if found else 0,
        max_changes=MAX_CHANGES,
        explanations=tuple(Explanation(changes=changes) for changes in found),
        limits=tuple(limits),
    )


def _keywords(arguments: TallyArguments) -> dict[str, Any]:
    return {
        "rule": arguments.rule,
        "seed": arguments.seed,
        "exclusive": arguments.exclusive,
        "threshold": arguments.threshold,
        "params": arguments.params,
    }


def changed_arguments(election: Election, arguments: TallyArguments, edit: Edit) -> tuple[Election, TallyArguments]:
    """The election's META and the tally's arguments with ``edit``'s changes of the rule and its options.

    A new rule replaces the META ``rule`` under ``official`` (the file declares
    another rule), else the ``rule`` argument; a parameter replaces the one of the
    same name; a threshold is given as the ``threshold`` argument (which comes before
    the file's); an exclusive group is one more group.
    """
    rule = arguments.rule
    if edit.rule is not None:
        if rule == OFFICIAL:
            election = election.model_copy(update={"meta": {**election.meta, "rule": edit.rule}})
        else:
            rule = edit.rule
    return election, TallyArguments(
        rule=rule,
        seed=arguments.seed,
        exclusive=arguments.exclusive + ((edit.group,) if edit.group is not None else ()),
        threshold=edit.threshold if edit.sets_threshold else arguments.threshold,
        params=arguments.params if edit.param is None else _with_param(arguments.params, edit.param),
    )


def _with_param(params: tuple[tuple[str, str], ...], param: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return (*((key, value) for key, value in params if key != param[0]), param)


# --- running a change -----------------------------------------------------------------------------------------------


def _rule_of(base: _Base, edit: Edit) -> tuple[RuleSpec, RuleOptions]:
    """The rule and options the tally runs with ``edit`` (the tally's own when it changes neither)."""
    if edit.rule is None and edit.param is None and edit.group is None and not edit.sets_threshold:
        return base.spec, base.options
    election, arguments = changed_arguments(base.election, base.arguments, edit)
    return resolve_rule(election, **_keywords(arguments))


def _run(base: _Base, edit: Edit) -> Outcome | None:
    """The rule's outcome with ``edit`` on the compiled profile; ``None`` when the changed rule refuses
    the election (or forced projects cost more than the budget)."""
    profile = _changed_profile(base.profile, edit)
    if profile is None:
        return None
    try:
        spec, options = _rule_of(base, edit)
        check_ballots(spec, profile)
        return spec.run(profile, options)
    except RuleError:
        return None


def _reproduces(base: _Base, edit: Edit) -> bool:
    outcome = _run(base, edit)
    if outcome is None:
        return False
    return frozenset(outcome.funded) | {base.profile.project_ids[j] for j in edit.forced} == base.target


def _changed_profile(profile: CompiledProfile, edit: Edit) -> CompiledProfile | None:
    """``profile`` as compiling the changed election would give it (``None``: the budget would be negative)."""
    gone = set(edit.left_out) | set(edit.forced)
    budget_units = profile.budget_units if edit.budget_units is None else edit.budget_units
    budget_units -= sum(profile.cost_units[j] for j in edit.forced)
    if budget_units < 0:
        return None
    update: dict[str, object] = {}
    if gone:
        withdrawn_units = int(WITHDRAWN_COST * profile.denominator)
        update["withdrawn"] = tuple(w or j in gone for j, w in enumerate(profile.withdrawn))
        update["costs"] = tuple(WITHDRAWN_COST if j in gone else c for j, c in enumerate(profile.costs))
        update["cost_units"] = tuple(withdrawn_units if j in gone else u for j, u in enumerate(profile.cost_units))
    if budget_units != profile.budget_units:
        update["budget_units"] = budget_units
        update["budget"] = profile.money(budget_units)
    return profile.model_copy(update=update) if update else profile


def retally(election: Election, arguments: TallyArguments, edit: Edit) -> PotOutcome:
    """One full re-tally of ``election`` with ``arguments``, both changed by ``edit`` (the check of an explanation).

    Left-out and force-funded projects get the withdrawn cost (every rule passes them
    over), and force-funded ones' cost is taken from the budget; the rest is
    :func:`changed_arguments`. Budgets are in the election's money units (the least
    common denominator of the budget and the costs, as the compiled profile counts).
    """
    projects = list(election.projects)
    for j in (*edit.left_out, *edit.forced):
        projects[j] = projects[j].model_copy(update={"cost": WITHDRAWN_COST})
    denominator = math.lcm(election.budget.denominator, *(p.cost.denominator for p in election.projects))
    budget = election.budget if edit.budget_units is None else Fraction(edit.budget_units, denominator)
    budget -= sum((election.projects[j].cost for j in edit.forced), Fraction(0))
    changed, changed_args = changed_arguments(election, arguments, edit)
    changed = changed.model_copy(update={"projects": tuple(projects), "budget": budget})
    pot, _ = tally_election(changed, **_keywords(changed_args))
    return pot


def _confirm(base: _Base, edit: Edit) -> None:
    """Check ``edit`` by a full re-tally: it must fund exactly the announced projects."""
    pot = retally(base.election, base.arguments, edit)
    forced = {base.election.projects[j].project_id for j in edit.forced}
    if set(pot.funded) | forced != base.target:  # pragma: no cover - the profile and the election must agree
        raise AssertionError(f"{base.election.source}: {edit} reproduces the outcome on the profile, not re-tallied")


# --- single changes -------------------------------------------------------------------------------------------------


def _single_changes(base: _Base, limits: list[SearchLimit]) -> Iterator[tuple[Change, ...]]:
    """Every single change that reproduces the announced outcome, in the search order, each re-tallied."""
    searches: list[Callable[[_Base], Iterator[tuple[Edit, Change]]]] = [
        _tie_orders,
        _leave_outs,
        _force_ins,
        _exclusive_groups,
    ]
    for search in searches:
        for edit, change in search(base):
            if _reproduces(base, edit):
                _confirm(base, edit)
                yield (change,)
    yield from ((change,) for change in _budgets(base, limits))
    yield from ((change,) for change in _thresholds(base))
    for search in (_rules, _rule_parameters):
        for edit, change in search(base):
            if _reproduces(base, edit):
                _confirm(base, edit)
                yield (change,)


def _tie_break(base: _Base) -> str:
    params = base.pot.params
    assert isinstance(params, GreedyParameters)
    return next((key for key, text in TIE_BREAKING.items() if text == params.tie_breaking), "cost")


def _tie_orders(base: _Base) -> Iterator[tuple[Edit, Change]]:
    if not base.greedy:
        return
    was = _tie_break(base)
    ties = tuple(tie.projects for tie in base.pot.ties if tie.decisive)
    for value in TIE_BREAKING:
        if value != was:
            change = TieOrderChange(kind="tie-order", tie_break=value, was=was, ties=ties)
            yield Edit(param=("tie_break", value)), change


def _leave_out_candidates(base: _Base, outcome_steps: dict[str, tuple[Decision, Fraction]] | None = None) -> list[int]:
    """Projects whose leaving out may change the count: not announced, not withdrawn, and under
    a greedy rule weighed by the walk (see the module's Bounds)."""
    steps = base.steps if outcome_steps is None else outcome_steps
    found = []
    for j, project in enumerate(base.election.projects):
        if project.project_id in base.target or base.profile.withdrawn[j]:
            continue
        if base.prunable and steps.get(project.project_id, (Decision.WITHDRAWN,))[0] not in _WEIGHED:
            continue
        found.append(j)
    return found


def _force_in_candidates(base: _Base) -> list[int]:
    """Announced projects that can be funded first: not withdrawn, and no dearer than the budget."""
    return [
        j
        for j, project in enumerate(base.election.projects)
        if project.project_id in base.target
        and not base.profile.withdrawn[j]
        and base.profile.cost_units[j] <= base.profile.budget_units
    ]


def _leave_out_change(base: _Base, j: int) -> LeaveOutChange:
    project = base.election.projects[j]
    step = base.steps.get(project.project_id)
    return LeaveOutChange(
        kind="leave-out",
        project_id=project.project_id,
        cost=project.cost,
        funded=project.project_id in base.pot.funded,
        money_left=step[1] if step is not None else None,
        similar_to=similar_project(base.election, j, base.target),
    )


def _force_in_change(base: _Base, j: int) -> ForceInChange:
    project = base.election.projects[j]
    step = base.steps.get(project.project_id)
    return ForceInChange(
        kind="force-in",
        project_id=project.project_id,
        cost=project.cost,
        funded=project.project_id in base.pot.funded,
        money_left=step[1] if step is not None else None,
    )


def _leave_outs(base: _Base) -> Iterator[tuple[Edit, Change]]:
    for j in _leave_out_candidates(base):
        yield Edit(left_out=(j,)), _leave_out_change(base, j)


def _force_ins(base: _Base) -> Iterator[tuple[Edit, Change]]:
    for j in _force_in_candidates(base):
        yield Edit(forced=(j,)), _force_in_change(base, j)


def _exclusive_groups(base: _Base) -> Iterator[tuple[Edit, Change]]:
    """For greedy-exclusive: a project funded and announced, with one funded and not announced."""
    if base.spec.name != "greedy-exclusive":
        return
    grouped = {project for group in base.options.exclusive for project in group}
    funded = [p for p in base.pot.funded if p not in grouped]
    names = {project.project_id: project.name for project in base.election.projects}
    for passed in (p for p in funded if p not in base.target):
        for kept in (p for p in funded if p in base.target):
            alike = names_alike(names[kept], names[passed]) > 0
            change = ExclusiveGroupChange(kind="exclusive-group", projects=(kept, passed), similar_names=alike)
            yield Edit(group=(kept, passed)), change


def _rules(base: _Base) -> Iterator[tuple[Edit, Change]]:
    family = GREEDY_RULES if base.spec.name in GREEDY_RULES else MES_RULES if base.spec.name in MES_RULES else ()
    for name in family:
        if name != base.spec.name:
            yield Edit(rule=name), RuleChange(kind="rule", rule=name, was=base.spec.name)


def _rule_parameters(base: _Base) -> Iterator[tuple[Edit, Change]]:
    params = base.pot.params
    if not isinstance(params, EqualSharesParameters):
        return
    tried: list[tuple[str, str, str]] = [
        ("utilities", "cardinality" if params.utilities == "cost" else "cost", params.utilities)
    ]
    if params.completion in ("add1", "add1u"):
        tried.append(("add1_start", "exact" if params.add1_start == "floor" else "floor", params.add1_start))
        stop = "true" if params.add1_stop_when_exhaustive else "false"
        tried.append(("add1_stop_when_exhaustive", "false" if stop == "true" else "true", stop))
        increment = format_money(params.add1_increment)
        tried += [("add1_increment", value, increment) for value in ADD1_INCREMENTS if value != increment]
    for name, value, was in tried:
        change = RuleParameterChange(kind="rule-parameter", parameter=name, value=value, was=was)
        yield Edit(param=(name, value)), change


# --- the budget ---------------------------------------------------------------------------------------------------


def _budgets(base: _Base, limits: list[SearchLimit]) -> list[BudgetChange]:
    if base.greedy:
        interval = greedy_budget_interval(base.pot, base.profile, base.target)
        if interval is None:
            return []
        low, high = interval
        if low <= base.profile.budget_units and (high is None or base.profile.budget_units <= high):
            raise AssertionError(f"{base.election.source}: the budget interval holds the budget that differs")
        inside = [low] if high is None else [low, high]
        outside = ([low - 1] if low > 0 else []) + ([high + 1] if high is not None else [])
        if not all(_reproduces(base, Edit(budget_units=units)) for units in inside) or any(
            _reproduces(base, Edit(budget_units=units)) for units in outside
        ):  # pragma: no cover - the interval is exact by construction
            raise AssertionError(f"{base.election.source}: the budget interval {interval} is not exact")
        for units in inside:
            _confirm(base, Edit(budget_units=units))
        return [_budget_change(base, low, high, exact=True)]
    return _scanned_budgets(base, limits)


def greedy_budget_interval(
    pot: Outcome, profile: CompiledProfile, target: frozenset[str]
) -> tuple[int, int | None] | None:
    """The budgets, in the profile's money units, under which the greedy walk funds exactly ``target``.

    ``(smallest, largest)``, ``largest`` ``None`` when unbounded; ``None`` when no
    budget does. The walk is the tally's (``pot.steps``, in rank order): it does not
    depend on the budget. With ``target`` fixed, the money spent before each
    project's turn is the cost of the projects of ``target`` before it, so each
    project of ``target`` bounds the budget from below (it must fit) and each other
    project the walk considers bounds it from above (it must not fit).
    """
    params = pot.params
    assert isinstance(params, GreedyParameters)
    group_of = {project: g for g, group in enumerate(params.exclusive) for project in group}
    share = params.reserve_share
    low, high = 0, None
    spent = 0
    taken: set[int] = set()
    stopped = False
    last: tuple[int, int] | None = None  # the last funded project: money spent before it, its cost
    for step in pot.steps:
        project = step.project_id
        passable = step.decision not in (Decision.WITHDRAWN, Decision.BELOW_THRESHOLD)
        group = group_of.get(project)
        if not passable or (group is not None and group in taken):
            if project in target:
                return None
            continue
        cost = profile.cost_units[profile.index(project)]
        if project in target:
            if stopped:
                return None
            low = max(low, spent + cost)
            last = (spent, cost)
            spent += cost
            if group is not None:
                taken.add(group)
        elif params.skip:
            high = _lower(high, spent + cost - 1)
        elif not stopped:
            # The walk stops here: it must not fit (nor, under the reserve rule, be reserve-funded).
            stopped = True
            limit = spent + cost if share is None else spent + share * cost
            high = _lower(high, math.ceil(limit) - 1)
    if share is not None and last is not None:
        # The last project may be reserve-funded instead: money left at least share * cost, less than the cost.
        before, cost = last
        reserve_low = before + math.ceil(share * cost)
        if high is not None and high < low:
            high = before + cost - 1
        low = min(low, reserve_low)
    if high is not None and high < low:
        return None
    return low, high


def _lower(bound: int | None, value: int) -> int:
    return value if bound is None else min(bound, value)


def _budget_change(base: _Base, low: int, high: int | None, *, exact: bool) -> BudgetChange:
    money = base.profile.money
    return BudgetChange(
        kind="budget",
        budget=base.profile.budget,
        smallest=money(low),
        largest=None if high is None else money(high),
        exact=exact,
    )


def _scanned_budgets(base: _Base, limits: list[SearchLimit]) -> list[BudgetChange]:
    """Budgets found by a scan, for rules with no exact interval: each stretch of reproducing budgets."""
    units = base.profile.budget_units
    total = sum(base.profile.cost_units[base.profile.index(p)] for p in base.target)
    points = sorted({total, *(units * (100 + step) // 100 for step in BUDGET_SCAN_STEPS)} - {units})
    points = [p for p in points if p >= 0]
    tried = 0

    def probe(value: int) -> bool:
        nonlocal tried
        tried += 1
        return _reproduces(base, Edit(budget_units=value))

    verdicts = {p: probe(p) for p in points}
    verdicts[units] = False
    ordered = sorted(verdicts)
    changes: list[BudgetChange] = []
    k = 0
    while k < len(ordered):
        if not verdicts[ordered[k]]:
            k += 1
            continue
        start = k
        while k + 1 < len(ordered) and verdicts[ordered[k + 1]]:
            k += 1
        low, high = ordered[start], ordered[k]
        if start > 0:
            low = _bisect(probe, ordered[start - 1], low, BUDGET_BISECTIONS)
        if k + 1 < len(ordered):
            high = _bisect(probe, ordered[k + 1], high, BUDGET_BISECTIONS)
        for value in (low, high):
            _confirm(base, Edit(budget_units=value))
        changes.append(_budget_change(base, low, high, exact=False))
        k += 1
    limits.append(SearchLimit(search="budget", tried=tried, candidates=None))
    return changes


def _bisect(probe: Callable[[int], bool], outside: int, inside: int, steps: int) -> int:
    """The reproducing budget nearest ``outside`` found by bisecting from ``inside`` (which reproduces)."""
    for _ in range(steps):
        if abs(outside - inside) <= 1:
            break
        middle = (outside + inside) // 2
        if probe(middle):
            inside = middle
        else:
            outside = middle
    return inside


# --- the threshold ------------------------------------------------------------------------------------------------


def _thresholds(base: _Base) -> list[ThresholdChange]:
    """Every threshold level for a greedy rule run with a threshold: each stretch of levels that reproduces."""
    params = base.pot.params
    if not isinstance(params, GreedyParameters) or params.threshold is None:
        return []
    current = params.threshold
    levels = sorted({s for j, s in enumerate(base.profile.scores) if not base.profile.withdrawn[j]})
    if not levels:
        return []
    # Level k: thresholds above levels[k - 1] and at most levels[k] (every score from levels[k] up counts);
    # the last, above every score.
    representatives = [*levels, levels[-1] + 1]
    verdicts = []
    for k, value in enumerate(representatives):
        above_previous = k == 0 or current > representatives[k - 1]
        in_effect = above_previous and (current <= value or k == len(representatives) - 1)
        verdicts.append(False if in_effect else _reproduces(base, _threshold_edit(value)))
    changes: list[ThresholdChange] = []
    k = 0
    while k < len(representatives):
        if not verdicts[k]:
            k += 1
            continue
        start = k
        while k + 1 < len(representatives) and verdicts[k + 1]:
            k += 1
        smallest = 0 if start == 0 else representatives[start - 1] + 1
        largest = None if k == len(representatives) - 1 else representatives[k]
        for value in (smallest, largest if largest is not None else representatives[-1]):
            _confirm(base, _threshold_edit(value))
        changes.append(
            ThresholdChange(
                kind="threshold",
                threshold=current,
                smallest=Fraction(smallest),
                largest=None if largest is None else Fraction(largest),
            )
        )
        k += 1
    return changes


def _threshold_edit(value: int) -> Edit:
    return Edit(threshold=Fraction(value), sets_threshold=True)


# --- two changes ----------------------------------------------------------------------------------------------------


def _pairs(base: _Base, limits: list[SearchLimit]) -> list[tuple[Change, ...]]:
    """Every pair of leave-out / force-in changes that reproduces the announced outcome, each re-tallied."""
    cap = PAIR_CAP_GREEDY if base.greedy else PAIR_CAP_OTHER
    singles = [Edit(left_out=(j,)) for j in _leave_out_candidates(base)] + [
        Edit(forced=(j,)) for j in _force_in_candidates(base)
    ]
    force_ins = _force_in_candidates(base)
    candidates: list[tuple[Edit, Edit]] = []
    seen: set[frozenset[tuple[str, int]]] = set()
    for first in singles:
        if base.prunable:
            # Second changes the count with the first depends on (see the module's Bounds).
            steps = _steps_with(base, first)
            seconds = [Edit(left_out=(j,)) for j in _leave_out_candidates(base, steps)]
        else:
            seconds = [Edit(left_out=(j,)) for j in _leave_out_candidates(base)]
        seconds += [Edit(forced=(j,)) for j in force_ins]
        for second in seconds:
            key = frozenset(_parts(first) | _parts(second))
            if len(key) == 2 and key not in seen:
                seen.add(key)
                candidates.append((first, second))
    found: list[tuple[Change, ...]] = []
    tried = 0
    for first, second in candidates:
        if tried == cap:
            limits.append(SearchLimit(search="two-changes", tried=tried, candidates=len(candidates)))
            break
        tried += 1
        edit = first + second
        if base.profile.budget_units < sum(base.profile.cost_units[j] for j in edit.forced):
            continue
        if _reproduces(base, edit):
            _confirm(base, edit)
            found.append(_pair_changes(base, edit))
    return sorted(found, key=lambda changes: [_order(change) for change in changes])


def _parts(edit: Edit) -> set[tuple[str, int]]:
    return {("leave-out", j) for j in edit.left_out} | {("force-in", j) for j in edit.forced}


def _steps_with(base: _Base, edit: Edit) -> dict[str, tuple[Decision, Fraction]]:
    """The greedy walk's decisions with ``edit`` (on the profile)."""
    profile = _changed_profile(base.profile, edit)
    if profile is None:
        return {}
    outcome = base.spec.run(profile, base.options)
    return {step.project_id: (step.decision, step.money_left) for step in outcome.steps}


def _pair_changes(base: _Base, edit: Edit) -> tuple[Change, ...]:
    left = sorted(edit.left_out)
    forced = sorted(edit.forced)
    return (*(_leave_out_change(base, j) for j in left), *(_force_in_change(base, j) for j in forced))


def _order(change: Change) -> tuple[int, str]:
    position = {"leave-out": 0, "force-in": 1}
    project = change.project_id if isinstance(change, LeaveOutChange | ForceInChange) else ""
    return position.get(change.kind, 2), project


# --- similar names --------------------------------------------------------------------------------------------------


def similar_project(election: Election, index: int, among: Iterable[str]) -> str | None:
    """A project of ``among`` (not ``index`` itself) whose name is like project ``index``'s, if any.

    Names are alike when they share at least two words of four letters or more, each
    cut to its first four letters (so that inflected forms such as "park" and
    "parku" meet; a few filler words are left out), and those are at least half of
    the shorter name's. The most shared words win, then the file order.
    """
    wanted = set(among)
    best: tuple[int, int] | None = None
    for j, project in enumerate(election.projects):
        if j == index or project.project_id not in wanted:
            continue
        shared = names_alike(election.projects[index].name, project.name)
        if shared and (best is None or shared > best[0]):
            best = (shared, j)
    return None if best is None else election.projects[best[1]].project_id


def names_alike(first: str | None, second: str | None) -> int:
    """How many words two names share when they are alike (see :func:`similar_project`), else 0."""
    mine, theirs = _stems(first), _stems(second)
    shared = len(mine & theirs)
    return shared if shared >= 2 and 2 * shared >= min(len(mine), len(theirs)) else 0


def _stems(name: str | None) -> set[str]:
    if not name:
        return set()
    plain = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    words = re.findall(r"[^\W\d_]{4,}", plain)
    return {word[:4] for word in words if word not in _FILLER}


# --- above the tally: a file's record with its diagnosis, and the audit of many files ------------------------------


def tally_file_with_diagnosis(
    path: str | os.PathLike[str],
    *,
    rule: str = OFFICIAL,
    seed: int = DEFAULT_SEED,
    exclusive: Sequence[Sequence[str]] = (),
    threshold: Fraction | int | str | None = None,
    params: Sequence[tuple[str, str]] = (),
    strict: bool = False,
    margins: bool = False,
) -> Record:
    """Tally one ``.pb`` file (as :func:`~asukasbudjetti.tally.tally_file`), with its margins when
    ``margins``, then add the diagnosis when the outcome differs from the announced one.

    The file is read and validated once; ``tally --rule official``, ``audit`` and
    ``verify`` of a record with a diagnosis run this.
    """
    record, election = tally_file_and_election(
        path, rule=rule, seed=seed, exclusive=exclusive, threshold=threshold, params=params, strict=strict
    )
    if margins:
        from asukasbudjetti.audit.margins import add_margins

        record = add_margins(record, election)
    return add_diagnosis(record, election)


def add_diagnosis(record: Record, election: Election) -> Record:
    """``record`` (of a tally of ``election``) with the diagnosis of its pot, when it differs from the announced one."""
    invocation = record.invocation
    if not isinstance(invocation, PabulibInvocation) or len(record.outcomes) != 1:
        raise RuleError("a diagnosis is made for the record of one pabulib file, not of a cycle")
    pot = record.outcomes[0]
    found = diagnose(
        election,
        pot,
        rule=invocation.rule,
        seed=invocation.seed,
        exclusive=invocation.exclusive,
        threshold=invocation.threshold,
        params=invocation.params,
    )
    if found is None:
        return record
    return record.model_copy(update={"outcomes": (pot.model_copy(update={"diagnosis": found}),)})


#: The columns of ``audit -o FILE.csv``, in order.
AUDIT_COLUMNS = ("file", "rule", "reproduced", "missing", "extra", "diagnosis", "seconds", "error")


class AuditRow(BaseModel):
    """One file as ``audit`` sees it: the rule, whether the announced outcome is reproduced, and the diagnosis.

    ``reproduced`` is ``yes``, ``no``, ``not announced`` (no ``selected`` column) or
    empty when the file could not be tallied (``error`` says why).
    """

    model_config = ConfigDict(frozen=True)

    file: str
    rule: str = ""
    reproduced: str = ""
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    diagnosis: Diagnosis | None = None
    seconds: float = 0.0
    error: str = ""


def audit_file(path: str | os.PathLike[str], name: str | None = None) -> AuditRow:
    """Tally ``path`` with its declared rule and diagnose it; a file that fails is a row with its error."""
    shown = str(path) if name is None else name
    start = time.perf_counter()
    try:
        record = tally_file_with_diagnosis(path)
    except AsukasbudjettiError as exc:
        return AuditRow(file=shown, seconds=time.perf_counter() - start, error=one_line(exc))
    return audit_row(record, shown, time.perf_counter() - start)


def audit_row(record: Record, name: str, seconds: float = 0.0) -> AuditRow:
    """The audit row of a record of one file (``tally_file_with_diagnosis``'s)."""
    pot = record.outcomes[0]
    announced = pot.announced
    if announced is None:
        return AuditRow(file=name, rule=pot.rule, reproduced="not announced", seconds=seconds)
    return AuditRow(
        file=name,
        rule=pot.rule,
        reproduced="yes" if announced.matches else "no",
        missing=announced.missing,
        extra=announced.extra,
        diagnosis=pot.diagnosis,
        seconds=seconds,
    )


def audit_files(
    folder: str | os.PathLike[str], files: Sequence[Path], on_file_done: Callable[[], None] | None = None
) -> list[AuditRow]:
    """:func:`audit_file` on each of ``files`` (inside ``folder``, named relative to it), in order."""
    root = Path(folder)
    rows = []
    for path in files:
        rows.append(audit_file(path, path.relative_to(root).as_posix()))
        if on_file_done is not None:
            on_file_done()
    return rows


def render_audit_csv(rows: Sequence[AuditRow], describe: Callable[[Diagnosis], str]) -> str:
    """The CSV text of ``rows``: a header of :data:`AUDIT_COLUMNS`, then one line per file.

    ``describe`` turns a diagnosis into its text (the explain package's sentences).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(AUDIT_COLUMNS)
    for row in rows:
        writer.writerow(
            (
                row.file,
                row.rule,
                row.reproduced,
                " ".join(row.missing),
                " ".join(row.extra),
                "" if row.diagnosis is None else describe(row.diagnosis),
                f"{row.seconds:.3f}",
                row.error,
            )
        )
    return buffer.getvalue()
