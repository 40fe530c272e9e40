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
