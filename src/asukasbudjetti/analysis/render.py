"""The analysis in words: every sentence the user reads about fairness lives here.

Each sentence is a message of the gettext catalogs (:mod:`asukasbudjetti.i18n`),
written in Finnish, Swedish and English; the functions take the :class:`Texts` of
the language (English when none is given). Nothing else in the analysis stage
builds a sentence; the report's fairness section (``publish``) and ``compare``'s
fairness table take their words from here too.

A check's reason for "not decided" (the search's limit) and a rule's refusal are
data of the analysis and stay in English, as ``compare``'s refusals do.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from asukasbudjetti.analysis.analyse import Analysis, PotAnalysis, RuleAnalysis
from asukasbudjetti.analysis.groups import UNKNOWN
from asukasbudjetti.analysis.justified import JustifiedCheck, Verdict, Witness
from asukasbudjetti.analysis.satisfaction import SatisfactionMeasures
from asukasbudjetti.analysis.small import Priceability, SmallCheck
from asukasbudjetti.i18n import N_, NP_, Texts, aligned

#: How many kinds of ballot of a witness group the text lists.
BALLOTS_SHOWN = 5

PROPERTY_NAMES = {
    "EJR": N_("EJR"),
    "EJR-1": N_("EJR up to one project"),
    "PJR": N_("PJR"),
    "PJR-1": N_("PJR up to one project"),
    "strong EJR": N_("strong EJR"),
}

#: What each property asks, in words residents understand (the report prints it beside the verdict).
PROPERTY_MEANINGS = {
    "EJR": N_(
        "Every group of voters large enough to pay for projects they all voted for, from their share of the "
        "budget, has at least one member who got as much as that."
    ),
    "EJR-1": N_(
        "As EJR, but a group counts as served when one more of the projects they all voted for would give one "
        "member more than they are owed."
    ),
    "PJR": N_(
        "Every such group together got, in the projects its members voted for, at least as much as the projects "
        "they all agree on are worth."
    ),
    "PJR-1": N_("As PJR, but a group counts as served when one more of the projects they all voted for would do it."),
    "strong EJR": N_("As EJR, but every member of the group, not only one, must get as much as the group is owed."),
}

#: A satisfaction measure in a check's name.
SATISFACTION_NAMES = {
    "cost": N_("by money"),
    "cardinality": N_("by number of projects"),
    "additive": N_("by points"),
}

#: A verdict, as a table cell.
VERDICTS = {
    Verdict.HOLDS: N_("yes"),
    Verdict.FAILS: N_("no"),
    Verdict.NOT_DECIDED: N_("not decided"),
}

_POINTS = NP_("{count} point", "{count} points")
_PROJECTS = NP_("{count} project", "{count} projects")


def _t(t: Texts | None) -> Texts:
    return t if t is not None else Texts()


def exact(value: Fraction | None, t: Texts | None = None) -> str:
    """An exact number for the eye: decimal text, or ``p/q ≈ x`` when it has no finite decimal form."""
    if value is None:
        return "-"
    return _t(t).number(value)


def percent(value: Fraction | None, t: Texts | None = None) -> str:
    """A share as a percentage: exact to two decimals, else ``about``."""
    if value is None:
        return "-"
    return _t(t).percent(value)


def amount(value: Fraction, satisfaction: str, t: Texts | None = None) -> str:
    """A satisfaction: money for cost satisfaction, points for additive, a number of projects for cardinality."""
    t = _t(t)
    if satisfaction == "cost":
        return t.money(value)
    form = 1 if value == 1 else 2  # the plural form: "1 point", "1/2 points"
    return t.plural(_POINTS if satisfaction == "additive" else _PROJECTS, form, count=exact(value, t))


def check_name(prop: str, satisfaction: str, t: Texts | None = None) -> str:
    """``EJR (by money)``."""
    t = _t(t)
    return t.gettext(
        "{property} ({satisfaction})",
        property=t.gettext(PROPERTY_NAMES[prop]),
        satisfaction=t.gettext(SATISFACTION_NAMES[satisfaction]),
    )


def verdict_text(verdict: Verdict, t: Texts | None = None) -> str:
    return _t(t).gettext(VERDICTS[verdict])


def witness_sentence(check: JustifiedCheck, witness: Witness, t: Texts | None = None) -> str:
    """Why the check fails, in one paragraph (hand-written tests pin these sentences in fi, sv and en)."""
    t = _t(t)
    projects = ", ".join(witness.projects)
    if witness.thresholds:  # additive utilities: the least each project gets from the group
        projects = ", ".join(
            t.gettext("{project} (each gives it at least {points})", project=p, points=exact(a, t))
            for p, a in zip(witness.projects, witness.thresholds, strict=True)
        )
    agree = (
        NP_(
            "{voters} voter gives points to all of {projects} (cost {cost})",
            "{voters} voters give points to all of {projects} (cost {cost})",
        )
        if witness.thresholds
        else NP_(
            "{voters} voter approves all of {projects} (cost {cost})",
            "{voters} voters approve all of {projects} (cost {cost})",
        )
    )
    group = t.plural(
        agree, witness.voters, voters=t.count(witness.voters), projects=projects, cost=t.money(witness.cost)
    )
    enough = t.gettext(
        "they are enough to deserve it: {voters} >= {needed} voters (voters x cost / budget)",
        voters=t.count(witness.voters),
        needed=exact(witness.needed, t),
    )
    owed = amount(witness.owed, check.satisfaction, t)
    if check.property in ("PJR", "PJR-1"):
        shortfall = t.gettext(
            "together the funded projects they voted for ({funded}) are worth {got}, less than the {owed} they are "
            "owed",
            funded=", ".join(witness.group_funded) or t.gettext("nothing"),
            got=amount(witness.group_got or Fraction(0), check.satisfaction, t),
            owed=owed,
        )
    elif check.property == "strong EJR":
        least = min(b.satisfaction for b in witness.ballots)
        shortfall = t.gettext(
            "some of them got only {got}, less than the {owed} they are owed",
            got=amount(least, check.satisfaction, t),
            owed=owed,
        )
    else:
        most = max(b.satisfaction for b in witness.ballots)
        shortfall = t.gettext(
            "none of them got {owed}: the best served got {got}", owed=owed, got=amount(most, check.satisfaction, t)
        )
    if check.property in ("EJR-1", "PJR-1") and witness.limit != witness.owed:
        shortfall = t.gettext(
            "{shortfall}, still short even with one more of the projects they agree on funded", shortfall=shortfall
        )
    return t.gettext("{group}; {enough}; {shortfall}.", group=group, enough=enough, shortfall=shortfall)


def check_line(check: JustifiedCheck, t: Texts | None = None) -> str:
    t = _t(t)
    name = check_name(check.property, check.satisfaction, t)
    if check.verdict is Verdict.HOLDS:
        return t.gettext("{name}: holds", name=name)
    if check.verdict is Verdict.NOT_DECIDED:
        return t.gettext("{name}: not decided within the time limit ({reason})", name=name, reason=check.reason)
    assert check.witness is not None
    return t.gettext("{name}: fails. {why}", name=name, why=witness_sentence(check, check.witness, t))


def ballot_text(approves: Sequence[str], points: Sequence[int]) -> str:
    """A ballot as ``{a, b}`` or ``{a: 3, b: 1}``."""
    if points:
        return "{" + ", ".join(f"{p}: {v}" for p, v in zip(approves, points, strict=True)) + "}"
    return "{" + ", ".join(approves) + "}"


def witness_ballots(witness: Witness, satisfaction: str, t: Texts | None = None) -> list[str]:
    t = _t(t)
    shown = [
        t.ngettext(
            "{voters} voter with the ballot {ballot}: got {got}",
            "{voters} voters with the ballot {ballot}: each got {got}",
            b.voters,
            voters=t.count(b.voters),
            ballot=ballot_text(b.approves, b.points),
            got=amount(b.satisfaction, satisfaction, t),
        )
        for b in witness.ballots[:BALLOTS_SHOWN]
    ]
    rest = len(witness.ballots) - BALLOTS_SHOWN
    if rest > 0:
        shown.append(
            t.ngettext(
                "... and {count} more kind of ballot", "... and {count} more kinds of ballot", rest, count=t.count(rest)
            )
        )
    return shown


_SMALL_NAMES = {"Pareto": N_("Pareto optimal"), "core": N_("in the core")}


def small_line(check: SmallCheck, t: Texts | None = None) -> str:
    t = _t(t)
    label = t.gettext(_SMALL_NAMES[check.property])
    if check.satisfaction is not None:
        label = t.gettext(
            "{property} ({satisfaction})",
            property=label,
            satisfaction=t.gettext(SATISFACTION_NAMES[check.satisfaction]),
        )
    if check.verdict is Verdict.HOLDS:
        return t.gettext("{name}: yes", name=label)
    if check.verdict is Verdict.NOT_DECIDED:
        return t.gettext("{name}: not decided ({reason})", name=label, reason=check.reason)
    assert check.witness is not None
    better = check.witness
    values = {
        "name": label,
        "projects": ", ".join(better.projects),
        "cost": t.money(better.cost),
        "voters": t.count(better.voters),
    }
    if check.property == "Pareto":
        return t.ngettext(
            "{name}: no. {projects} (cost {cost}) would leave nobody worse off and {voters} voter better off",
            "{name}: no. {projects} (cost {cost}) would leave nobody worse off and {voters} voters better off",
            better.voters,
            **values,
        )
    return t.ngettext(
        "{name}: no. {voters} voter prefers {projects} alone (cost {cost}), which their share of the budget pays for",
        "{name}: no. {voters} voters prefer {projects} alone (cost {cost}), which their share of the budget pays for",
        better.voters,
        **values,
    )


def priceability_lines(prices: Priceability, t: Texts | None = None) -> list[str]:
    t = _t(t)
    if prices.verdict is Verdict.NOT_DECIDED:
        return [t.gettext("priceable: not decided ({reason})", reason=prices.reason)]
    if prices.verdict is Verdict.FAILS:
        return [t.gettext("priceable: no (no voter budget and payments meet the conditions)")]
    lines = [t.gettext("priceable: yes, with a voter budget of {budget}:", budget=exact(prices.voter_budget, t))]
    lines += [
        "  "
        + t.ngettext(
            "{voters} voter with the ballot {ballot} pays {amount} for {project}",
            "{voters} voters with the ballot {ballot} each pay {amount} for {project}",
            p.voters,
            voters=t.count(p.voters),
            ballot=ballot_text(p.ballot, ()),
            amount=exact(p.amount, t),
            project=p.project,
        )
        for p in prices.payments
    ]
    return lines


#: A satisfaction measure as a table cell.
MEASURE_NAMES = {"cost": N_("money"), "cardinality": N_("number of projects"), "additive": N_("points")}


def measure_cells(m: SatisfactionMeasures, t: Texts | None = None) -> tuple[str, ...]:
    """Satisfaction, voters, average, with at least one funded (share), Gini."""
    t = _t(t)
    return (
        t.gettext(MEASURE_NAMES[m.satisfaction]),
        t.count(m.voters),
        "-" if m.average is None else (t.money(m.average) if m.satisfaction == "cost" else exact(m.average, t)),
        t.gettext("{count} ({share})", count=t.count(m.voters_with_one), share=percent(m.share_with_one, t)),
        exact(m.gini, t),
    )


def measure_header(t: Texts | None = None) -> tuple[str, ...]:
    t = _t(t)
    return (
        t.gettext("satisfaction"),
        t.gettext("voters"),
        t.gettext("average"),
        t.gettext("with at least one funded"),
        t.gettext("Gini"),
    )


def histogram_rows(measures: SatisfactionMeasures, t: Texts | None = None) -> list[tuple[str, str]]:
    """Voters by the number of funded projects they voted for: (number, voters) per bin."""
    t = _t(t)
    rows = []
    for b in measures.histogram:
        if b.high == b.low:
            label = exact(b.low, t)
        elif b.high is None:
            label = "> " + exact(b.low, t)
        else:
            label = f"{exact(b.low, t)}–{exact(b.high, t)}"
        rows.append((label, t.count(b.voters)))
    return rows


def rule_lines(rule: RuleAnalysis, t: Texts | None = None) -> list[str]:
    t = _t(t)
    name = rule.rule if rule.rule == rule.ran else f"{rule.rule} ({rule.ran})"
    lines = [
        "  "
        + t.ngettext(
            "rule {rule}: {count} project funded, {spent} spent",
            "rule {rule}: {count} projects funded, {spent} spent",
            len(rule.funded),
            rule=name,
            count=t.count(len(rule.funded)),
            spent=t.money(rule.spent),
        )
    ]
    rows = [(t.gettext("group"), *measure_header(t))]
    rows += [(t.gettext("everyone"), *measure_cells(m, t)) for m in rule.satisfaction]
    missing: list[str] = []
    for attribute in dict.fromkeys(group.attribute for group in rule.groups):
        mine = [group for group in rule.groups if group.attribute == attribute]
        if all(group.group == UNKNOWN for group in mine):
            missing.append(attribute)
            continue
        for group in mine:
            rows += [(f"{group.attribute} {group.group}", *measure_cells(m, t)) for m in group.measures]
    lines += aligned(rows, indent="    ")
    lines += [
        "    " + t.gettext("no ballot says its voter's {attribute}: no groups by it", attribute=attribute)
        for attribute in missing
    ]
    lines += [
        "    "
        + t.gettext(
            "voters by the number of funded projects they voted for: {bins}",
            bins=", ".join(f"{low}: {voters}" for low, voters in histogram_rows(m, t)),
        )
        for m in rule.satisfaction
        if m.satisfaction == "cardinality" and m.histogram
    ]
    for check in rule.checks:
        lines.append("    " + check_line(check, t))
        if check.witness is not None:
            lines += ["      " + line for line in witness_ballots(check.witness, check.satisfaction, t)]
    if rule.small is not None:
        lines += ["    " + small_line(c, t) for c in (*rule.small.pareto, *rule.small.core)]
        lines += ["    " + line for line in priceability_lines(rule.small.priceability, t)]
    return lines


def pot_lines(pot: PotAnalysis, t: Texts | None = None) -> list[str]:
    t = _t(t)
    head = t.ngettext(
        "{source}: pot {pot}, {vote_type} ballots, budget {budget}, {voters} voter, {projects} projects",
        "{source}: pot {pot}, {vote_type} ballots, budget {budget}, {voters} voters, {projects} projects",
        pot.voters,
        source=pot.source,
        pot=repr(pot.pot),
        vote_type=pot.vote_type,
        budget=t.money(pot.budget),
        voters=t.count(pot.voters),
        projects=t.count(pot.projects),
    )
    if pot.measure != "approved":
        head += " (" + t.gettext("a project counts for a voter when her ballot lists it") + ")"
    lines = [head]
    for rule in pot.rules:
        lines += rule_lines(rule, t)
    lines += [
        "  " + t.gettext("{rule}: not run: {reason}", rule=refusal.rule, reason=refusal.reason)
        for refusal in pot.refused
    ]
    return lines


def render_analysis(analysis: Analysis, t: Texts | None = None) -> str:
    """The analysis as text in the language of ``t`` (exact numbers; ``≈`` marks a rounded one)."""
    t = _t(t)
    lines: list[str] = []
    if analysis.cycle is not None:
        lines.append(t.gettext("cycle {name} ({file})", name=repr(analysis.cycle), file=analysis.file))
    for pot in analysis.pots:
        if lines:
            lines.append("")
        lines += pot_lines(pot, t)
    return "\n".join(lines) + "\n"


__all__ = [
    "MEASURE_NAMES",
    "PROPERTY_MEANINGS",
    "PROPERTY_NAMES",
    "SATISFACTION_NAMES",
    "VERDICTS",
    "amount",
    "ballot_text",
    "check_line",
    "check_name",
    "exact",
    "histogram_rows",
    "measure_cells",
    "measure_header",
    "render_analysis",
    "verdict_text",
    "witness_sentence",
]
