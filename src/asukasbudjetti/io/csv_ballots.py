"""A generic CSV export: one row per project, one row per ballot.

Projects (``project_id,pot,cost[,name]``) and ballots
(``voter_id,pot,projects[,points][,age][,postal_code]``), comma-separated, UTF-8
(a byte order mark is fine), the first row naming the columns. A ballot's
``projects`` cell lists project ids separated by commas (quote the cell:
``"E1,E3"``), and ``points`` the matching points. The ballot column names can be
renamed in the cycle file (``[files.columns]``). Every row keeps its line; nothing
is repaired.
"""

from __future__ import annotations

import csv
import io
from fractions import Fraction
from pathlib import Path
from sys import intern
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from asukasbudjetti.errors import InputError, MoneyError, ProblemsError
from asukasbudjetti.io.text import read_text
from asukasbudjetti.money import parse_money
from asukasbudjetti.problems import Problem, Severity

BALLOT_COLUMNS = ("voter_id", "pot", "projects", "points", "age", "postal_code")


class ProjectRow(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    project_id: str
    pot: str
    cost: Fraction
    name: str | None
    line: int


class BallotRow(NamedTuple):
    """One ballot row (a plain tuple: a large city has a million of them)."""

    voter_id: str
    pot: str
    projects: tuple[str, ...]
    points: tuple[int, ...] | None
    age: int | None
    postal_code: str | None
    line: int


def _rows(path: Path, source: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    text = read_text(path, source)
    reader = csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n"), newline=""))
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(f"{source}:{line}: cannot split the line into fields: {exc}") from exc
    if not rows:
        raise InputError(f"{source}:1: the file is empty; expected a header row")
    header = [cell.strip() for cell in rows[0][1]]
    return header, rows[1:]


def _error(source: str, line: int, message: str, expected: str | None = None) -> Problem:
    return Problem(code="csv", severity=Severity.ERROR, file=source, line=line, message=message, expected=expected)


def read_projects(path: Path, source: str) -> list[ProjectRow]:
    """The projects CSV; raises ProblemsError listing every bad row."""
    header, rows = _rows(path, source)
    missing = [c for c in ("project_id", "pot", "cost") if c not in header]
    if missing:
        raise ProblemsError([_error(source, 1, f"header lacks {', '.join(missing)}", "project_id,pot,cost[,name]")])
    problems: list[Problem] = []
    projects: list[ProjectRow] = []
    first_line: dict[str, int] = {}
    for line, cells in rows:
        if len(cells) != len(header):
            problems.append(_error(source, line, f"row has {len(cells)} fields", f"{len(header)} as in the header"))
            continue
        fields = {c: v.strip() for c, v in zip(header, cells, strict=True)}
        if fields["project_id"] in first_line:
            problems.append(
                _error(
                    source,
                    line,
                    f"project {fields['project_id']!r} is listed again "
                    f"(first on line {first_line[fields['project_id']]})",
                    "each project_id once",
                )
            )
            continue
        first_line[fields["project_id"]] = line
        try:
            cost = parse_money(fields["cost"])
        except MoneyError as exc:
            problems.append(_error(source, line, f"project {fields['project_id']!r}: cost {exc}"))
            continue
        projects.append(
            ProjectRow(
                project_id=fields["project_id"],
                pot=fields["pot"],
                cost=cost,
                name=fields.get("name") or None,
                line=line,
            )
        )
    if problems:
        raise ProblemsError(problems)
    return projects


def read_ballots(path: Path, source: str, renamed: dict[str, str] | None = None) -> list[BallotRow]:
    """The ballots CSV; ``renamed`` maps our column names to the file's."""
    header, rows = _rows(path, source)
    names = {c: (renamed or {}).get(c, c) for c in BALLOT_COLUMNS}
    missing = [names[c] for c in ("voter_id", "pot", "projects") if names[c] not in header]
    if missing:
        raise ProblemsError(
            [_error(source, 1, f"header lacks {', '.join(missing)}", "voter_id,pot,projects[,points,age,postal_code]")]
        )
    index = {c: header.index(names[c]) for c in BALLOT_COLUMNS if names[c] in header}
    problems: list[Problem] = []
    ballots: list[BallotRow] = []
    split_cache: dict[str, tuple[str, ...]] = {}
    for line, cells in rows:
        if len(cells) != len(header):
            problems.append(_error(source, line, f"row has {len(cells)} fields", f"{len(header)} as in the header"))
            continue

        def cell(column: str, cells: list[str] = cells) -> str | None:
            return cells[index[column]].strip() if column in index else None

        voter_id = cell("voter_id") or ""
        items_text = cell("projects") or ""
        # Identical project lists and pot names share one object (memory, on a large city).
        items = split_cache.get(items_text)
        if items is None:
            items = split_cache[items_text] = (
                tuple(intern(item.strip()) for item in items_text.split(",")) if items_text else ()
            )
        if not voter_id or not items or "" in items:
            problems.append(
                _error(source, line, f"ballot {voter_id!r} has an empty voter id, project list or item", "E1,E3")
            )
            continue
        points: tuple[int, ...] | None = None
        points_text = cell("points")
        if points_text:
            try:
                points = tuple(int(p) for p in points_text.split(","))
            except ValueError:
                problems.append(
                    _error(source, line, f"voter {voter_id!r}: points {points_text!r} are not whole numbers")
                )
                continue
        age_text = cell("age")
        age: int | None = None
        if age_text:
            try:
                age = int(age_text)
            except ValueError:
                problems.append(_error(source, line, f"voter {voter_id!r}: age {age_text!r} is not a whole number"))
                continue
        ballots.append(
            BallotRow(
                voter_id=voter_id,
                pot=intern(cell("pot") or ""),
                projects=items,
                points=points,
                age=age,
                postal_code=cell("postal_code") or None,
                line=line,
            )
        )
    if problems:
        raise ProblemsError(problems)
    return ballots
