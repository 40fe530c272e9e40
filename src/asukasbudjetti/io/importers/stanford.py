"""Stanford PB's individual-ballot CSVs (``admin/elections_controller.rb``, ``analytics``).

Layouts, as StanfordCDT/pb's ``Admin::ElectionsController`` writes them (see
docs/importers.md for the lines):

* ``approvals_individual``: header ``Voter ID,Authentication ID,<title>...``; a second
  row ``,,$<cost>...``; then one row per voter, ``1`` under each approved project, ``0``
  elsewhere (a voter who approved nothing has a row of zeros).
* ``knapsacks_individual``: header ``Voter ID,Voter Stage,<title>...``; a second row
  ``Allocation,,<amount>...`` (the platform's own computed allocation, not costs); then
  per voter the amount put on each project (``0`` for none). Costs are not in the file.
* ``tokens_individual``: header ``Voter ID,Authentication ID,<title>...`` and then per
  voter the tokens on each project; no cost row at all.
* ``ranking_individual``: header ``Voter ID,Rank1,...,RankK``; each cell
  ``<title> ($<cost>)``.

Projects are identified by their **title** (the files carry no project id): two
projects with one title are refused. The budget is in none of these files: it comes
from the cycle (the pot's amount) or from ``convert --amount``.
"""

from __future__ import annotations

import re
from fractions import Fraction

from asukasbudjetti.errors import MoneyError, ProblemsError
from asukasbudjetti.io.importers.common import PotImport, csv_rows, fail, problem, warning, whole_number
from asukasbudjetti.model import BallotTable, Election, Project, SourceLocation, VoteType
from asukasbudjetti.money import format_money, parse_money
from asukasbudjetti.problems import Problem

_RANKED = re.compile(r"^(?P<title>.*) \(\$(?P<cost>[^()]*)\)$")


def _titles(header: list[str], first: tuple[str, str], source: str, line: int) -> list[str]:
    """The project titles of a header that must start with ``first``; duplicates refused."""
    cells = [cell.strip() for cell in header]
    if len(cells) < 3 or (cells[0], cells[1]) != first:
        raise fail(
            source,
            line,
            "stanford-header",
            f"header starts {','.join(cells[:2])!r}",
            f"{first[0]},{first[1]},<project title>... (a Stanford PB individual export)",
        )
    titles = cells[2:]
    seen: dict[str, int] = {}
    for k, title in enumerate(titles):
        if not title:
            raise fail(source, line, "stanford-header", f"column {k + 3} has no project title", "a title per column")
        if title in seen:
            raise fail(
                source,
                line,
                "duplicate-title",
                f"two projects are titled {title!r} (columns {seen[title] + 3} and {k + 3}); "
                "Stanford PB's files name projects only by title",
                "distinct project titles",
            )
        seen[title] = k
    return titles


def _election(
    source: str,
    budget: Fraction,
    vote_type: VoteType,
    projects: list[Project],
    voters: list[str],
    items: list[tuple[str, ...]],
    points: list[tuple[int, ...]] | None,
    lines: list[int],
    kind: str,
) -> Election:
    meta = {
        "description": f"Stanford PB {kind} export",
        "num_projects": str(len(projects)),
        "num_votes": str(len(voters)),
        "budget": format_money(budget),
        "vote_type": vote_type.value,
        "rule": "greedy",
    }
    return Election(
        source=source,
        meta=meta,
        vote_type=vote_type,
        budget=budget,
        projects=tuple(projects),
        ballots=BallotTable(
            voter_ids=tuple(voters),
            projects=tuple(items),
            points=tuple(points) if points is not None else None,
            lines=tuple(lines),
        ),
        projects_header=("project_id", "cost", "name"),
        votes_header=("voter_id", "vote", "points") if points is not None else ("voter_id", "vote"),
    )


def _empty_ballots_warning(source: str, empty: list[tuple[str, int]], what: str) -> list[Problem]:
    if not empty:
        return []
    lines = ", ".join(str(line) for _, line in empty[:10]) + (" ..." if len(empty) > 10 else "")
    return [
        warning(
            source,
            empty[0][1],
            "empty-ballot",
            f"{len(empty)} voter{'s' if len(empty) != 1 else ''} {what} nothing (lines {lines}): "
            "left out (a greedy count does not change; rules that share the budget per voter would)",
        )
    ]


def read_approvals(raw: bytes, source: str, budget: Fraction) -> PotImport:
    """``approvals_individual.csv``: costs from its second row, one approval ballot per voter row."""
    rows = csv_rows(raw, source, ",")
    header_line, header = rows[0]
    titles = _titles(header, ("Voter ID", "Authentication ID"), source, header_line)
    if len(rows) < 2:
        raise fail(source, header_line, "stanford-costs", "the file has no cost row", ",,$<cost>... under the header")
    cost_line, cost_cells = rows[1]
    problems: list[Problem] = []
    projects: list[Project] = []
    for k, title in enumerate(titles):
        text = cost_cells[k + 2].strip() if k + 2 < len(cost_cells) else ""
        try:
            cost = parse_money(text.removeprefix("$").replace(",", ""))
        except MoneyError:
            problems.append(
                problem(
                    source,
                    cost_line,
                    "cost",
                    f"project {title!r} (column {k + 3}): cost {text!r} is not an amount",
                    "$ and a whole number, e.g. $25000",
                )
            )
            continue
        projects.append(
            Project(project_id=title, cost=cost, name=title, source=SourceLocation(file=source, line=cost_line))
        )
    if problems:
        raise ProblemsError(problems)
    voters: list[str] = []
    items: list[tuple[str, ...]] = []
    lines: list[int] = []
    empty: list[tuple[str, int]] = []
    for line, cells in rows[2:]:
        if len(cells) != len(titles) + 2:
            problems.append(problem(source, line, "row", f"row has {len(cells)} fields", f"{len(titles) + 2}"))
            continue
        marks = [cell.strip() for cell in cells[2:]]
        bad = [(titles[k], m) for k, m in enumerate(marks) if m not in ("0", "1")]
        if bad or not cells[0].strip():
            problems.append(
                problem(
                    source,
                    line,
                    "approval-cell",
                    f"voter {cells[0].strip()!r}: "
                    + (f"{bad[0][1]!r} under {bad[0][0]!r} is not 0 or 1" if bad else "no voter id"),
                    "a voter id and 0 or 1 under each project",
                )
            )
            continue
        chosen = tuple(titles[k] for k, m in enumerate(marks) if m == "1")
        if not chosen:
            empty.append((cells[0].strip(), line))
            continue
        voters.append(cells[0].strip())
        items.append(chosen)
        lines.append(line)
    if problems:
        raise ProblemsError(problems)
    election = _election(source, budget, VoteType.APPROVAL, projects, voters, items, None, lines, "approvals")
    return PotImport(election=election, warnings=_empty_ballots_warning(source, empty, "approved"))


def read_knapsacks(raw: bytes, source: str, budget: Fraction) -> PotImport:
    """``knapsacks_individual.csv``: a voter approves each project she put money on.

    The file has no costs: a project's cost is the amount voters put on it, which must
    be the same on every ballot (a project with an adjustable cost is refused); a
    project nobody chose has no known cost and is left out, with a warning. The
    second row (the platform's own allocation) is not used.
    """
    rows = csv_rows(raw, source, ",")
    header_line, header = rows[0]
    titles = _titles(header, ("Voter ID", "Voter Stage"), source, header_line)
    if len(rows) < 2 or rows[1][1][0].strip() != "Allocation":
        raise fail(
            source,
            rows[1][0] if len(rows) > 1 else header_line,
            "stanford-allocation",
            "the second row is not the Allocation row",
            "Allocation,,<amount>... under the header (a knapsacks_individual export)",
        )
    problems: list[Problem] = []
    amounts: dict[str, dict[Fraction, int]] = {title: {} for title in titles}
    voters: list[str] = []
    chosen_rows: list[tuple[str, ...]] = []
    lines: list[int] = []
    empty: list[tuple[str, int]] = []
    for line, cells in rows[2:]:
        if len(cells) != len(titles) + 2:
            problems.append(problem(source, line, "row", f"row has {len(cells)} fields", f"{len(titles) + 2}"))
            continue
        chosen: list[str] = []
        for k, cell in enumerate(cells[2:]):
            text = cell.strip()
            try:
                amount = parse_money(text or "0")
            except MoneyError:
                problems.append(
                    problem(
                        source,
                        line,
                        "knapsack-cell",
                        f"voter {cells[0].strip()!r}: {text!r} under {titles[k]!r} is not an amount",
                        "0 or the amount the voter put on the project",
                    )
                )
                continue
            if amount:
                chosen.append(titles[k])
                amounts[titles[k]].setdefault(amount, line)
        if not chosen:
            empty.append((cells[0].strip(), line))
            continue
        voters.append(cells[0].strip())
        chosen_rows.append(tuple(chosen))
        lines.append(line)
    for title, seen in amounts.items():
        if len(seen) > 1:
            listed = ", ".join(f"{format_money(a)} (line {line})" for a, line in sorted(seen.items()))
            problems.append(
                problem(
                    source,
                    min(seen.values()),
                    "adjustable-cost",
                    f"voters put different amounts on {title!r}: {listed}",
                    "one amount per project (adjustable-cost projects cannot be read as approval)",
                )
            )
    if problems:
        raise ProblemsError(problems)
    warnings = _empty_ballots_warning(source, empty, "chose")
    unknown = [title for title in titles if not amounts[title]]
    if unknown:
        warnings.append(
            warning(
                source,
                header_line,
                "missing-cost",
                f"no voter chose {', '.join(repr(t) for t in unknown)}: its cost is not in the file, "
                "so it is left out (it cannot be funded)",
            )
        )
    projects = [
        Project(
            project_id=title,
            cost=next(iter(amounts[title])),
            name=title,
            source=SourceLocation(file=source, line=next(iter(amounts[title].values()))),
        )
        for title in titles
        if amounts[title]
    ]
    warnings.append(
        warning(
            source,
            None,
            "knapsack-costs",
            "knapsacks_individual has no cost row: each project's cost is the amount its voters put on it",
        )
    )
    election = _election(source, budget, VoteType.APPROVAL, projects, voters, chosen_rows, None, lines, "knapsacks")
    return PotImport(election=election, warnings=warnings)


def read_tokens(raw: bytes, source: str, budget: Fraction, costs: dict[str, Fraction]) -> PotImport:
    """``tokens_individual.csv`` as cumulative ballots; ``costs`` by title (the file has none:
    take them from the same election's approvals_individual cost row)."""
    rows = csv_rows(raw, source, ",")
    header_line, header = rows[0]
    titles = _titles(header, ("Voter ID", "Authentication ID"), source, header_line)
    missing = [t for t in titles if t not in costs]
    if missing:
        raise fail(
            source,
            header_line,
            "missing-cost",
            f"no cost for {', '.join(repr(t) for t in missing)}",
            "the costs of every project (an approvals_individual file of the same election)",
        )
    problems: list[Problem] = []
    voters: list[str] = []
    items: list[tuple[str, ...]] = []
    points: list[tuple[int, ...]] = []
    lines: list[int] = []
    empty: list[tuple[str, int]] = []
    for line, cells in rows[1:]:
        if len(cells) != len(titles) + 2:
            problems.append(problem(source, line, "row", f"row has {len(cells)} fields", f"{len(titles) + 2}"))
            continue
        tokens = [whole_number(cell or "0") for cell in cells[2:]]
        if None in tokens:
            k = tokens.index(None)
            problems.append(
                problem(
                    source,
                    line,
                    "token-cell",
                    f"voter {cells[0].strip()!r}: {cells[k + 2]!r} under {titles[k]!r} is not a whole number",
                    "a whole number of tokens",
                )
            )
            continue
        given = [(titles[k], n) for k, n in enumerate(tokens) if n]
        if not given:
            empty.append((cells[0].strip(), line))
            continue
        voters.append(cells[0].strip())
        items.append(tuple(t for t, _ in given))
        points.append(tuple(int(n or 0) for _, n in given))
        lines.append(line)
    if problems:
        raise ProblemsError(problems)
    projects = [
        Project(project_id=t, cost=costs[t], name=t, source=SourceLocation(file=source, line=header_line))
        for t in titles
    ]
    election = _election(source, budget, VoteType.CUMULATIVE, projects, voters, items, points, lines, "tokens")
    return PotImport(election=election, warnings=_empty_ballots_warning(source, empty, "gave tokens to"))


def costs_of_approvals(raw: bytes, source: str) -> dict[str, Fraction]:
    """Each project's cost from an approvals_individual file's second row."""
    read = read_approvals(raw, source, Fraction(0))
    return {p.project_id: p.cost for p in read.election.projects}


def read_ranking(raw: bytes, source: str, budget: Fraction) -> PotImport:
    """``ranking_individual.csv`` as ordinal ballots; projects and costs from the cells.

    A project nobody ranked is in no cell, so it is not in the pot: a warning says so.
    """
    rows = csv_rows(raw, source, ",")
    header_line, header = rows[0]
    cells0 = [c.strip() for c in header]
    if (
        not cells0
        or cells0[0] != "Voter ID"
        or not all(re.fullmatch(r"Rank\d+", c) for c in cells0[1:])
        or len(cells0) < 2
    ):
        raise fail(
            source,
            header_line,
            "stanford-header",
            f"header starts {','.join(cells0[:2])!r}",
            "Voter ID,Rank1,Rank2,... (a Stanford PB ranking_individual export)",
        )
    problems: list[Problem] = []
    costs: dict[str, tuple[Fraction, int]] = {}
    voters: list[str] = []
    items: list[tuple[str, ...]] = []
    lines: list[int] = []
    for line, cells in rows[1:]:
        ranked: list[str] = []
        for cell in cells[1:]:
            text = cell.strip()
            if not text:
                continue
            match = _RANKED.match(text)
            cost: Fraction | None = None
            if match:
                try:
                    cost = parse_money(match["cost"].replace(",", ""))
                except MoneyError:
                    cost = None
            if match is None or cost is None:
                problems.append(
                    problem(
                        source,
                        line,
                        "ranking-cell",
                        f"voter {cells[0].strip()!r}: {text!r} is not a project title and cost",
                        "<title> ($<cost>), e.g. Park benches ($25000)",
                    )
                )
                break
            title = match["title"]
            if title in costs and costs[title][0] != cost:
                problems.append(
                    problem(
                        source,
                        line,
                        "duplicate-title",
                        f"{title!r} costs ${format_money(cost)} here and ${format_money(costs[title][0])} "
                        f"on line {costs[title][1]}: two projects with one title",
                        "distinct project titles",
                    )
                )
                break
            costs.setdefault(title, (cost, line))
            ranked.append(title)
        else:
            if ranked:
                voters.append(cells[0].strip())
                items.append(tuple(ranked))
                lines.append(line)
    if problems:
        raise ProblemsError(problems)
    projects = [
        Project(project_id=t, cost=c, name=t, source=SourceLocation(file=source, line=line))
        for t, (c, line) in costs.items()
    ]
    warnings = [
        warning(
            source,
            None,
            "unranked-projects",
            "ranking_individual names only projects someone ranked: a project nobody ranked is not in the pot",
        )
    ]
    election = _election(source, budget, VoteType.ORDINAL, projects, voters, items, None, lines, "ranking")
    # The ballot's length is the number of Rank columns (the election's max_n_projects):
    # the positional score counts from it, not from the longest ballot cast.
    meta = {**election.meta, "max_length": str(len(cells0) - 1)}
    return PotImport(election=election.model_copy(update={"meta": meta}), warnings=warnings)
