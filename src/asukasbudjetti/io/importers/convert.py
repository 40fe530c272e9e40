"""Writing what was imported: a cycle folder (cycle.toml and our CSVs) or pabulib files.

Pure text builders (:func:`cycle_files`, :func:`pabulib_files`) and one writer
(:func:`write_files`) that writes every file atomically, so a failure leaves no file
half-written.
"""

from __future__ import annotations

import csv
import io
import re
from fractions import Fraction
from pathlib import Path

from asukasbudjetti.errors import InputError, OutputError
from asukasbudjetti.io.files import write_atomically
from asukasbudjetti.io.importers import CycleRows, PotImport, election_rows
from asukasbudjetti.io.pabulib import dumps_pabulib
from asukasbudjetti.model import Election, VoteType
from asukasbudjetti.money import format_money
from asukasbudjetti.problems import Problem

_KIND = {VoteType.APPROVAL: "approval", VoteType.CHOOSE_1: "choose-1", VoteType.CUMULATIVE: "cumulative"}


def pots_as_rows(pots: dict[str, PotImport], format: str, source: str) -> CycleRows:
    """Per-pot imports (one election each) as the rows of one cycle."""
    projects, ballots, paper = [], [], {}
    budgets: dict[str, Fraction | None] = {}
    kinds: dict[str, str] = {}
    rules: dict[str, str] = {}
    max_projects: dict[str, int] = {}
    selected: dict[str, int] = {}
    votes: dict[str, int] = {}
    warnings: list[Problem] = []
    seen: dict[str, str] = {}
    for pot, read in pots.items():
        election = read.election
        clash = [p.project_id for p in election.projects if p.project_id in seen]
        if clash:
            raise InputError(
                f"{election.source}: project ids {', '.join(clash[:5])} are also in {seen[clash[0]]}; "
                "expected each project id once in a cycle"
            )
        seen.update({p.project_id: election.source for p in election.projects})
        rows = election_rows(pot, election)
        projects += rows[0]
        ballots += rows[1]
        paper.update(rows[2])
        budgets[pot] = election.budget
        kinds[pot] = "ranking" if election.vote_type is VoteType.ORDINAL else _KIND.get(election.vote_type, "approval")
        if re.fullmatch(r"[0-9]+", election.meta.get("max_length", "").strip()):
            max_projects[pot] = int(election.meta["max_length"])
        if election.meta.get("rule"):
            rules[pot] = election.meta["rule"]
        selected.update({p.project_id: p.selected for p in election.projects if p.selected is not None})
        votes.update({p.project_id: p.declared_votes for p in election.projects if p.declared_votes is not None})
        warnings += read.warnings
    return CycleRows(
        source=source,
        format=format,
        budgets=budgets,
        kinds=kinds,
        rules=rules,
        max_projects=max_projects,
        projects=projects,
        ballots=ballots,
        paper=paper,
        declared_votes=votes,
        declared_selected=selected,
        warnings=warnings,
    )


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _toml_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def cycle_files(
    rows: CycleRows, amounts: dict[str, Fraction], name: str, known_rules: frozenset[str] = frozenset()
) -> dict[str, str]:
    """The files of a cycle folder holding ``rows``: cycle.toml, projects.csv, ballots.csv
    and, when there are counts, paper_counts.csv. Every pot needs an amount.

    A pot's rule is the one the export names when it is in ``known_rules``, else greedy.
    """
    missing = [pot for pot in rows.budgets if pot not in amounts]
    if missing:
        raise InputError(
            f"{rows.source}: the export states no amount for {', '.join(missing)}; expected --amount POT=AMOUNT"
        )
    lines = [
        f"# Converted from {rows.format} ({Path(rows.source).name}) by asukasbudjetti convert.",
        *(f"# {str(w).replace(chr(10), ' ')}" for w in rows.warnings),
        "",
        "[cycle]",
        f"name = {_toml_text(name)}",
        "",
        "[files]",
        'projects = "projects.csv"',
        'ballots = "ballots.csv"',
    ]
    if rows.paper:
        lines.append('paper_counts = "paper_counts.csv"')
    for pot in rows.budgets:
        kind = rows.kinds.get(pot, "approval")
        lines += [
            "",
            "[[pots]]",
            f"name = {_toml_text(pot)}",
            f"amount = {_toml_text(format_money(amounts[pot]))}",
            f"rule = {_toml_text(rows.rules[pot] if rows.rules.get(pot) in known_rules else 'greedy')}",
            f'ballot = {{ kind = "{kind}"{_longest(rows, pot)} }}',
        ]
    files = {
        "cycle.toml": "\n".join(lines) + "\n",
        "projects.csv": _csv(
            [["project_id", "pot", "cost", "name"]]
            + [[p.project_id, p.pot, format_money(p.cost), p.name or ""] for p in rows.projects]
        ),
        "ballots.csv": _csv(
            [["voter_id", "pot", "projects", "points", "age", "postal_code"]]
            + [
                [
                    b.voter_id,
                    b.pot,
                    ",".join(b.projects),
                    ",".join(str(x) for x in b.points) if b.points is not None else "",
                    "" if b.age is None else str(b.age),
                    b.postal_code or "",
                ]
                for b in rows.ballots
            ]
        ),
    }
    if rows.paper:
        files["paper_counts.csv"] = _csv([["project_id", "votes"]] + [[p, str(n)] for p, n in rows.paper.items()])
    return files


def _longest(rows: CycleRows, pot: str) -> str:
    """``, max_projects = N`` where the export limits a ballot's length and a ballot obeys it."""
    limit = rows.max_projects.get(pot)
    if limit is None or limit < 1 or any(len(b.projects) > limit for b in rows.ballots if b.pot == pot):
        return ""
    return f", max_projects = {limit}"


def file_name(pot: str) -> str:
    """A pot's name as a file name (letters, digits, ``-`` and ``_``; others become ``_``)."""
    return re.sub(r"[^\w\-]+", "_", pot).strip("_") or "pot"


def pabulib_files(elections: dict[str, Election]) -> dict[str, str]:
    """One ``.pb`` text per pot, named after the pot."""
    files: dict[str, str] = {}
    for pot, election in elections.items():
        name = file_name(pot) + ".pb"
        if name in files:
            raise InputError(f"two pots would both be written as {name}; expected pot names that differ in letters")
        files[name] = dumps_pabulib(election)
    return files


def write_files(folder: Path, files: dict[str, str]) -> None:
    """Write every file into ``folder`` (made if missing), each atomically."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot make the folder: {exc.strerror or exc}") from exc
    for name, text in files.items():
        write_atomically(folder / name, text)


def _pairs(texts: tuple[str, ...], what: str, names: list[str]) -> dict[str, str]:
    """``POT=VALUE`` options; a bare ``VALUE`` is allowed when there is one pot."""
    pairs: dict[str, str] = {}
    for text in texts:
        pot, sep, value = text.rpartition("=")
        if not sep:
            if len(names) != 1:
                raise InputError(f"{what} {text!r} names no pot; expected POT={text} (pots: {', '.join(names)})")
            pot, value = names[0], text
        pairs[pot] = value
    return pairs


def import_inputs(
    format: str,
    inputs: tuple[str, ...],
    *,
    amounts: tuple[str, ...] = (),
    paper: tuple[str, ...] = (),
    costs: str | None = None,
    lang: str | None = None,
) -> tuple[CycleRows, dict[str, Fraction]]:
    """Read exports for ``convert``: the cycle rows and every pot's amount.

    Per-pot formats take one file per pot (the pot is named after the file, or
    pabulib's ``subunit``); ``amounts`` and ``paper`` are ``POT=...`` texts.
    """
    from asukasbudjetti.io.importers import (
        CYCLE_FORMATS,
        NO_BUDGET,
        POT_FORMATS,
        add_paper_counts,
        read_cycle_rows,
        read_paper_counts,
        read_pot,
    )
    from asukasbudjetti.io.text import read_bytes
    from asukasbudjetti.money import parse_money

    if format in CYCLE_FORMATS:
        if len(inputs) != 1:
            raise InputError(f"a {format} export is one file, not {len(inputs)}")
        rows = read_cycle_rows(format, read_bytes(inputs[0]), inputs[0], lang=lang)
        names = list(rows.budgets)
        given = {pot: parse_money(text) for pot, text in _pairs(amounts, "--amount", names).items()}
        unknown = [pot for pot in given if pot not in rows.budgets]
        if unknown:
            raise InputError(f"--amount names {', '.join(unknown)}, not pots of {inputs[0]} ({', '.join(names)})")
        stated = {pot: amount for pot, amount in rows.budgets.items() if amount is not None}
        return rows, {**stated, **given}
    if format not in POT_FORMATS:
        raise InputError(f"unknown format {format!r}; expected one of {', '.join(POT_FORMATS + CYCLE_FORMATS)}")
    names = [Path(path).stem for path in inputs]
    if len(set(names)) != len(names):
        raise InputError("two inputs have the same file name; expected one file per pot, named after the pot")
    given = {pot: parse_money(text) for pot, text in _pairs(amounts, "--amount", names).items()}
    papers = _pairs(paper, "--paper", names)
    unknown = [pot for pot in [*given, *papers] if pot not in names]
    if unknown:
        raise InputError(f"--amount/--paper name {', '.join(unknown)}, not one of the inputs ({', '.join(names)})")
    cost_file = (read_bytes(costs), costs) if costs is not None else None
    pots: dict[str, PotImport] = {}
    for name, path in zip(names, inputs, strict=True):
        if format in NO_BUDGET and name not in given:
            raise InputError(f"{path}: a {format} file states no budget; expected --amount {name}=AMOUNT")
        read = read_pot(format, read_bytes(path), path, budget=given.get(name), costs=cost_file)
        election = read.election
        if name in given:
            election = election.model_copy(update={"budget": given[name]})
        if name in papers:
            counts, lines = read_paper_counts(read_bytes(papers[name]), papers[name])
            election = add_paper_counts(election, counts, lines, papers[name])
            read = read.model_copy(update={"warnings": [w for w in read.warnings if w.code != "paper-ballots"]})
        pot = (election.meta.get("subunit") or name) if format == "pabulib" else name
        pots[pot] = read.model_copy(update={"election": election})
    rows = pots_as_rows(pots, format, inputs[0])
    return rows, {pot: read.election.budget for pot, read in pots.items()}
