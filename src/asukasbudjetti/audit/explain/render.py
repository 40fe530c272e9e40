"""Reasons as sentences, in any of the languages of :mod:`asukasbudjetti.i18n`.

:data:`TEMPLATES` holds one message per :class:`~.reasons.ReasonKind`, with named
placeholders; :data:`PHRASES` the pieces some of those sentences are built from (the
project's name and cost, a grouped payment). Both hold only the English message ids,
marked for extraction; the Finnish, Swedish and English texts are in the gettext
catalogs (docs/translations.md). A message marked with ``NP_`` has plural forms,
chosen by a count (``1 vote``, ``2 votes``).

Money is shown exact, as :class:`~asukasbudjetti.i18n.Texts` writes it: in the
language's own way (``1 868 353 €``, ``€1,868,353``), cents only where the amount has
them, an amount with no finite decimal form as a fraction with an approximation
(``8125/3 ≈ 2 708,33 €``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from fractions import Fraction
from typing import Final

from asukasbudjetti.audit.explain.reasons import (
    AnnouncedDiffers,
    CouncilDecisionNoted,
    ForceFunded,
    GreedyBelowThreshold,
    GreedyCountStopped,
    GreedyExcluded,
    GreedyFunded,
    GreedyNotReached,
    GreedyRanked,
    GreedyReserveFunded,
    GreedyReserveShareTooSmall,
    GreedyShort,
    MarginOfDefeat,
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
    OptimumVerdict,
    PhragmenFunded,
    PhragmenNoRoundWon,
    PhragmenRemoved,
    PhragmenRemovedAtStart,
    Reason,
    ReasonKind,
    SupportersPaid,
    TieSettled,
    Verdict,
)
from asukasbudjetti.errors import InputError
from asukasbudjetti.i18n import DEFAULT_LANG, LANGS, N_, NP_, Texts, check_lang
from asukasbudjetti.model.record import (
    BudgetChange,
    Change,
    Diagnosis,
    ExclusiveGroupChange,
    ForceInChange,
    LeaveOutChange,
    RuleChange,
    RuleParameterChange,
    ThresholdChange,
    TieOrderChange,
)
from asukasbudjetti.rules.greedy import TIE_BREAKING

#: A message id: one text, or a singular and plural pair (``NP_``).
Message = str | tuple[str, str]
#: Where a function takes the language: its Texts, or its code.
Language = Texts | str

K = ReasonKind

#: One sentence (or, for the Equal Shares clauses a verdict holds, one clause) per reason kind.
TEMPLATES: Final[dict[ReasonKind, Message]] = {
    K.FORCE_FUNDED: N_("{head} was funded by a decision before the count (force-funded): {reason}."),
    K.FUNDED: N_("{head} was funded."),
    K.NOT_FUNDED: N_("{head} was not funded."),
    K.COUNCIL_DECISION: N_("A decision ({decision}) concerns it: {reason}."),
    K.ANNOUNCED_MISSING: N_("The announced outcome funded it, but this count does not."),
    K.ANNOUNCED_EXTRA: N_("This count funds it, but the announced outcome did not."),
    K.ANNOUNCED_OUTSIDE_MONEY: N_("The announced outcome paid for it from money outside the file."),
    K.MARGIN_SUPPORTERS: NP_(
        "{extra_supporters} more supporter would have funded it.",
        "{extra_supporters} more supporters would have funded it.",
    ),
    K.MARGIN_COST: N_("so would a cost of at most {max_cost}."),
    K.MARGIN_SUPPORTERS_AND_COST: NP_(
        "{extra_supporters} more supporter would have funded it; so would a cost of at most {max_cost}.",
        "{extra_supporters} more supporters would have funded it; so would a cost of at most {max_cost}.",
    ),
    K.MARGIN_NONE: N_("No change that was searched would have funded it."),
    K.GREEDY_RANKED: N_("{head} was ranked {rank} with {support}{order}."),
    K.GREEDY_WITHDRAWN: N_(
        "{head} was ranked {rank} with {support}{order} but had been withdrawn, so it was passed over."
    ),
    K.GREEDY_FUNDED: N_("When its turn came {money_left} was left, so it was funded, leaving {remaining}."),
    K.GREEDY_DID_NOT_FIT: N_("When its turn came {money_left} was left, so it did not fit by {shortfall}."),
    K.GREEDY_STOPPED: N_("When its turn came {money_left} was left, so it did not fit by {shortfall}."),
    K.GREEDY_RESERVE_SHARE_TOO_SMALL: N_(
        "The money left covered only {covered} of its cost, less than the {needed} needed to use the reserve."
    ),
    K.GREEDY_COUNT_STOPPED: N_("This rule does not skip a project that does not fit, so the count stopped here."),
    K.GREEDY_NOT_REACHED: N_("It was not considered: the count had already stopped."),
    K.GREEDY_NOT_REACHED_AFTER_STOP: N_(
        "It was not considered: the count had already stopped at project {stopped_at}, the first that "
        "did not fit (this rule does not skip projects)."
    ),
    K.GREEDY_NOT_REACHED_AFTER_RESERVE: N_(
        "It was not considered: the count had already ended with project {stopped_at}, funded partly from the reserve."
    ),
    K.GREEDY_BELOW_THRESHOLD: N_("Its score of {score} was below the threshold of {threshold}, so it was passed over."),
    K.GREEDY_EXCLUDED: N_(
        "When its turn came, project {partner}, mutually exclusive with it, had already been funded, so "
        "it was passed over."
    ),
    K.GREEDY_RESERVE_FUNDED: N_(
        "When its turn came {money_left} was left, {shortfall} short of its cost. The money left covered "
        "{covered} of the cost, at least the {needed} the rule requires, so it was funded anyway: "
        "{from_pot} from the pot and {from_reserve} from the reserve. The count ended here."
    ),
    K.GREEDY_TIE_ON_SCORE: NP_(
        "It tied on score with {others}; the order was settled by {settled_by}.",
        "It tied on score with {others}; the order was settled by {settled_by}.",
    ),
    K.GREEDY_TIE_ON_SCORE_PER_COST: NP_(
        "It tied on score per unit of cost with {others}; the order was settled by {settled_by}.",
        "It tied on score per unit of cost with {others}; the order was settled by {settled_by}.",
    ),
    K.MES_ROUND_WON: N_(
        "was funded in round {round} with an effective vote count of {effective_vote_count}; {payments}."
    ),
    K.MES_INELIGIBLE: N_(
        "the eligibility filter (eligibility_k = {eligibility_k}) left it out, as its share of the "
        "voters was smaller than its share of the budget divided by {eligibility_k}."
    ),
    K.MES_DROPPED: N_(
        "its supporters could no longer afford it in round {round} (together they had less money left than its cost)."
    ),
    K.MES_TIE_LOST: N_(
        "it was still affordable but never won a round; in round {round} it tied with the winner "
        "{winner} at {effective_vote_count} and lost the tie-break ({settled_by})."
    ),
    K.MES_NEVER_BEST: N_(
        "it was still affordable but never had the best effective vote count; in the last round it was "
        "priced (round {round}) its count was {effective_vote_count} against the winner {winner}'s "
        "{winner_count}."
    ),
    K.MES_NEVER_PRICED: N_(
        "no recorded round of Equal Shares priced it (it was withdrawn, free or unsupported, or its "
        "supporters could not afford it from the start)."
    ),
    K.MES_FUNDED: N_("{head} {why}"),
    K.MES_NOT_FUNDED: N_("{head} was not funded: {why}"),
    K.MES_EVERYTHING_AFFORDABLE: N_(
        "{head} was funded: all the projects together fit the budget, so every one was funded."
    ),
    K.MES_COMPLETION_FUNDED: N_(
        "{head} was funded by the {completion} completion, which after the Equal Shares rounds funds the "
        "projects left in order of votes while the money left allows. Equal Shares itself did not fund "
        "it: {why}"
    ),
    K.MES_GREEDY_ADOPTED: N_(
        "{head} {verdict}: the comparison step ({measure}) found {prefer_greedy} voters preferring the "
        "greedy outcome against {prefer_rule} preferring Equal Shares', so the greedy outcome was "
        "adopted, {greedy_verdict}. Under Equal Shares alone it {alone}"
    ),
    K.MES_TIE_WON: N_("It tied with {others} on the effective vote count and won the tie-break ({settled_by})."),
    K.MES_OUTCOUNTED: N_(
        "In round {round} its effective vote count was {effective_vote_count} against the winner "
        "{winner}'s {winner_count}."
    ),
    K.MES_RULE_STOPPED: N_("After round {round} its supporters could no longer afford it, and the rule stopped."),
    K.MES_ENDOWMENT_RAISED: N_("The {completion} completion raised each voter's endowment from {first} to {adopted}."),
    K.MES_ENDOWMENT_KEPT: N_("The {completion} completion kept each voter's endowment at {first}."),
    K.PHRAGMEN_FUNDED: NP_(
        "{head} was funded in round {round}: its only supporter's load (the money a supporter is counted "
        "as having spent) became {load}, the lowest new load any remaining project gave. After it "
        "{money_left} was left.",
        "{head} was funded in round {round}: the load of each of its {supporters} supporters (the money "
        "a supporter is counted as having spent) became {load}, the lowest new load any remaining "
        "project gave. After it {money_left} was left.",
    ),
    K.PHRAGMEN_TIE_WON: N_("It tied with {others} on the new load and won the tie-break ({settled_by})."),
    K.PHRAGMEN_REMOVED_AT_START: N_(
        "{head} was not funded: it was withdrawn or costs more than the whole budget ({budget}), so it "
        "was removed before round 1."
    ),
    K.PHRAGMEN_REMOVED: N_(
        "{head} was not funded: before round {round} only {money_left} was left, so it no longer fit and was removed."
    ),
    K.PHRAGMEN_NO_ROUND_WON: N_(
        "{head} was not funded: it won no round (it had no supporters, or it no longer fit in the "
        "{money_left} left after the last round)."
    ),
    K.OPTIMUM_FUNDED: N_(
        "{head} was funded as part of the optimal set: no set of projects within the budget has a higher "
        "total welfare ({objective}) than the funded set's {welfare}."
    ),
    K.OPTIMUM_NOT_FUNDED: N_("{head} was not in the optimal set (total welfare {welfare}), so it was not funded."),
    K.OPTIMUM_TIE: N_("Another set has the same total welfare; the choice was settled by {settled_by}."),
}


class Phrase(StrEnum):
    """A piece that the sentences above are built from."""

    PROJECT = "project"
    PROJECT_WITH_COST = "project-with-cost"
    PROJECT_NAMED = "project-named"
    PROJECT_NAMED_WITH_COST = "project-named-with-cost"
    POT_PARAGRAPH = "pot-paragraph"
    SUPPORT_VOTES = "support-votes"
    SUPPORT_SCORE = "support-score"
    ORDERED_BY_SCORE_PER_COST = "ordered-by-score-per-cost"
    PAID_BY_ONE_GROUP = "paid-by-one-group"
    PAID_BY_GROUPS = "paid-by-groups"
    PAYMENT_GROUP = "payment-group"
    PAYMENT_GROUP_ALL_THEY_HAD = "payment-group-all-they-had"
    VERDICT_FUNDED = "verdict-funded"
    VERDICT_NOT_FUNDED = "verdict-not-funded"
    GREEDY_FUNDS_IT = "greedy-funds-it"
    GREEDY_DOES_NOT_FUND_IT = "greedy-does-not-fund-it"
    WOULD_NOT_HAVE_BEEN_FUNDED = "would-not-have-been-funded"
    APPROXIMATELY = "approximately"
    AND = "and"
    THEN = "then"
    UNKNOWN = "unknown"


P = Phrase

PHRASES: Final[dict[Phrase, Message]] = {
    P.PROJECT: N_("Project {project}"),
    P.PROJECT_WITH_COST: N_("Project {project} (cost {cost})"),
    # A project with the name the input gives it.
    P.PROJECT_NAMED: N_("Project {project} “{name}”"),
    P.PROJECT_NAMED_WITH_COST: N_("Project {project} “{name}” (cost {cost})"),
    P.POT_PARAGRAPH: N_("{pot}: {paragraph}"),
    P.SUPPORT_VOTES: NP_(
        "{votes} vote",
        "{votes} votes",
    ),
    P.SUPPORT_SCORE: NP_(
        "a score of {score} ({votes} vote)",
        "a score of {score} ({votes} votes)",
    ),
    P.ORDERED_BY_SCORE_PER_COST: N_(" (ordered by score per unit of cost)"),
    P.PAID_BY_ONE_GROUP: NP_(
        "its only supporter paid {amount}",
        "its {voters} supporters paid {amount} each",
    ),
    P.PAID_BY_GROUPS: N_("its supporters paid: {groups}"),
    P.PAYMENT_GROUP: NP_(
        "{voters} voter {amount}",
        "{voters} voters {amount} each",
    ),
    P.PAYMENT_GROUP_ALL_THEY_HAD: NP_(
        "{voters} voter {amount} (all they had left)",
        "{voters} voters {amount} each (all they had left)",
    ),
    P.VERDICT_FUNDED: N_("was funded"),
    P.VERDICT_NOT_FUNDED: N_("was not funded"),
    P.GREEDY_FUNDS_IT: N_("which funds it"),
    P.GREEDY_DOES_NOT_FUND_IT: N_("which does not fund it"),
    P.WOULD_NOT_HAVE_BEEN_FUNDED: N_("would not have been funded: {why}"),
    P.APPROXIMATELY: N_("about {value}"),
    P.AND: N_("{first} and {last}"),
    P.THEN: N_(", then "),
    P.UNKNOWN: N_("?"),
}


#: The tie-breakers' names as the record writes them (``Tie.settled_by``), marked for translation.
SETTLED_BY: Final[tuple[str, ...]] = (
    N_("lower cost"),
    N_("more votes"),
    N_("lottery"),
    N_("lower total cost"),
)


# --- filling templates -----------------------------------------------------------------------------------------


def texts_of(language: Language) -> Texts:
    """``language`` as :class:`Texts`: given, or the language code's (an unknown code is an error)."""
    if isinstance(language, Texts):
        return language
    lang = check_lang(language)
    if lang is None or lang != language:
        raise InputError(f"unknown language {language!r}; choose one of: {', '.join(LANGS)}")
    return Texts(lang)


def _fill(message: Message, t: Texts, count: int = 2, /, **values: str) -> str:
    """``message`` in ``t``'s language with its placeholders filled; ``count`` picks a plural form."""
    if isinstance(message, tuple):
        return t.plural(message, count, **values)
    return t.gettext(message, **values)


def phrase(which: Phrase, t: Texts, count: int = 2, /, **values: str) -> str:
    return _fill(PHRASES[which], t, count, **values)


def paragraph(
    reasons: Iterable[Reason], language: Language, pot: str | None = None, names: Mapping[str, str] | None = None
) -> str:
    """The reasons as one paragraph; ``pot`` names the pot in a record of several, ``names`` the projects."""
    t = texts_of(language)
    text = " ".join(render(reason, t, names) for reason in reasons)
    return text if pot is None else phrase(P.POT_PARAGRAPH, t, pot=pot, paragraph=text)


def render(reason: Reason, language: Language, names: Mapping[str, str] | None = None) -> str:
    """One reason's sentence (or clause) in ``language``; ``names`` are the projects' names by id."""
    t = texts_of(language)
    values, count = _values(reason, t, names or {})
    return _fill(TEMPLATES[reason.kind], t, count, **values)


def _values(reason: Reason, t: Texts, names: Mapping[str, str]) -> tuple[dict[str, str], int]:
    """The placeholders of ``reason``'s template, and the count that picks its plural form."""

    def head(project: str, cost: Fraction | None) -> str:
        return _head(project, cost, t, names)

    money = t.money
    match reason:
        case ForceFunded():
            # The decision's reason is quoted as written; the template ends the sentence.
            return {"head": head(reason.project, reason.cost), "reason": reason.reason.rstrip(".")}, 2
        case Verdict():
            return {"head": head(reason.project, reason.cost)}, 2
        case CouncilDecisionNoted():
            return {"decision": reason.decision, "reason": reason.reason.rstrip(".")}, 2
        case AnnouncedDiffers() | GreedyCountStopped() | MesNeverPriced():
            return {}, 2
        case MarginOfDefeat():
            values: dict[str, str] = {}
            if reason.extra_supporters is not None:
                values["extra_supporters"] = t.count(reason.extra_supporters)
            if reason.max_cost is not None:
                values["max_cost"] = money(reason.max_cost)
            return values, 2 if reason.extra_supporters is None else reason.extra_supporters
        case GreedyRanked():
            # The cost of a withdrawn project played no part, so it is not shown.
            cost = None if reason.kind is K.GREEDY_WITHDRAWN else reason.cost
            support = (
                phrase(P.SUPPORT_VOTES, t, reason.votes, votes=t.count(reason.votes))
                if reason.score == reason.votes
                else phrase(P.SUPPORT_SCORE, t, reason.votes, score=t.count(reason.score), votes=t.count(reason.votes))
            )
            return {
                "head": head(reason.project, cost),
                "rank": t.ordinal(reason.rank),
                "support": support,
                "order": phrase(P.ORDERED_BY_SCORE_PER_COST, t) if reason.per_cost else "",
            }, 2
        case GreedyFunded():
            return {"money_left": money(reason.money_left), "remaining": money(reason.remaining)}, 2
        case GreedyShort():
            return {"money_left": money(reason.money_left), "shortfall": money(reason.shortfall)}, 2
        case GreedyReserveShareTooSmall():
            return {"covered": t.percent(reason.covered), "needed": t.percent(reason.needed)}, 2
        case GreedyNotReached():
            return {"stopped_at": reason.stopped_at or phrase(P.UNKNOWN, t)}, 2
        case GreedyBelowThreshold():
            threshold = t.number(reason.threshold) if reason.threshold is not None else phrase(P.UNKNOWN, t)
            return {"score": t.count(reason.score), "threshold": threshold}, 2
        case GreedyExcluded():
            return {"partner": reason.partner if reason.partner is not None else phrase(P.UNKNOWN, t)}, 2
        case GreedyReserveFunded():
            return {
                "money_left": money(reason.money_left),
                "shortfall": money(reason.shortfall),
                "covered": t.percent(reason.covered),
                "needed": t.percent(reason.needed) if reason.needed is not None else phrase(P.UNKNOWN, t),
                "from_pot": money(reason.from_pot),
                "from_reserve": money(reason.from_reserve),
            }, 2
        case TieSettled():
            return {"others": t.join(reason.others), "settled_by": _settled(reason.settled_by, t)}, len(reason.others)
        case MesRoundWon():
            return {
                "round": str(reason.round),
                "effective_vote_count": t.number(reason.effective_vote_count),
                "payments": _payments(reason.payments, t),
            }, 2
        case MesIneligible():
            return {"eligibility_k": reason.eligibility_k}, 2
        case MesDropped() | MesRuleStopped():
            return {"round": str(reason.round)}, 2
        case MesOutcounted():
            return {
                "round": str(reason.round),
                "effective_vote_count": t.number(reason.effective_vote_count),
                "winner": reason.winner,
                "winner_count": t.number(reason.winner_count),
            }, 2
        case MesTieLost():
            settled = _settled(reason.settled_by, t) if reason.settled_by is not None else phrase(P.UNKNOWN, t)
            return {
                "round": str(reason.round),
                "winner": reason.winner,
                "effective_vote_count": t.number(reason.effective_vote_count),
                "settled_by": settled,
            }, 2
        case MesFunded() | MesNotFunded():
            return {"head": head(reason.project, reason.cost), "why": render(reason.why, t, names)}, 2
        case MesEverythingAffordable():
            return {"head": head(reason.project, reason.cost)}, 2
        case MesCompletionFunded():
            return {
                "head": head(reason.project, reason.cost),
                "completion": reason.completion,
                "why": render(reason.why, t, names),
            }, 2
        case MesGreedyAdopted():
            why = render(reason.why, t, names)
            return {
                "head": head(reason.project, reason.cost),
                "verdict": phrase(P.VERDICT_FUNDED if reason.funded else P.VERDICT_NOT_FUNDED, t),
                "measure": reason.measure,
                "prefer_greedy": t.count(reason.prefer_greedy),
                "prefer_rule": t.count(reason.prefer_rule),
                "greedy_verdict": phrase(P.GREEDY_FUNDS_IT if reason.greedy_funds else P.GREEDY_DOES_NOT_FUND_IT, t),
                "alone": why
                if isinstance(reason.why, MesRoundWon)
                else phrase(P.WOULD_NOT_HAVE_BEEN_FUNDED, t, why=why),
            }, 2
        case MesEndowment():
            return {"completion": reason.completion, "first": money(reason.first), "adopted": money(reason.adopted)}, 2
        case PhragmenFunded():
            return {
                "head": head(reason.project, reason.cost),
                "round": str(reason.round),
                "supporters": t.count(reason.supporters),
                "load": money(reason.load),
                "money_left": money(reason.money_left),
            }, reason.supporters
        case PhragmenRemovedAtStart():
            return {"head": head(reason.project, reason.cost), "budget": money(reason.budget)}, 2
        case PhragmenRemoved():
            return {
                "head": head(reason.project, reason.cost),
                "round": str(reason.round),
                "money_left": money(reason.money_left),
            }, 2
        case PhragmenNoRoundWon():
            return {"head": head(reason.project, reason.cost), "money_left": money(reason.money_left)}, 2
        case OptimumVerdict():
            return {
                "head": head(reason.project, reason.cost),
                "objective": reason.objective,
                "welfare": t.number(reason.welfare),
            }, 2


def _head(project: str, cost: Fraction | None, t: Texts, names: Mapping[str, str]) -> str:
    """The project, with its name when the input gives one and its cost when the record does."""
    name = names.get(project)
    if cost is None:
        return phrase(P.PROJECT_NAMED, t, project=project, name=name) if name else phrase(P.PROJECT, t, project=project)
    if name:
        return phrase(P.PROJECT_NAMED_WITH_COST, t, project=project, name=name, cost=t.money(cost))
    return phrase(P.PROJECT_WITH_COST, t, project=project, cost=t.money(cost))


def _payments(groups: Sequence[SupportersPaid], t: Texts) -> str:
    """What the supporters paid: one amount for all, or each group's."""
    if len(groups) == 1:
        group = groups[0]
        return phrase(P.PAID_BY_ONE_GROUP, t, group.voters, voters=t.count(group.voters), amount=t.money(group.amount))
    parts = [
        phrase(
            P.PAYMENT_GROUP_ALL_THEY_HAD if group.all_they_had else P.PAYMENT_GROUP,
            t,
            # A lone voter (never an empty group) is spoken of in the singular.
            max(group.voters, 1),
            voters=t.count(group.voters),
            amount=t.money(group.amount),
        )
        for group in groups
    ]
    return phrase(P.PAID_BY_GROUPS, t, groups=t.join(parts))


def _settled(criteria: Iterable[str], t: Texts) -> str:
    """The tie-breakers, in the order they were used (a name the catalog does not know, as written)."""
    return phrase(P.THEN, t).join(t.gettext(c) if c in SETTLED_BY else c for c in criteria)


# --- the diagnosis of a differing outcome ----------------------------------------------------------------------

#: The diagnosis' sentences and pieces, marked for translation.
DIAGNOSIS_TEXTS: Final[dict[str, str]] = {
    "differs": N_("This count differs from the announced outcome."),
    "reproduced-if": N_("Reproduced if {changes}."),
    "none-found": N_("No explanation with up to {max_changes} changes was found."),
    "limit-budget": N_("The budget was searched by a scan ({tried} tallies), not exhaustively."),
    "limit-two-changes": N_("Pairs of changes were searched only in part: {tried} of {candidates}."),
    "and": N_("{first} and {second}"),
    "facts": N_("{change} ({facts})"),
    # --- one change each ---
    "tie-order": N_("ties are settled by {tie_break} instead of {was}"),
    "tie-order-tie": N_("it decides the tie between projects {projects}"),
    "tie-order-ties": N_("it decides the ties between projects {projects}"),
    "leave-out": N_("project {project} is left out"),
    "leave-out-fits": N_("it is not selected although it fits with {money_left} left"),
    "leave-out-funded": N_("it is not selected although this count funds it"),
    "leave-out-unfunded": N_("it is not selected"),
    "similar-name": N_("project {project}, funded, has a similar name"),
    "force-in": N_("project {project} is funded first, its cost of {cost} taken from the budget"),
    "force-in-short": N_("it is selected although only {money_left} was left when its turn came"),
    "force-in-unfunded": N_("it is selected although this count does not fund it"),
    "force-in-funded": N_("it is selected, and this count funds it too, later"),
    "exclusive-group": N_("projects {first} and {second} are mutually exclusive"),
    "exclusive-group-any": N_("project {second} is mutually exclusive with any one of projects {firsts}"),
    "similar-names": N_("they have similar names"),
    "similar-names-one": N_("project {first} has a similar name"),
    "budget-between": N_("the budget is from {smallest} to {largest} instead of {budget}"),
    "budget-exactly": N_("the budget is {smallest} instead of {budget}"),
    "budget-at-least": N_("the budget is at least {smallest} instead of {budget}"),
    "budget-scan": N_("found by a scan of budgets: others may reproduce it too"),
    "threshold-between": N_("the score threshold is from {smallest} to {largest} instead of {threshold}"),
    "threshold-exactly": N_("the score threshold is {smallest} instead of {threshold}"),
    "threshold-at-least": N_("the score threshold is at least {smallest} instead of {threshold}"),
    "threshold-at-most": N_("the score threshold is at most {largest} instead of {threshold}"),
    "threshold-none": N_("none"),
    "rule": N_("the rule is {rule} instead of {was}"),
    "rule-parameter": N_("parameter {parameter} is {value} instead of {was}"),
}

#: How to make a change on the command line: the options' own syntax, never translated.
OPTION_PARAM = "--param {parameter}={value}"
OPTION_EXCLUSIVE = "--exclusive {first},{second}"


def render_diagnosis(diagnosis: Diagnosis, language: Language = DEFAULT_LANG) -> list[str]:
    """The diagnosis as sentences: one per explanation (or that none was found), then the searches' limits.

    Exclusive groups that pass over the same project are one sentence. Money is
    exact, as the language writes it (``1,118,734``, ``1 118 734``).
    """
    t = texts_of(language)

    def say(key: str, **values: object) -> str:
        return t.gettext(DIAGNOSIS_TEXTS[key], **values)

    sentences: list[str] = []
    groups: dict[str, list[ExclusiveGroupChange]] = {}
    for explanation in diagnosis.explanations:
        changes = explanation.changes
        if len(changes) == 1 and isinstance(changes[0], ExclusiveGroupChange) and len(changes[0].projects) == 2:
            groups.setdefault(changes[0].projects[1], []).append(changes[0])
    grouped_done: set[str] = set()
    for explanation in diagnosis.explanations:
        changes = explanation.changes
        first = changes[0]
        if len(changes) == 1 and isinstance(first, ExclusiveGroupChange) and len(first.projects) == 2:
            passed = first.projects[1]
            if len(groups[passed]) > 1:
                if passed not in grouped_done:
                    grouped_done.add(passed)
                    sentences.append(say("reproduced-if", changes=_exclusive_any(groups[passed], t)))
                continue
        parts = [_change_text(change, t) for change in changes]
        joined = parts[0]
        for part in parts[1:]:
            joined = say("and", first=joined, second=part)
        sentences.append(say("reproduced-if", changes=joined))
    if not diagnosis.explanations:
        sentences.append(say("none-found", max_changes=diagnosis.max_changes))
    for limit in diagnosis.limits:
        if limit.search == "budget":
            sentences.append(say("limit-budget", tried=t.count(limit.tried)))
        else:
            candidates = "?" if limit.candidates is None else t.count(limit.candidates)
            sentences.append(say("limit-two-changes", tried=t.count(limit.tried), candidates=candidates))
    return sentences


def diagnosis_paragraph(diagnosis: Diagnosis, language: Language, pot: str | None = None) -> str:
    """The diagnosis as one paragraph of explain's output; ``pot`` names the pot in a record of several."""
    t = texts_of(language)
    text = " ".join([t.gettext(DIAGNOSIS_TEXTS["differs"]), *render_diagnosis(diagnosis, t)])
    return text if pot is None else phrase(P.POT_PARAGRAPH, t, pot=pot, paragraph=text)


def _change_text(change: Change, t: Texts) -> str:
    def say(key: str, **values: object) -> str:
        return t.gettext(DIAGNOSIS_TEXTS[key], **values)

    money = t.money
    facts: list[str] = []
    match change:
        case TieOrderChange():
            text = say(
                "tie-order",
                tie_break=TIE_BREAKING.get(change.tie_break, change.tie_break),
                was=TIE_BREAKING.get(change.was, change.was),
            )
            if change.ties:
                ties = "; ".join(t.join(list(tie)) for tie in change.ties)
                facts.append(say("tie-order-tie" if len(change.ties) == 1 else "tie-order-ties", projects=ties))
            facts.append(OPTION_PARAM.format(parameter="tie_break", value=change.tie_break))
        case LeaveOutChange():
            text = say("leave-out", project=change.project_id)
            if change.funded and change.money_left is not None:
                facts.append(say("leave-out-fits", money_left=money(change.money_left)))
            else:
                facts.append(say("leave-out-funded" if change.funded else "leave-out-unfunded"))
            if change.similar_to is not None:
                facts.append(say("similar-name", project=change.similar_to))
        case ForceInChange():
            text = say("force-in", project=change.project_id, cost=money(change.cost))
            if change.funded:
                facts.append(say("force-in-funded"))
            elif change.money_left is not None:
                facts.append(say("force-in-short", money_left=money(change.money_left)))
            else:
                facts.append(say("force-in-unfunded"))
        case ExclusiveGroupChange():
            first, second = (*change.projects, "?", "?")[:2]
            text = say("exclusive-group", first=first, second=second)
            if change.similar_names:
                facts.append(say("similar-names"))
            facts.append(OPTION_EXCLUSIVE.format(first=first, second=second))
        case BudgetChange():
            values = {"smallest": money(change.smallest), "budget": money(change.budget)}
            if change.largest is None:
                text = say("budget-at-least", **values)
            elif change.largest == change.smallest:
                text = say("budget-exactly", **values)
            else:
                text = say("budget-between", largest=money(change.largest), **values)
            if not change.exact:
                facts.append(say("budget-scan"))
        case ThresholdChange():
            was = say("threshold-none") if change.threshold is None else t.number(change.threshold)
            if change.largest is None:
                text = say("threshold-at-least", smallest=t.number(change.smallest), threshold=was)
            elif change.largest == change.smallest:
                text = say("threshold-exactly", smallest=t.number(change.smallest), threshold=was)
            elif change.smallest == 0:
                text = say("threshold-at-most", largest=t.number(change.largest), threshold=was)
            else:
                text = say(
                    "threshold-between",
                    smallest=t.number(change.smallest),
                    largest=t.number(change.largest),
                    threshold=was,
                )
        case RuleChange():
            text = say("rule", rule=change.rule, was=change.was)
        case RuleParameterChange():
            text = say("rule-parameter", parameter=change.parameter, value=change.value, was=change.was)
            facts.append(OPTION_PARAM.format(parameter=change.parameter, value=change.value))
    return say("facts", change=text, facts="; ".join(facts)) if facts else text


def _exclusive_any(changes: Sequence[ExclusiveGroupChange], t: Texts) -> str:
    """Several exclusive groups passing over the same project, as one clause."""
    second = changes[0].projects[1]
    firsts = [change.projects[0] for change in changes]
    alike = [change.projects[0] for change in changes if change.similar_names]
    shown = alike[0] if alike else firsts[0]
    text = t.gettext(DIAGNOSIS_TEXTS["exclusive-group-any"], second=second, firsts=t.join(firsts))
    facts = [t.gettext(DIAGNOSIS_TEXTS["similar-names-one"], first=first) for first in alike]
    facts.append(OPTION_EXCLUSIVE.format(first=shown, second=second))
    return t.gettext(DIAGNOSIS_TEXTS["facts"], change=text, facts="; ".join(facts))
