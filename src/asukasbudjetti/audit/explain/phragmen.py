"""Reasons under sequential Phragmén, read from its rounds (``phragmen_rounds``):
the round that funded the project and its supporters' new load, or the round
before which it no longer fit."""

from __future__ import annotations

from asukasbudjetti.audit.explain.common import Pot, others_in, tie_at
from asukasbudjetti.audit.explain.reasons import (
    PhragmenFunded,
    PhragmenNoRoundWon,
    PhragmenRemoved,
    PhragmenRemovedAtStart,
    Reason,
    ReasonKind,
    TieSettled,
)


def phragmen_reasons(pot: Pot, project: str) -> list[Reason]:
    """Why a round of Phragmén funded ``project``, or why none did."""
    outcome = pot.outcome
    rounds = outcome.phragmen_rounds
    cost = pot.costs.get(project)
    won = next((r for r in rounds if r.project_id == project), None)
    if won is not None:
        reasons: list[Reason] = [
            PhragmenFunded(
                project=project,
                cost=cost,
                round=won.round,
                supporters=won.supporters,
                load=won.load,
                money_left=won.money_left,
            )
        ]
        tie = tie_at(outcome, won.round, project)
        if tie is not None:
            reasons.append(
                TieSettled(kind=ReasonKind.PHRAGMEN_TIE_WON, others=others_in(tie, project), settled_by=tie.settled_by)
            )
        return reasons
    removed_in = next((r.round for r in rounds if project in r.removed), None)
    if removed_in == 1:
        # Round 1 removes what can never fit: a withdrawn project, or one dearer than the whole budget.
        return [PhragmenRemovedAtStart(project=project, cost=cost, budget=outcome.budget)]
    if removed_in is not None:
        # The money left when it was removed is what the round before it left.
        before = [r for r in rounds if r.round < removed_in]
        money_left = before[-1].money_left if before else outcome.budget
        return [PhragmenRemoved(project=project, cost=cost, round=removed_in, money_left=money_left)]
    return [PhragmenNoRoundWon(project=project, cost=cost, money_left=outcome.left)]
