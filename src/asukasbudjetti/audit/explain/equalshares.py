"""Reasons under the Method of Equal Shares, read from its rounds (``mes_rounds``),
its eligibility filter (``ineligible``), its completion (``completion``,
``endowment``) and its comparison step (``comparison``)."""

from __future__ import annotations

from asukasbudjetti.audit.explain.common import Pot, others_in, tie_at
from asukasbudjetti.audit.explain.reasons import (
    MesCompletionFunded,
    MesDropped,
    MesEndowment,
    MesEverythingAffordable,
    MesFunded,
    MesGreedyAdopted,
    MesIneligible,
    MesNeverPriced,
    MesNotFunded,
    MesOutcounted,
    MesRoundWon,
    MesRuleStopped,
    MesTieLost,
    MesWhy,
    MesWhyNot,
    Reason,
    ReasonKind,
    SupportersPaid,
    TieSettled,
)
from asukasbudjetti.model.outcome import MesRound


def equal_shares_reasons(pot: Pot, project: str) -> list[Reason]:
    """Why Equal Shares (and what came after it: completion, comparison) funded ``project`` or not."""
    outcome = pot.outcome
    won = next((r for r in outcome.mes_rounds if r.project_id == project), None)
    why: MesWhy
    if won is not None:
        why, follow = _round_won(pot, won), _tie_won(pot, won)
    else:
        why, follow = _why_not(pot, project)
    funded = project in outcome.funded
    cost = pot.costs.get(project)
    verdict: Reason
    if outcome.comparison is not None and outcome.comparison.chosen == "greedy":
        comparison = outcome.comparison
        verdict = MesGreedyAdopted(
            project=project,
            cost=cost,
            funded=funded,
            greedy_funds=project in comparison.greedy_funded,
            measure=comparison.measure,
            prefer_greedy=comparison.prefer_greedy,
            prefer_rule=comparison.prefer_rule,
            why=why,
        )
    elif isinstance(why, MesRoundWon):
        verdict = MesFunded(project=project, cost=cost, why=why)
    elif funded and not outcome.mes_rounds and pot.settings.everything_affordable:
        verdict = MesEverythingAffordable(project=project, cost=cost)
    elif funded:
        completion = pot.settings.completion if pot.settings.completion is not None else "none"
        verdict = MesCompletionFunded(project=project, cost=cost, completion=completion, why=why)
    else:
        verdict = MesNotFunded(project=project, cost=cost, why=why)
    return [verdict, *follow, *_endowment(pot)]


def _round_won(pot: Pot, won: MesRound) -> MesRoundWon:
    # Under cost and cardinality utilities every supporter is asked the same cap q, so
    # one who paid less gave all the money she had left.
    alike = pot.settings.utilities in ("cost", "cardinality")
    payments = tuple(
        SupportersPaid(voters=p.voters, amount=p.amount, all_they_had=alike and p.amount < won.q) for p in won.payments
    )
    return MesRoundWon(round=won.round, effective_vote_count=won.effective_vote_count, payments=payments)


def _tie_won(pot: Pot, won: MesRound) -> list[Reason]:
    tie = tie_at(pot.outcome, won.round, won.project_id)
    if tie is None:
        return []
    return [TieSettled(kind=ReasonKind.MES_TIE_WON, others=others_in(tie, won.project_id), settled_by=tie.settled_by)]


def _why_not(pot: Pot, project: str) -> tuple[MesWhyNot, list[Reason]]:
    """Why no round funded ``project``, and what the rounds add to that."""
    outcome = pot.outcome
    rounds = outcome.mes_rounds
    if project in outcome.ineligible:
        return MesIneligible(eligibility_k=pot.settings.eligibility_k), []
    dropped_in = next((r.round for r in rounds if project in r.dropped), None)
    # Each round that priced the project, with its effective vote count there.
    priced = [(r, count) for r in rounds for candidate, count in r.candidates if candidate == project]
    if dropped_in is not None:
        earlier = [(r, count) for r, count in priced if r.round < dropped_in]
        if not earlier:
            return MesDropped(round=dropped_in), []
        r, count = earlier[-1]
        outcounted = MesOutcounted(
            kind=ReasonKind.MES_OUTCOUNTED,
            round=r.round,
            effective_vote_count=count,
            winner=r.project_id,
            winner_count=r.effective_vote_count,
        )
        return MesDropped(round=dropped_in), [outcounted]
    if priced:
        r, count = priced[-1]
        why: MesWhyNot
        if count == r.effective_vote_count:
            tie = next(
                (t for t in outcome.ties if t.step == r.round and {project, r.project_id} <= set(t.projects)), None
            )
            why = MesTieLost(
                round=r.round,
                winner=r.project_id,
                effective_vote_count=count,
                settled_by=tie.settled_by if tie is not None else None,
            )
        else:
            why = MesOutcounted(
                kind=ReasonKind.MES_NEVER_BEST,
                round=r.round,
                effective_vote_count=count,
                winner=r.project_id,
                winner_count=r.effective_vote_count,
            )
        # Still affordable at its last pricing, so the rule must have stopped for want of its supporters' money.
        return why, [MesRuleStopped(round=rounds[-1].round)]
    return MesNeverPriced(), []


def _endowment(pot: Pot) -> list[Reason]:
    """What the completion did to each voter's endowment (``add1`` raises it until the budget is spent)."""
    outcome = pot.outcome
    if not outcome.completion or outcome.endowment is None:
        return []
    first, adopted = outcome.completion[0].endowment, outcome.endowment
    completion = pot.settings.completion if pot.settings.completion is not None else "add1"
    return [
        MesEndowment(
            kind=ReasonKind.MES_ENDOWMENT_RAISED if adopted != first else ReasonKind.MES_ENDOWMENT_KEPT,
            completion=completion,
            first=first,
            adopted=adopted,
        )
    ]
