"""Decidim's budgets exports: the per-budget pabulib file, paper-ballot counts, the projects list.

Layouts, as decidim/decidim's decidim-budgets writes and reads them (checked against
the platform's code; see docs/importers.md for the lines):

* ``pabulib/exporter.rb`` + ``pabulib/writer.rb``: one ``.pb`` per budget. PROJECTS is
  ``project_id;name;cost;votes;selected`` (``votes`` counts only checked-out online
  orders); VOTES is ``voter_id;vote``, the voter id being the *order* id (anonymised on
  purpose) and the vote the order's project ids sorted ascending. Paper ballots are not
  in VOTES at all. ``writer.rb``'s ``write_data`` writes nothing, not even the section
  line, for an empty table: a budget without orders has no VOTES section.
* ``import/paper_ballot_result_creator.rb``: paper ballots come in as ``id;new_paper_ballots``
  (one row per project). Forks (decidim-budgets_paper_ballots) read
  ``id;paper_ballots_to_import`` or ``project_id;paper_ballots_to_import``, and some add a
  ``paper_ballots`` column to the projects export; all of these are read here.
* ``project_serializer.rb``: the projects export (CSV with nested keys flattened as
  ``title/fi``, ``budget/id``; or JSON): ``id``, ``title`` (a locale hash), ``budget``
  (``{id}``), ``budget_amount``, ``confirmed_votes``; forks add ``paper_ballots`` and
  ``total_votes``. Aggregates only.
"""

from __future__ import annotations

import json
from fractions import Fraction

from asukasbudjetti.errors import MoneyError, ProblemsError
from asukasbudjetti.io.csv_ballots import ProjectRow
from asukasbudjetti.io.importers.common import (
    CycleRows,
    Place,
    PotImport,
    csv_rows,
    fail,
    problem,
    warning,
    whole_number,
)
from asukasbudjetti.io.pabulib import read_pabulib_bytes
from asukasbudjetti.io.text import decode_text
from asukasbudjetti.model import Election
from asukasbudjetti.money import parse_money
from asukasbudjetti.problems import Problem, Severity

#: Paper-count columns, as Decidim core and its forks name them.
PAPER_COLUMNS = ("new_paper_ballots", "paper_ballots_to_import", "paper_ballots", "votes")
ID_COLUMNS = ("id", "project_id")


def read_decidim_pb(raw: bytes, source: str) -> PotImport:
    """One Decidim budget's ``.pb`` export as an election.

    A file without a VOTES section (Decidim writes none for a budget without orders)
    reads as a pot without ballots, with a warning. Raises ProblemsError with every
    problem the pabulib reader finds.
    """
    warnings: list[Problem] = []
    read = read_pabulib_bytes(raw, source)
    errors = [p for p in read.problems if p.severity is Severity.ERROR]
    if errors and all(p.code == "missing-section" and "VOTES" in p.message for p in errors):
        text = decode_text(raw, source).rstrip("\r\n")
        read = read_pabulib_bytes((text + "\nVOTES\nvoter_id;vote\n").encode("utf-8"), source)
        errors = [p for p in read.problems if p.severity is Severity.ERROR]
        warnings.append(
            warning(
                source,
                None,
                "no-votes",
                "the file has no VOTES section (Decidim writes none for a budget without orders): "
                "read as a pot without online ballots",
            )
        )
    if errors or read.election is None:
        raise ProblemsError(errors or read.problems)
    election = read.election
    warnings.append(
        warning(
            source,
            election.meta_lines.get("num_votes"),
            "paper-ballots",
            "Decidim leaves paper ballots out of VOTES (voter ids are order ids): "
            "give the pot's paper counts, or they are not counted",
        )
    )
    return PotImport(election=election, warnings=warnings)


def read_paper_counts(raw: bytes, source: str) -> tuple[dict[str, int], dict[str, int]]:
    """Paper votes per project from a Decidim paper-ballot file or our ``project_id,votes``.

    Returns the counts and each project's line. Header: an id column (``id`` or
    ``project_id``) and a count column (``new_paper_ballots``,
    ``paper_ballots_to_import``, ``paper_ballots`` or ``votes``); ``;`` or ``,``.
    """
    rows = csv_rows(raw, source)
    header = [cell.strip().lower() for cell in rows[0][1]]
    id_column = next((c for c in ID_COLUMNS if c in header), None)
    count_column = next((c for c in PAPER_COLUMNS if c in header), None)
    if id_column is None or count_column is None:
        raise fail(
            source,
            rows[0][0],
            "paper-header",
            f"header {';'.join(header)!r} has no project id and paper-count column",
            "id;new_paper_ballots (Decidim), id;paper_ballots_to_import, or project_id,votes",
        )
    at_id, at_count = header.index(id_column), header.index(count_column)
    counts: dict[str, int] = {}
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    for line, cells in rows[1:]:
        if len(cells) <= max(at_id, at_count):
            problems.append(problem(source, line, "paper-row", f"row has {len(cells)} fields", f"{len(header)}"))
            continue
        project_id, text = cells[at_id].strip(), cells[at_count].strip()
        count = whole_number(text) if text else 0
        if not project_id or count is None:
            problems.append(
                problem(
                    source,
                    line,
                    "paper-row",
                    f"project {project_id!r}: paper count {text!r} is not a whole number",
                    "a project id and a whole number of paper ballots",
                )
            )
            continue
        if project_id in counts:
            problems.append(
                problem(
                    source,
                    line,
                    "paper-row",
                    f"project {project_id!r} is counted again (first on line {lines[project_id]})",
                    "one row per project",
                )
            )
            continue
        counts[project_id], lines[project_id] = count, line
    if problems:
        raise ProblemsError(problems)
    return counts, lines


def add_paper_counts(election: Election, counts: dict[str, int], lines: dict[str, int], source: str) -> Election:
    """The election with each project's paper votes as ``extra_approvals``.

    An id that is not a project of the pot is an error on its line: the counts are
    for another budget.
    """
    known = {p.project_id for p in election.projects}
    unknown = [p for p in counts if p not in known]
    if unknown:
        raise ProblemsError(
            [
                problem(
                    source,
                    lines.get(p),
                    "paper-unknown",
                    f"paper counts for project {p!r}, which is not a project of {election.source}",
                    "the paper counts of this pot's projects",
                )
                for p in unknown
            ]
        )
    projects = tuple(
        p.model_copy(update={"extra_approvals": counts[p.project_id]}) if p.project_id in counts else p
        for p in election.projects
    )
    header = election.projects_header
    if "extra_approvals" not in header:
        header = (*header, "extra_approvals")
    return election.model_copy(update={"projects": projects, "projects_header": header})


def read_decidim_projects(raw: bytes, source: str, lang: str | None = None) -> CycleRows:
    """Decidim's projects export (CSV or JSON) as aggregate pots, one per budget id.

    The title is the ``lang`` entry of its locale hash (default: the first locale
    with a title). Votes: ``total_votes`` when the export has it (forks), else
    ``confirmed_votes`` plus ``paper_ballots`` when present. Only counts, no ballots:
    greedy rules only, and the pots' amounts are not in the export.
    """
    stripped = raw.lstrip()
    is_json = stripped.startswith((b"[", b"\xef\xbb\xbf["))

    def where(line: int) -> tuple[str, int | None]:
        """A CSV row's line; a JSON project's place in the list, ``FILE[N]`` (JSON has no rows)."""
        return (f"{source}[{line}]", None) if is_json else (source, line)

    if is_json:
        records = _json_records(raw, source)
    else:
        rows = csv_rows(raw, source)
        header = [cell.strip() for cell in rows[0][1]]
        records = []
        for line, cells in rows[1:]:
            if len(cells) != len(header):
                raise fail(source, line, "row", f"row has {len(cells)} fields", f"{len(header)} as in the header")
            records.append((line, dict(zip(header, (c.strip() for c in cells), strict=True))))
    if not records:
        raise fail(source, 1, "empty", "the export lists no projects", "one row per project")
    first = records[0][1]
    missing = [c for c in ("id", "budget/id", "budget_amount", "confirmed_votes") if c not in first]
    if not any(key == "title" or key.startswith("title/") for key in first):
        missing.append("title/<locale>")
    if missing:
        raise fail(
            *where(1),
            "missing-column",
            f"the projects export has no {', '.join(missing)}",
            "Decidim's projects export: id, title/<locale>, budget/id, budget_amount, confirmed_votes",
        )
    projects: list[ProjectRow] = []
    paper: dict[str, int] = {}
    selected: dict[str, int] = {}
    budgets: dict[str, Fraction | None] = {}
    places: dict[int, Place] = {}
    problems: list[Problem] = []
    warnings: list[Problem] = []
    seen: set[str] = set()
    for line, record in records:
        project_id = record.get("id", "").strip()
        pot = record.get("budget/id", "").strip()
        title = _title(record, lang)
        try:
            cost = parse_money(record.get("budget_amount", ""))
        except MoneyError as exc:
            problems.append(problem(*where(line), "cost", f"project {project_id!r}: budget_amount {exc}"))
            continue
        if project_id in seen:
            problems.append(
                problem(*where(line), "duplicate-project", f"project {project_id!r} is listed again", "each id once")
            )
            continue
        counts = {
            k: whole_number(record[k]) for k in ("confirmed_votes", "paper_ballots", "total_votes") if record.get(k)
        }
        bad = [k for k, v in counts.items() if v is None]
        if bad or not project_id or not pot:
            problems.append(
                problem(
                    *where(line),
                    "row",
                    f"project {project_id!r}: {', '.join(bad) or 'id or budget/id'} is not a whole number or is empty",
                    "a whole number of votes",
                )
            )
            continue
        if "total_votes" in counts:
            votes = counts["total_votes"] or 0
        else:
            votes = (counts.get("confirmed_votes") or 0) + (counts.get("paper_ballots") or 0)
        budgets.setdefault(pot, None)
        projects.append(ProjectRow(project_id=project_id, pot=pot, cost=cost, name=title, line=line))
        places[line] = Place(file=where(line)[0], line=where(line)[1])
        seen.add(project_id)
        paper[project_id] = votes
        if record.get("selected") in ("0", "1", "true", "false"):
            selected[project_id] = int(record["selected"] in ("1", "true"))
    if problems:
        raise ProblemsError(problems)
    warnings.append(
        warning(
            source,
            None,
            "aggregates-only",
            "Decidim's projects export holds vote counts, not ballots: only greedy rules can tally it, "
            "and the budgets' amounts are not in it",
        )
    )
    return CycleRows(
        source=source,
        format="decidim-projects",
        budgets=budgets,
        projects=projects,
        ballots=[],
        paper=paper,
        declared_selected=selected,
        places=places,
        warnings=warnings,
    )


def _title(record: dict[str, str], lang: str | None) -> str | None:
    if lang is not None and record.get(f"title/{lang}"):
        return record[f"title/{lang}"]
    if record.get("title"):
        return record["title"]
    return next((v for k, v in record.items() if k.startswith("title/") and v), None)


def _json_records(raw: bytes, source: str) -> list[tuple[int, dict[str, str]]]:
    """A JSON projects export flattened as Decidim's CSV flattens it (``title/fi``)."""
    text = decode_text(raw, source)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(source, exc.lineno, "json", f"not JSON: {exc.msg}", "Decidim's projects export as JSON") from exc
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise fail(source, 1, "json", "the JSON is not a list of projects", "a list of objects, one per project")
    records: list[tuple[int, dict[str, str]]] = []
    for index, item in enumerate(data):
        flat: dict[str, str] = {}
        _flatten(item, "", flat)
        # JSON has no rows to cite: the project's place in the list (from 1) stands in for one.
        records.append((index + 1, flat))
    return records


def _flatten(value: object, prefix: str, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(inner, f"{prefix}/{key}" if prefix else str(key), out)
    elif value is None:
        out[prefix] = ""
    elif isinstance(value, bool):
        out[prefix] = "true" if value else "false"
    else:
        out[prefix] = str(value) if not isinstance(value, list) else ",".join(str(v) for v in value)
