"""The analysis in words: every sentence the user reads about fairness lives here.

TODO(i18n): these English sentences move into the gettext catalogs with the rest
of the report's text once the catalogs land (issue: report in Jinja2 + gettext);
until then this module is the one place to translate. Nothing else in the
analysis stage builds a sentence.
"""

from __future__ import annotations

from fractions import Fraction

from asukasbudjetti.analysis.analyse import Analysis, PotAnalysis, RuleAnalysis
from asukasbudjetti.analysis.groups import UNKNOWN
from asukasbudjetti.analysis.justified import JustifiedCheck, Verdict, Witness
from asukasbudjetti.analysis.satisfaction import SatisfactionMeasures
from asukasbudjetti.analysis.small import Priceability, SmallCheck
from asukasbudjetti.money import format_money

#: How many kinds of ballot of a witness group the text lists.
BALLOTS_SHOWN = 5

PROPERTY_NAMES = {
    "EJR": "EJR",
    "EJR-1": "EJR up to one project",
    "PJR": "PJR",
    "PJR-1": "PJR up to one project",
    "strong EJR": "strong EJR",
}


def exact(value: Fraction | None) -> str:
    """An exact number for the eye: decimal text, or ``p/q (~0.33)`` when it has no finite decimal form."""
    if value is None:
        return "-"
    text = format_money(value) if value >= 0 else "-" + format_money(-value)
    return f"{text} (~{float(value):.2f})" if "/" in text else text


def percent(value: Fraction | None) -> str:
    if value is None:
        return "-"
    rounded = round(value * 100, 1)
    return f"{'' if rounded == value * 100 else '~'}{format_money(Fraction(rounded))}%"


def amount(value: Fraction, satisfaction: str) -> str:
    """A satisfaction: money for cost satisfaction, a number of projects for cardinality."""
    if satisfaction == "cost":
        return exact(value)
    if satisfaction == "additive":
        return f"{exact(value)} point{'' if value == 1 else 's'}"
    return f"{exact(value)} project{'' if value == 1 else 's'}"


def witness_sentence(check: JustifiedCheck, witness: Witness) -> str:
    """Why the check fails, in one paragraph (hand-written tests pin these sentences)."""
    projects = ", ".join(witness.projects)
    if witness.thresholds:  # additive utilities: the least each project gets from the group
        projects = ", ".join(
            f"{p} (each gives it at least {exact(a)})"
            for p, a in zip(witness.projects, witness.thresholds, strict=True)
        )
    group = (
        f"{witness.voters} voter{'s' if witness.voters != 1 else ''} "
        f"{'give points to' if witness.thresholds else 'approve'} all of {projects} "
        f"(cost {exact(witness.cost)}); they are enough to deserve it: {witness.voters} >= "
        f"{exact(witness.needed)} voters (n x cost / budget)"
    )
    owed = amount(witness.owed, check.satisfaction)
    if check.property in ("PJR", "PJR-1"):
        got = amount(witness.group_got or Fraction(0), check.satisfaction)
        funded = ", ".join(witness.group_funded) or "nothing"
        shortfall = f"together their funded approvals ({funded}) are worth {got}, less than the {owed} they are owed"
    elif check.property == "strong EJR":
        least = min(b.satisfaction for b in witness.ballots)
        shortfall = f"some of them got only {amount(least, check.satisfaction)}, less than the {owed} they are owed"
    else:
        most = max(b.satisfaction for b in witness.ballots)
        shortfall = f"none of them got {owed}: the best served got {amount(most, check.satisfaction)}"
    if check.property in ("EJR-1", "PJR-1") and witness.limit != witness.owed:
        shortfall += ", still short even with one more of the projects they agree on funded"
    return f"{group}; {shortfall}."


def check_line(check: JustifiedCheck) -> str:
    name = f"{PROPERTY_NAMES[check.property]} ({check.satisfaction} satisfaction)"
    if check.verdict is Verdict.HOLDS:
        return f"{name}: holds"
    if check.verdict is Verdict.NOT_DECIDED:
        return f"{name}: not decided within the limit ({check.reason})"
    assert check.witness is not None
    return f"{name}: fails. {witness_sentence(check, check.witness)}"


def witness_ballots(witness: Witness, satisfaction: str) -> list[str]:
    shown = [
        f"{b.voters} x {{{_ballot(b.approves, b.points)}}}, each got {amount(b.satisfaction, satisfaction)}"
        for b in witness.ballots[:BALLOTS_SHOWN]
    ]
    rest = len(witness.ballots) - BALLOTS_SHOWN
    if rest > 0:
        shown.append(f"... and {rest} more kinds of ballot")
    return shown


def _ballot(approves: tuple[str, ...], points: tuple[int, ...]) -> str:
    if points:
        return ", ".join(f"{p}: {v}" for p, v in zip(approves, points, strict=True))
    return ", ".join(approves)


def small_line(check: SmallCheck) -> str:
    name = {"Pareto": "Pareto optimal", "core": "in the core"}[check.property]
    label = f"{name} ({check.satisfaction} satisfaction)"
    if check.verdict is Verdict.HOLDS:
        return f"{label}: yes"
    if check.verdict is Verdict.NOT_DECIDED:
        return f"{label}: not decided ({check.reason})"
    assert check.witness is not None
    better = check.witness
    if check.property == "Pareto":
        return (
            f"{label}: no. {', '.join(better.projects)} (cost {exact(better.cost)}) would leave nobody worse off "
            f"and {better.voters} voters better off"
        )
    return (
        f"{label}: no. {better.voters} voters prefer {', '.join(better.projects)} alone (cost {exact(better.cost)}), "
        "which their share of the budget pays for"
    )


def priceability_lines(prices: Priceability) -> list[str]:
    if prices.verdict is Verdict.NOT_DECIDED:
        return [f"priceable: not decided ({prices.reason})"]
    if prices.verdict is Verdict.FAILS:
        return ["priceable: no (no voter budget and payments meet the conditions)"]
    lines = [f"priceable: yes, with a voter budget of {exact(prices.voter_budget)}:"]
    lines += [
        f"  {p.voters} x {{{', '.join(p.ballot)}}} each pay {exact(p.amount)} for {p.project}" for p in prices.payments
    ]
    return lines


def _measure_rows(measures: tuple[SatisfactionMeasures, ...], label: str) -> list[tuple[str, ...]]:
    return [
        (
            label,
            m.satisfaction,
            str(m.voters),
            exact(m.average),
            f"{m.voters_with_one} ({percent(m.share_with_one)})",
            exact(m.gini),
        )
        for m in measures
    ]


def _aligned(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    return ["    " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]


def _histogram_line(measures: SatisfactionMeasures) -> str:
    """Voters by the number of funded projects they voted for (the cardinality histogram)."""
    bins = ", ".join(f"{exact(b.low)}: {b.voters}" for b in measures.histogram)
    return f"    voters by the number of funded projects they voted for: {bins}"


def rule_lines(rule: RuleAnalysis) -> list[str]:
    name = rule.rule if rule.rule == rule.ran else f"{rule.rule} ({rule.ran})"
    lines = [f"  rule {name}: {len(rule.funded)} projects funded, {exact(rule.spent)} spent"]
    header = ("group", "satisfaction", "voters", "average", "with >= 1 funded", "Gini")
    rows = [header, *_measure_rows(rule.satisfaction, "everyone")]
    missing: list[str] = []
    for attribute in dict.fromkeys(group.attribute for group in rule.groups):
        mine = [group for group in rule.groups if group.attribute == attribute]
        if all(group.group == UNKNOWN for group in mine):
            missing.append(attribute)
            continue
        for group in mine:
            rows += _measure_rows(group.measures, f"{group.attribute} {group.group}")
    lines += _aligned(rows)
    lines += [f"    no ballot says its voter's {attribute}: no groups by it" for attribute in missing]
    lines += [_histogram_line(m) for m in rule.satisfaction if m.satisfaction == "cardinality" and m.histogram]
    for check in rule.checks:
        lines.append("    " + check_line(check))
        if check.witness is not None:
            lines += ["      " + line for line in witness_ballots(check.witness, check.satisfaction)]
    if rule.small is not None:
        lines += ["    " + small_line(c) for c in (*rule.small.pareto, *rule.small.core)]
        lines += ["    " + line for line in priceability_lines(rule.small.priceability)]
    return lines


def pot_lines(pot: PotAnalysis) -> list[str]:
    listed = "" if pot.measure == "approved" else " (a project counts for a voter when her ballot lists it)"
    lines = [
        f"{pot.source}: pot {pot.pot!r}, {pot.vote_type} ballots, budget {exact(pot.budget)}, "
        f"{pot.voters} voters, {pot.projects} projects{listed}"
    ]
    for rule in pot.rules:
        lines += rule_lines(rule)
    lines += [f"  {refusal.rule}: not run: {refusal.reason}" for refusal in pot.refused]
    return lines


def render_analysis(analysis: Analysis) -> str:
    """The analysis as text (exact numbers; ``~`` marks a rounded one)."""
    lines: list[str] = []
    if analysis.cycle is not None:
        lines.append(f"cycle {analysis.cycle!r} ({analysis.file})")
    for pot in analysis.pots:
        if lines:
            lines.append("")
        lines += pot_lines(pot)
    return "\n".join(lines) + "\n"


__all__ = ["check_line", "exact", "render_analysis", "witness_sentence"]
