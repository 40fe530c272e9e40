"""The tally's result as text for the terminal, in any language of :mod:`asukasbudjetti.i18n`.

Per pot: its rule and budget, the rule's steps as a table (project ids with their
names, shortened to :data:`NAME_WIDTH`), the funded projects with names and costs,
the money spent and left, decisive ties, the announced outcome and its diagnosis;
then the cycle's pots and leftover moves, and the input's warnings (as the reader
wrote them, in English).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from asukasbudjetti.i18n import N_, Texts, aligned
from asukasbudjetti.model.outcome import Decision, Outcome
from asukasbudjetti.model.record import PotOutcome, Record

#: The longest project name a table shows, in characters.
NAME_WIDTH = 40

#: Each step's decision, as the table says it.
DECISIONS: dict[Decision, str] = {
    Decision.FUNDED: N_("funded"),
    Decision.RESERVE_FUNDED: N_("funded (reserve)"),
    Decision.DID_NOT_FIT: N_("did not fit"),
    Decision.STOPPED: N_("did not fit: stop"),
    Decision.NOT_REACHED: N_("not reached"),
    Decision.BELOW_THRESHOLD: N_("below threshold"),
    Decision.WITHDRAWN: N_("withdrawn"),
    Decision.EXCLUDED: N_("excluded"),
}


def short_name(name: str | None, width: int = NAME_WIDTH) -> str:
    if not name:
        return ""
    return name if len(name) <= width else name[: width - 1].rstrip() + "…"


def approximate(value: Fraction, t: Texts) -> str:
    """An exact value for the eye: at most two decimals, marked ``~`` when rounded."""
    rounded = Fraction(round(value, 2))
    shown = t.number(rounded)
    return shown if rounded == value else f"~{shown}"


def _named(project: str, names: Mapping[str, str]) -> str:
    name = short_name(names.get(project))
    return f"{project} {name}" if name else project


def trace_rows(outcome: Outcome, t: Texts, names: Mapping[str, str]) -> list[str]:
    """The rule's steps as a table: greedy walk, Equal Shares rounds or Phragmén rounds."""
    _ = t.gettext
    if outcome.steps:
        rows: list[tuple[str, ...]] = [(_("rank"), _("project"), _("score"), _("votes"), _("cost"), _("decision"))]
        rows += [
            (
                str(s.rank),
                _named(s.project_id, names),
                t.count(s.score),
                t.count(s.votes),
                t.money(s.cost),
                _(DECISIONS[s.decision]),
            )
            for s in outcome.steps
        ]
        return aligned(rows, {0, 2, 3, 4})
    lines: list[str] = []
    if outcome.mes_rounds:
        if outcome.endowment is not None:
            lines.append("  " + _("endowment per voter: {amount}", amount=approximate(outcome.endowment, t)))
        rows = [(_("round"), _("project"), _("cost"), _("q (cap per voter)"), _("effective votes"))]
        rows += [
            (
                str(r.round),
                _named(r.project_id, names),
                t.money(r.cost),
                approximate(r.q, t),
                approximate(r.effective_vote_count, t),
            )
            for r in outcome.mes_rounds
        ]
        lines += aligned(rows, {0, 2, 3, 4})
        if outcome.completion:
            adopted = [step for step in outcome.completion if step.accepted]
            lines.append(
                "  "
                + t.ngettext(
                    "completion: {count} endowment recorded; adopted {adopted}",
                    "completion: {count} endowments recorded; adopted {adopted}",
                    len(outcome.completion),
                    count=len(outcome.completion),
                    adopted=approximate(adopted[-1].endowment, t) if adopted else "-",
                )
            )
    if outcome.phragmen_rounds:
        rows = [(_("round"), _("project"), _("cost"), _("supporters"), _("load"))]
        rows += [
            (str(r.round), _named(r.project_id, names), t.money(r.cost), t.count(r.supporters), approximate(r.load, t))
            for r in outcome.phragmen_rounds
        ]
        lines += aligned(rows, {0, 2, 3, 4})
    if outcome.optimum is not None:
        lines.append(
            "  "
            + _(
                "optimum: {objective} welfare {value} ({method})",
                objective=outcome.optimum.objective,
                value=approximate(outcome.optimum.value, t),
                method=outcome.optimum.method,
            )
        )
    if outcome.comparison is not None:
        c = outcome.comparison
        lines.append(
            "  "
            + _(
                "comparison ({measure}): {prefer_rule} voters prefer the rule, {prefer_greedy} prefer greedy; "
                "chosen: {chosen}",
                measure=c.measure,
                prefer_rule=t.count(c.prefer_rule),
                prefer_greedy=t.count(c.prefer_greedy),
                chosen=c.chosen,
            )
        )
    if outcome.ineligible:
        lines.append("  " + _("left out by the eligibility filter: {projects}", projects=", ".join(outcome.ineligible)))
    return lines


def _pot_lines(pot: PotOutcome, t: Texts) -> list[str]:
    _ = t.gettext
    names = pot.names
    lines = [
        _(
            "{source}: pot {pot}, rule {rule}, budget {budget}",
            source=pot.source,
            pot=repr(pot.pot),
            rule=pot.rule,
            budget=t.money(pot.budget),
        )
    ]
    lines.extend(trace_rows(pot, t, names))
    if pot.funded:
        count = len(pot.funded)
        lines.append("  " + t.ngettext("funded ({count}):", "funded ({count}):", count, count=count))
        costs = {step.project_id: step.cost for step in pot.steps}
        costs |= {r.project_id: r.cost for r in pot.mes_rounds}
        costs |= {r.project_id: r.cost for r in pot.phragmen_rounds}
        for project in pot.funded:
            cost = costs.get(project)
            lines.append(f"    {project} {names[project]}" if project in names else f"    {project}")
            lines[-1] += f", {t.money(cost)}" if cost is not None else ""
    else:
        lines.append("  " + _("funded: (none)"))
    lines.append("  " + _("spent {spent}, left {left}", spent=t.money(pot.spent), left=t.money(pot.left)))
    if pot.reserve is not None:
        reserve = pot.reserve
        lines.append(
            "  "
            + _(
                "reserve: project {project} costs {cost}; {from_pot} from the pot, {from_reserve} from the reserve",
                project=_named(reserve.project_id, names),
                cost=t.money(reserve.cost),
                from_pot=t.money(reserve.from_pot),
                from_reserve=t.money(reserve.from_reserve),
            )
        )
    then = t.gettext(", then ")
    for tie in pot.ties:
        if tie.decisive:
            # The explain sentences load only when a table needs one (start-up time).
            from asukasbudjetti.audit.explain.render import SETTLED_BY

            settled = then.join(t.gettext(c) if c in SETTLED_BY else c for c in tie.settled_by)
            lines.append(
                "  "
                + _(
                    "tie at step {step}: {projects} settled by {settled_by}",
                    step=tie.step,
                    projects=", ".join(tie.projects),
                    settled_by=settled,
                )
            )
    if pot.announced is not None:
        announced = pot.announced
        funded = ", ".join(announced.funded) or _("none")
        if announced.matches:
            lines.append("  " + _("matches the announced outcome ({projects})", projects=funded))
        else:
            lines.append("  " + _("DIFFERS from the announced outcome ({projects})", projects=funded))
        if announced.missing:
            lines.append("    " + _("announced but not funded here: {projects}", projects=", ".join(announced.missing)))
        if announced.extra:
            lines.append("    " + _("funded here but not announced: {projects}", projects=", ".join(announced.extra)))
        if announced.outside_money:
            lines.append(
                "  "
                + _(
                    "paid from money outside the file (not reproducible from the ballots): {projects}",
                    projects=", ".join(announced.outside_money),
                )
            )
    if pot.diagnosis is not None:
        from asukasbudjetti.audit.explain.render import render_diagnosis

        lines.append("  " + _("diagnosis:"))
        lines.extend(f"    {sentence}" for sentence in render_diagnosis(pot.diagnosis, t))
    return lines


def render_tally(record: Record, t: Texts) -> str:
    """The record as ``tally`` prints it, in ``t``'s language."""
    _ = t.gettext
    lines: list[str] = []
    for pot in record.outcomes:
        lines.extend(_pot_lines(pot, t))
    if record.cycle is not None:
        lines.append(_("cycle {name}:", name=repr(record.cycle.name)))
        for pot in record.outcomes:
            lines.append(
                "  "
                + t.ngettext(
                    "{pot}: budget {budget}, spent {spent}, left {left}, {count} funded",
                    "{pot}: budget {budget}, spent {spent}, left {left}, {count} funded",
                    len(pot.funded),
                    pot=pot.pot,
                    budget=t.money(pot.budget),
                    spent=t.money(pot.spent),
                    left=t.money(pot.left),
                    count=len(pot.funded),
                )
            )
        for move in record.cycle.leftover_moves:
            lines.append(
                "  "
                + _(
                    "leftover: {amount} from {source} to {target}",
                    amount=t.money(move.amount),
                    source=move.source,
                    target=move.target,
                )
            )
    warnings = record.warnings
    if warnings:
        lines.append(t.ngettext("warnings ({count}):", "warnings ({count}):", len(warnings), count=len(warnings)))
        lines.extend(f"  {w.message}" for w in warnings[:20])
        if len(warnings) > 20:
            lines.append("  " + _("... and {count} more", count=len(warnings) - 20))
    return "\n".join(lines)


def render_verified(inputs: int, pots: int, t: Texts) -> str:
    """``verify``'s line when the record is reproduced."""
    return t.gettext(
        "verified: {inputs}, {pots}",
        inputs=t.ngettext("{count} input", "{count} inputs", inputs, count=inputs),
        pots=t.ngettext("{count} pot", "{count} pots", pots, count=pots),
    )
