"""What a rule decided for one pot, with every step an auditor needs to check it."""

from __future__ import annotations

from enum import StrEnum
from fractions import Fraction

from pydantic import BaseModel, ConfigDict


class Decision(StrEnum):
    """What happened to a project when a greedy rule reached it."""

    FUNDED = "funded"
    RESERVE_FUNDED = "reserve-funded"
    DID_NOT_FIT = "did-not-fit"
    STOPPED = "stopped"
    NOT_REACHED = "not-reached"
    BELOW_THRESHOLD = "below-threshold"
    WITHDRAWN = "withdrawn"
    EXCLUDED = "excluded"


class GreedyStep(BaseModel):
    """One project in the order a greedy rule walks them.

    ``money_left`` is the pot's money when the project's turn came. ``reason``
    says more where the decision needs it (which funded project excluded it).
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    rank: int
    project_id: str
    score: int
    votes: int
    cost: Fraction
    money_left: Fraction
    decision: Decision
    reason: str | None = None


class Tie(BaseModel):
    """Projects a rule could not order by its primary criterion.

    ``projects`` is the order the tie-breakers produced; ``settled_by`` names the
    criteria used in turn (``lower cost``, ``lottery``). ``decisive`` is true when
    another order could have changed which projects are funded.
    """

    model_config = ConfigDict(frozen=True)

    step: int
    projects: tuple[str, ...]
    settled_by: tuple[str, ...]
    decisive: bool


class ReserveUse(BaseModel):
    """A project funded partly from a reserve outside the pot (Poznań's 80% rule)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    project_id: str
    cost: Fraction
    from_pot: Fraction
    from_reserve: Fraction


class MesPayment(BaseModel):
    """What a group of supporters paid for a project in one round of Equal Shares.

    Supporters with the same money left pay the same: ``voters`` of them paid
    ``amount`` each (less than the cap ``q`` only when it was all they had).
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    voters: int
    amount: Fraction


class MesRound(BaseModel):
    """One round of the Method of Equal Shares.

    ``q`` is the per-voter cap (the smallest amount such that the supporters'
    payments, each ``min(money, q)``, add up to the cost); ``effective_vote_count``
    is ``cost / q`` for cost utilities (``1 / q`` for cardinality). ``candidates``
    lists the projects priced this round with their effective vote counts, best
    first; a project not listed was not priced because its count from an earlier
    round (which can only have fallen since) was already below the winner's.
    ``dropped`` lists the projects whose supporters could no longer afford them.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    round: int
    project_id: str
    cost: Fraction
    q: Fraction
    effective_vote_count: Fraction
    payments: tuple[MesPayment, ...]
    candidates: tuple[tuple[str, Fraction], ...] = ()
    dropped: tuple[str, ...] = ()


class CompletionStep(BaseModel):
    """One endowment tried by a completion (``add1``): its outcome and the verdict."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    endowment: Fraction
    funded: tuple[str, ...]
    spent: Fraction
    accepted: bool
    reason: str


class PhragmenRound(BaseModel):
    """One round of sequential Phragmén: the project funded and the supporters' new load."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    round: int
    project_id: str
    cost: Fraction
    supporters: int
    load: Fraction
    money_left: Fraction
    removed: tuple[str, ...] = ()


class Comparison(BaseModel):
    """The comparison step of ``*-comparison`` rules: how many voters prefer which outcome."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    measure: str
    prefer_rule: int
    prefer_greedy: int
    greedy_funded: tuple[str, ...]
    rule_funded: tuple[str, ...]
    chosen: str


class Optimum(BaseModel):
    """How an exact optimum was found and checked."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    objective: str
    value: Fraction
    method: str
    choice_among_optima: str


class Outcome(BaseModel):
    """A rule's result for one pot.

    ``funded`` lists project ids in funding order. ``spent`` is what the pot paid and
    ``left`` what it kept (``spent + left == budget``); a reserve-funded project's
    gap is in ``reserve``, not in ``spent``.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    rule: str
    params: dict[str, str | int | bool | list[list[str]] | None]
    budget: Fraction
    funded: tuple[str, ...]
    spent: Fraction
    left: Fraction
    greedy_steps: tuple[GreedyStep, ...] = ()
    ties: tuple[Tie, ...] = ()
    reserve: ReserveUse | None = None
    endowment: Fraction | None = None
    mes_rounds: tuple[MesRound, ...] = ()
    completion: tuple[CompletionStep, ...] = ()
    phragmen_rounds: tuple[PhragmenRound, ...] = ()
    comparison: Comparison | None = None
    optimum: Optimum | None = None
    ineligible: tuple[str, ...] = ()


class LeftoverMove(BaseModel):
    """Money a cycle's leftover policy moved, in the order it moved."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    source: str
    target: str
    amount: Fraction
