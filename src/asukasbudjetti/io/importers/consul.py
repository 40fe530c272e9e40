"""CONSUL Democracy's budget investments CSV (``Budget::Investment::Exporter``): aggregates per heading.

``app/models/budget/investment/exporter.rb`` writes one row per investment with
translated headers (English: ``ID``, ``Title``, ``Supports`` in the versions and forks
that export supports, ``Scope of operation``/``Heading`` for the heading's name, and
``Feasibility``, whose cell is ``Feasible (€1,000)``: the price formatted by
``formatted_price``, rounded to whole units and with thousands separators). Exports
from forks also carry ``Price``, ``Selected`` and ``Winner`` columns; the issue's layout
is ``ID, title, supports, heading, price, selected, winner``. Columns are found by
these names, case aside. Each heading is a pot; the supports are counts, not ballots:
greedy rules only, and the headings' amounts are not in the file.
"""

from __future__ import annotations

import re
from fractions import Fraction

from asukasbudjetti.errors import MoneyError, ProblemsError
from asukasbudjetti.io.csv_ballots import ProjectRow
from asukasbudjetti.io.importers.common import CycleRows, Place, csv_rows, fail, problem, warning, whole_number
from asukasbudjetti.money import parse_money
from asukasbudjetti.problems import Problem

_NAMES = {
    "id": ("id",),
    "title": ("title",),
    "supports": ("supports", "votes"),
    "heading": ("heading", "scope of operation", "geozone"),
    "price": ("price", "feasibility"),
    "selected": ("selected",),
    "winner": ("winner",),
}
_YES = ("yes", "sí", "si", "1", "true")


def _price(text: str) -> tuple[Fraction, bool]:
    """A price, and whether it was read from formatted text (``Feasible (€1,000)``)."""
    if re.fullmatch(r"\d+(\.\d+)?", text.strip()):
        return parse_money(text.strip()), False
    inside = re.search(r"\(([^()]*)\)\s*$", text)
    raw = inside.group(1) if inside else text
    # formatted_price is number_to_currency with precision 0: whole units, and "," or "."
    # as the thousands separator by locale ("€70,000", "70.000 €"), so every non-digit goes.
    digits = re.sub(r"\D", "", raw)
    return parse_money(digits), True


def read_consul(raw: bytes, source: str) -> CycleRows:
    rows = csv_rows(raw, source)
    header_line, cells = rows[0]
    header = [cell.strip().lower() for cell in cells]
    index: dict[str, int] = {}
    for field, names in _NAMES.items():
        found = next((header.index(n) for n in names if n in header), None)
        if found is not None:
            index[field] = found
    missing = [f for f in ("id", "title", "supports", "heading", "price") if f not in index]
    if missing:
        raise fail(
            source,
            header_line,
            "missing-column",
            f"the header has no {', '.join(missing)}",
            "CONSUL's investments export: ID, Title, Supports, Heading, Price (or Feasibility), Selected, Winner",
        )
    projects: list[ProjectRow] = []
    paper: dict[str, int] = {}
    selected: dict[str, int] = {}
    budgets: dict[str, Fraction | None] = {}
    places: dict[int, Place] = {}
    problems: list[Problem] = []
    formatted_lines: list[int] = []
    seen: dict[str, int] = {}
    for line, row in rows[1:]:
        if len(row) != len(header):
            problems.append(
                problem(source, line, "row", f"row has {len(row)} fields", f"{len(header)} as in the header")
            )
            continue
        project_id = row[index["id"]].strip()
        if project_id in seen:
            problems.append(
                problem(source, line, "duplicate-project", f"investment {project_id!r} again (line {seen[project_id]})")
            )
            continue
        seen[project_id] = line
        supports = whole_number(row[index["supports"]])
        try:
            cost, formatted = _price(row[index["price"]])
        except MoneyError:
            problems.append(
                problem(
                    source,
                    line,
                    "cost",
                    f"investment {project_id!r}: price {row[index['price']].strip()!r} is not an amount "
                    "(an unfeasible investment has no price)",
                    "a price, e.g. 1000 or Feasible (€1,000)",
                )
            )
            continue
        if supports is None:
            problems.append(
                problem(
                    source,
                    line,
                    "supports",
                    f"investment {project_id!r}: supports {row[index['supports']]!r} is not a whole number",
                )
            )
            continue
        if formatted:
            formatted_lines.append(line)
        heading = row[index["heading"]].strip()
        budgets.setdefault(heading, None)
        projects.append(
            ProjectRow(
                project_id=project_id, pot=heading, cost=cost, name=row[index["title"]].strip() or None, line=line
            )
        )
        places[line] = Place(file=source, line=line)
        paper[project_id] = supports
        # CONSUL's "selected" means chosen for the final vote; "winner" is the announced funding.
        if "winner" in index:
            selected[project_id] = int(row[index["winner"]].strip().lower() in _YES)
    if problems:
        raise ProblemsError(problems)
    warnings = [
        warning(
            source,
            None,
            "aggregates-only",
            "CONSUL's export holds supports per investment, not ballots: only greedy rules can tally it, "
            "and the headings' amounts are not in it",
        )
    ]
    if formatted_lines:
        warnings.append(
            warning(
                source,
                formatted_lines[0],
                "rounded-price",
                f"{len(formatted_lines)} price{'s' if len(formatted_lines) != 1 else ''} read from formatted text "
                "(CONSUL's formatted_price rounds to whole units): exact cents are lost",
            )
        )
    return CycleRows(
        source=source,
        format="consul-investments",
        budgets=budgets,
        projects=projects,
        ballots=[],
        paper=paper,
        declared_selected=selected,
        places=places,
        warnings=warnings,
    )
