"""What every importer returns, and the small helpers they share.

An importer is a pure function from an export's bytes to our model. Two shapes come
out, because platforms export two kinds of thing:

* one pot's projects and ballots (Decidim's per-budget ``.pb``, Stanford PB's
  individual CSVs): an :class:`~asukasbudjetti.model.Election`, each project and
  ballot keeping its line of the export;
* a whole cycle (Helsinki's OmaStadi workbook, Decidim's and CONSUL's project lists):
  :class:`CycleRows`, the rows of our own cycle CSVs (projects with their pot,
  ballots with age and postal code, paper counts), each row keeping where it came
  from (``FILE:LINE`` or ``FILE:SHEET!CELL``).

Every loss of information is a warning (a :class:`~asukasbudjetti.problems.Problem`
with severity ``warning``) in what the importer returns, never silent; what cannot
be read at all raises :class:`~asukasbudjetti.errors.ProblemsError` naming the file
and the place.
"""

from __future__ import annotations

import csv
import io
from fractions import Fraction

from pydantic import BaseModel, ConfigDict

from asukasbudjetti.errors import ProblemsError
from asukasbudjetti.io.csv_ballots import BallotRow, ProjectRow
from asukasbudjetti.io.text import decode_text
from asukasbudjetti.model import Election
from asukasbudjetti.money import MAX_DIGITS
from asukasbudjetti.problems import Problem, Severity


class Place(BaseModel):
    """Where a row came from: ``file:line``, or ``file:sheet!cell`` in a workbook."""

    model_config = ConfigDict(frozen=True)

    file: str
    line: int | None = None
    sheet: str | None = None
    #: Column letter of each field in the row (workbooks), so a message can name the cell.
    cells: dict[str, str] = {}
    row: int | None = None

    def at(self, field: str | None = None) -> tuple[str, int | None]:
        """The ``(file, line)`` a Problem should carry for ``field`` of this row."""
        if self.sheet is None:
            return self.file, self.line
        letter = self.cells.get(field or "", next(iter(self.cells.values()), "A"))
        return f"{self.file}:{self.sheet}!{letter}{self.row}", None


class CycleRows(BaseModel):
    """A whole cycle read from an export: pots, projects, ballots, counts, with their places.

    ``projects[i].line`` and ``ballots[j].line`` are keys of ``places`` (for a CSV
    export, the line itself; for a workbook, a running number, since rows of several
    sheets are mixed).
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    source: str
    format: str
    #: Each pot's amount as the export states it (None when it does not), in export order.
    budgets: dict[str, Fraction | None]
    #: Each pot's ballot kind ("approval" unless the export says otherwise).
    kinds: dict[str, str] = {}
    #: Each pot's longest allowed ballot where the export says (pabulib's ``max_length``).
    max_projects: dict[str, int] = {}
    #: Each pot's rule as the export names it (pabulib's META ``rule``), if it does.
    rules: dict[str, str] = {}
    projects: list[ProjectRow]
    ballots: list[BallotRow]
    #: Votes given only as a count per project (paper ballots, aggregate exports).
    paper: dict[str, int] = {}
    #: What the export says was counted and decided, kept for comparison, never used by a rule.
    declared_votes: dict[str, int] = {}
    declared_selected: dict[str, int] = {}
    places: dict[int, Place] = {}
    warnings: list[Problem] = []


class PotImport(BaseModel):
    """One pot's election read from an export, with the losses warned about."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    election: Election
    warnings: list[Problem] = []


def problem(file: str, line: int | None, code: str, message: str, expected: str | None = None) -> Problem:
    """An error found while importing."""
    return Problem(code=code, severity=Severity.ERROR, file=file, line=line, message=message, expected=expected)


def warning(file: str, line: int | None, code: str, message: str) -> Problem:
    """A loss of information while importing: shown and recorded, never silent."""
    return Problem(code=code, severity=Severity.WARNING, file=file, line=line, message=message)


def fail(file: str, line: int | None, code: str, message: str, expected: str | None = None) -> ProblemsError:
    """One clear error, ready to raise."""
    return ProblemsError([problem(file, line, code, message, expected)])


def csv_rows(raw: bytes, source: str, delimiter: str | None = None) -> list[tuple[int, list[str]]]:
    """The non-empty rows of a CSV export with the line each starts on.

    Decoded through :func:`~asukasbudjetti.io.text.decode_text` (UTF-8 only, the
    byte order mark dropped). ``delimiter`` None: ``;`` if the first line has one
    and no comma outside quotes, else ``,`` (Decidim writes ``;``, Rails' CSV ``,``).
    """
    text = decode_text(raw, source).replace("\r\n", "\n").replace("\r", "\n")
    if delimiter is None:
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise fail(source, line, "csv", f"cannot split the line into fields: {exc}") from exc
    if not rows:
        raise fail(source, 1, "empty", "the file is empty", "a header row and at least one row")
    return rows


def whole_number(text: str) -> int | None:
    """``text`` as a whole number (``12``, ``12.0`` as spreadsheets write it), else None."""
    cleaned = text.strip()
    if cleaned.endswith(".0"):
        cleaned = cleaned[:-2]
    # "²".isdigit() is True, but int() refuses it; and Python refuses to read more than
    # 4,300 digits (no count, age or token needs anywhere near MAX_DIGITS).
    if cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= MAX_DIGITS:
        return int(cleaned)
    return None
