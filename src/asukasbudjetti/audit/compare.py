"""Comparing rules on one election: what each funds, and how the voters fare under each.

``compare_election(election, ["greedy", "equalshares/add1"])`` runs every rule on
the election (as :func:`~asukasbudjetti.tally.tally_election` runs it) and measures
each outcome exactly, from the compiled profile:

* the funded projects and the money spent;
* the average number of funded projects a voter approved (a
  :class:`~fractions.Fraction`), and the share of voters with at least one funded
  project they approved;
* for every pair of rules, how many voters are better off under each (more funded
  projects they approved), how many fare the same, and the projects only one of
  the two funds;
* for approval and choose-1 ballots, the fairness of each outcome
  (:mod:`asukasbudjetti.analysis`): EJR, EJR up to one project, PJR and PJR up to
  one project for cost and cardinality satisfaction, decided exactly (or "not
  decided" within the time limit), with the projects and size of a witness group
  when one fails, and the Gini coefficient of each satisfaction.

A voter "approved" a project when her ballot lists it. For approval and choose-1
ballots that is an approval; for cumulative, scoring and ordinal ballots it only
says that the ballot lists the project (whatever its points or rank), and
:attr:`Comparison.measure` is ``"listed"`` to say so. Votes given only as a count
per project (paper votes, ``extra_approvals``) are not ballots: they are left out of
the per-voter measures and counted in :attr:`Comparison.paper_votes`.

``compare_file`` takes a ``.pb`` file or a budget cycle ``.toml``; for a cycle each
pot is compared on its own election (:func:`~asukasbudjetti.cycles.pot_elections`):
its own amount, without the leftovers a policy would move in, since how much moves
depends on the rules compared.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from fractions import Fraction
from itertools import combinations
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from asukasbudjetti.analysis.justified import PROPERTIES, TIME_LIMIT, JustifiedProperty, Verdict, check
from asukasbudjetti.analysis.satisfaction import SATISFACTIONS, SatisfactionKind, profile_measures
from asukasbudjetti.i18n import Texts, aligned, check_lang
from asukasbudjetti.model import Election
from asukasbudjetti.model.record import canonical_json
from asukasbudjetti.money import Exact, Money
from asukasbudjetti.profile import CompiledProfile, IntArray, compile_profile
from asukasbudjetti.rules.ties import DEFAULT_SEED
from asukasbudjetti.tally import (
    RuleRefusal,
    check_rule_names,
    load_election,
    tally_rules,
)
from asukasbudjetti.version import __version__

Measure = Literal["approved", "listed"]


class FairnessCheck(BaseModel):
    """One proportionality check of an outcome, in short: the verdict, and a failing group's
    projects and size (``asukasbudjetti analyse`` shows the whole witness)."""

    model_config = ConfigDict(frozen=True)

    property: JustifiedProperty
    satisfaction: SatisfactionKind
    verdict: Verdict
    projects: tuple[str, ...] = ()
    voters: int | None = None


class Fairness(BaseModel):
    """An outcome's proportionality checks and the Gini coefficients of its satisfactions."""

    model_config = ConfigDict(frozen=True)

    checks: tuple[FairnessCheck, ...]
    gini_cost: Exact | None
    gini_cardinality: Exact | None


class RuleMeasures(BaseModel):
    """One rule's outcome and how the voters fare under it.

    ``rule`` is the name as requested (``official`` stays ``official``); ``ran`` the
    registered rule that ran. ``approved_funded`` is the number of (voter, funded
    project she approved) pairs; the averages are over every ballot, and ``None``
    when there is none.
    """

    model_config = ConfigDict(frozen=True)

    rule: str
    ran: str
    funded: tuple[str, ...]
    spent: Money
    left: Money
    approved_funded: int
    average_approved_funded: Exact | None
    voters_with_one: int
    share_with_one: Exact | None
    #: Approval and choose-1 ballots only (``None`` otherwise, or when not asked for).
    fairness: Fairness | None = None


class PairComparison(BaseModel):
    """Two rules side by side: voters better off under each, and the funded-set differences."""

    model_config = ConfigDict(frozen=True)

    first: str
    second: str
    better_under_first: int
    better_under_second: int
    same: int
    only_first: tuple[str, ...]
    only_second: tuple[str, ...]


class Comparison(BaseModel):
    """Every requested rule on one election (one pot)."""

    model_config = ConfigDict(frozen=True)

    pot: str
    source: str
    vote_type: str
    #: ``approved`` for approval and choose-1 ballots, ``listed`` for the others.
    measure: Measure
    budget: Money
    voters: int
    #: Votes given only as counts per project: not in the per-voter measures.
    paper_votes: int
    seed: int
    rules: tuple[RuleMeasures, ...]
    refused: tuple[RuleRefusal, ...]
    pairs: tuple[PairComparison, ...]


class ComparisonReport(BaseModel):
    """A compared file: one pot for a ``.pb`` file, every pot for a cycle."""

    model_config = ConfigDict(frozen=True)

    file: str
    rules: tuple[str, ...]
    cycle: str | None
    pots: tuple[Comparison, ...]
    notes: tuple[str, ...] = ()


def compare_election(
    election: Election,
    rules: Sequence[str],
    seed: int = DEFAULT_SEED,
    *,
    exclusive: Sequence[Sequence[str]] = (),
    official_params: Sequence[tuple[str, str]] = (),
    cycle_pot: bool = False,
    fairness: bool = True,
    time_limit: float = TIME_LIMIT,
) -> Comparison:
    """Run each rule on a validated election and measure the outcomes exactly.

    ``exclusive`` groups (a cycle's council decisions) go to every greedy rule, which
    honours them; any other rule cannot, so it is refused, as a cycle refuses it.
    ``official_params`` go to the ``official`` rule only (a cycle pot's parameters);
    for a ``cycle_pot`` ``official`` is the pot's rule as the cycle runs it, without
    the defaults of the cities' published files.
    A rule that cannot run on the election (its vote type, paper votes, no META rule
    for ``official``...) is listed in ``refused`` with the reason, not raised.
    ``fairness`` adds each outcome's proportionality checks (approval-like ballots),
    each searching at most ``time_limit`` seconds.
    """
    names = check_rule_names(rules)
    profile = compile_profile(election)
    satisfied: list[IntArray] = []
    measured: list[RuleMeasures] = []
    outcomes, refused = tally_rules(
        election, names, seed=seed, exclusive=exclusive, official_params=official_params, cycle_pot=cycle_pot
    )
    for name, outcome, ran in outcomes:
        per_ballot = _approved_funded(profile, outcome.funded)
        satisfied.append(per_ballot)
        total = int((per_ballot * profile.counts).sum())
        with_one = int(profile.counts[per_ballot > 0].sum())
        voters = profile.voter_count
        measured.append(
            RuleMeasures(
                rule=name,
                ran=ran,
                funded=outcome.funded,
                spent=outcome.spent,
                left=outcome.left,
                approved_funded=total,
                average_approved_funded=Fraction(total, voters) if voters else None,
                voters_with_one=with_one,
                share_with_one=Fraction(with_one, voters) if voters else None,
                fairness=_fairness(profile, outcome.funded, time_limit)
                if fairness and election.vote_type.is_approval_like
                else None,
            )
        )
    pairs: list[PairComparison] = []
    for i, j in combinations(range(len(measured)), 2):
        first, second = measured[i], measured[j]
        better_first = int(profile.counts[satisfied[i] > satisfied[j]].sum())
        better_second = int(profile.counts[satisfied[j] > satisfied[i]].sum())
        in_first, in_second = set(first.funded), set(second.funded)
        pairs.append(
            PairComparison(
                first=first.rule,
                second=second.rule,
                better_under_first=better_first,
                better_under_second=better_second,
                same=profile.voter_count - better_first - better_second,
                only_first=tuple(p for p in profile.project_ids if p in in_first and p not in in_second),
                only_second=tuple(p for p in profile.project_ids if p in in_second and p not in in_first),
            )
        )
    return Comparison(
        # Without META subunit, district or unit the pot is named after its file.
        pot=election.pot_name if election.pot_name != election.source else Path(election.source).name,
        source=Path(election.source).name,
        vote_type=election.vote_type.value,
        measure="approved" if election.vote_type.is_approval_like else "listed",
        budget=election.budget,
        voters=profile.voter_count,
        paper_votes=sum(profile.paper_votes),
        seed=seed,
        rules=tuple(measured),
        refused=tuple(refused),
        pairs=tuple(pairs),
    )


def _fairness(profile: CompiledProfile, funded: Sequence[str], time_limit: float) -> Fairness:
    checks: list[FairnessCheck] = []
    for prop in PROPERTIES:
        for kind in SATISFACTIONS:
            result = check(profile, funded, prop, kind, time_limit=time_limit)
            witness = result.witness
            checks.append(
                FairnessCheck(
                    property=prop,
                    satisfaction=kind,
                    verdict=result.verdict,
                    projects=witness.projects if witness is not None else (),
                    voters=witness.voters if witness is not None else None,
                )
            )
    return Fairness(
        checks=tuple(checks),
        gini_cost=profile_measures(profile, funded, "cost").gini,
        gini_cardinality=profile_measures(profile, funded, "cardinality").gini,
    )


def _approved_funded(profile: CompiledProfile, funded: Sequence[str]) -> IntArray:
    """For each distinct ballot, how many of the funded projects it approves (lists)."""
    mask = np.zeros(profile.project_count, dtype=np.int64)
    mask[[profile.index(p) for p in funded]] = 1
    result: IntArray = profile.approvals.astype(np.int64) @ mask
    return result


def compare_file(path: str | os.PathLike[str], rules: Sequence[str], *, seed: int | None = None) -> ComparisonReport:
    """Compare rules on a ``.pb`` file (one pot) or on every pot of a cycle ``.toml``.

    ``seed`` settles ties by lottery; when it is ``None``, a ``.pb`` file uses
    :data:`~asukasbudjetti.rules.ties.DEFAULT_SEED` and a cycle each pot's own seed.
    """
    names = check_rule_names(rules)
    if str(path).endswith(".toml"):
        return compare_cycle(path, names, seed=seed)
    election, _, _ = load_election(path)
    comparison = compare_election(election, names, DEFAULT_SEED if seed is None else seed)
    return ComparisonReport(file=Path(path).name, rules=names, cycle=None, pots=(comparison,))


def compare_cycle(
    path: str | os.PathLike[str], rules: Sequence[str], *, seed: int | None = None, exclude_invalid: bool = False
) -> ComparisonReport:
    """Compare rules on every pot of a budget cycle, each on its own election.

    Each pot keeps its own amount (no leftover moves), the council decisions, and,
    when ``seed`` is ``None``, its own seed; ``official`` runs the pot's rule with its
    parameters.
    """
    from asukasbudjetti.cycles import load_cycle, pot_elections

    names = check_rule_names(rules)
    config = load_cycle(path).config
    elections = pot_elections(path, exclude_invalid=exclude_invalid)
    pots: list[Comparison] = []
    for pot in config.pots:
        election = elections[pot.name]
        ids = set(election.project_ids())
        groups = [[p for p in d.projects if p in ids] for d in config.decisions if d.kind == "exclusive"]
        pot_seed = seed if seed is not None else pot.seed if pot.seed is not None else config.cycle.seed
        comparison = compare_election(
            election,
            names,
            pot_seed,
            exclusive=[g for g in groups if len(g) > 1],
            official_params=list(pot.params.items()),
            cycle_pot=True,
        )
        pots.append(comparison.model_copy(update={"pot": pot.name}))
    notes = [
        "each pot is compared on its own amount: money a leftover policy would move between pots is not "
        "added, since how much moves depends on the rule"
    ]
    if any(d.kind == "force-funded" for d in config.decisions):
        notes.append(
            "force-funded projects are paid before any rule runs: they are left out of the comparison, "
            "and their cost out of the budget"
        )
    return ComparisonReport(
        file=Path(path).name, rules=names, cycle=config.cycle.name, pots=tuple(pots), notes=tuple(notes)
    )


def comparison_json(report: ComparisonReport) -> str:
    """The report as one canonical JSON object: exact numbers as text (``"11/5"``, ``"2.2"``)."""
    data: dict[str, Any] = {
        "generator": {"name": "asukasbudjetti", "version": __version__},
        **report.model_dump(mode="json"),
    }
    return canonical_json(data)


def _exact(value: Fraction | None, t: Texts) -> str:
    """An exact number for the eye: its decimal text, or ``p/q ≈ 0.33`` when it has none."""
    return "-" if value is None else t.number(value)


def _percent(value: Fraction | None, t: Texts) -> str:
    """A share as a percentage to one decimal, ``about`` when rounded."""
    if value is None:
        return "-"
    rounded = Fraction(round(value * 1000), 1000)
    text = t.percent(rounded)
    return text if rounded == value else t.gettext("about {value}", value=text)


def _fairness_lines(rules: Sequence[RuleMeasures], t: Texts) -> list[str]:
    """The fairness table: one row per check, one column per rule (yes / no / not decided)."""
    from asukasbudjetti.analysis.render import MEASURE_NAMES, check_name, verdict_text

    judged = [r for r in rules if r.fairness is not None]
    if not judged:
        return []
    fairness = [r.fairness for r in judged if r.fairness is not None]
    rows: list[tuple[str, ...]] = [(t.gettext("fairness"), *(r.rule for r in judged))]
    for k, first in enumerate(fairness[0].checks):
        rows.append(
            (
                check_name(first.property, first.satisfaction, t),
                *(verdict_text(f.checks[k].verdict, t) for f in fairness),
            )
        )
    for kind, gini in (("cost", "gini_cost"), ("cardinality", "gini_cardinality")):
        label = t.gettext("Gini ({satisfaction})", satisfaction=t.gettext(MEASURE_NAMES[kind]))
        rows.append((label, *(_exact(getattr(f, gini), t) for f in fairness)))
    lines = aligned(rows, set())
    lines.append("  " + t.gettext("(exact; not decided: the check ran out of time before it could tell)"))
    for r, f in zip(judged, fairness, strict=True):
        failed = next((c for c in f.checks if c.verdict is Verdict.FAILS), None)
        if failed is not None:
            lines.append(
                "  "
                + t.ngettext(
                    "{rule}: {check} fails for the {voters} voter who approves all of {projects} "
                    "(asukasbudjetti analyse shows the group)",
                    "{rule}: {check} fails for the {voters} voters who all approve {projects} "
                    "(asukasbudjetti analyse shows the group)",
                    failed.voters or 0,
                    rule=r.rule,
                    check=check_name(failed.property, failed.satisfaction, t),
                    voters=t.count(failed.voters or 0),
                    projects=", ".join(failed.projects),
                )
            )
    return lines


def render_comparison(report: ComparisonReport, language: Texts | str = "en") -> str:
    """The report as a readable table in ``language`` (exact values; ``≈``/``about`` marks a rounded one).

    The refusals' reasons and the notes are data of the report (as in its JSON) and stay in English.
    """
    t = language if isinstance(language, Texts) else Texts(check_lang(language) or "en")
    _ = t.gettext
    lines: list[str] = []
    if report.cycle is not None:
        lines.append(_("cycle {name} ({file})", name=repr(report.cycle), file=report.file))
    for pot in report.pots:
        if lines:
            lines.append("")
        counts = (
            _("she approved it")
            if pot.measure == "approved"
            else _(
                "her ballot lists it ({vote_type} ballots are not approvals: points and ranks are ignored)",
                vote_type=pot.vote_type,
            )
        )
        lines.append(
            t.ngettext(
                "{source}: pot {pot}, {vote_type} ballots, budget {budget}, {voters} voter, seed {seed}",
                "{source}: pot {pot}, {vote_type} ballots, budget {budget}, {voters} voters, seed {seed}",
                pot.voters,
                source=pot.source,
                pot=repr(pot.pot),
                vote_type=pot.vote_type,
                budget=t.money(pot.budget),
                voters=t.count(pot.voters),
                seed=pot.seed,
            )
        )
        lines.append("  " + _("a funded project counts for a voter when {counts}", counts=counts))
        if pot.paper_votes:
            lines.append(
                "  "
                + _(
                    "{count} paper votes given only as counts are not in the per-voter measures",
                    count=t.count(pot.paper_votes),
                )
            )
        if pot.rules:
            rows: list[tuple[str, ...]] = [
                (
                    _("rule"),
                    _("projects funded"),
                    _("spent"),
                    _("left"),
                    _("avg approved funded"),
                    _("voters with >= 1"),
                )
            ]
            rows += [
                (
                    r.rule if r.rule == r.ran else f"{r.rule} ({r.ran})",
                    t.count(len(r.funded)),
                    t.money(r.spent),
                    t.money(r.left),
                    _exact(r.average_approved_funded, t),
                    f"{t.count(r.voters_with_one)} ({_percent(r.share_with_one, t)})",
                )
                for r in pot.rules
            ]
            lines.extend(aligned(rows, {1, 2, 3, 4, 5}))
            for r in pot.rules:
                funded = ", ".join(r.funded) if r.funded else _("(none)")
                lines.append("  " + _("{rule} funds: {projects}", rule=r.rule, projects=funded))
            lines.extend(_fairness_lines(pot.rules, t))
        for refusal in pot.refused:
            lines.append("  " + _("{rule}: not run: {reason}", rule=refusal.rule, reason=refusal.reason))
        for pair in pot.pairs:
            lines.append(
                "  "
                + _(
                    "{first} vs {second}: {better_first} better off under {first}, {better_second} under {second}, "
                    "{same} the same",
                    first=pair.first,
                    second=pair.second,
                    better_first=t.count(pair.better_under_first),
                    better_second=t.count(pair.better_under_second),
                    same=t.count(pair.same),
                )
            )
            if pair.only_first or pair.only_second:
                lines.append(
                    "    " + _("only {rule}: {projects}", rule=pair.first, projects=", ".join(pair.only_first) or "-")
                )
                lines.append(
                    "    " + _("only {rule}: {projects}", rule=pair.second, projects=", ".join(pair.only_second) or "-")
                )
            else:
                lines.append("    " + _("the same projects funded"))
    if report.notes:
        lines.append("")
        lines.extend(_("note: {note}", note=note) for note in report.notes)
    return "\n".join(lines)


__all__ = [
    "Comparison",
    "ComparisonReport",
    "Fairness",
    "FairnessCheck",
    "PairComparison",
    "RuleMeasures",
    "RuleRefusal",
    "check_rule_names",
    "compare_cycle",
    "compare_election",
    "compare_file",
    "comparison_json",
    "render_comparison",
]
