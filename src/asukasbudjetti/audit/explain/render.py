"""Reasons as sentences: the only place that knows English or Finnish.

:data:`TEMPLATES` holds one sentence per :class:`~.reasons.ReasonKind` and language,
with named placeholders; :data:`PHRASES` the pieces some of those sentences are
built from (the project's name and cost, a grouped payment), kept whole here so
that a translation catalogue can replace both tables. A :class:`Plural` is a text
whose words depend on a count (``1 vote``, ``2 votes``).

Money is shown as exact text: whole amounts as they are (``1200``), cents with two
decimals (``999.80``), an amount with no finite decimal form as a fraction with an
approximation (``8125/3 ≈ 2708.33``). Finnish text uses a decimal comma.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Final, Literal

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
from asukasbudjetti.money import format_money
from asukasbudjetti.rules.greedy import TIE_BREAKING

Lang = Literal["en", "fi"]
#: The languages explanations are written in.
LANGS: Final[tuple[Lang, ...]] = ("en", "fi")


@dataclass(frozen=True)
class Plural:
    """A text whose words depend on a count: ``one`` when it is one, else ``other``."""

    one: str
    other: str


Text = str | Plural


@dataclass(frozen=True)
class Template:
    """One sentence or phrase, in each language."""

    en: Text
    fi: Text


K = ReasonKind

#: One sentence (or, for the Equal Shares clauses a verdict holds, one clause) per reason kind.
TEMPLATES: Final[dict[ReasonKind, Template]] = {
    # --- any rule ---
    K.FORCE_FUNDED: Template(
        en="{head} was funded by a decision before the count (force-funded): {reason}.",
        fi="{head} rahoitettiin ennen laskentaa päätöksellä (force-funded): {reason}.",
    ),
    K.FUNDED: Template(en="{head} was funded.", fi="{head} rahoitettiin."),
    K.NOT_FUNDED: Template(en="{head} was not funded.", fi="{head} jäi rahoittamatta."),
    K.COUNCIL_DECISION: Template(
        en="A decision ({decision}) concerns it: {reason}.",
        fi="Sitä koskee päätös ({decision}): {reason}.",
    ),
    K.ANNOUNCED_MISSING: Template(
        en="The announced outcome funded it, but this count does not.",
        fi="Julkistetussa tuloksessa se rahoitettiin, mutta tässä laskennassa ei.",
    ),
    K.ANNOUNCED_EXTRA: Template(
        en="This count funds it, but the announced outcome did not.",
        fi="Tässä laskennassa se rahoitetaan, mutta julkistetussa tuloksessa ei.",
    ),
    K.ANNOUNCED_OUTSIDE_MONEY: Template(
        en="The announced outcome paid for it from money outside the file.",
        fi="Julkistetussa tuloksessa se rahoitettiin tiedoston ulkopuolisista varoista.",
    ),
    K.MARGIN_SUPPORTERS: Template(
        en=Plural(
            one="{extra_supporters} more supporter would have funded it.",
            other="{extra_supporters} more supporters would have funded it.",
        ),
        fi="{extra_supporters} lisäkannattajaa olisi riittänyt sen rahoitukseen.",
    ),
    # Lower case as it has always been written: it reads as the tail of the sentence above.
    K.MARGIN_COST: Template(
        en="so would a cost of at most {max_cost}.",
        fi="samoin kustannus enintään {max_cost}.",
    ),
    K.MARGIN_SUPPORTERS_AND_COST: Template(
        en=Plural(
            one="{extra_supporters} more supporter would have funded it; so would a cost of at most {max_cost}.",
            other="{extra_supporters} more supporters would have funded it; so would a cost of at most {max_cost}.",
        ),
        fi="{extra_supporters} lisäkannattajaa olisi riittänyt sen rahoitukseen; samoin kustannus enintään {max_cost}.",
    ),
    K.MARGIN_NONE: Template(
        en="No change that was searched would have funded it.",
        fi="Mikään tutkittu muutos ei olisi tuonut sille rahoitusta.",
    ),
    # --- greedy rules ---
    K.GREEDY_RANKED: Template(
        en="{head} was ranked {rank} with {support}{order}.",
        fi="{head} sijoittui {rank} sijalle {support}{order}.",
    ),
    K.GREEDY_WITHDRAWN: Template(
        en="{head} was ranked {rank} with {support}{order} but had been withdrawn, so it was passed over.",
        fi="{head} sijoittui {rank} sijalle {support}{order}, mutta se oli vedetty pois, joten se ohitettiin.",
    ),
    K.GREEDY_FUNDED: Template(
        en="When its turn came {money_left} was left, so it was funded, leaving {remaining}.",
        fi="Kun sen vuoro tuli, rahaa oli jäljellä {money_left}, joten se rahoitettiin ja jäljelle jäi {remaining}.",
    ),
    K.GREEDY_DID_NOT_FIT: Template(
        en="When its turn came {money_left} was left, so it did not fit by {shortfall}.",
        fi="Kun sen vuoro tuli, rahaa oli jäljellä {money_left}, joten se ei mahtunut: rahaa puuttui {shortfall}.",
    ),
    K.GREEDY_STOPPED: Template(
        en="When its turn came {money_left} was left, so it did not fit by {shortfall}.",
        fi="Kun sen vuoro tuli, rahaa oli jäljellä {money_left}, joten se ei mahtunut: rahaa puuttui {shortfall}.",
    ),
    K.GREEDY_RESERVE_SHARE_TOO_SMALL: Template(
        en="The money left covered only {covered} of its cost, less than the {needed} needed to use the reserve.",
        fi="Jäljellä oleva raha kattoi vain {covered} sen kustannuksesta, vähemmän kuin varauksen käyttöön "
        "vaadittavat {needed}.",
    ),
    K.GREEDY_COUNT_STOPPED: Template(
        en="This rule does not skip a project that does not fit, so the count stopped here.",
        fi="Tämä sääntö ei ohita hanketta, joka ei mahdu, joten laskenta pysähtyi tähän.",
    ),
    K.GREEDY_NOT_REACHED: Template(
        en="It was not considered: the count had already stopped.",
        fi="Sen vuoro ei tullut, koska laskenta oli jo pysähtynyt.",
    ),
    K.GREEDY_NOT_REACHED_AFTER_STOP: Template(
        en="It was not considered: the count had already stopped at project {stopped_at}, the first that did not "
        "fit (this rule does not skip projects).",
        fi="Sen vuoro ei tullut, koska laskenta oli jo pysähtynyt hankkeeseen {stopped_at}, ensimmäiseen, joka ei "
        "mahtunut (tämä sääntö ei ohita hankkeita).",
    ),
    K.GREEDY_NOT_REACHED_AFTER_RESERVE: Template(
        en="It was not considered: the count had already ended with project {stopped_at}, funded partly from the "
        "reserve.",
        fi="Sen vuoro ei tullut, koska laskenta oli jo päättynyt hankkeeseen {stopped_at}, joka rahoitettiin "
        "osittain varauksesta.",
    ),
    K.GREEDY_BELOW_THRESHOLD: Template(
        en="Its score of {score} was below the threshold of {threshold}, so it was passed over.",
        fi="Sen pistemäärä {score} jäi alle kynnyksen {threshold}, joten se ohitettiin.",
    ),
    K.GREEDY_EXCLUDED: Template(
        en="When its turn came, project {partner}, mutually exclusive with it, had already been funded, so it was "
        "passed over.",
        fi="Kun sen vuoro tuli, sen kanssa toisensa poissulkeva hanke {partner} oli jo rahoitettu, joten se "
        "ohitettiin.",
    ),
    K.GREEDY_RESERVE_FUNDED: Template(
        en="When its turn came {money_left} was left, {shortfall} short of its cost. The money left covered "
        "{covered} of the cost, at least the {needed} the rule requires, so it was funded anyway: {from_pot} from "
        "the pot and {from_reserve} from the reserve. The count ended here.",
        fi="Kun sen vuoro tuli, rahaa oli jäljellä {money_left}, eli {shortfall} vähemmän kuin sen kustannus. "
        "Jäljellä oleva raha kattoi {covered} kustannuksesta, vähintään säännön vaatimat {needed}, joten hanke "
        "rahoitettiin silti: {from_pot} budjetista ja {from_reserve} varauksesta. Laskenta päättyi tähän.",
    ),
    # Plural in the number of other projects in the tie.
    K.GREEDY_TIE_ON_SCORE: Template(
        en="It tied on score with {others}; the order was settled by {settled_by}.",
        fi=Plural(
            one="Sillä oli sama pistemäärä kuin hankkeella {others}; tasapelin ratkaisi {settled_by}.",
            other="Sillä oli sama pistemäärä kuin hankkeilla {others}; tasapelin ratkaisi {settled_by}.",
        ),
    ),
    K.GREEDY_TIE_ON_SCORE_PER_COST: Template(
        en="It tied on score per unit of cost with {others}; the order was settled by {settled_by}.",
        fi=Plural(
            one="Sillä oli sama pisteiden ja kustannuksen suhde kuin hankkeella {others}; tasapelin ratkaisi "
            "{settled_by}.",
            other="Sillä oli sama pisteiden ja kustannuksen suhde kuin hankkeilla {others}; tasapelin ratkaisi "
            "{settled_by}.",
        ),
    ),
    # --- Method of Equal Shares: clauses following "it" or "Project X" ---
    K.MES_ROUND_WON: Template(
        en="was funded in round {round} with an effective vote count of {effective_vote_count}; {payments}.",
        fi="rahoitettiin kierroksella {round} tehollisella äänimäärällä {effective_vote_count}; {payments}.",
    ),
    K.MES_INELIGIBLE: Template(
        en="the eligibility filter (eligibility_k = {eligibility_k}) left it out, as its share of the voters was "
        "smaller than its share of the budget divided by {eligibility_k}.",
        fi="kelpoisuussuodatin (eligibility_k = {eligibility_k}) jätti sen pois, koska sen osuus äänestäjistä oli "
        "pienempi kuin sen osuus budjetista jaettuna luvulla {eligibility_k}.",
    ),
    K.MES_DROPPED: Template(
        en="its supporters could no longer afford it in round {round} (together they had less money left than its "
        "cost).",
        fi="kierroksella {round} sen kannattajilla ei ollut enää varaa siihen (heillä oli yhteensä vähemmän rahaa "
        "jäljellä kuin sen kustannus).",
    ),
    K.MES_TIE_LOST: Template(
        en="it was still affordable but never won a round; in round {round} it tied with the winner {winner} at "
        "{effective_vote_count} and lost the tie-break ({settled_by}).",
        fi="siihen olisi vielä ollut varaa, mutta se ei voittanut yhtään kierrosta; kierroksella {round} se oli "
        "tasoissa voittajan {winner} kanssa ({effective_vote_count}) ja hävisi tasapelin ({settled_by}).",
    ),
    K.MES_NEVER_BEST: Template(
        en="it was still affordable but never had the best effective vote count; in the last round it was priced "
        "(round {round}) its count was {effective_vote_count} against the winner {winner}'s {winner_count}.",
        fi="siihen olisi vielä ollut varaa, mutta sen tehollinen äänimäärä ei ollut koskaan suurin; viimeisellä "
        "kierroksella, jolla se hinnoiteltiin (kierros {round}), sen äänimäärä oli {effective_vote_count}, kun "
        "voittajan {winner} oli {winner_count}.",
    ),
    K.MES_NEVER_PRICED: Template(
        en="no recorded round of Equal Shares priced it (it was withdrawn, free or unsupported, or its supporters "
        "could not afford it from the start).",
        fi="mikään tasaosuusmenetelmän kirjattu kierros ei hinnoitellut sitä (se oli vedetty pois, maksuton tai "
        "vailla kannattajia, tai sen kannattajilla ei ollut siihen varaa alusta alkaen).",
    ),
    # --- Method of Equal Shares: verdicts ({why} is one of the clauses above) ---
    K.MES_FUNDED: Template(en="{head} {why}", fi="{head} {why}"),
    K.MES_NOT_FUNDED: Template(en="{head} was not funded: {why}", fi="{head} jäi rahoittamatta: {why}"),
    K.MES_EVERYTHING_AFFORDABLE: Template(
        en="{head} was funded: all the projects together fit the budget, so every one was funded.",
        fi="{head} rahoitettiin: kaikki hankkeet mahtuivat yhdessä budjettiin, joten kaikki rahoitettiin.",
    ),
    K.MES_COMPLETION_FUNDED: Template(
        en="{head} was funded by the {completion} completion, which after the Equal Shares rounds funds the projects "
        "left in order of votes while the money left allows. Equal Shares itself did not fund it: {why}",
        fi="{head} rahoitettiin täydennyksessä ({completion}), joka tasaosuusmenetelmän kierrosten jälkeen "
        "rahoittaa jäljellä olevia hankkeita äänimäärän mukaisessa järjestyksessä niin pitkälle kuin rahaa riittää. "
        "Tasaosuusmenetelmä itse ei rahoittanut sitä: {why}",
    ),
    K.MES_GREEDY_ADOPTED: Template(
        en="{head} {verdict}: the comparison step ({measure}) found {prefer_greedy} voters preferring the greedy "
        "outcome against {prefer_rule} preferring Equal Shares', so the greedy outcome was adopted, "
        "{greedy_verdict}. Under Equal Shares alone it {alone}",
        fi="{head} {verdict}: vertailuvaiheessa ({measure}) {prefer_greedy} äänestäjää piti ahneen menetelmän "
        "(greedy) tulosta parempana ja {prefer_rule} tasaosuusmenetelmän tulosta, joten käytettiin ahneen "
        "menetelmän tulosta, {greedy_verdict}. Pelkällä tasaosuusmenetelmällä se {alone}",
    ),
    # --- Method of Equal Shares: what follows the verdict ---
    K.MES_TIE_WON: Template(
        en="It tied with {others} on the effective vote count and won the tie-break ({settled_by}).",
        fi="Sen tehollinen äänimäärä oli sama kuin hankkeella {others}, ja se voitti tasapelin ({settled_by}).",
    ),
    K.MES_OUTCOUNTED: Template(
        en="In round {round} its effective vote count was {effective_vote_count} against the winner {winner}'s "
        "{winner_count}.",
        fi="Kierroksella {round} sen tehollinen äänimäärä oli {effective_vote_count}, kun voittajan {winner} oli "
        "{winner_count}.",
    ),
    K.MES_RULE_STOPPED: Template(
        en="After round {round} its supporters could no longer afford it, and the rule stopped.",
        fi="Kierroksen {round} jälkeen sen kannattajilla ei ollut enää varaa siihen, ja laskenta päättyi.",
    ),
    K.MES_ENDOWMENT_RAISED: Template(
        en="The {completion} completion raised each voter's endowment from {first} to {adopted}.",
        fi="Täydennys ({completion}) korotti kunkin äänestäjän alkuosuuden arvosta {first} arvoon {adopted}.",
    ),
    K.MES_ENDOWMENT_KEPT: Template(
        en="The {completion} completion kept each voter's endowment at {first}.",
        fi="Täydennys ({completion}) piti kunkin äänestäjän alkuosuuden arvossa {first}.",
    ),
    # --- sequential Phragmén ---
    K.PHRAGMEN_FUNDED: Template(
        en=Plural(
            one="{head} was funded in round {round}: its only supporter's load (the money a supporter is counted as "
            "having spent) became {load}, the lowest new load any remaining project gave. After it {money_left} was "
            "left.",
            other="{head} was funded in round {round}: the load of each of its {supporters} supporters (the money a "
            "supporter is counted as having spent) became {load}, the lowest new load any remaining project gave. "
            "After it {money_left} was left.",
        ),
        fi=Plural(
            one="{head} rahoitettiin kierroksella {round}: sen ainoan kannattajan kuormaksi (rahamäärä, jonka "
            "kannattajan katsotaan käyttäneen) tuli {load}, pienin uusi kuorma jäljellä olevista hankkeista. Sen "
            "jälkeen rahaa oli jäljellä {money_left}.",
            other="{head} rahoitettiin kierroksella {round}: sen {supporters} kannattajan kuormaksi (rahamäärä, jonka "
            "kannattajan katsotaan käyttäneen) tuli {load}, pienin uusi kuorma jäljellä olevista hankkeista. Sen "
            "jälkeen rahaa oli jäljellä {money_left}.",
        ),
    ),
    K.PHRAGMEN_TIE_WON: Template(
        en="It tied with {others} on the new load and won the tie-break ({settled_by}).",
        fi="Sama kuorma olisi tullut hankkeella {others}; se voitti tasapelin ({settled_by}).",
    ),
    K.PHRAGMEN_REMOVED_AT_START: Template(
        en="{head} was not funded: it was withdrawn or costs more than the whole budget ({budget}), so it was "
        "removed before round 1.",
        fi="{head} jäi rahoittamatta: se oli vedetty pois tai maksaa enemmän kuin koko budjetti ({budget}), joten "
        "se poistettiin ennen ensimmäistä kierrosta.",
    ),
    K.PHRAGMEN_REMOVED: Template(
        en="{head} was not funded: before round {round} only {money_left} was left, so it no longer fit and was "
        "removed.",
        fi="{head} jäi rahoittamatta: ennen kierrosta {round} rahaa oli jäljellä enää {money_left}, joten se ei "
        "enää mahtunut ja poistettiin.",
    ),
    K.PHRAGMEN_NO_ROUND_WON: Template(
        en="{head} was not funded: it won no round (it had no supporters, or it no longer fit in the {money_left} "
        "left after the last round).",
        fi="{head} jäi rahoittamatta: se ei voittanut yhtään kierrosta (sillä ei ollut kannattajia, tai se ei enää "
        "mahtunut viimeisen kierroksen jälkeen jäljellä olleeseen rahaan, {money_left}).",
    ),
    # --- utilitarian optimum ---
    K.OPTIMUM_FUNDED: Template(
        en="{head} was funded as part of the optimal set: no set of projects within the budget has a higher total "
        "welfare ({objective}) than the funded set's {welfare}.",
        fi="{head} rahoitettiin osana optimaalista joukkoa: mikään budjettiin mahtuva hankejoukko ei tuota "
        "suurempaa kokonaishyötyä ({objective}) kuin rahoitettu joukko ({welfare}).",
    ),
    K.OPTIMUM_NOT_FUNDED: Template(
        en="{head} was not in the optimal set (total welfare {welfare}), so it was not funded.",
        fi="{head} ei kuulunut optimaaliseen joukkoon (kokonaishyöty {welfare}), joten se jäi rahoittamatta.",
    ),
    K.OPTIMUM_TIE: Template(
        en="Another set has the same total welfare; the choice was settled by {settled_by}.",
        fi="Yhtä suuren kokonaishyödyn tuottaa myös toinen joukko; valinnan ratkaisi {settled_by}.",
    ),
}


class Phrase(StrEnum):
    """A piece that the sentences above are built from."""

    PROJECT = "project"
    PROJECT_WITH_COST = "project-with-cost"
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
    PERCENT = "percent"
    AND = "and"
    THEN = "then"
    UNKNOWN = "unknown"


P = Phrase

PHRASES: Final[dict[Phrase, Template]] = {
    P.PROJECT: Template(en="Project {project}", fi="Hanke {project}"),
    P.PROJECT_WITH_COST: Template(en="Project {project} (cost {cost})", fi="Hanke {project} (kustannus {cost})"),
    # In a record of several pots, every paragraph starts with its pot's name.
    P.POT_PARAGRAPH: Template(en="{pot}: {paragraph}", fi="{pot}: {paragraph}"),
    P.SUPPORT_VOTES: Template(en=Plural(one="{votes} vote", other="{votes} votes"), fi="{votes} äänellä"),
    P.SUPPORT_SCORE: Template(
        en=Plural(one="a score of {score} ({votes} vote)", other="a score of {score} ({votes} votes)"),
        fi=Plural(one="{score} pisteellä ({votes} ääni)", other="{score} pisteellä ({votes} ääntä)"),
    ),
    P.ORDERED_BY_SCORE_PER_COST: Template(
        en=" (ordered by score per unit of cost)",
        fi=" (järjestys pisteiden ja kustannuksen suhteen mukaan)",
    ),
    P.PAID_BY_ONE_GROUP: Template(
        en=Plural(one="its only supporter paid {amount}", other="its {voters} supporters paid {amount} each"),
        fi=Plural(one="sen ainoa kannattaja maksoi {amount}", other="sen {voters} kannattajaa maksoi kukin {amount}"),
    ),
    P.PAID_BY_GROUPS: Template(en="its supporters paid: {groups}", fi="sen kannattajista {groups}"),
    P.PAYMENT_GROUP: Template(
        en=Plural(one="{voters} voter {amount}", other="{voters} voters {amount} each"),
        fi=Plural(one="{voters} maksoi {amount}", other="{voters} maksoi kukin {amount}"),
    ),
    P.PAYMENT_GROUP_ALL_THEY_HAD: Template(
        en=Plural(
            one="{voters} voter {amount} (all they had left)",
            other="{voters} voters {amount} each (all they had left)",
        ),
        fi=Plural(
            one="{voters} maksoi {amount} (kaiken, mitä hänellä oli jäljellä)",
            other="{voters} maksoi kukin {amount} (kaiken, mitä heillä oli jäljellä)",
        ),
    ),
    P.VERDICT_FUNDED: Template(en="was funded", fi="rahoitettiin"),
    P.VERDICT_NOT_FUNDED: Template(en="was not funded", fi="jäi rahoittamatta"),
    P.GREEDY_FUNDS_IT: Template(en="which funds it", fi="jossa tämä hanke rahoitetaan"),
    P.GREEDY_DOES_NOT_FUND_IT: Template(en="which does not fund it", fi="jossa tätä hanketta ei rahoiteta"),
    P.WOULD_NOT_HAVE_BEEN_FUNDED: Template(
        en="would not have been funded: {why}",
        fi="olisi jäänyt rahoittamatta: {why}",
    ),
    P.APPROXIMATELY: Template(en="about {value}", fi="noin {value}"),
    P.PERCENT: Template(en="{value}%", fi="{value} %"),
    P.AND: Template(en="{first} and {last}", fi="{first} ja {last}"),
    P.THEN: Template(en=", then ", fi=", sitten "),
    # A value the record does not give.
    P.UNKNOWN: Template(en="?", fi="?"),
}

#: The tie-breakers' names (``Tie.settled_by``) in Finnish; English uses the record's own.
SETTLED_BY_FI: Final[dict[str, str]] = {
    "lower cost": "pienempi kustannus",
    "more votes": "enemmän ääniä",
    "lottery": "arvonta",
    "lower total cost": "pienempi kokonaiskustannus",
}


# --- filling templates -----------------------------------------------------------------------------------------


def _fill(template: Template, lang: Lang, *, one: bool = False, **values: str) -> str:
    """``template`` in ``lang`` with its placeholders filled; ``one`` picks a :class:`Plural`'s singular."""
    text = template.en if lang == "en" else template.fi
    if isinstance(text, Plural):
        text = text.one if one else text.other
    return text.format(**values)


def phrase(name: Phrase, lang: Lang, *, one: bool = False, **values: str) -> str:
    return _fill(PHRASES[name], lang, one=one, **values)


def paragraph(reasons: Iterable[Reason], lang: Lang, pot: str | None = None) -> str:
    """The reasons as one paragraph; ``pot`` names the pot in a record of several."""
    text = " ".join(render(reason, lang) for reason in reasons)
    return text if pot is None else phrase(P.POT_PARAGRAPH, lang, pot=pot, paragraph=text)


def render(reason: Reason, lang: Lang) -> str:
    """One reason's sentence (or clause) in ``lang``."""
    values, one = _values(reason, lang)
    return _fill(TEMPLATES[reason.kind], lang, one=one, **values)


def _values(reason: Reason, lang: Lang) -> tuple[dict[str, str], bool]:
    """The placeholders of ``reason``'s template, and whether its plural is the singular."""

    def money(value: Fraction) -> str:
        return _number(value, lang, money=True)

    match reason:
        case ForceFunded():
            # The decision's reason is quoted as written; the template ends the sentence.
            return {"head": _head(reason.project, reason.cost, lang), "reason": reason.reason.rstrip(".")}, False
        case Verdict():
            return {"head": _head(reason.project, reason.cost, lang)}, False
        case CouncilDecisionNoted():
            return {"decision": reason.decision, "reason": reason.reason.rstrip(".")}, False
        case AnnouncedDiffers() | GreedyCountStopped() | MesNeverPriced():
            return {}, False
        case MarginOfDefeat():
            values = {"extra_supporters": str(reason.extra_supporters)}
            if reason.max_cost is not None:
                values["max_cost"] = money(reason.max_cost)
            return values, reason.extra_supporters == 1
        case GreedyRanked():
            # The cost of a withdrawn project played no part, so it is not shown.
            cost = None if reason.kind is K.GREEDY_WITHDRAWN else reason.cost
            support = (
                phrase(P.SUPPORT_VOTES, lang, one=reason.votes == 1, votes=str(reason.votes))
                if reason.score == reason.votes
                else phrase(
                    P.SUPPORT_SCORE, lang, one=reason.votes == 1, score=str(reason.score), votes=str(reason.votes)
                )
            )
            return {
                "head": _head(reason.project, cost, lang),
                "rank": _rank(reason.rank, lang),
                "support": support,
                "order": phrase(P.ORDERED_BY_SCORE_PER_COST, lang) if reason.per_cost else "",
            }, False
        case GreedyFunded():
            return {"money_left": money(reason.money_left), "remaining": money(reason.remaining)}, False
        case GreedyShort():
            return {"money_left": money(reason.money_left), "shortfall": money(reason.shortfall)}, False
        case GreedyReserveShareTooSmall():
            return {"covered": _share(reason.covered, lang), "needed": _share(reason.needed, lang)}, False
        case GreedyNotReached():
            return {"stopped_at": reason.stopped_at or phrase(P.UNKNOWN, lang)}, False
        case GreedyBelowThreshold():
            threshold = _number(reason.threshold, lang) if reason.threshold is not None else phrase(P.UNKNOWN, lang)
            return {"score": str(reason.score), "threshold": threshold}, False
        case GreedyExcluded():
            return {"partner": reason.partner if reason.partner is not None else phrase(P.UNKNOWN, lang)}, False
        case GreedyReserveFunded():
            return {
                "money_left": money(reason.money_left),
                "shortfall": money(reason.shortfall),
                "covered": _share(reason.covered, lang),
                "needed": _share(reason.needed, lang) if reason.needed is not None else phrase(P.UNKNOWN, lang),
                "from_pot": money(reason.from_pot),
                "from_reserve": money(reason.from_reserve),
            }, False
        case TieSettled():
            others = _join(reason.others, lang)
            return {"others": others, "settled_by": _settled(reason.settled_by, lang)}, len(reason.others) == 1
        case MesRoundWon():
            return {
                "round": str(reason.round),
                "effective_vote_count": _number(reason.effective_vote_count, lang),
                "payments": _payments(reason.payments, lang),
            }, False
        case MesIneligible():
            return {"eligibility_k": reason.eligibility_k}, False
        case MesDropped() | MesRuleStopped():
            return {"round": str(reason.round)}, False
        case MesOutcounted():
            return {
                "round": str(reason.round),
                "effective_vote_count": _number(reason.effective_vote_count, lang),
                "winner": reason.winner,
                "winner_count": _number(reason.winner_count, lang),
            }, False
        case MesTieLost():
            settled = _settled(reason.settled_by, lang) if reason.settled_by is not None else phrase(P.UNKNOWN, lang)
            return {
                "round": str(reason.round),
                "winner": reason.winner,
                "effective_vote_count": _number(reason.effective_vote_count, lang),
                "settled_by": settled,
            }, False
        case MesFunded() | MesNotFunded():
            return {"head": _head(reason.project, reason.cost, lang), "why": render(reason.why, lang)}, False
        case MesEverythingAffordable():
            return {"head": _head(reason.project, reason.cost, lang)}, False
        case MesCompletionFunded():
            return {
                "head": _head(reason.project, reason.cost, lang),
                "completion": reason.completion,
                "why": render(reason.why, lang),
            }, False
        case MesGreedyAdopted():
            why = render(reason.why, lang)
            return {
                "head": _head(reason.project, reason.cost, lang),
                "verdict": phrase(P.VERDICT_FUNDED if reason.funded else P.VERDICT_NOT_FUNDED, lang),
                "measure": reason.measure,
                "prefer_greedy": str(reason.prefer_greedy),
                "prefer_rule": str(reason.prefer_rule),
                "greedy_verdict": phrase(P.GREEDY_FUNDS_IT if reason.greedy_funds else P.GREEDY_DOES_NOT_FUND_IT, lang),
                "alone": why
                if isinstance(reason.why, MesRoundWon)
                else phrase(P.WOULD_NOT_HAVE_BEEN_FUNDED, lang, why=why),
            }, False
        case MesEndowment():
            return {
                "completion": reason.completion,
                "first": money(reason.first),
                "adopted": money(reason.adopted),
            }, False
        case PhragmenFunded():
            return {
                "head": _head(reason.project, reason.cost, lang),
                "round": str(reason.round),
                "supporters": str(reason.supporters),
                "load": money(reason.load),
                "money_left": money(reason.money_left),
            }, reason.supporters == 1
        case PhragmenRemovedAtStart():
            return {"head": _head(reason.project, reason.cost, lang), "budget": money(reason.budget)}, False
        case PhragmenRemoved():
            return {
                "head": _head(reason.project, reason.cost, lang),
                "round": str(reason.round),
                "money_left": money(reason.money_left),
            }, False
        case PhragmenNoRoundWon():
            return {"head": _head(reason.project, reason.cost, lang), "money_left": money(reason.money_left)}, False
        case OptimumVerdict():
            return {
                "head": _head(reason.project, reason.cost, lang),
                "objective": reason.objective,
                "welfare": _number(reason.welfare, lang),
            }, False


def _head(project: str, cost: Fraction | None, lang: Lang) -> str:
    """The project, with its cost when the record gives it."""
    if cost is None:
        return phrase(P.PROJECT, lang, project=project)
    return phrase(P.PROJECT_WITH_COST, lang, project=project, cost=_number(cost, lang, money=True))


def _payments(groups: Sequence[SupportersPaid], lang: Lang) -> str:
    """What the supporters paid: one amount for all, or each group's."""
    if len(groups) == 1:
        group = groups[0]
        amount = _number(group.amount, lang, money=True)
        return phrase(P.PAID_BY_ONE_GROUP, lang, one=group.voters == 1, voters=str(group.voters), amount=amount)
    parts = [
        phrase(
            P.PAYMENT_GROUP_ALL_THEY_HAD if group.all_they_had else P.PAYMENT_GROUP,
            lang,
            # A lone voter (never an empty group) is spoken of in the singular.
            one=group.voters <= 1,
            voters=str(group.voters),
            amount=_number(group.amount, lang, money=True),
        )
        for group in groups
    ]
    return phrase(P.PAID_BY_GROUPS, lang, groups=_join(parts, lang))


# --- numbers as text -------------------------------------------------------------------------------------------


def _approx(value: Fraction) -> str:
    """Two decimals, rounded half away from zero."""
    cents = (abs(value) * 100 + Fraction(1, 2)).__floor__()
    sign = "-" if value < 0 and cents else ""
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def _number(value: Fraction, lang: Lang, *, money: bool = False) -> str:
    """Exact text of ``value``: format_money's, with cents padded to two decimals when
    ``money``, and ``p/q ≈ x.xx`` when it has no finite decimal form."""
    text = format_money(abs(value))
    if "/" in text:
        text = f"{text} ≈ {_approx(abs(value))}"
    elif money and "." in text and len(text.partition(".")[2]) == 1:
        text += "0"
    if value < 0:
        text = "-" + text
    return text.replace(".", ",") if lang == "fi" else text


def _share(share: Fraction, lang: Lang) -> str:
    """A share of one as a percentage: exact up to two decimals, else about so much."""
    value = share * 100
    text = format_money(value)
    if "/" in text or len(text.partition(".")[2]) > 2:
        text = phrase(P.APPROXIMATELY, lang, value=_approx(value))
    return phrase(P.PERCENT, lang, value=text.replace(".", ",") if lang == "fi" else text)


def _rank(n: int, lang: Lang) -> str:
    """A place in the order: ``3rd``, ``3.``."""
    if lang == "fi":
        return f"{n}."
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def _join(items: Sequence[str], lang: Lang) -> str:
    """``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return phrase(P.AND, lang, first=", ".join(items[:-1]), last=items[-1])


def _settled(criteria: Iterable[str], lang: Lang) -> str:
    """The tie-breakers, in the order they were used."""
    names = (SETTLED_BY_FI.get(c, c) for c in criteria) if lang == "fi" else criteria
    return phrase(P.THEN, lang).join(names)


# --- the diagnosis of a differing outcome ----------------------------------------------------------------------

#: The diagnosis' sentences and pieces, in English. (A translation adds a table per
#: language; until then every language gets these.)
DIAGNOSIS_TEXTS: Final[dict[str, str]] = {
    "differs": "This count differs from the announced outcome.",
    "reproduced-if": "Reproduced if {changes}.",
    "none-found": "No explanation with up to {max_changes} changes was found.",
    "limit-budget": "The budget was searched by a scan ({tried} tallies), not exhaustively.",
    "limit-two-changes": "Pairs of changes were searched only in part: {tried} of {candidates}.",
    "and": " and ",
    "facts": "{change} ({facts})",
    # --- one change each ---
    "tie-order": "ties are settled by {tie_break} instead of {was}",
    "tie-order-tie": "it decides the tie between projects {projects}",
    "tie-order-ties": "it decides the ties between projects {projects}",
    "leave-out": "project {project} is left out",
    "leave-out-fits": "it is not selected although it fits with {money_left} left",
    "leave-out-funded": "it is not selected although this count funds it",
    "leave-out-unfunded": "it is not selected",
    "similar-name": "project {project}, funded, has a similar name",
    "force-in": "project {project} is funded first, its cost of {cost} taken from the budget",
    "force-in-short": "it is selected although only {money_left} was left when its turn came",
    "force-in-unfunded": "it is selected although this count does not fund it",
    "force-in-funded": "it is selected, and this count funds it too, later",
    "exclusive-group": "projects {first} and {second} are mutually exclusive",
    "exclusive-group-any": "project {second} is mutually exclusive with any one of projects {firsts}",
    "similar-names": "they have similar names",
    "similar-names-one": "project {first} has a similar name",
    "budget-between": "the budget is from {smallest} to {largest} instead of {budget}",
    "budget-exactly": "the budget is {smallest} instead of {budget}",
    "budget-at-least": "the budget is at least {smallest} instead of {budget}",
    "budget-scan": "found by a scan of budgets: others may reproduce it too",
    "threshold-between": "the score threshold is from {smallest} to {largest} instead of {threshold}",
    "threshold-exactly": "the score threshold is {smallest} instead of {threshold}",
    "threshold-at-least": "the score threshold is at least {smallest} instead of {threshold}",
    "threshold-at-most": "the score threshold is at most {largest} instead of {threshold}",
    "threshold-none": "none",
    "rule": "the rule is {rule} instead of {was}",
    "rule-parameter": "parameter {parameter} is {value} instead of {was}",
    # --- how to make the change on the command line ---
    "option-param": "--param {parameter}={value}",
    "option-exclusive": "--exclusive {first},{second}",
}


def render_diagnosis(diagnosis: Diagnosis, lang: Lang = "en") -> list[str]:
    """The diagnosis as sentences: one per explanation (or that none was found), then the searches' limits.

    Exclusive groups that pass over the same project are one sentence. Money is
    exact, its digits grouped by thousands (``1,118,734``). English for every
    language until the diagnosis is translated.
    """
    texts = DIAGNOSIS_TEXTS
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
                    sentences.append(texts["reproduced-if"].format(changes=_exclusive_any(groups[passed])))
                continue
        parts = [_change_text(change) for change in changes]
        sentences.append(texts["reproduced-if"].format(changes=texts["and"].join(parts)))
    if not diagnosis.explanations:
        sentences.append(texts["none-found"].format(max_changes=diagnosis.max_changes))
    for limit in diagnosis.limits:
        if limit.search == "budget":
            sentences.append(texts["limit-budget"].format(tried=limit.tried))
        else:
            candidates = "?" if limit.candidates is None else f"{limit.candidates:,}"
            sentences.append(texts["limit-two-changes"].format(tried=f"{limit.tried:,}", candidates=candidates))
    return sentences


def diagnosis_paragraph(diagnosis: Diagnosis, lang: Lang, pot: str | None = None) -> str:
    """The diagnosis as one paragraph of explain's output; ``pot`` names the pot in a record of several."""
    text = " ".join([DIAGNOSIS_TEXTS["differs"], *render_diagnosis(diagnosis, lang)])
    return text if pot is None else phrase(P.POT_PARAGRAPH, lang, pot=pot, paragraph=text)


def _change_text(change: Change) -> str:
    texts = DIAGNOSIS_TEXTS
    facts: list[str] = []
    match change:
        case TieOrderChange():
            text = texts["tie-order"].format(
                tie_break=TIE_BREAKING.get(change.tie_break, change.tie_break),
                was=TIE_BREAKING.get(change.was, change.was),
                value=change.tie_break,
            )
            if change.ties:
                ties = "; ".join(_join_en(tie) for tie in change.ties)
                key = "tie-order-tie" if len(change.ties) == 1 else "tie-order-ties"
                facts.append(texts[key].format(projects=ties))
            facts.append(texts["option-param"].format(parameter="tie_break", value=change.tie_break))
        case LeaveOutChange():
            text = texts["leave-out"].format(project=change.project_id)
            if change.funded and change.money_left is not None:
                facts.append(texts["leave-out-fits"].format(money_left=_grouped(change.money_left)))
            else:
                facts.append(texts["leave-out-funded" if change.funded else "leave-out-unfunded"])
            if change.similar_to is not None:
                facts.append(texts["similar-name"].format(project=change.similar_to))
        case ForceInChange():
            text = texts["force-in"].format(project=change.project_id, cost=_grouped(change.cost))
            if change.funded:
                facts.append(texts["force-in-funded"])
            elif change.money_left is not None:
                facts.append(texts["force-in-short"].format(money_left=_grouped(change.money_left)))
            else:
                facts.append(texts["force-in-unfunded"])
        case ExclusiveGroupChange():
            first, second = (*change.projects, "?", "?")[:2]
            text = texts["exclusive-group"].format(first=first, second=second)
            if change.similar_names:
                facts.append(texts["similar-names"])
            facts.append(texts["option-exclusive"].format(first=first, second=second))
        case BudgetChange():
            values = {"smallest": _grouped(change.smallest), "budget": _grouped(change.budget)}
            if change.largest is None:
                text = texts["budget-at-least"].format(**values)
            elif change.largest == change.smallest:
                text = texts["budget-exactly"].format(**values)
            else:
                text = texts["budget-between"].format(largest=_grouped(change.largest), **values)
            if not change.exact:
                facts.append(texts["budget-scan"])
        case ThresholdChange():
            was = texts["threshold-none"] if change.threshold is None else _grouped(change.threshold)
            if change.largest is None:
                text = texts["threshold-at-least"].format(smallest=_grouped(change.smallest), threshold=was)
            elif change.largest == change.smallest:
                text = texts["threshold-exactly"].format(smallest=_grouped(change.smallest), threshold=was)
            elif change.smallest == 0:
                text = texts["threshold-at-most"].format(largest=_grouped(change.largest), threshold=was)
            else:
                text = texts["threshold-between"].format(
                    smallest=_grouped(change.smallest), largest=_grouped(change.largest), threshold=was
                )
        case RuleChange():
            text = texts["rule"].format(rule=change.rule, was=change.was)
        case RuleParameterChange():
            text = texts["rule-parameter"].format(parameter=change.parameter, value=change.value, was=change.was)
            facts.append(texts["option-param"].format(parameter=change.parameter, value=change.value))
    return texts["facts"].format(change=text, facts="; ".join(facts)) if facts else text


def _exclusive_any(changes: Sequence[ExclusiveGroupChange]) -> str:
    """Several exclusive groups passing over the same project, as one clause."""
    texts = DIAGNOSIS_TEXTS
    second = changes[0].projects[1]
    firsts = [change.projects[0] for change in changes]
    alike = [change.projects[0] for change in changes if change.similar_names]
    shown = alike[0] if alike else firsts[0]
    text = texts["exclusive-group-any"].format(second=second, firsts=_join_en(firsts))
    facts = [texts["similar-names-one"].format(first=first) for first in alike]
    facts.append(texts["option-exclusive"].format(first=shown, second=second))
    return texts["facts"].format(change=text, facts="; ".join(facts))


def _join_en(items: Sequence[str]) -> str:
    return _join(list(items), "en")


def _grouped(value: Fraction) -> str:
    """Exact money with its whole part grouped by thousands: ``1,118,734``, ``1,000.50``, ``1000/3 ≈ 333.33``."""
    text = _number(value, "en", money=True)
    if "/" in text:
        return text
    sign = "-" if text.startswith("-") else ""
    whole, dot, cents = text.lstrip("-").partition(".")
    return f"{sign}{int(whole):,}{dot}{cents}"
