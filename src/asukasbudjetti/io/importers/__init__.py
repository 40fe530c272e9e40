"""Readers for what participatory-budgeting platforms export (see docs/importers.md).

Per-pot formats give one pot's election (:func:`read_pot`); whole-cycle formats give
the rows of a cycle (:func:`read_cycle_rows`). Both are pure functions of the bytes.
"""

from __future__ import annotations

import re
from fractions import Fraction

from asukasbudjetti.errors import InputError, ProblemsError
from asukasbudjetti.io.csv_ballots import BallotRow, ProjectRow
from asukasbudjetti.io.importers.common import CycleRows, Place, PotImport, fail, whole_number
from asukasbudjetti.io.pabulib import read_pabulib_bytes
from asukasbudjetti.model import BallotTable, Election, Project, SourceLocation, VoteType
from asukasbudjetti.money import format_money
from asukasbudjetti.problems import Problem, Severity

#: Formats holding one pot's projects and ballots (a cycle pot's ``files.format``).
POT_FORMATS = (
    "pabulib",
    "decidim-pb",
    "stanford-approvals",
    "stanford-knapsacks",
    "stanford-tokens",
    "stanford-ranking",
)
#: Formats holding a whole cycle (the cycle's ``[files] format``).
CYCLE_FORMATS = ("omastadi-xlsx", "decidim-projects", "consul-investments")
#: Formats whose file states no budget: the amount comes from the cycle or ``--amount``.
NO_BUDGET = ("stanford-approvals", "stanford-knapsacks", "stanford-tokens", "stanford-ranking")

__all__ = [
    "CYCLE_FORMATS",
    "NO_BUDGET",
    "POT_FORMATS",
    "CycleRows",
    "Place",
    "PotImport",
    "election_rows",
    "read_cycle_rows",
    "read_pot",
    "relocate",
    "rows_elections",
]


def read_pot(
    format: str,
    raw: bytes,
    source: str,
    *,
    budget: Fraction | None = None,
    costs: tuple[bytes, str] | None = None,
) -> PotImport:
    """One pot from a per-pot export. ``budget`` is needed by the formats in
    :data:`NO_BUDGET` (and overrides nothing else); ``costs`` (bytes and name of a
    Stanford approvals_individual file) gives stanford-tokens its costs."""
    from asukasbudjetti.io.importers import decidim, stanford

    if format in NO_BUDGET and budget is None:
        raise InputError(f"{source}: a {format} file states no budget; expected the pot's amount (--amount)")
    if format == "pabulib":
        read = read_pabulib_bytes(raw, source)
        errors = [p for p in read.problems if p.severity is Severity.ERROR]
        if errors or read.election is None:
            raise ProblemsError(errors or read.problems)
        return PotImport(election=read.election)
    if format == "decidim-pb":
        return decidim.read_decidim_pb(raw, source)
    assert budget is not None
    if format == "stanford-approvals":
        return stanford.read_approvals(raw, source, budget)
    if format == "stanford-knapsacks":
        return stanford.read_knapsacks(raw, source, budget)
    if format == "stanford-tokens":
        if costs is None:
            raise InputError(
                f"{source}: tokens_individual has no costs; expected an approvals_individual file "
                "of the same election beside it (its second row holds the costs)"
            )
        return stanford.read_tokens(raw, source, budget, stanford.costs_of_approvals(*costs))
    if format == "stanford-ranking":
        return stanford.read_ranking(raw, source, budget)
    raise InputError(f"{source}: unknown format {format!r}; expected one of {', '.join(POT_FORMATS)}")


def read_cycle_rows(format: str, raw: bytes, source: str, *, lang: str | None = None) -> CycleRows:
    """A whole cycle from an export in one of :data:`CYCLE_FORMATS`."""
    from asukasbudjetti.io.importers import consul, decidim, omastadi

    if format == "omastadi-xlsx":
        return omastadi.read_omastadi(raw, source)
    if format == "decidim-projects":
        return decidim.read_decidim_projects(raw, source, lang)
    if format == "consul-investments":
        return consul.read_consul(raw, source)
    raise InputError(f"{source}: unknown format {format!r}; expected one of {', '.join(CYCLE_FORMATS)}")


def read_paper_counts(raw: bytes, source: str) -> tuple[dict[str, int], dict[str, int]]:
    """Paper votes per project (Decidim's ``id;new_paper_ballots`` and its forks, or ours)."""
    from asukasbudjetti.io.importers import decidim

    return decidim.read_paper_counts(raw, source)


def add_paper_counts(election: Election, counts: dict[str, int], lines: dict[str, int], source: str) -> Election:
    """The election with paper votes per project as ``extra_approvals``."""
    from asukasbudjetti.io.importers import decidim

    return decidim.add_paper_counts(election, counts, lines, source)


#: Which field of a ballot row a cycle's ballot-rule message is about (for the cell).
_FIELD_WORDS = (
    (r"\bage\b", "age"),
    (r"\bpostal code\b", "postal_code"),
    (r"\b(lists|basket|points)\b", "projects"),
    (r"\bvotes again\b", "voter_id"),
)


def relocate(found: Problem, places: dict[int, Place]) -> Problem:
    """A problem found on a row of imported data, pointed at the row's place in the export.

    The cycle's checks cite a row's ``line``; for imported rows that is a key of
    ``places``. In a workbook the cell is the field the message is about (the age,
    the postal code, the project list), else the row's first field.
    """
    if found.line is None or found.line not in places:
        return found
    place = places[found.line]
    text = f"{found.message} {found.expected or ''}"
    field = next((f for pattern, f in _FIELD_WORDS if re.search(pattern, text)), None)
    file, line = place.at(field)
    return found.model_copy(update={"file": file, "line": line})


def election_rows(pot: str, election: Election) -> tuple[list[ProjectRow], list[BallotRow], dict[str, int]]:
    """One pot's election as our cycle CSV rows (projects, ballots, paper counts)."""
    projects = [
        ProjectRow(
            project_id=p.project_id,
            pot=pot,
            cost=p.cost,
            name=p.name,
            line=p.source.line if p.source is not None else 0,
        )
        for p in election.projects
    ]
    table = election.ballots
    ages = table.extra.get("age")
    postal = table.extra.get("postal_code")
    ballots = [
        BallotRow(
            voter_id=table.voter_ids[i],
            pot=pot,
            projects=table.projects[i],
            points=table.points[i] if table.points is not None else None,
            age=whole_number(ages[i]) if ages is not None else None,
            postal_code=(postal[i] or None) if postal is not None else None,
            line=table.lines[i] if table.lines else 0,
        )
        for i in range(len(table))
    ]
    paper = {p.project_id: p.extra_approvals for p in election.projects if p.extra_approvals is not None}
    return projects, ballots, paper


def rows_elections(rows: CycleRows, amounts: dict[str, Fraction]) -> dict[str, Election]:
    """Each pot of imported cycle rows as an election (pabulib's model), for writing ``.pb`` files.

    Age and postal code go to VOTES columns ``age`` and ``postal_code``; paper counts
    to PROJECTS ``extra_approvals``; what the export declared to ``votes``/``selected``.
    """
    elections: dict[str, Election] = {}
    for pot in rows.budgets:
        if pot not in amounts:
            raise fail(rows.source, None, "no-amount", f"pot {pot!r} has no amount", "--amount POT=AMOUNT")
        kind = rows.kinds.get(pot, "approval")
        vote_type = {"cumulative": VoteType.CUMULATIVE, "ranking": VoteType.ORDINAL}.get(kind, VoteType.APPROVAL)
        mine = [p for p in rows.projects if p.pot == pot]
        ballots = [b for b in rows.ballots if b.pot == pot]
        has_paper = any(p.project_id in rows.paper for p in mine)
        header = ["project_id", "cost", "name"]
        header += [
            c
            for c, store in (("votes", rows.declared_votes), ("selected", rows.declared_selected))
            if any(p.project_id in store for p in mine)
        ]
        if has_paper:
            header.append("extra_approvals")
        projects = tuple(
            Project(
                project_id=p.project_id,
                cost=p.cost,
                name=p.name,
                declared_votes=rows.declared_votes.get(p.project_id),
                selected=rows.declared_selected.get(p.project_id),
                extra_approvals=rows.paper.get(p.project_id) if has_paper else None,
                source=SourceLocation(file=rows.source, line=p.line),
            )
            for p in mine
        )
        extra: dict[str, tuple[str, ...]] = {}
        votes_header = ["voter_id", "vote"]
        if vote_type.has_points:
            votes_header.append("points")
        if any(b.age is not None for b in ballots):
            extra["age"] = tuple("" if b.age is None else str(b.age) for b in ballots)
            votes_header.append("age")
        if any(b.postal_code for b in ballots):
            extra["postal_code"] = tuple(b.postal_code or "" for b in ballots)
            votes_header.append("postal_code")
        meta = {
            "description": f"{pot}, converted from {rows.format} by asukasbudjetti",
            "subunit": pot,
            "num_projects": str(len(projects)),
            "num_votes": str(len(ballots)),
            "budget": format_money(amounts[pot]),
            "vote_type": vote_type.value,
            "rule": rows.rules.get(pot, "greedy"),
        }
        if pot in rows.max_projects:
            meta["max_length"] = str(rows.max_projects[pot])
        elections[pot] = Election(
            source=rows.source,
            meta=meta,
            vote_type=vote_type,
            budget=amounts[pot],
            projects=projects,
            ballots=BallotTable(
                voter_ids=tuple(b.voter_id for b in ballots),
                projects=tuple(b.projects for b in ballots),
                points=tuple(b.points or () for b in ballots) if vote_type.has_points else None,
                lines=tuple(b.line for b in ballots),
                extra=extra,
            ),
            projects_header=tuple(header),
            votes_header=tuple(votes_header),
        )
    return elections
