"""Reasons: why a project was or was not funded, as data, in no language.

Each reason is a frozen dataclass whose ``kind`` (a :class:`ReasonKind`) says which
fact it states, holding the numbers and ids that fact needs: exact money as
:class:`~fractions.Fraction`, shares as fractions of one (not percentages), ids as
the record spells them. A project's paragraph is a tuple of reasons in reading
order; :mod:`asukasbudjetti.audit.explain.render` turns each into a sentence (some
reasons are clauses that another reason's sentence holds: :data:`MesWhy`).

A class may serve several kinds when they need the same data (``GREEDY_DID_NOT_FIT``
and ``GREEDY_STOPPED`` both have the money left and the shortfall); its ``kind``
field lists which.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Literal


class ReasonKind(StrEnum):
    """Every fact an explanation can state (one sentence template per kind and language)."""

    # --- any rule ---
    FORCE_FUNDED = "force-funded"
    FUNDED = "funded"
    NOT_FUNDED = "not-funded"
    COUNCIL_DECISION = "council-decision"
    ANNOUNCED_MISSING = "announced-missing"
    ANNOUNCED_EXTRA = "announced-extra"
    ANNOUNCED_OUTSIDE_MONEY = "announced-outside-money"
    MARGIN_SUPPORTERS = "margin-supporters"
    MARGIN_COST = "margin-cost"
    MARGIN_SUPPORTERS_AND_COST = "margin-supporters-and-cost"
    MARGIN_NONE = "margin-none"
    # --- greedy rules ---
    GREEDY_RANKED = "greedy-ranked"
    GREEDY_WITHDRAWN = "greedy-withdrawn"
    GREEDY_FUNDED = "greedy-funded"
    GREEDY_DID_NOT_FIT = "greedy-did-not-fit"
    GREEDY_STOPPED = "greedy-stopped"
    GREEDY_RESERVE_SHARE_TOO_SMALL = "greedy-reserve-share-too-small"
    GREEDY_COUNT_STOPPED = "greedy-count-stopped"
    GREEDY_NOT_REACHED = "greedy-not-reached"
    GREEDY_NOT_REACHED_AFTER_STOP = "greedy-not-reached-after-stop"
    GREEDY_NOT_REACHED_AFTER_RESERVE = "greedy-not-reached-after-reserve"
    GREEDY_BELOW_THRESHOLD = "greedy-below-threshold"
    GREEDY_EXCLUDED = "greedy-excluded"
    GREEDY_RESERVE_FUNDED = "greedy-reserve-funded"
    GREEDY_TIE_ON_SCORE = "greedy-tie-on-score"
    GREEDY_TIE_ON_SCORE_PER_COST = "greedy-tie-on-score-per-cost"
    # --- Method of Equal Shares: what the rounds did (clauses) ---
    MES_ROUND_WON = "mes-round-won"
    MES_INELIGIBLE = "mes-ineligible"
    MES_DROPPED = "mes-dropped"
    MES_TIE_LOST = "mes-tie-lost"
    MES_NEVER_BEST = "mes-never-best"
    MES_NEVER_PRICED = "mes-never-priced"
    # --- Method of Equal Shares: the verdict that holds a clause ---
    MES_FUNDED = "mes-funded"
    MES_NOT_FUNDED = "mes-not-funded"
    MES_EVERYTHING_AFFORDABLE = "mes-everything-affordable"
    MES_COMPLETION_FUNDED = "mes-completion-funded"
    MES_GREEDY_ADOPTED = "mes-greedy-adopted"
    # --- Method of Equal Shares: what follows the verdict ---
    MES_TIE_WON = "mes-tie-won"
    MES_OUTCOUNTED = "mes-outcounted"
    MES_RULE_STOPPED = "mes-rule-stopped"
    MES_ENDOWMENT_RAISED = "mes-endowment-raised"
    MES_ENDOWMENT_KEPT = "mes-endowment-kept"
    # --- sequential Phragmén ---
    PHRAGMEN_FUNDED = "phragmen-funded"
    PHRAGMEN_TIE_WON = "phragmen-tie-won"
    PHRAGMEN_REMOVED_AT_START = "phragmen-removed-at-start"
    PHRAGMEN_REMOVED = "phragmen-removed"
    PHRAGMEN_NO_ROUND_WON = "phragmen-no-round-won"
    # --- utilitarian optimum (max-welfare) ---
    OPTIMUM_FUNDED = "optimum-funded"
    OPTIMUM_NOT_FUNDED = "optimum-not-funded"
    OPTIMUM_TIE = "optimum-tie"


K = ReasonKind

# Every reason is keyword-only so that ``kind`` can come first and still have a
# default where a class serves one kind only.


# --- any rule ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ForceFunded:
    """A council decision funded the project before the count; ``reason`` is the decision's own words."""

    kind: Literal[K.FORCE_FUNDED] = K.FORCE_FUNDED
    project: str
    cost: Fraction | None
    reason: str


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """Funded or not, with nothing more the record says (the project has no trace of its own)."""

    kind: Literal[K.FUNDED, K.NOT_FUNDED]
    project: str
    cost: Fraction | None


@dataclass(frozen=True, kw_only=True)
class CouncilDecisionNoted:
    """A cycle's council decision (``withdrawn``, ``exclusive``, ``excluded``) names the project."""

    kind: Literal[K.COUNCIL_DECISION] = K.COUNCIL_DECISION
    decision: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class AnnouncedDiffers:
    """The city's announced outcome disagrees with the count, or paid from money outside the file."""

    kind: Literal[K.ANNOUNCED_MISSING, K.ANNOUNCED_EXTRA, K.ANNOUNCED_OUTSIDE_MONEY]


#: What a margin of defeat can say.
MarginKind = Literal[K.MARGIN_SUPPORTERS, K.MARGIN_COST, K.MARGIN_SUPPORTERS_AND_COST, K.MARGIN_NONE]


@dataclass(frozen=True, kw_only=True)
class MarginOfDefeat:
    """How far an unfunded project was: the fewest extra supporters, the largest cost that would have funded it."""

    kind: MarginKind
    extra_supporters: int | None
    max_cost: Fraction | None


# --- greedy rules ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class GreedyRanked:
    """Where the greedy walk ranked the project, and by what support.

    ``per_cost``: the walk is ordered by score per unit of cost, not by score.
    ``GREEDY_WITHDRAWN`` is the whole story of a withdrawn project (its cost is not
    what decided it).
    """

    kind: Literal[K.GREEDY_RANKED, K.GREEDY_WITHDRAWN]
    project: str
    cost: Fraction | None
    rank: int
    score: int
    votes: int
    per_cost: bool


@dataclass(frozen=True, kw_only=True)
class GreedyFunded:
    """The project fit the money left at its turn; ``remaining`` is what was left after it."""

    kind: Literal[K.GREEDY_FUNDED] = K.GREEDY_FUNDED
    money_left: Fraction
    remaining: Fraction


@dataclass(frozen=True, kw_only=True)
class GreedyShort:
    """The project cost ``shortfall`` more than the ``money_left`` at its turn.

    ``GREEDY_STOPPED``: a rule that does not skip stopped the count there.
    """

    kind: Literal[K.GREEDY_DID_NOT_FIT, K.GREEDY_STOPPED]
    money_left: Fraction
    shortfall: Fraction


@dataclass(frozen=True, kw_only=True)
class GreedyReserveShareTooSmall:
    """The money left ``covered`` less of the cost than the ``needed`` share that opens the reserve."""

    kind: Literal[K.GREEDY_RESERVE_SHARE_TOO_SMALL] = K.GREEDY_RESERVE_SHARE_TOO_SMALL
    covered: Fraction
    needed: Fraction


@dataclass(frozen=True, kw_only=True)
class GreedyCountStopped:
    """The rule does not skip a project that does not fit, so the count ended at this one."""

    kind: Literal[K.GREEDY_COUNT_STOPPED] = K.GREEDY_COUNT_STOPPED


@dataclass(frozen=True, kw_only=True)
class GreedyNotReached:
    """The count had ended before the project's turn; ``stopped_at`` is the project it ended at, when known.

    ``GREEDY_NOT_REACHED_AFTER_STOP``: ``stopped_at`` did not fit;
    ``GREEDY_NOT_REACHED_AFTER_RESERVE``: ``stopped_at`` was funded partly from the reserve.
    """

    kind: Literal[K.GREEDY_NOT_REACHED, K.GREEDY_NOT_REACHED_AFTER_STOP, K.GREEDY_NOT_REACHED_AFTER_RESERVE]
    stopped_at: str | None


@dataclass(frozen=True, kw_only=True)
class GreedyBelowThreshold:
    """The project's score was below the rule's threshold (``None``: the record does not say the threshold)."""

    kind: Literal[K.GREEDY_BELOW_THRESHOLD] = K.GREEDY_BELOW_THRESHOLD
    score: int
    threshold: Fraction | None


@dataclass(frozen=True, kw_only=True)
class GreedyExcluded:
    """A project mutually exclusive with this one (``partner``; ``None`` when unknown) was funded first."""

    kind: Literal[K.GREEDY_EXCLUDED] = K.GREEDY_EXCLUDED
    partner: str | None


@dataclass(frozen=True, kw_only=True)
class GreedyReserveFunded:
    """The money left did not cover the cost, but covered enough of it to draw the rest from the reserve.

    ``covered`` and ``needed`` are shares of the cost (``needed`` ``None``: the record
    does not say the rule's share).
    """

    kind: Literal[K.GREEDY_RESERVE_FUNDED] = K.GREEDY_RESERVE_FUNDED
    money_left: Fraction
    shortfall: Fraction
    covered: Fraction
    needed: Fraction | None
    from_pot: Fraction
    from_reserve: Fraction


# --- ties (every rule) -------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class TieSettled:
    """The project tied with ``others`` and the tie-breakers ``settled_by`` (in turn) decided between them."""

    kind: Literal[
        K.GREEDY_TIE_ON_SCORE,
        K.GREEDY_TIE_ON_SCORE_PER_COST,
        K.MES_TIE_WON,
        K.PHRAGMEN_TIE_WON,
        K.OPTIMUM_TIE,
    ]
    others: tuple[str, ...]
    settled_by: tuple[str, ...]


# --- Method of Equal Shares --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupportersPaid:
    """``voters`` supporters paid ``amount`` each; ``all_they_had`` when that was all their money left."""

    voters: int
    amount: Fraction
    all_they_had: bool


@dataclass(frozen=True, kw_only=True)
class MesRoundWon:
    """A round of Equal Shares funded the project; its supporters' payments, grouped by amount."""

    kind: Literal[K.MES_ROUND_WON] = K.MES_ROUND_WON
    round: int
    effective_vote_count: Fraction
    payments: tuple[SupportersPaid, ...]


@dataclass(frozen=True, kw_only=True)
class MesIneligible:
    """The eligibility filter left the project out (``eligibility_k`` as the record gives it)."""

    kind: Literal[K.MES_INELIGIBLE] = K.MES_INELIGIBLE
    eligibility_k: str


@dataclass(frozen=True, kw_only=True)
class MesDropped:
    """In ``round`` the supporters together had less money left than the cost."""

    kind: Literal[K.MES_DROPPED] = K.MES_DROPPED
    round: int


@dataclass(frozen=True, kw_only=True)
class MesOutcounted:
    """The project's effective vote count in ``round`` was below the ``winner``'s.

    ``MES_NEVER_BEST``: it stayed affordable and this was the last round it was priced;
    ``MES_OUTCOUNTED``: its last count before its supporters could no longer afford it.
    """

    kind: Literal[K.MES_NEVER_BEST, K.MES_OUTCOUNTED]
    round: int
    effective_vote_count: Fraction
    winner: str
    winner_count: Fraction


@dataclass(frozen=True, kw_only=True)
class MesTieLost:
    """The project stayed affordable and in ``round`` tied with the ``winner``, losing the tie-break.

    ``settled_by`` is ``None`` when the record has no tie naming both.
    """

    kind: Literal[K.MES_TIE_LOST] = K.MES_TIE_LOST
    round: int
    winner: str
    effective_vote_count: Fraction
    settled_by: tuple[str, ...] | None


@dataclass(frozen=True, kw_only=True)
class MesNeverPriced:
    """No recorded round priced the project."""

    kind: Literal[K.MES_NEVER_PRICED] = K.MES_NEVER_PRICED


@dataclass(frozen=True, kw_only=True)
class MesRuleStopped:
    """After ``round``, the last, the supporters could no longer afford the project and the rule stopped."""

    kind: Literal[K.MES_RULE_STOPPED] = K.MES_RULE_STOPPED
    round: int


#: Why Equal Shares itself did not fund a project.
MesWhyNot = MesIneligible | MesDropped | MesOutcounted | MesTieLost | MesNeverPriced
#: What Equal Shares itself did with a project: a clause that a verdict holds.
MesWhy = MesRoundWon | MesWhyNot


@dataclass(frozen=True, kw_only=True)
class MesFunded:
    """A round of Equal Shares funded the project."""

    kind: Literal[K.MES_FUNDED] = K.MES_FUNDED
    project: str
    cost: Fraction | None
    why: MesRoundWon


@dataclass(frozen=True, kw_only=True)
class MesNotFunded:
    """Equal Shares did not fund the project, and nothing after it did."""

    kind: Literal[K.MES_NOT_FUNDED] = K.MES_NOT_FUNDED
    project: str
    cost: Fraction | None
    why: MesWhyNot


@dataclass(frozen=True, kw_only=True)
class MesEverythingAffordable:
    """All the projects together fit the budget, so the rule funded every one without rounds."""

    kind: Literal[K.MES_EVERYTHING_AFFORDABLE] = K.MES_EVERYTHING_AFFORDABLE
    project: str
    cost: Fraction | None


@dataclass(frozen=True, kw_only=True)
class MesCompletionFunded:
    """The ``completion`` (funding the rest by votes after the rounds) funded what Equal Shares did not."""

    kind: Literal[K.MES_COMPLETION_FUNDED] = K.MES_COMPLETION_FUNDED
    project: str
    cost: Fraction | None
    completion: str
    why: MesWhyNot


@dataclass(frozen=True, kw_only=True)
class MesGreedyAdopted:
    """The comparison step found more voters preferring the greedy outcome, which the rule adopted.

    ``funded``: the project is funded in the end; ``greedy_funds``: the greedy outcome
    funds it; ``why``: what Equal Shares alone did with it.
    """

    kind: Literal[K.MES_GREEDY_ADOPTED] = K.MES_GREEDY_ADOPTED
    project: str
    cost: Fraction | None
    funded: bool
    greedy_funds: bool
    measure: str
    prefer_greedy: int
    prefer_rule: int
    why: MesWhy


@dataclass(frozen=True, kw_only=True)
class MesEndowment:
    """What the ``completion`` did to each voter's endowment: ``first`` it tried, ``adopted`` in the end."""

    kind: Literal[K.MES_ENDOWMENT_RAISED, K.MES_ENDOWMENT_KEPT]
    completion: str
    first: Fraction
    adopted: Fraction


# --- sequential Phragmén -----------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PhragmenFunded:
    """Round ``round`` funded the project: its ``supporters``' new ``load`` was the lowest any project gave."""

    kind: Literal[K.PHRAGMEN_FUNDED] = K.PHRAGMEN_FUNDED
    project: str
    cost: Fraction | None
    round: int
    supporters: int
    load: Fraction
    money_left: Fraction


@dataclass(frozen=True, kw_only=True)
class PhragmenRemovedAtStart:
    """Removed before round 1: withdrawn, or dearer than the whole ``budget``."""

    kind: Literal[K.PHRAGMEN_REMOVED_AT_START] = K.PHRAGMEN_REMOVED_AT_START
    project: str
    cost: Fraction | None
    budget: Fraction


@dataclass(frozen=True, kw_only=True)
class PhragmenRemoved:
    """Removed before ``round``, when only ``money_left`` remained."""

    kind: Literal[K.PHRAGMEN_REMOVED] = K.PHRAGMEN_REMOVED
    project: str
    cost: Fraction | None
    round: int
    money_left: Fraction


@dataclass(frozen=True, kw_only=True)
class PhragmenNoRoundWon:
    """No round funded the project (no supporters, or it no longer fit the ``money_left`` at the end)."""

    kind: Literal[K.PHRAGMEN_NO_ROUND_WON] = K.PHRAGMEN_NO_ROUND_WON
    project: str
    cost: Fraction | None
    money_left: Fraction


# --- utilitarian optimum -----------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class OptimumVerdict:
    """In the optimal set or not, with the optimum's ``objective`` and total ``welfare``."""

    kind: Literal[K.OPTIMUM_FUNDED, K.OPTIMUM_NOT_FUNDED]
    project: str
    cost: Fraction | None
    objective: str
    welfare: Fraction


#: Any reason.
Reason = (
    ForceFunded
    | Verdict
    | CouncilDecisionNoted
    | AnnouncedDiffers
    | MarginOfDefeat
    | GreedyRanked
    | GreedyFunded
    | GreedyShort
    | GreedyReserveShareTooSmall
    | GreedyCountStopped
    | GreedyNotReached
    | GreedyBelowThreshold
    | GreedyExcluded
    | GreedyReserveFunded
    | TieSettled
    | MesRoundWon
    | MesIneligible
    | MesDropped
    | MesOutcounted
    | MesTieLost
    | MesNeverPriced
    | MesRuleStopped
    | MesFunded
    | MesNotFunded
    | MesEverythingAffordable
    | MesCompletionFunded
    | MesGreedyAdopted
    | MesEndowment
    | PhragmenFunded
    | PhragmenRemovedAtStart
    | PhragmenRemoved
    | PhragmenNoRoundWon
    | OptimumVerdict
)
