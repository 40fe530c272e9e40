"""Helsinki OmaStadi's research export: one workbook per budgets component.

Layout, as City-of-Helsinki/decidim-helsinki's ``lib/tasks/hkiexport.rake`` writes it
(``rake hkiexport:budget_votes[component_id,file.xlsx]``, ``export_component_votes`` and
``project_data``; see docs/importers.md for the lines): per budget (a pot), two sheets,

* ``<budget> - Votes``: one row per checked-out order, columns ``user_hash``,
  ``impersonated_user``, ``order_hash``, ``budget_id``, ``budget_name``,
  ``budget_total_amount``, ``available_votes_count``, ``voted_project_ids`` (a comma
  list), ``voted_projects_count``, ``voted_amount``, ``identity``, ``postal_code``,
  ``age`` (text, empty when unknown), ``gender``, school columns, ``created_at``,
  ``checked_out_at`` (rows shuffled);
* ``<budget> - Projects``: ``id``, ``title``, ..., ``budget_id``, ``budget_name``, ...,
  ``budget`` (the cost), ``votes`` (online orders), ``selected`` (0/1), sorted by votes.

Columns are found by their header names, so added or reordered columns are fine.
Every value keeps its cell (``FILE:SHEET!CELL``). openpyxl is imported here only,
in read-only mode.
"""

from __future__ import annotations

import io
import zipfile
from fractions import Fraction
from typing import Any

from asukasbudjetti.errors import MoneyError, ProblemsError
from asukasbudjetti.io.csv_ballots import BallotRow, ProjectRow
from asukasbudjetti.io.importers.common import CycleRows, Place, fail, problem, warning, whole_number
from asukasbudjetti.money import format_money, parse_money
from asukasbudjetti.problems import Problem

VOTES = " - Votes"
PROJECTS = " - Projects"
VOTE_COLUMNS = ("order_hash", "budget_total_amount", "voted_project_ids", "postal_code", "age")
PROJECT_COLUMNS = ("id", "title", "budget")
#: Our field names for the Votes columns (for the cell a message names).
_FIELDS = {"user_hash": "voter_id", "voted_project_ids": "projects", "postal_code": "postal_code", "age": "age"}


def _letter(index: int) -> str:
    """Spreadsheet column letters of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _amount(value: Any) -> Fraction:
    """An exact amount from a cell (int, text, or a float written as its shortest decimal)."""
    if isinstance(value, bool):
        raise MoneyError(f"{value!r} is not an amount")
    if isinstance(value, int):
        return Fraction(value)
    return parse_money(repr(value) if isinstance(value, float) else _text(value))


def read_omastadi(raw: bytes, source: str) -> CycleRows:
    """The workbook as a cycle: one pot per budget, ballots with age and postal code."""
    import openpyxl  # type: ignore[import-untyped]  # only here: the other readers and commands never pay for it
    from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise fail(
            source,
            None,
            "not-xlsx",
            f"not an Excel workbook ({type(exc).__name__})",
            "an .xlsx file (hkiexport:budget_votes)",
        ) from None
    try:
        sheets = {name: [tuple(row) for row in book[name].iter_rows(values_only=True)] for name in book.sheetnames}
    finally:
        book.close()
    budgets = [name[: -len(VOTES)] for name in sheets if name.endswith(VOTES)]
    if not budgets:
        raise fail(
            source,
            None,
            "no-votes-sheet",
            f"the workbook has no '<budget> - Votes' sheet (sheets: {', '.join(sheets) or 'none'})",
            "an OmaStadi budget_votes export",
        )
    rows = CycleRowsBuilder(source)

    def blank(name: str) -> bool:
        return not any(_text(v) for row in sheets.get(name, []) for v in row)

    # A budget nobody voted in has an empty Votes sheet and an empty Projects sheet (its
    # project_data maps no votes): a pot without projects, not a broken file.
    for budget in [b for b in budgets if blank(b + VOTES) and blank(b + PROJECTS) and b + PROJECTS in sheets]:
        budgets.remove(budget)
        rows.budgets[budget] = None
        rows.warnings.append(
            warning(
                f"{source}:{budget + VOTES}!A1",
                None,
                "no-votes",
                f"budget {budget!r} has no votes: its sheets are empty, so the pot has no projects and no amount",
            )
        )
    for budget in budgets:
        if budget + PROJECTS not in sheets:
            raise fail(
                source, None, "no-projects-sheet", f"sheet {budget + VOTES!r} has no {budget + PROJECTS!r} beside it"
            )
        rows.projects_sheet(budget, budget + PROJECTS, sheets[budget + PROJECTS])
    for budget in budgets:
        rows.votes_sheet(budget, budget + VOTES, sheets[budget + VOTES])
    return rows.build()


class CycleRowsBuilder:
    """Collects pots, projects and ballots sheet by sheet, with every problem's cell."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.budgets: dict[str, Fraction | None] = {}
        self.projects: list[ProjectRow] = []
        self.ballots: list[BallotRow] = []
        self.places: dict[int, Place] = {}
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.declared_votes: dict[str, int] = {}
        self.declared_selected: dict[str, int] = {}
        self.pot_of: dict[str, str] = {}
        self.counted: dict[str, int] = {}

    def cell(self, sheet: str, letter: str, row: int) -> str:
        return f"{self.source}:{sheet}!{letter}{row}"

    def header(self, sheet: str, rows: list[tuple[Any, ...]], required: tuple[str, ...]) -> dict[str, int]:
        if not rows or not any(_text(v) for v in rows[0]):
            raise fail(self.cell(sheet, "A", 1), None, "empty-sheet", "the sheet is empty", "a header row and rows")
        header = [_text(v) for v in rows[0]]
        missing = [c for c in required if c not in header]
        if missing:
            raise fail(
                self.cell(sheet, "A", 1),
                None,
                "missing-column",
                f"the header has no {', '.join(missing)}",
                f"columns {', '.join(required)} (hkiexport:budget_votes)",
            )
        return {name: k for k, name in reversed(list(enumerate(header))) if name}

    def place(self, sheet: str, row: int, columns: dict[str, int], fields: dict[str, str]) -> int:
        key = len(self.places) + 1
        self.places[key] = Place(
            file=self.source,
            sheet=sheet,
            row=row,
            cells={field: _letter(columns[column]) for column, field in fields.items() if column in columns},
        )
        return key

    def projects_sheet(self, pot: str, sheet: str, rows: list[tuple[Any, ...]]) -> None:
        columns = self.header(sheet, rows, PROJECT_COLUMNS)
        for r, values in enumerate(rows[1:], start=2):
            if not any(_text(v) for v in values):
                continue

            def value(name: str, values: tuple[Any, ...] = values) -> Any:
                k = columns.get(name)
                return values[k] if k is not None and k < len(values) else None

            project_id = _text(value("id"))
            if not project_id:
                self.problems.append(problem(self.cell(sheet, _letter(columns["id"]), r), None, "row", "no project id"))
                continue
            if project_id in self.pot_of:
                self.problems.append(
                    problem(
                        self.cell(sheet, _letter(columns["id"]), r),
                        None,
                        "duplicate-project",
                        f"project {project_id!r} is listed again (first in pot {self.pot_of[project_id]!r})",
                        "each project once",
                    )
                )
                continue
            try:
                cost = _amount(value("budget"))
            except MoneyError as exc:
                self.problems.append(
                    problem(
                        self.cell(sheet, _letter(columns["budget"]), r),
                        None,
                        "cost",
                        f"project {project_id!r}: cost {exc}",
                    )
                )
                continue
            self.pot_of[project_id] = pot
            line = self.place(sheet, r, columns, {"id": "project_id", "budget": "cost"})
            self.projects.append(
                ProjectRow(project_id=project_id, pot=pot, cost=cost, name=_text(value("title")) or None, line=line)
            )
            for column, store in (("votes", self.declared_votes), ("selected", self.declared_selected)):
                number = whole_number(_text(value(column)))
                if number is not None:
                    store[project_id] = number

    def votes_sheet(self, pot: str, sheet: str, rows: list[tuple[Any, ...]]) -> None:
        columns = self.header(sheet, rows, VOTE_COLUMNS)
        amount: tuple[Fraction, int] | None = None
        for r, values in enumerate(rows[1:], start=2):
            if not any(_text(v) for v in values):
                continue

            def value(name: str, values: tuple[Any, ...] = values) -> Any:
                k = columns.get(name)
                return values[k] if k is not None and k < len(values) else None

            def at(name: str, r: int = r) -> str:
                return self.cell(sheet, _letter(columns[name]), r)

            # user_hash is one voter across the budgets of one export (the salt is per run), so
            # the cycle's rules on where a voter may vote see her; order_hash when it is missing.
            voter = _text(value("user_hash")) or _text(value("order_hash"))
            try:
                total = _amount(value("budget_total_amount"))
            except MoneyError as exc:
                self.problems.append(problem(at("budget_total_amount"), None, "budget", f"budget_total_amount {exc}"))
                continue
            if amount is None:
                amount = (total, r)
            elif total != amount[0]:
                self.problems.append(
                    problem(
                        at("budget_total_amount"),
                        None,
                        "budget",
                        f"budget_total_amount {format_money(total)} differs from {format_money(amount[0])} "
                        f"on row {amount[1]}",
                        "one amount per budget",
                    )
                )
                continue
            ids_text = _text(value("voted_project_ids"))
            items = tuple(item.strip() for item in ids_text.split(",")) if ids_text else ()
            age_text = _text(value("age"))
            if not voter or not items or "" in items:
                self.problems.append(
                    problem(
                        at("order_hash" if not voter else "voted_project_ids"),
                        None,
                        "row",
                        f"order {voter!r} has no order_hash or an empty voted_project_ids {ids_text!r}",
                        "an order_hash and project ids such as 12,15",
                    )
                )
                continue
            if age_text and whole_number(age_text) is None:
                self.problems.append(
                    problem(at("age"), None, "age", f"order {voter!r}: age {age_text!r} is not a whole number")
                )
                continue
            for item in items:
                self.counted[item] = self.counted.get(item, 0) + 1
            line = self.place(sheet, r, columns, _FIELDS)
            self.ballots.append(
                BallotRow(
                    voter_id=voter,
                    pot=pot,
                    projects=items,
                    points=None,
                    age=whole_number(age_text) if age_text else None,
                    postal_code=_text(value("postal_code")) or None,
                    line=line,
                )
            )
        self.budgets[pot] = amount[0] if amount is not None else None
        if amount is None:
            self.warnings.append(
                warning(
                    self.cell(sheet, "A", 2),
                    None,
                    "no-votes",
                    f"budget {pot!r} has no votes: its amount is not in the file",
                )
            )

    def build(self) -> CycleRows:
        if self.problems:
            raise ProblemsError(self.problems)
        differ = [
            (p, self.declared_votes[p.project_id], self.counted.get(p.project_id, 0))
            for p in self.projects
            if p.project_id in self.declared_votes
            and self.declared_votes[p.project_id] != self.counted.get(p.project_id, 0)
        ]
        for project, declared, counted in differ:
            place = self.places[project.line]
            self.warnings.append(
                warning(
                    f"{self.source}:{place.sheet}!A{place.row}",
                    None,
                    "declared-votes",
                    f"project {project.project_id!r}: the Projects sheet says {declared} votes, "
                    f"the Votes sheet has {counted}",
                )
            )
        # hkiexport's project_data maps the votes it counted: a project nobody voted for has no row.
        self.warnings.append(
            warning(
                self.source,
                None,
                "unvoted-projects",
                "the Projects sheets list only projects that got votes: a project nobody voted for "
                "is not in the pot (greedy would have funded it only with money left over)",
            )
        )
        return CycleRows(
            source=self.source,
            format="omastadi-xlsx",
            budgets=self.budgets,
            projects=self.projects,
            ballots=self.ballots,
            declared_votes=self.declared_votes,
            declared_selected=self.declared_selected,
            places=self.places,
            warnings=self.warnings,
        )
