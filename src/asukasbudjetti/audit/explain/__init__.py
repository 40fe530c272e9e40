"""Plain-language reasons, per project, read from a result record alone.

:func:`explain` turns a :class:`~asukasbudjetti.model.record.Record` into one
paragraph per project, in Finnish, Swedish or English: why a greedy rule funded it, passed
it over or never reached it; in which round Equal Shares funded it and what its
supporters paid, or why they could not; in which round Phragmén funded it or
removed it; whether it is in the utilitarian optimum. Nothing is recomputed: every
number comes from the record (the only arithmetic is the difference of two
recorded amounts, such as the money that remained after a project). A record
names only the projects its trace mentions, so a project a rule never priced (an
unfunded one under ``max-welfare``, one that stopped fitting after Phragmén's last
round) may have no paragraph; see ../docs/explain.md.

The work is in two layers. The rule families' modules (:mod:`.greedy`,
:mod:`.equalshares`, :mod:`.phragmen`, :mod:`.optimum`, and :mod:`.common` for what
any project can have) read a pot's outcome and give :mod:`.reasons`: data, in no
language. :mod:`.render` alone turns reasons into sentences. :func:`reasons` gives
one project's reasons, for a caller that wants the facts rather than the text.
"""

from __future__ import annotations

from collections.abc import Sequence

from asukasbudjetti.audit.explain.common import (
    Pot,
    afterwords,
    force_funded,
    margin_of_defeat,
    projects_named,
    verdict,
)
from asukasbudjetti.audit.explain.equalshares import equal_shares_reasons
from asukasbudjetti.audit.explain.greedy import greedy_reasons
from asukasbudjetti.audit.explain.optimum import optimum_reasons
from asukasbudjetti.audit.explain.phragmen import phragmen_reasons
from asukasbudjetti.audit.explain.reasons import Reason, ReasonKind
from asukasbudjetti.audit.explain.render import Language, diagnosis_paragraph, paragraph, texts_of
from asukasbudjetti.errors import InputError
from asukasbudjetti.model.record import (
    CouncilDecision,
    Diagnosis,
    ExclusiveGroupChange,
    ForceInChange,
    LeaveOutChange,
    PotOutcome,
    Record,
    TieOrderChange,
)

__all__ = ["Language", "Reason", "ReasonKind", "SHOWN_IDS", "explain", "reasons"]

#: How many known project ids an "unknown project" error lists.
SHOWN_IDS = 10


def explain(record: Record, project: str | None = None, lang: Language = "en") -> list[str]:
    """One paragraph per project, pot by pot, each pot's projects in its own order; after a pot's
    projects, its diagnosis when the record has one (with ``project``, when it names the project).

    The order is the greedy walk (rank) for greedy rules; for the other rules, the
    projects their rounds funded, in round order, then the rest of ``funded``, then
    the others in the order the trace first names them. With ``project``, only that
    project's paragraphs (one per pot naming it). In a record of several pots every
    paragraph starts with the pot's name.

    Raises :class:`~asukasbudjetti.errors.InputError` when ``project`` is not named
    in the record (the message lists some ids that are), or when ``lang`` is not
    one of ``fi``, ``sv``, ``en``. ``lang`` may be :class:`~asukasbudjetti.i18n.Texts`,
    which carries the currency too. Projects are named as the input names them.
    """
    texts = texts_of(lang)
    decisions = record.cycle.decisions if record.cycle is not None else ()
    several = len(record.outcomes) > 1
    paragraphs: list[str] = []
    known: dict[str, None] = {}
    for outcome in record.outcomes:
        pot = Pot.of(outcome)
        for pid in projects_named(outcome):
            known.setdefault(pid)
            if project is None or pid == project:
                paragraphs.append(
                    paragraph(_reasons(pot, decisions, pid), texts, outcome.pot if several else None, outcome.names)
                )
        diagnosis = outcome.diagnosis
        if diagnosis is not None and (project is None or project in named_by(diagnosis)):
            paragraphs.append(diagnosis_paragraph(diagnosis, texts, outcome.pot if several else None))
    if project is not None and not paragraphs:
        ids = list(known)
        shown = ", ".join(ids[:SHOWN_IDS])
        more = f", ... ({len(ids)} in all)" if len(ids) > SHOWN_IDS else ""
        raise InputError(f"project {project!r} is not in the record; it names: {shown or '(no projects)'}{more}")
    return paragraphs


def named_by(diagnosis: Diagnosis) -> set[str]:
    """The projects a diagnosis names: left out, forced in, grouped, tied, or of a similar name."""
    named: set[str] = set()
    for explanation in diagnosis.explanations:
        for change in explanation.changes:
            if isinstance(change, LeaveOutChange):
                named.add(change.project_id)
                if change.similar_to is not None:
                    named.add(change.similar_to)
            elif isinstance(change, ForceInChange):
                named.add(change.project_id)
            elif isinstance(change, ExclusiveGroupChange):
                named.update(change.projects)
            elif isinstance(change, TieOrderChange):
                named.update(project for tie in change.ties for project in tie)
    return named


def reasons(outcome: PotOutcome, project: str, decisions: Sequence[CouncilDecision] = ()) -> tuple[Reason, ...]:
    """Why ``project`` was or was not funded in ``outcome``, in reading order.

    ``decisions`` are the cycle's council decisions (they apply to every pot).
    """
    return _reasons(Pot.of(outcome), decisions, project)


def _reasons(pot: Pot, decisions: Sequence[CouncilDecision], project: str) -> tuple[Reason, ...]:
    outcome = pot.outcome
    forced = force_funded(pot, decisions, project)
    main: Sequence[Reason]
    if forced is not None:
        main = [forced]
    elif outcome.steps:
        main = greedy_reasons(pot, project)
    elif outcome.mes_rounds or outcome.endowment is not None or outcome.rule.startswith("equalshares"):
        main = equal_shares_reasons(pot, project)
    elif outcome.phragmen_rounds or outcome.rule == "phragmen":
        main = phragmen_reasons(pot, project)
    elif outcome.optimum is not None:
        main = optimum_reasons(pot, outcome.optimum, project)
    else:
        main = [verdict(pot, project)]
    margin = margin_of_defeat(outcome, project)
    return (*main, *afterwords(outcome, decisions, project), *([margin] if margin is not None else []))
