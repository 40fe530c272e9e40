"""What every rule family's reasons share: the pot's projects and costs, its rule's
settings, ties, and the reasons any project can have (council decisions, the
announced outcome, the margin of defeat, a plain verdict)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from asukasbudjetti.audit.explain.reasons import (
    AnnouncedDiffers,
    CouncilDecisionNoted,
    ForceFunded,
    MarginKind,
    MarginOfDefeat,
    Reason,
    ReasonKind,
    Verdict,
)
from asukasbudjetti.model.outcome import EqualSharesParameters, GreedyParameters, Tie
from asukasbudjetti.model.record import CouncilDecision, PotOutcome
from asukasbudjetti.money import money_text


@dataclass(frozen=True)
class Settings:
    """The rule's parameters that the reasons read, whichever family the rule is.

    ``completion`` and ``eligibility_k`` are the recorded values as text
    (``completion`` ``None`` when the rule has none), shown as the record has them.
    """

    per_cost: bool
    reserve_share: Fraction | None
    threshold: Fraction | None
    exclusive: tuple[tuple[str, ...], ...]
    utilities: str | None
    completion: str | None
    eligibility_k: str
    everything_affordable: bool

    @classmethod
    def of(cls, pot: PotOutcome) -> Settings:
        params = pot.params
        greedy = params if isinstance(params, GreedyParameters) else None
        shares = params if isinstance(params, EqualSharesParameters) else None
        return cls(
            per_cost=greedy is not None and greedy.order == "score-per-cost",
            reserve_share=None if greedy is None else greedy.reserve_share,
            threshold=None if greedy is None else greedy.threshold,
            exclusive=() if greedy is None else greedy.exclusive,
            utilities=None if shares is None else shares.utilities,
            completion=None if shares is None else shares.completion,
            eligibility_k="None"
            if shares is None or shares.eligibility_k is None
            else money_text(shares.eligibility_k),
            everything_affordable=shares is not None and shares.everything_affordable,
        )


def exact_or_none(value: object) -> Fraction | None:
    """An exact number given as text or an integer (``"0.8"``, ``3``), or ``None`` when there is none."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    try:
        return Fraction(value)
    except (ValueError, ZeroDivisionError):
        return None


@dataclass(frozen=True, eq=False)
class Pot:
    """One pot's outcome with what every rule family looks up in it, found once."""

    outcome: PotOutcome
    settings: Settings
    #: Each project's cost, from whichever part of the trace prices it.
    costs: Mapping[str, Fraction]

    @classmethod
    def of(cls, outcome: PotOutcome) -> Pot:
        costs: dict[str, Fraction] = {}
        for step in outcome.steps:
            costs[step.project_id] = step.cost
        for mes_round in outcome.mes_rounds:
            costs[mes_round.project_id] = mes_round.cost
        for phragmen_round in outcome.phragmen_rounds:
            costs[phragmen_round.project_id] = phragmen_round.cost
        if outcome.reserve is not None:
            costs[outcome.reserve.project_id] = outcome.reserve.cost
        return cls(outcome=outcome, settings=Settings.of(outcome), costs=costs)


def projects_named(pot: PotOutcome) -> list[str]:
    """The projects the record names in ``pot``, each once, in the pot's order.

    The greedy walk (rank) for greedy rules; for the others, the projects their rounds
    funded, in round order, then the rest of ``funded``, then the others in the order
    the trace first names them.
    """
    return list(dict.fromkeys(_mentions(pot)))


def _mentions(pot: PotOutcome) -> Iterator[str]:
    yield from (step.project_id for step in pot.steps)
    yield from (mes_round.project_id for mes_round in pot.mes_rounds)
    yield from (phragmen_round.project_id for phragmen_round in pot.phragmen_rounds)
    yield from pot.funded
    for mes_round in pot.mes_rounds:
        yield from (project for project, _ in mes_round.candidates)
        yield from mes_round.dropped
    for phragmen_round in pot.phragmen_rounds:
        yield from phragmen_round.removed
    yield from pot.ineligible
    if pot.comparison is not None:
        yield from pot.comparison.greedy_funded
        yield from pot.comparison.rule_funded
    for tie in pot.ties:
        yield from tie.projects
    if pot.announced is not None:
        announced = pot.announced
        yield from (*announced.funded, *announced.outside_money, *announced.missing, *announced.extra)


def in_trace(pot: PotOutcome, project: str) -> bool:
    """Whether a step or round of the rule's own trace is about ``project``."""
    return (
        any(step.project_id == project for step in pot.steps)
        or any(mes_round.project_id == project for mes_round in pot.mes_rounds)
        or any(phragmen_round.project_id == project for phragmen_round in pot.phragmen_rounds)
    )


# --- ties ----------------------------------------------------------------------------------------------------------


def tie_at(pot: PotOutcome, step: int, project: str) -> Tie | None:
    """The tie of round ``step`` that ``project`` is in with at least one other project."""
    return next(
        (tie for tie in pot.ties if tie.step == step and project in tie.projects and len(tie.projects) > 1), None
    )


def others_in(tie: Tie, project: str) -> tuple[str, ...]:
    return tuple(other for other in tie.projects if other != project)


# --- reasons any project can have ------------------------------------------------------------------------------


def force_funded(pot: Pot, decisions: Sequence[CouncilDecision], project: str) -> ForceFunded | None:
    """The force-funded decision that alone explains ``project``: it is funded and the trace never mentions it.

    (A force-funded project the rule also walked is explained by the walk, which
    shows it taking its money first.)
    """
    decision = next((d for d in decisions if d.kind == "force-funded" and project in d.projects), None)
    if decision is None or project not in pot.outcome.funded or in_trace(pot.outcome, project):
        return None
    return ForceFunded(project=project, cost=pot.costs.get(project), reason=decision.reason)


def verdict(pot: Pot, project: str) -> Verdict:
    """Funded or not, for a project the rule's trace says nothing more about."""
    return Verdict(
        kind=ReasonKind.FUNDED if project in pot.outcome.funded else ReasonKind.NOT_FUNDED,
        project=project,
        cost=pot.costs.get(project),
    )


def afterwords(pot: PotOutcome, decisions: Sequence[CouncilDecision], project: str) -> list[Reason]:
    """Council decisions on ``project`` (bar force-funded ones, a main reason) and the announced outcome's verdict."""
    reasons: list[Reason] = [
        CouncilDecisionNoted(decision=d.kind, reason=d.reason)
        for d in decisions
        if d.kind != "force-funded" and project in d.projects
    ]
    announced = pot.announced
    if announced is not None:
        if project in announced.missing:
            reasons.append(AnnouncedDiffers(kind=ReasonKind.ANNOUNCED_MISSING))
        if project in announced.extra:
            reasons.append(AnnouncedDiffers(kind=ReasonKind.ANNOUNCED_EXTRA))
        if project in announced.outside_money:
            reasons.append(AnnouncedDiffers(kind=ReasonKind.ANNOUNCED_OUTSIDE_MONEY))
    return reasons


def margin_of_defeat(pot: PotOutcome, project: str) -> MarginOfDefeat | None:
    """How far an unfunded project was from funding, when the record has margins (``tally --margins``)."""
    margin = next((m for m in pot.margins if m.project_id == project), None)
    if margin is None:
        return None
    extra, cost = margin.extra_supporters, margin.max_cost
    kind: MarginKind
    if extra is not None and cost is not None:
        kind = ReasonKind.MARGIN_SUPPORTERS_AND_COST
    elif extra is not None:
        kind = ReasonKind.MARGIN_SUPPORTERS
    elif cost is not None:
        kind = ReasonKind.MARGIN_COST
    else:
        kind = ReasonKind.MARGIN_NONE
    return MarginOfDefeat(kind=kind, extra_supporters=extra, max_cost=cost)


def last_word(text: str | None, pattern: str) -> str | None:
    """The token a step's free-text ``reason`` ends with after ``pattern`` (older records say no more)."""
    found = re.search(pattern + r" (\S+)$", text or "")
    return found.group(1) if found else None
