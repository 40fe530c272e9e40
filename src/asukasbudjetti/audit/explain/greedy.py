"""Reasons under a greedy rule, read from its walk (``steps``): where the project
ranked, the money left at its turn, and what the rule then decided."""

from __future__ import annotations

from fractions import Fraction

from asukasbudjetti.audit.explain.common import Pot, exact_or_none, last_word, others_in, verdict
from asukasbudjetti.audit.explain.reasons import (
    GreedyBelowThreshold,
    GreedyCountStopped,
    GreedyExcluded,
    GreedyFunded,
    GreedyNotReached,
    GreedyRanked,
    GreedyReserveFunded,
    GreedyReserveShareTooSmall,
    GreedyShort,
    Reason,
    ReasonKind,
    TieSettled,
)
from asukasbudjetti.model.outcome import Decision, GreedyStep


def greedy_reasons(pot: Pot, project: str) -> list[Reason]:
    """Why the greedy walk funded ``project`` or passed it over."""
    steps = pot.outcome.steps
    step = next((s for s in steps if s.project_id == project), None)
    if step is None:
        return [verdict(pot, project)]
    withdrawn = step.decision is Decision.WITHDRAWN
    ranked = GreedyRanked(
        kind=ReasonKind.GREEDY_WITHDRAWN if withdrawn else ReasonKind.GREEDY_RANKED,
        project=project,
        cost=pot.costs.get(project),
        rank=step.rank,
        score=step.score,
        votes=step.votes,
        per_cost=pot.settings.per_cost,
    )
    if withdrawn:
        # Being withdrawn is the whole story: no money, no tie decided its fate.
        return [ranked]
    reasons: list[Reason] = [ranked, *_decided(pot, step)]
    tie = _decisive_tie(pot, project)
    if tie is not None:
        reasons.append(tie)
    return reasons


def _decided(pot: Pot, step: GreedyStep) -> list[Reason]:
    """What the rule decided at the project's turn, and why."""
    cost, left = step.cost, step.money_left
    match step.decision:
        case Decision.FUNDED:
            return [GreedyFunded(money_left=left, remaining=left - cost)]
        case Decision.DID_NOT_FIT:
            return [GreedyShort(kind=ReasonKind.GREEDY_DID_NOT_FIT, money_left=left, shortfall=cost - left)]
        case Decision.STOPPED:
            reasons: list[Reason] = [
                GreedyShort(kind=ReasonKind.GREEDY_STOPPED, money_left=left, shortfall=cost - left)
            ]
            share = pot.settings.reserve_share
            if share is not None and cost > 0:
                # A rule with a reserve stops only when the money left covers too little of the cost.
                reasons.append(GreedyReserveShareTooSmall(covered=left / cost, needed=share))
            reasons.append(GreedyCountStopped())
            return reasons
        case Decision.NOT_REACHED:
            return [_not_reached(pot, step.rank)]
        case Decision.BELOW_THRESHOLD:
            threshold = pot.settings.threshold
            if threshold is None:
                # Records of rules that take the threshold from the ballots say it only in the reason.
                threshold = exact_or_none(last_word(step.reason, "threshold"))
            return [GreedyBelowThreshold(score=step.score, threshold=threshold)]
        case Decision.EXCLUDED:
            return [GreedyExcluded(partner=_partner(pot, step))]
        case Decision.RESERVE_FUNDED:
            return [_reserve_funded(pot, step)]
        case Decision.WITHDRAWN:
            return []


def _not_reached(pot: Pot, rank: int) -> GreedyNotReached:
    """The project before this one where the count ended (a no-skip stop, or the reserve's one use)."""
    stopper = next(
        (s for s in pot.outcome.steps if s.rank < rank and s.decision in (Decision.STOPPED, Decision.RESERVE_FUNDED)),
        None,
    )
    if stopper is None:
        return GreedyNotReached(kind=ReasonKind.GREEDY_NOT_REACHED, stopped_at=None)
    if stopper.decision is Decision.RESERVE_FUNDED:
        return GreedyNotReached(kind=ReasonKind.GREEDY_NOT_REACHED_AFTER_RESERVE, stopped_at=stopper.project_id)
    return GreedyNotReached(kind=ReasonKind.GREEDY_NOT_REACHED_AFTER_STOP, stopped_at=stopper.project_id)


def _partner(pot: Pot, step: GreedyStep) -> str | None:
    """The funded project of the step's exclusive group, from the groups and the walk (else the step's reason)."""
    funded_before = {
        s.project_id
        for s in pot.outcome.steps
        if s.rank < step.rank and s.decision in (Decision.FUNDED, Decision.RESERVE_FUNDED)
    }
    for group in pot.settings.exclusive:
        if step.project_id in group:
            partners = [p for p in group if p in funded_before]
            if partners:
                return partners[0]
    return last_word(step.reason, "funded project")


def _reserve_funded(pot: Pot, step: GreedyStep) -> GreedyReserveFunded:
    cost, left = step.cost, step.money_left
    reserve = pot.outcome.reserve
    if reserve is not None and reserve.project_id == step.project_id:
        from_pot, from_reserve = reserve.from_pot, reserve.from_reserve
    else:
        from_pot, from_reserve = left, cost - left
    return GreedyReserveFunded(
        money_left=left,
        shortfall=cost - left,
        # A free project is wholly covered by any money left.
        covered=left / cost if cost > 0 else Fraction(1),
        needed=pot.settings.reserve_share,
        from_pot=from_pot,
        from_reserve=from_reserve,
    )


def _decisive_tie(pot: Pot, project: str) -> TieSettled | None:
    """The tie on the walk's order that could have changed which projects are funded."""
    tie = next((t for t in pot.outcome.ties if t.decisive and project in t.projects), None)
    if tie is None:
        return None
    return TieSettled(
        kind=ReasonKind.GREEDY_TIE_ON_SCORE_PER_COST if pot.settings.per_cost else ReasonKind.GREEDY_TIE_ON_SCORE,
        others=others_in(tie, project),
        settled_by=tie.settled_by,
    )
