"""Reader and writer for pabulib's ``.pb`` files (https://pabulib.org/format).

A ``.pb`` file has three sections, each a ``;``-separated table with a header row:
``META`` (``key;value``), ``PROJECTS`` (``project_id;cost;...``) and ``VOTES``
(``voter_id;vote;...``). Real files come with CRLF, LF or both mixed, sometimes a
UTF-8 byte order mark, quoted fields that contain ``;``, decimal budgets and costs
written as floats (``1200.0``); all of that is read exactly.

The reader checks what it needs to build the model (sections, headers, field
counts, number syntax) and collects every problem with its line; it never repairs
a row. What the rows mean together (unknown projects, duplicate voters, ballot
lengths, points limits) is :mod:`asukasbudjetti.validation`'s job.
"""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
from collections.abc import Iterator, Sequence
from fractions import Fraction
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

from asukasbudjetti.errors import InputError, MoneyError
from asukasbudjetti.io.text import UTF8_EXPECTED, NotUtf8Error, decode_text, not_utf8_message, read_bytes
from asukasbudjetti.model import BallotTable, Election, Project, SourceLocation, VoteType
from asukasbudjetti.money import format_money, parse_money
from asukasbudjetti.problems import Problem, Severity

SECTIONS = ("META", "PROJECTS", "VOTES")
_VOTE_TYPES = ", ".join(v.value for v in VoteType)


class PabulibRead:
    """What reading one file produced: the election (when one could be built) and problems."""

    def __init__(self, election: Election | None, problems: list[Problem]) -> None:
        self.election = election
        self.problems = problems


def read_pabulib(path: str | os.PathLike[str], *, name: str | None = None) -> PabulibRead:
    """Read a ``.pb`` file; ``name`` (default: the path as given) is used in messages."""
    source = name if name is not None else str(path)
    return read_pabulib_bytes(read_bytes(path, source), source)


def read_pabulib_bytes(raw: bytes, source: str) -> PabulibRead:
    """Read a ``.pb`` file's bytes; ``source`` names the file in messages."""
    try:
        text = decode_text(raw, source)
    except NotUtf8Error as exc:
        # A Problem like every other finding, so that validate lists it with the rest.
        problem = Problem(
            code="encoding",
            severity=Severity.ERROR,
            file=source,
            line=exc.line,
            message=not_utf8_message(exc.byte),
            expected=UTF8_EXPECTED,
        )
        return PabulibRead(None, [problem])
    return _Reader(text, source).read()


def _rows(text: str, source: str, problems: list[Problem]) -> Iterator[tuple[int, list[str]]]:
    """Rows with the line each starts on, from text whose lines end with LF alone."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"', strict=True)
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(
                Problem(
                    code="syntax",
                    severity=Severity.ERROR,
                    file=source,
                    line=line,
                    message=f"cannot split the line into fields: {exc}",
                    expected='fields separated by ";" with balanced double quotes',
                )
            )
            return
        yield line, row
        line = reader.line_num + 1


_MARKER_LINE = re.compile(r"^[ \t]*(?:META|PROJECTS|VOTES)[ \t;]*$", re.IGNORECASE | re.MULTILINE)
_MARKER_INITIALS = frozenset("mMpPvV")
_VOTES_LINE = re.compile(r"^[ \t]*VOTES[ \t;]*$", re.IGNORECASE | re.MULTILINE)
# A line after the first that could be a section marker (it starts with m, p or v).
_MARKER_CANDIDATE = re.compile(r"\n[ \t]*[mMpPvV]")
# A blank line (nothing but spaces, tabs and ";") after the first and before the last.
_BLANK_INSIDE = re.compile(r"\n[ \t;]*\n")
# Either of the two: one search of a large VOTES section instead of two, in the usual
# case where it finds neither.
_MARKER_CANDIDATE_OR_BLANK = re.compile(r"\n(?:[ \t]*[mMpPvV]|[ \t;]*\n)")


class _PlainVotes:
    """The VOTES section of a file whose VOTES hold no quote, no blank line and no other
    section marker, as positions in the file's text: a large city's VOTES are megabytes,
    so the text is copied once (the rows, to be cut into cells), and split into lines
    only when a row-by-row reading needs them.

    The section is ``text[start:end]``: after its marker line, without the final line
    end; its first line (the header) is file line ``first_line``.
    """

    def __init__(self, text: str, start: int, end: int, first_line: int) -> None:
        self.text, self.start, self.end = text, start, end
        self.first_line = first_line
        #: How many lines the section has (header included).
        self.count = text.count("\n", start, end) + 1 if end > start else 0
        header_end = text.find("\n", start, end)
        self._rows_start = end if header_end < 0 else header_end + 1
        #: The header line.
        self.header = text[start : end if header_end < 0 else header_end]

    @property
    def rows(self) -> str:
        """The rows after the header as one text ("" when there is none)."""
        return self.text[self._rows_start : self.end]

    def lines(self) -> list[str]:
        return self.text[self.start : self.end].split("\n") if self.end > self.start else []


def _split_plain_votes(normalized: str) -> tuple[str, _PlainVotes] | None:
    """The text up to the VOTES marker, and the VOTES section to read without the csv module.

    The VOTES section is most of a large file. Where it holds no quote, no blank
    line and no other section marker, no field can span lines or hide a ";", so a
    plain split reads it exactly as the csv module would, several times faster.
    Returns None when that is not so (the csv module then reads everything).
    """
    match = _VOTES_LINE.search(normalized)
    if match is None:
        return None
    head = normalized[: match.end()]
    if head.count('"') % 2:
        return None  # the marker sits inside a quoted field: not a real section start
    # The section is normalized[start:end], without its final line end; it is searched
    # in place rather than copied.
    start = match.end() + 1
    if normalized.find('"', start) >= 0:
        return None
    end = len(normalized)
    if end > start and normalized[end - 1] == "\n":
        end -= 1
    plain = _PlainVotes(normalized, start, end, head.count("\n") + 2)
    # Another section marker? Only a line starting with m, p or v can be one: a search
    # of the whole text for such a line first, and line by line only when it finds one.
    if _MARKER_LINE.fullmatch(plain.header):  # it starts with "voter_id": a candidate every time
        return None
    suspect = _MARKER_CANDIDATE_OR_BLANK.search(normalized, start, end) is not None
    if suspect and _MARKER_CANDIDATE.search(normalized, start, end) and any(
        _MARKER_LINE.fullmatch(line) for line in plain.lines() if line.lstrip(" \t")[:1] in _MARKER_INITIALS
    ):
        return None
    last_line_end = normalized.rfind("\n", start, end)
    last_line = normalized[start if last_line_end < 0 else last_line_end + 1 : end]
    if end > start and (
        not plain.header.strip(" \t;")
        or not last_line.strip(" \t;")
        or (suspect and _BLANK_INSIDE.search(normalized, start, end))
    ):
        return None  # a blank line: the csv reading skips it and counts its line
    return head, plain


class _Reader:
    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.problems: list[Problem] = []

    def error(self, line: int | None, code: str, message: str, expected: str | None = None) -> None:
        self.problems.append(
            Problem(
                code=code,
                severity=Severity.ERROR,
                file=self.source,
                line=line,
                message=message,
                expected=expected,
            )
        )

    def read(self) -> PabulibRead:
        sections: dict[str, list[tuple[int, list[str]]]] = {}
        section_lines: dict[str, int] = {}
        current: str | None = None
        last_line = 1
        normalized = self.text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in self.text else self.text
        plain = _split_plain_votes(normalized)
        for line, row in _rows(plain[0] if plain else normalized, self.source, self.problems):
            last_line = line
            if not any(row) or (len(row) == 1 and not row[0].strip()):
                continue
            # Markers are matched as the pabulib checker does: case aside, and a
            # spreadsheet's trailing empty cells ("VOTES;;") aside.
            first = row[0].strip().upper()
            marker = first if first in SECTIONS and (len(row) == 1 or not "".join(row[1:]).strip()) else ""
            if marker in SECTIONS:
                # The first section not seen yet: after META, VOTES, a PROJECTS is no new error.
                expected_next = next((s for s in SECTIONS if s not in section_lines), None)
                if marker in section_lines:
                    self.error(
                        line,
                        "duplicate-section",
                        f"section {marker} appears a second time (first on line "
                        f"{section_lines[marker]})",
                        "each of META, PROJECTS, VOTES once",
                    )
                    current = None
                    continue
                if marker != expected_next:
                    self.error(
                        line,
                        "section-order",
                        f"section {marker} where section {expected_next} should start",
                        "sections in the order META, PROJECTS, VOTES",
                    )
                section_lines[marker] = line
                sections[marker] = []
                current = marker
                continue
            if current is None:
                if not section_lines:
                    self.error(
                        line,
                        "missing-section",
                        f"line starts with {row[0][:40]!r} before any section",
                        "the file to start with a line META",
                    )
                    # Without META there is nothing to anchor the rest: stop here.
                    return PabulibRead(None, self.problems)
                continue
            sections[current].append((line, row))
        votes_lines: Sequence[int] = [line for line, _ in sections.get("VOTES", [])]
        votes_cells: list[list[str]] = [cells for _, cells in sections.get("VOTES", [])]
        plain_votes: _PlainVotes | None = None
        if plain is not None and "VOTES" in sections:
            plain_votes = plain[1]
            first_line = plain_votes.first_line
            votes_lines = range(first_line, first_line + plain_votes.count)
            if plain_votes.count:
                last_line = first_line + plain_votes.count - 1
        if any(problem.code == "syntax" for problem in self.problems):
            # Reading stopped at a line that cannot be split: the rest of the file is
            # unread, so "no VOTES section" and the like would be false.
            return PabulibRead(None, self.problems)
        for name in SECTIONS:
            if name not in section_lines:
                self.error(
                    last_line,
                    "missing-section",
                    f"the file has no {name} section",
                    f"a line {name} followed by its header and rows",
                )
        if "META" not in sections:
            return PabulibRead(None, self.problems)
        meta, meta_lines = self.read_meta(sections["META"], section_lines["META"])
        budget: Fraction | None = None
        vote_type: VoteType | None = None
        if meta_lines or len(sections["META"]) <= 1 or self.header_ok(sections["META"], ("key", "value")):
            # Only a META that could be read can be missing a key.
            budget, vote_type = self.read_budget_and_vote_type(meta, meta_lines, section_lines["META"])
        projects_header, projects = (
            self.read_projects(sections["PROJECTS"], section_lines["PROJECTS"])
            if "PROJECTS" in sections
            else (("project_id", "cost"), [])
        )
        votes_header, ballots = (
            self.read_votes(
                votes_lines,
                votes_cells,
                section_lines["VOTES"],
                vote_type,
                plain_votes,
                tuple(project.project_id for project in projects),
            )
            if "VOTES" in sections
            else (("voter_id", "vote"), BallotTable(voter_ids=(), projects=()))
        )
        election = Election.model_construct(
            source=self.source,
            meta=meta,
            meta_lines=meta_lines,
            vote_type=vote_type or VoteType.APPROVAL,
            budget=budget if budget is not None else Fraction(0),
            projects=tuple(projects),
            ballots=ballots,
            projects_header=projects_header,
            votes_header=votes_header,
        )
        return PabulibRead(election, self.problems)

    def header(
        self, rows: list[tuple[int, list[str]]], section_line: int, section: str, required: tuple[str, ...]
    ) -> tuple[int, tuple[str, ...]] | None:
        if not rows:
            self.error(
                section_line,
                "missing-header",
                f"section {section} has no header row",
                f"a header with the columns {';'.join(required)}",
            )
            return None
        line, cells = rows[0]
        columns = tuple(cell.strip() for cell in cells)
        seen: set[str] = set()
        for column in columns:
            if column in seen:
                self.error(
                    line,
                    "duplicate-column",
                    f"{section} header names column {column!r} twice",
                    "each column once",
                )
            seen.add(column)
        missing = [column for column in required if column not in columns]
        if missing:
            self.error(
                line,
                "missing-column",
                f"{section} header {';'.join(columns)!r} lacks {', '.join(missing)}",
                f"a header with the columns {';'.join(required)}",
            )
            return None
        return line, columns

    @staticmethod
    def header_ok(rows: list[tuple[int, list[str]]], required: tuple[str, ...]) -> bool:
        """Whether the section's first row names the required columns."""
        columns = {cell.strip() for cell in rows[0][1]} if rows else set()
        return all(column in columns for column in required)

    def check_width(self, line: int, cells: list[str], columns: tuple[str, ...], section: str) -> bool:
        if len(cells) == len(columns):
            return True
        self.error(
            line,
            "field-count",
            f"{section} row has {len(cells)} field{'s' if len(cells) != 1 else ''}",
            f"{len(columns)} fields as in the header ({';'.join(columns)})",
        )
        return False

    def read_meta(
        self, rows: list[tuple[int, list[str]]], section_line: int
    ) -> tuple[dict[str, str], dict[str, int]]:
        meta: dict[str, str] = {}
        meta_lines: dict[str, int] = {}
        header = self.header(rows, section_line, "META", ("key", "value"))
        if header is None:
            return meta, meta_lines
        _, columns = header
        for line, cells in rows[1:]:
            if not self.check_width(line, cells, columns, "META"):
                continue
            key, value = cells[0].strip(), cells[1]
            if key in meta:
                self.error(
                    line,
                    "duplicate-meta",
                    f"META key {key!r} appears again (first on line {meta_lines[key]})",
                    "each META key once",
                )
                continue
            meta[key] = value.strip()
            meta_lines[key] = line
        return meta, meta_lines

    def read_budget_and_vote_type(
        self, meta: dict[str, str], meta_lines: dict[str, int], section_line: int
    ) -> tuple[Fraction | None, VoteType | None]:
        budget: Fraction | None = None
        if "budget" not in meta:
            self.error(section_line, "missing-meta", "META has no budget", "a line budget;AMOUNT")
        else:
            try:
                budget = parse_money(meta["budget"])
            except MoneyError as exc:
                self.error(meta_lines["budget"], "bad-budget", f"budget: {exc}")
        vote_type: VoteType | None = None
        if "vote_type" not in meta:
            self.error(
                section_line, "missing-meta", "META has no vote_type", f"one of {_VOTE_TYPES}"
            )
        else:
            try:
                vote_type = VoteType(meta["vote_type"])
            except ValueError:
                self.error(
                    meta_lines["vote_type"],
                    "bad-vote-type",
                    f"vote_type {meta['vote_type']!r} is not a pabulib vote type",
                    f"one of {_VOTE_TYPES}",
                )
        return budget, vote_type

    def read_projects(
        self, rows: list[tuple[int, list[str]]], section_line: int
    ) -> tuple[tuple[str, ...], list[Project]]:
        header = self.header(rows, section_line, "PROJECTS", ("project_id", "cost"))
        if header is None:
            return ("project_id", "cost"), []
        _, columns = header
        projects: list[Project] = []
        for line, cells in rows[1:]:
            if not self.check_width(line, cells, columns, "PROJECTS"):
                continue
            fields = {column: cell.strip() for column, cell in zip(columns, cells, strict=True)}
            project_id = fields["project_id"]
            if project_id == "":
                self.error(line, "empty-id", "project_id is empty", "a project id")
                continue
            try:
                cost = parse_money(fields["cost"])
            except MoneyError as exc:
                self.error(line, "bad-cost", f"project {project_id!r}: cost {exc}")
                cost = Fraction(0)  # placeholder: the error stops any tally
            declared_votes = self.optional_int(fields, "votes", line, project_id)
            extra_approvals = self.optional_int(fields, "extra_approvals", line, project_id)
            declared_score = self.optional_number(fields, "score", line, project_id)
            selected = self.optional_int(fields, "selected", line, project_id)
            if selected is not None and selected not in (0, 1, 2, 3):
                self.error(
                    line,
                    "bad-selected",
                    f"project {project_id!r}: selected is {selected}",
                    "0, 1, 2 or 3",
                )
            projects.append(
                Project.model_construct(
                    project_id=project_id,
                    cost=cost,
                    name=fields.get("name") or None,
                    declared_votes=declared_votes,
                    declared_score=declared_score,
                    selected=selected,
                    extra_approvals=extra_approvals,
                    fields=fields,
                    source=SourceLocation.model_construct(file=self.source, line=line),
                )
            )
        return columns, projects

    def optional_int(self, fields: dict[str, str], column: str, line: int, project_id: str) -> int | None:
        text = fields.get(column, "")
        if text == "":
            return None
        try:
            value = int(text)
        except ValueError:
            # pabulib writes some counts as floats ("12.0"): exact when the fraction is zero.
            try:
                exact = parse_money(text)
            except MoneyError:
                exact = None
            if exact is not None and exact.denominator == 1:
                return int(exact)
            self.error(
                line,
                f"bad-{column}",
                f"project {project_id!r}: {column} {text!r} is not a whole number",
                f"a whole number in column {column}",
            )
            return None
        if value < 0:
            self.error(
                line,
                f"bad-{column}",
                f"project {project_id!r}: {column} {text!r} is negative",
                f"a whole number of at least 0 in column {column}",
            )
        return value

    def optional_number(
        self, fields: dict[str, str], column: str, line: int, project_id: str
    ) -> Fraction | None:
        text = fields.get(column, "")
        if text == "":
            return None
        negative = text.startswith("-")
        try:
            value = parse_money(text[1:] if negative else text)
        except MoneyError:
            self.error(
                line,
                f"bad-{column}",
                f"project {project_id!r}: {column} {text!r} is not a number",
                f"a decimal number in column {column}",
            )
            return None
        return -value if negative else value

    def read_votes(
        self,
        line_numbers: Sequence[int],
        cells_by_row: list[list[str]],
        section_line: int,
        vote_type: VoteType | None,
        plain: _PlainVotes | None = None,
        project_ids: tuple[str, ...] = (),
    ) -> tuple[tuple[str, ...], BallotTable]:
        required: tuple[str, ...] = ("voter_id", "vote")
        if vote_type is not None and vote_type.has_points:
            required = ("voter_id", "vote", "points")
        if plain is not None:
            cells_by_row = [plain.header.split(";")] if plain.count else []
        header_row = [(line_numbers[0], cells_by_row[0])] if cells_by_row else []
        header = self.header(header_row, section_line, "VOTES", required)
        if header is None:
            return required, BallotTable(voter_ids=(), projects=())
        _, columns = header
        voter_index = columns.index("voter_id")
        vote_index = columns.index("vote")
        points_index = columns.index("points") if "points" in required else None
        # Other columns (age, sex, and the points Kraków wrote on ordinal ballots) stay text.
        extra_columns = [(i, c) for i, c in enumerate(columns) if c not in required]
        body_lines = line_numbers[1:]
        width = len(columns)
        if plain is not None:
            rows = plain.count - 1
            if rows > 0:
                # Cut the whole section into cells at once, each line end starting a cell
                # of its own ("\n" after a ";"): every row has the header's width exactly
                # when there are rows * width cells and the cells at width, 2 * width, ...
                # are the ones that start with a line end (a cell holds at most one).
                cells = plain.rows.replace("\n", ";\n").split(";")
                if len(cells) == rows * width and "".join(cells[width::width]).count("\n") == rows - 1:
                    by_column = [cells[k::width] for k in range(width)]
                    by_column[0] = "".join(by_column[0]).split("\n")  # without the line ends
                    table = _votes_by_column(
                        body_lines, by_column, columns, voter_index, vote_index, points_index, vote_type, project_ids
                    )
                    if table is not None:
                        return columns, table
            body = [line.split(";") for line in plain.lines()[1:]]
        else:
            body = cells_by_row[1:]
            if body and set(map(len, body)) == {width}:
                by_column = [list(column) for column in zip(*body, strict=True)]
                table = _votes_by_column(
                    body_lines, by_column, columns, voter_index, vote_index, points_index, vote_type, project_ids
                )
                if table is not None:
                    return columns, table
        # Something is off somewhere: read row by row to say what, and where.
        voter_ids: list[str] = []
        ballots: list[tuple[str, ...]] = []
        points_column: list[tuple[int, ...]] = []
        lines: list[int] = []
        kept: list[list[str]] = []
        # Large cities repeat the same ballot text thousands of times: split each once.
        split_votes: dict[str, tuple[str, ...] | None] = {}
        split_points: dict[str, tuple[int, ...] | None] = {}
        for line, cells in zip(body_lines, body, strict=True):
            if len(cells) != width:
                self.check_width(line, cells, columns, "VOTES")
                continue
            voter_id = cells[voter_index].strip()
            if voter_id == "":
                self.error(line, "empty-id", "voter_id is empty", "a voter id")
                continue
            text = cells[vote_index]
            if text in split_votes:
                items = split_votes[text]
                if items is None:
                    # Report the problem again for this ballot, with its own line.
                    self.split_items(text, line, voter_id, "vote")
                    continue
            else:
                items = split_votes[text] = self.split_items(text, line, voter_id, "vote")
                if items is None:
                    continue
            if points_index is not None:
                points_text = cells[points_index]
                if points_text in split_points:
                    points = split_points[points_text]
                    if points is None:
                        self.split_points(points_text, line, voter_id, vote_type)
                        continue
                else:
                    points = split_points[points_text] = self.split_points(
                        points_text, line, voter_id, vote_type
                    )
                    if points is None:
                        continue
                points_column.append(points)
            voter_ids.append(voter_id)
            ballots.append(items)
            lines.append(line)
            kept.append(cells)
        columns_of_kept = list(zip(*kept, strict=True)) if kept else [()] * width
        table = BallotTable.model_construct(
            voter_ids=tuple(voter_ids),
            projects=tuple(ballots),
            points=tuple(points_column) if points_index is not None else None,
            lines=tuple(lines),
            extra={c: tuple(map(str.strip, columns_of_kept[i])) for i, c in extra_columns},
        )
        return columns, table

    def split_items(self, text: str, line: int, voter_id: str, column: str) -> tuple[str, ...] | None:
        stripped = text.strip()
        if stripped == "":
            self.error(
                line,
                "empty-ballot",
                f"voter {voter_id!r} lists no project in column {column}",
                "at least one project id",
            )
            return None
        items = tuple(stripped.split(","))
        if " " in stripped or "\t" in stripped:  # "1, 2" as some exports write it
            items = tuple(item.strip() for item in items)
        if "" in items:
            self.error(
                line,
                "empty-item",
                f"voter {voter_id!r}: {column} {stripped!r} has an empty item",
                "project ids separated by single commas, e.g. 1,2,3",
            )
            return None
        return items

    def split_points(
        self, text: str, line: int, voter_id: str, vote_type: VoteType | None
    ) -> tuple[int, ...] | None:
        items = self.split_items(text, line, voter_id, "points")
        if items is None:
            return None
        try:
            points = tuple(int(item) for item in items)
        except ValueError:
            self.error(
                line,
                "bad-points",
                f"voter {voter_id!r}: points {text.strip()!r} are not whole numbers",
                "whole numbers separated by commas, e.g. 3,2,1",
            )
            return None
        if vote_type is VoteType.CUMULATIVE and any(p < 0 for p in points):
            self.error(
                line,
                "bad-points",
                f"voter {voter_id!r}: cumulative points {text.strip()!r} include a negative number",
                "points of at least 0",
            )
            return None
        return points


def _split_ids(text: str) -> tuple[str, ...] | None:
    """A vote's project ids, or None when the text is empty or has an empty item."""
    stripped = text.strip()
    if not stripped:
        return None
    items = tuple(stripped.split(","))
    if " " in stripped or "\t" in stripped:
        items = tuple(item.strip() for item in items)
    return None if "" in items else items


def _split_points(text: str, vote_type: VoteType | None) -> tuple[int, ...] | None:
    """A ballot's points, or None when they are not all whole numbers (>= 0 if cumulative)."""
    items = _split_ids(text)
    if items is None:
        return None
    try:
        points = tuple(int(item) for item in items)
    except ValueError:
        return None
    if vote_type is VoteType.CUMULATIVE and min(points) < 0:
        return None
    return points


def _stripped(cells: Sequence[str]) -> tuple[str, ...]:
    """The cells without surrounding white space (most columns have none to strip)."""
    joined = "\n".join(cells)
    if joined[:1].isspace() or joined[-1:].isspace() or any(m in joined for m in (" \n", "\n ", "\t", "\r")):
        return tuple(map(str.strip, cells))
    return tuple(cells)


def _stripped_repeating(cells: list[str]) -> tuple[str, ...]:
    """:func:`_stripped` for a column of few distinct values (age, sex, district): the
    same test, made on each distinct value once rather than on the whole column.

    A space or tab at either end of a cell or a CR anywhere is what :func:`_stripped`
    looks for between the cells; at the column's two ends it looks for any white space
    (a first or last cell that is empty shows the line end between the cells there).
    """
    distinct = set(cells)
    if len(distinct) * 8 > len(cells):
        return _stripped(cells)  # many distinct values: the whole-column test is faster
    n = len(cells)
    first = cells[0][:1] if cells[0] or n == 1 else "\n"
    last = cells[-1][-1:] if cells[-1] or n == 1 else "\n"
    if (
        first.isspace()
        or last.isspace()
        or any(v[:1] in (" ", "\t") or v[-1:] in (" ", "\t") or "\t" in v or "\r" in v for v in distinct)
    ):
        return tuple(map(str.strip, cells))
    return tuple(cells)


def _votes_by_column(
    lines: Sequence[int],
    by_column: list[list[str]],
    columns: tuple[str, ...],
    voter_index: int,
    vote_index: int,
    points_index: int | None,
    vote_type: VoteType | None,
    project_ids: tuple[str, ...] = (),
) -> BallotTable | None:
    """The ballots read column by column (each distinct vote text split once).

    Returns None at the first thing that needs a message with a line; the caller
    then reads row by row and reports it. When the ids are plain whole numbers, the
    ballots' project indices (:meth:`BallotTable.flat_indices` of ``project_ids``) are
    read from the vote texts at once as well.
    """
    voter_ids = _stripped(by_column[voter_index])
    if "" in voter_ids:
        return None
    vote_texts = by_column[vote_index]
    distinct_texts = list(set(vote_texts))
    joined = "\n".join(distinct_texts)
    numbered = _NumberedVotes.of(joined)
    if numbered is not None:
        if numbered.has_empty_item:
            return None  # an empty vote or item: the row-by-row reading says where
    elif (
        "" in distinct_texts
        or joined[0] == ","
        or joined[-1] in ",\n"
        or any(mark in joined for mark in (",,", ",\n", "\n,", "\n\n", " ", "\t"))
    ):
        return None  # an empty vote or item, or spaces: the row-by-row reading says where
    split_votes = dict(zip(distinct_texts, map(tuple, map(str.split, distinct_texts, repeat(","))), strict=True))
    projects = tuple(map(split_votes.__getitem__, vote_texts))
    points: tuple[tuple[int, ...], ...] | None = None
    if points_index is not None:
        points_texts = by_column[points_index]
        split = {text: _split_points(text, vote_type) for text in set(points_texts)}
        if None in split.values():
            return None
        points = tuple(map(split.__getitem__, points_texts))  # type: ignore[arg-type]  # None excluded above
    required = {voter_index, vote_index} | ({points_index} if points_index is not None else set())
    table = BallotTable.model_construct(
        voter_ids=voter_ids,
        projects=projects,
        points=points,
        lines=tuple(lines),
        extra={c: _stripped_repeating(by_column[i]) for i, c in enumerate(columns) if i not in required},
    )
    flat = _numeric_flat_indices(vote_texts, numbered, projects, project_ids) if numbered is not None else None
    if flat is not None:
        table.keep_flat_indices(project_ids, *flat)
    return table


class _NumberedVotes:
    """The distinct vote texts, joined by line ends, when they hold nothing but ASCII
    digits, commas and those line ends (as most files' do), looked at as bytes: numpy
    then checks all of them at once."""

    def __init__(self, text: np.ndarray[Any, np.dtype[np.uint8]]) -> None:
        separator = (text == ord(",")) | (text == ord("\n"))
        #: An empty vote or item: two separators in a row, or one at either end.
        self.has_empty_item = (
            not text.size or bool(separator[0]) or bool(separator[-1]) or bool((separator[1:] & separator[:-1]).any())
        )
        #: An item that starts with 0 ("07", or the id 0 itself).
        self.has_leading_zero = bool(text.size) and (
            text[0] == ord("0") or bool((separator[:-1] & (text[1:] == ord("0"))).any())
        )

    @classmethod
    def of(cls, joined: str) -> _NumberedVotes | None:
        if not joined.isascii():
            return None
        text = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
        if not ((text - np.uint8(ord("0")) < 10) | (text == ord(",")) | (text == ord("\n"))).all():
            return None
        return cls(text)


def _numeric_flat_indices(
    vote_texts: list[str],
    numbered: _NumberedVotes,
    projects: tuple[tuple[str, ...], ...],
    project_ids: tuple[str, ...],
) -> tuple[np.ndarray[Any, np.dtype[np.int64]], np.ndarray[Any, np.dtype[np.int64]]] | None:
    """:meth:`BallotTable.flat_indices` of ``project_ids`` read from the vote texts as numbers, or
    None when that would not be exactly the same.

    Most files number their projects (``1822,322,1992``): numpy then reads every item
    at once, where looking each of a large city's ~300,000 items up in a dictionary
    takes tens of milliseconds. An item then names a project exactly when its number
    is the project's, as long as every id and item is written the one way a whole
    number is written: ASCII digits only, no leading zero. The texts have no empty
    item and no white space (checked before this is called).
    """
    if not project_ids or len(set(project_ids)) != len(project_ids):
        return None  # a repeated id (validation reports it) keeps its last index: the general way
    if not all(p.isascii() and p.isdigit() and (p[0] != "0" or p == "0") for p in project_ids):
        return None
    numbers = [int(p) for p in project_ids]
    largest = max(numbers)
    if largest > 4 * len(vote_texts) + 100_000:
        return None  # the table from number to index would be larger than the ballots
    if numbered.has_leading_zero:
        return None  # "07" is not project 7 (and the id 0 itself is rare)
    lengths = np.fromiter(map(len, projects), dtype=np.int64, count=len(projects))
    # strtoll-style reading: a number too large for int64 reads as the largest int64,
    # which is no project's (all are at most ``largest``) and so marked -1 below.
    with warnings.catch_warnings():
        # numpy only warns when it cannot read the text to its end: take the general way then.
        warnings.simplefilter("error")
        try:
            values = np.fromstring(",".join(vote_texts), dtype=np.int64, sep=",")
        except (ValueError, Warning):
            return None
    if values.size != int(lengths.sum()):
        return None
    index = np.full(largest + 2, -1, dtype=np.int64)
    index[numbers] = np.arange(len(numbers), dtype=np.int64)
    columns = np.take(index, values, mode="clip")  # a number above largest: index -1
    return lengths, columns


def write_pabulib(election: Election, path: str | os.PathLike[str]) -> None:
    """Write ``election`` as a ``.pb`` file (LF line ends, canonical numbers).

    Reading the result gives an equivalent election: the same META, projects (costs
    as exact values) and ballots in the same order. The file is written to a
    temporary name first and renamed, so a failure leaves nothing half-written.
    """
    target = Path(path)
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        temporary.write_text(dumps_pabulib(election), encoding="utf-8", newline="")
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise InputError(f"{target}: cannot write the file: {exc.strerror or exc}") from exc


def dumps_pabulib(election: Election) -> str:
    """The ``.pb`` text of ``election``."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quotechar='"', lineterminator="\n")
    out.write("META\n")
    writer.writerow(["key", "value"])
    meta = dict(election.meta)
    # Keep the file's own spelling of the budget ("400000.0") unless it says another amount.
    try:
        written_budget: Fraction | None = parse_money(meta.get("budget", ""))
    except MoneyError:
        written_budget = None
    if written_budget != election.budget:
        meta["budget"] = format_money(election.budget)
    meta["vote_type"] = election.vote_type.value
    for key, value in meta.items():
        writer.writerow([key, value])
    out.write("PROJECTS\n")
    columns = election.projects_header
    writer.writerow(columns)
    for project in election.projects:
        writer.writerow([_project_cell(project, column) for column in columns])
    out.write("VOTES\n")
    vote_columns = election.votes_header
    writer.writerow(vote_columns)
    ballots = election.ballots
    blank = ("",) * len(ballots)
    cells: list[tuple[str, ...]] = []
    for column in vote_columns:
        if column == "voter_id":
            cells.append(ballots.voter_ids)
        elif column == "vote":
            cells.append(tuple(",".join(items) for items in ballots.projects))
        elif column == "points" and ballots.points is not None:
            cells.append(tuple(",".join(str(p) for p in points) for points in ballots.points))
        else:
            cells.append(ballots.extra.get(column, blank))
    writer.writerows(zip(*cells, strict=True))
    return out.getvalue()


def _project_cell(project: Project, column: str) -> str:
    if column == "project_id":
        return project.project_id
    if column == "cost":
        return format_money(project.cost)
    if column == "votes" and project.declared_votes is not None:
        return str(project.declared_votes)
    if column == "score" and project.declared_score is not None:
        return format_money(project.declared_score) if project.declared_score >= 0 else (
            "-" + format_money(-project.declared_score)
        )
    if column == "selected" and project.selected is not None:
        return str(project.selected)
    if column == "extra_approvals" and project.extra_approvals is not None:
        return str(project.extra_approvals)
    if column == "name" and project.name is not None:
        return project.name
    return project.fields.get(column, "")
