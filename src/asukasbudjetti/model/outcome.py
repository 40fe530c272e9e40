"""What a rule decided for one pot, with every step an auditor needs to check it.

These models are also the per-pot part of the result record
(:mod:`asukasbudjetti.model.record`): each field here is written to the record's
JSON as it is named here (two are renamed on the way, by an alias: a greedy step's
and a reserve's ``project_id`` is ``project`` in JSON). Money fields are
:data:`~asukasbudjetti.money.Money`: a :class:`~fractions.Fraction` in Python,
exact text in JSON.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from asukasbudjetti.money import Money


class RecordPart(BaseModel):
    """Base of every model the record is made of: frozen, and no field it does not declare.

    ``validate_by_name`` lets Python code use a field's name where JSON uses its alias.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", validate_by_name=True, validate_by_alias=True)


class LeavesOutEmpty(RecordPart):
    """A record part some of whose fields are written only when they hold something."""

    #: Fields left out of the JSON when they are None or empty (the traces a rule does not make).
    omitted_when_empty: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _leave_out_empty(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for name in self.omitted_when_empty:
            if name in data and (data[name] is None or data[name] == [] or data[name] == {} or data[name] == ()):
                del data[name]
        return data


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


class GreedyStep(RecordPart):
    """One project in the order a greedy rule walks them.

    ``money_left`` is the pot's money when the project's turn came. ``reason``
    says more where the decision needs it (which funded project excluded it).
    """

    rank: int
    project_id: str = Field(alias="project")
    score: int
    votes: int
    cost: Money
    money_left: Money
    decision: Decision
    reason: str | None = None


class Tie(RecordPart):
    """Projects a rule could not order by its primary criterion.

    ``projects`` is the order the tie-breakers produced; ``settled_by`` names the
    criteria used in turn (``lower cost``, ``lottery``). ``decisive`` is true when
    another order could have changed which projects are funded.
    """

    step: int
    projects: tuple[str, ...]
    settled_by: tuple[str, ...]
    decisive: bool


class ReserveUse(RecordPart):
    """A project funded partly from a reserve outside the pot (Poznań's 80% rule)."""

    project_id: str = Field(alias="project")
    cost: Money
    from_pot: Money
    from_reserve: Money


class MesPayment(RecordPart):
    """What a group of supporters paid for a project in one round of Equal Shares.

    Supporters with the same money left pay the same: ``voters`` of them paid
    ``amount`` each (less than the cap ``q`` only when it was all they had).
    """

    voters: int
    amount: Money


class MesRound(RecordPart):
    """One round of the Method of Equal Shares.

    ``q`` is the per-voter cap (the smallest amount such that the supporters'
    payments, each ``min(money, q)``, add up to the cost); ``effective_vote_count``
    is ``cost / q`` for cost utilities (``1 / q`` for cardinality). ``candidates``
    lists the projects priced this round with their effective vote counts, best
    first; a project not listed was not priced because its count from an earlier
    round (which can only have fallen since) was already below the winner's.
    ``dropped`` lists the projects whose supporters could no longer afford them.
    """

    round: int
    project_id: str
    cost: Money
    q: Money
    effective_vote_count: Money
    payments: tuple[MesPayment, ...]
    candidates: tuple[tuple[str, Money], ...] = ()
    dropped: tuple[str, ...] = ()


class CompletionStep(RecordPart):
    """One endowment tried by a completion (``add1``): its outcome and the verdict."""

    endowment: Money
    funded: tuple[str, ...]
    spent: Money
    accepted: bool
    reason: str


class PhragmenRound(RecordPart):
    """One round of sequential Phragmén: the project funded and the supporters' new load."""

    round: int
    project_id: str
    cost: Money
    supporters: int
    load: Money
    money_left: Money
    removed: tuple[str, ...] = ()


class Comparison(RecordPart):
    """The comparison step of ``*-comparison`` rules: how many voters prefer which outcome."""

    measure: str
    prefer_rule: int
    prefer_greedy: int
    greedy_funded: tuple[str, ...]
    rule_funded: tuple[str, ...]
    chosen: str


class Optimum(RecordPart):
    """How an exact optimum was found and checked."""

    objective: str
    value: Money
    method: str
    choice_among_optima: str


class GreedyParameters(RecordPart):
    """What a greedy rule ran with: its threshold, whether it skips a project that does
    not fit (``skip``) or stops, the ``order`` (by score, or by score per cost), the
    exclusive groups, Poznań's reserve share, Tampere's favourite-first
    (``top1_first``), the lottery seed and the tie-breaking order."""

    threshold: Money | None
    skip: bool
    order: str
    exclusive: tuple[tuple[str, ...], ...]
    reserve_share: Money | None
    top1_first: bool
    seed: int
    tie_breaking: str


class EqualSharesParameters(RecordPart):
    """What the Method of Equal Shares ran with: utilities, completion (and add1's start,
    increment and exhaustive stop), the comparison step, the eligibility filter's ``k``,
    whether every project fit at once, the lottery seed and the tie-breaking order."""

    utilities: str
    completion: str
    add1_start: str
    add1_increment: Money
    add1_stop_when_exhaustive: bool
    comparison: str
    eligibility_k: Money | None
    everything_affordable: bool
    seed: int
    tie_breaking: str


class PhragmenParameters(RecordPart):
    """What sequential Phragmén ran with: the lottery seed, the tie-breaking order and how loads are counted."""

    seed: int
    tie_breaking: str
    loads: str


class MaxWelfareParameters(RecordPart):
    """What the utilitarian optimum ran with: the objective, the lottery seed and how one optimum is chosen."""

    objective: str
    seed: int
    choice_among_optima: str


#: A rule's parameters as the record shows them, defaults included; the fields tell the family apart.
RuleParameters = GreedyParameters | EqualSharesParameters | PhragmenParameters | MaxWelfareParameters


class Outcome(LeavesOutEmpty):
    """A rule's result for one pot.

    ``funded`` lists project ids in funding order. ``spent`` is what the pot paid and
    ``left`` what it kept (``spent + left == budget``); a reserve-funded project's
    gap is in ``reserve``, not in ``spent``. ``steps`` is the greedy walk (empty for
    the other rules); each rule's own trace follows, written only when the rule made one.
    """

    omitted_when_empty: ClassVar[frozenset[str]] = frozenset(
        {"endowment", "mes_rounds", "completion", "phragmen_rounds", "comparison", "optimum", "ineligible"}
    )

    rule: str
    params: RuleParameters
    budget: Money
    funded: tuple[str, ...]
    spent: Money
    left: Money
    steps: tuple[GreedyStep, ...]
    ties: tuple[Tie, ...]
    reserve: ReserveUse | None
    endowment: Money | None = None
    mes_rounds: tuple[MesRound, ...] = ()
    completion: tuple[CompletionStep, ...] = ()
    phragmen_rounds: tuple[PhragmenRound, ...] = ()
    comparison: Comparison | None = None
    optimum: Optimum | None = None
    ineligible: tuple[str, ...] = ()
