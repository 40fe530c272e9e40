"""Running a whole budget cycle: every pot with its rule, decisions, then leftovers.

files (cycle TOML, projects CSV, ballots CSV) -> Cycle model -> pot amounts (split
by population where asked) -> ballots checked against the cycle's rules -> one
Election per pot -> the pot's rule -> leftover policy -> one Record.

A ballot that breaks a rule stops the tally with every problem listed; with
``exclude_invalid=True`` such ballots are left out instead, and each one is listed
with its reason in the result. Nothing is ever silently dropped or repaired.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from collections.abc import Sequence
from fractions import Fraction
from math import floor
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from asukasbudjetti.errors import InputError, ProblemsError
from asukasbudjetti.io.csv_ballots import BallotRow, ProjectRow, read_ballots, read_projects
from asukasbudjetti.io.importers import Place, add_paper_counts, read_cycle_rows, read_pot, relocate
from asukasbudjetti.io.importers import read_paper_counts as import_paper_counts
from asukasbudjetti.io.text import read_bytes, read_text
from asukasbudjetti.model import WITHDRAWN_COST, BallotTable, Election, Project, SourceLocation, VoteType
from asukasbudjetti.model.cycle import BallotRules, Cycle, Pot
from asukasbudjetti.model.record import (
    CouncilDecision,
    CycleInvocation,
    CycleRecord,
    InputDigest,
    LeftoverMove,
    PotOutcome,
    Record,
)
from asukasbudjetti.money import format_money, parse_money
from asukasbudjetti.problems import Problem, Severity
from asukasbudjetti.rules import RULES, rule_names
from asukasbudjetti.tally import load_election, make_record, tally_election
from asukasbudjetti.validation import validate

_VOTE_TYPE = {
    "approval": VoteType.APPROVAL,
    "choose-1": VoteType.CHOOSE_1,
    "knapsack": VoteType.APPROVAL,
    "cumulative": VoteType.CUMULATIVE,
    "ranking": VoteType.ORDINAL,
}


class LoadedCycle(BaseModel):
    """A cycle file with its pots' amounts worked out."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    path: str
    config: Cycle
    amounts: dict[str, Fraction]


def split_by_population(total: Fraction, unit: Fraction, populations: Sequence[int]) -> list[Fraction]:
    """Largest-remainder split of ``total`` in multiples of ``unit``; sums exactly to ``total``.

    Each pot gets the floor of its exact share (in units), then the whole units left go
    one each to the largest remainders (ties: larger population, then earlier pot), and
    any part below one unit to the next largest remainder. Every pot ends within one
    unit of its exact share, and all but at most one get whole multiples of the unit.
    """
    if unit <= 0:
        raise InputError("split unit must be positive")
    people = sum(populations)
    if people == 0:
        raise InputError("split by population needs at least one pot with residents")
    shares = [total * p / people for p in populations]
    base = [floor(share / unit) * unit for share in shares]
    remainders = [share - b for share, b in zip(shares, base, strict=True)]
    left = total - sum(base)
    units = floor(left / unit)
    order = sorted(range(len(populations)), key=lambda k: (-remainders[k], -populations[k], k))
    amounts = list(base)
    for k in order[:units]:
        amounts[k] += unit
    rest = left - units * unit
    if rest:
        # The part below one unit goes to the largest remainder not yet rounded up,
        # so every pot stays within one unit of its exact share.
        amounts[order[units]] += rest
    return amounts


def load_cycle(path: str | os.PathLike[str]) -> LoadedCycle:
    """Read and check a cycle TOML file."""
    source = str(path)
    text = read_text(path, source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib says "... (at line 3, column 8)": lead with the line, as every other message does.
        at = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        raise InputError(f"{source}:{at.group(1)}: {exc}" if at else f"{source}: {exc}") from exc
    try:
        config = Cycle.model_validate(data)
    except ValidationError as exc:
        invalid = [
            Problem(
                code="cycle",
                severity=Severity.ERROR,
                file=source,
                line=None,
                message=f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}",
            )
            for error in exc.errors()
        ]
        raise ProblemsError(invalid) from None
    names = [pot.name for pot in config.pots]
    problems: list[str] = []
    if len(set(names)) != len(names):
        problems.append("two pots have the same name")
    if sum(pot.kind == "citywide" for pot in config.pots) > 1:
        problems.append("more than one citywide pot")
    amounts: dict[str, Fraction] = {}
    if config.split is not None:
        missing = [p.name for p in config.pots if p.population is None and p.amount is None]
        if missing:
            problems.append(f"pots {', '.join(missing)} have neither a population nor an amount")
        split_pots = [p for p in config.pots if p.population is not None and p.amount is None]
        fixed = sum((parse_money(p.amount) for p in config.pots if p.amount is not None), Fraction(0))
        total = parse_money(config.split.total)
        if fixed > total:
            problems.append(f"fixed pot amounts {format_money(fixed)} exceed the split total {format_money(total)}")
        elif not split_pots and fixed != total:
            problems.append(
                f"the split total {format_money(total)} is not what the pots' fixed amounts add up to, "
                f"{format_money(fixed)}, and no pot has a population to take the rest"
            )
        elif split_pots and parse_money(config.split.unit) <= 0:
            problems.append("[split] unit is 0; expected a positive amount, such as 1 or 0.01")
        elif split_pots:
            split = split_by_population(
                total - fixed, parse_money(config.split.unit), [p.population or 0 for p in split_pots]
            )
            amounts.update({p.name: a for p, a in zip(split_pots, split, strict=True)})
    for pot in config.pots:
        if pot.amount is not None:
            amounts[pot.name] = parse_money(pot.amount)
        elif pot.name not in amounts:
            problems.append(f"pot {pot.name!r} has no amount (and no population in a [split])")
    for pot in config.pots:
        if pot.rule not in RULES:
            problems.append(f"pot {pot.name!r}: unknown rule {pot.rule!r}; choose one of: {', '.join(rule_names())}")
    if problems:
        raise InputError(f"{source}: " + "; ".join(problems))
    return LoadedCycle(path=source, config=config, amounts=amounts)


def _problem(source: str, line: int, message: str, expected: str | None = None) -> Problem:
    return Problem(
        code="ballot-rule", severity=Severity.ERROR, file=source, line=line, message=message, expected=expected
    )


def check_ballots(
    cycle: Cycle,
    amounts: dict[str, Fraction],
    projects: Sequence[ProjectRow],
    ballots: Sequence[BallotRow],
    source: str,
) -> list[Problem]:
    """Every ballot that breaks the cycle's rules, with its line (one problem per reason)."""
    pots = {pot.name: pot for pot in cycle.pots}
    pot_of = {p.project_id: p.pot for p in projects}
    costs = {p.project_id: p.cost for p in projects}
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    districts_of: dict[str, list[str]] = {}
    for ballot in ballots:
        voter, line = ballot.voter_id, ballot.line
        pot = pots.get(ballot.pot)
        if pot is None:
            problems.append(
                _problem(
                    source,
                    line,
                    f"voter {voter!r} votes in pot {ballot.pot!r}, which the cycle does not have",
                    f"one of {', '.join(pots)}",
                )
            )
            continue
        if (voter, pot.name) in seen:
            problems.append(
                _problem(
                    source,
                    line,
                    f"voter {voter!r} votes again in pot {pot.name!r} (first on line {seen[(voter, pot.name)]})",
                    "one ballot per voter and pot",
                )
            )
            continue
        seen[(voter, pot.name)] = line
        min_age = cycle.voters.min_age
        if min_age is not None and (ballot.age is None or ballot.age < min_age):
            told = "no age" if ballot.age is None else f"age {ballot.age}"
            problems.append(
                _problem(source, line, f"voter {voter!r} has {told}", f"at least {min_age} (voters.min_age)")
            )
        choose = cycle.voters.choose
        if pot.kind == "citywide" and choose == "one-district":
            problems.append(
                _problem(
                    source,
                    line,
                    f"voter {voter!r} votes in the citywide pot {pot.name!r}",
                    f"ballots in districts only (voters.choose = {choose})",
                )
            )
        if pot.kind == "district":
            districts_of.setdefault(voter, []).append(pot.name)
            if choose == "home-district" and pot.postal_codes and ballot.postal_code not in pot.postal_codes:
                problems.append(
                    _problem(
                        source,
                        line,
                        f"voter {voter!r} ({_postal(ballot.postal_code)}) votes in district {pot.name!r}",
                        "a ballot in the voter's home district only",
                    )
                )
            if choose in ("one-district", "home-district", "citywide-plus-one") and len(districts_of[voter]) > 1:
                problems.append(
                    _problem(
                        source,
                        line,
                        f"voter {voter!r} votes in a second district, {pot.name!r} (first: {districts_of[voter][0]!r})",
                        "a ballot in one district only",
                    )
                )
        problems.extend(_ballot_rule_problems(pot, amounts[pot.name], ballot, pot_of, costs, source))
    return problems


def _greedy_family(rule: str) -> bool:
    """Rules that honour exclusive groups and thresholds."""
    return rule.startswith("greedy") or rule == "top1-greedy"


def _postal(code: str | None) -> str:
    return f"postal code {code}" if code else "no postal code"


def _ballot_rule_problems(
    pot: Pot, amount: Fraction, ballot: BallotRow, pot_of: dict[str, str], costs: dict[str, Fraction], source: str
) -> list[Problem]:
    rules: BallotRules = pot.ballot
    voter, line, items = ballot.voter_id, ballot.line, ballot.projects
    found: list[Problem] = []
    for item in items:
        if pot_of.get(item) != pot.name:
            where = "not a project of the cycle" if item not in pot_of else f"a project of pot {pot_of[item]!r}"
            found.append(
                _problem(source, line, f"voter {voter!r} lists {item!r}, {where}", f"projects of pot {pot.name!r}")
            )
    if found:
        return found
    if len(set(items)) != len(items):
        found.append(_problem(source, line, f"voter {voter!r} lists a project twice", "each project once"))
    count = len(items)
    if rules.kind == "choose-1" and count != 1:
        found.append(_problem(source, line, f"voter {voter!r} lists {count} projects", "exactly 1 (choose-1)"))
    if rules.max_projects is not None and count > rules.max_projects:
        found.append(
            _problem(
                source,
                line,
                f"voter {voter!r} lists {count} projects",
                f"at most {rules.max_projects} in pot {pot.name!r}",
            )
        )
    if rules.min_projects is not None and count < rules.min_projects:
        found.append(
            _problem(
                source,
                line,
                f"voter {voter!r} lists {count} project{'s' if count != 1 else ''}",
                f"at least {rules.min_projects} in pot {pot.name!r}",
            )
        )
    if rules.kind == "knapsack":
        basket = sum((costs[item] for item in set(items)), Fraction(0))
        if basket > amount:
            found.append(
                _problem(
                    source,
                    line,
                    f"voter {voter!r} fills a basket of {format_money(basket)}",
                    f"at most the pot, {format_money(amount)}",
                )
            )
        if rules.min_share is not None and basket < parse_money(rules.min_share) * amount:
            found.append(
                _problem(
                    source,
                    line,
                    f"voter {voter!r} fills a basket of {format_money(basket)}",
                    f"at least {format_money(parse_money(rules.min_share) * amount)} ({rules.min_share} of the pot)",
                )
            )
    if rules.kind == "cumulative":
        if ballot.points is None or len(ballot.points) != count:
            found.append(
                _problem(
                    source,
                    line,
                    f"voter {voter!r} gives no points for each project",
                    "one number of points per listed project",
                )
            )
        else:
            if rules.max_points is not None and max(ballot.points) > rules.max_points:
                found.append(
                    _problem(
                        source,
                        line,
                        f"voter {voter!r} gives {max(ballot.points)} points to one project",
                        f"at most {rules.max_points}",
                    )
                )
            if rules.max_total_points is not None and sum(ballot.points) > rules.max_total_points:
                found.append(
                    _problem(
                        source,
                        line,
                        f"voter {voter!r} gives {sum(ballot.points)} points in all",
                        f"at most {rules.max_total_points}",
                    )
                )
            if min(ballot.points) < 0:
                found.append(_problem(source, line, f"voter {voter!r} gives negative points", "points of at least 0"))
    return found


class _Inputs(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    projects: list[ProjectRow]
    ballots: list[BallotRow]
    projects_source: str
    ballots_source: str
    paths: list[Path]
    paper: dict[str, int]
    pabulib: dict[str, Election]
    #: Imported rows: each row's ``line`` is a key here, its place in the export.
    places: dict[int, Place] = {}
    #: What the importers lost on the way (warnings, recorded).
    warnings: list[Problem] = []
    #: The outcome a platform's export announces (1 funded, 0 not), per project.
    declared_selected: dict[str, int] = {}


def _read_inputs(loaded: LoadedCycle) -> _Inputs:
    config = loaded.config
    base = Path(loaded.path).parent
    files = config.files
    imported_format = files.format != "csv"
    csv_pots = [p.name for p in config.pots if p.pabulib is None and p.files is None]
    if imported_format and files.export is None:
        raise InputError(f"{loaded.path}: [files] format = {files.format!r} needs export = the platform's export file")
    if imported_format and (files.projects is not None or files.ballots is not None):
        raise InputError(
            f"{loaded.path}: [files] format = {files.format!r} reads projects and ballots from export; "
            "expected no projects or ballots files beside it"
        )
    if not imported_format and files.export is not None:
        raise InputError(f"{loaded.path}: [files] export needs a format; expected format = one of the importers")
    if csv_pots and not imported_format and (files.projects is None or files.ballots is None):
        raise InputError(
            f"{loaded.path}: pots {', '.join(csv_pots)} have no pabulib file, so [files] needs projects and ballots"
        )
    # A name in the cycle file that leads nowhere is the cycle file's problem: say where it is named.
    named = [("projects", files.projects), ("ballots", files.ballots), ("paper_counts", files.paper_counts)]
    named += [("export", files.export)]
    named += [(f"pabulib of pot {pot.name!r}", pot.pabulib) for pot in config.pots]
    for pot in config.pots:
        if pot.files is not None:
            named += [
                (f"files.{key} of pot {pot.name!r}", name)
                for key, name in (
                    ("ballots", pot.files.ballots),
                    ("paper_counts", pot.files.paper_counts),
                    ("costs", pot.files.costs),
                )
            ]
    for key, name in named:
        if name is not None and not _is_file(base / name):
            raise InputError(
                f"{loaded.path}: {key} = {name!r} names no readable file ({base / name}); "
                "expected a file name relative to the cycle file"
            )
    paths = [Path(loaded.path)]
    projects: list[ProjectRow] = []
    ballots: list[BallotRow] = []
    projects_source = ballots_source = loaded.path
    paper: dict[str, int] = {}
    places: dict[int, Place] = {}
    warnings: list[Problem] = []
    declared_selected: dict[str, int] = {}
    if imported_format and files.export is not None:
        export_path = base / files.export
        projects_source = ballots_source = str(export_path)
        rows = read_cycle_rows(files.format, read_bytes(export_path), str(export_path), lang=files.lang)
        _check_imported_amounts(loaded, rows.budgets, str(export_path))
        projects, ballots, paper, places = rows.projects, rows.ballots, dict(rows.paper), rows.places
        warnings += rows.warnings
        declared_selected = rows.declared_selected
        paths.append(export_path)
    elif files.projects is not None and files.ballots is not None:
        projects_path, ballots_path = base / files.projects, base / files.ballots
        projects_source, ballots_source = str(projects_path), str(ballots_path)
        projects = read_projects(projects_path, projects_source)
        ballots = read_ballots(ballots_path, ballots_source, files.columns)
        paths += [projects_path, ballots_path]
    if files.paper_counts is not None:
        paper_path = base / files.paper_counts
        for project_id, votes in read_paper_counts(paper_path, str(paper_path)).items():
            paper[project_id] = paper.get(project_id, 0) + votes
        paths.append(paper_path)
    pabulib: dict[str, Election] = {}
    for pot in config.pots:
        if pot.pabulib is not None:
            pb_path = base / pot.pabulib
            pabulib[pot.name], _, _ = load_election(pb_path)
            paths.append(pb_path)
        elif pot.files is not None:
            pabulib[pot.name], found = _read_pot_files(pot, base, loaded.amounts[pot.name])
            warnings += found
            paths += [base / name for name in (pot.files.ballots, pot.files.paper_counts, pot.files.costs) if name]
    # Cycle-wide paper counts of a pabulib pot's projects go to that pot (greedy rules add them).
    for name, election in pabulib.items():
        mine = {p.project_id for p in election.projects} & set(paper)
        if mine:
            pabulib[name] = add_paper_counts(
                election, {p: paper[p] for p in mine}, {}, str(base / (files.paper_counts or ""))
            )
    return _Inputs(
        projects=projects,
        ballots=ballots,
        projects_source=projects_source,
        ballots_source=ballots_source,
        paths=paths,
        paper=paper,
        pabulib=pabulib,
        places=places,
        warnings=warnings,
        declared_selected=declared_selected,
    )


def _check_imported_amounts(loaded: LoadedCycle, budgets: dict[str, Fraction | None], source: str) -> None:
    """The export's pots are the cycle's, and where the export states an amount the cycle agrees."""
    pots = {pot.name for pot in loaded.config.pots if pot.pabulib is None and pot.files is None}
    missing = [name for name in pots if name not in budgets]
    if missing:
        raise InputError(
            f"{loaded.path}: pots {', '.join(sorted(missing))} are not in {source}; "
            f"expected pots named as the export's budgets: {', '.join(budgets)}"
        )
    for name, amount in budgets.items():
        if name in loaded.amounts and amount is not None and loaded.amounts[name] != amount:
            raise InputError(
                f"{loaded.path}: pot {name!r} has amount {format_money(loaded.amounts[name])}, "
                f"but {source} says {format_money(amount)}; expected the export's amount"
            )


def _read_pot_files(pot: Pot, base: Path, amount: Fraction) -> tuple[Election, list[Problem]]:
    """A pot's election from a platform export, checked as a pabulib file is, with paper counts."""
    assert pot.files is not None
    path = base / pot.files.ballots
    costs = None
    if pot.files.costs is not None:
        costs = (read_bytes(base / pot.files.costs), str(base / pot.files.costs))
    read = read_pot(pot.files.format, read_bytes(path), str(path), budget=amount, costs=costs)
    election, warnings = read.election, list(read.warnings)
    if pot.files.paper_counts is not None:
        paper_path = base / pot.files.paper_counts
        counts, lines = import_paper_counts(read_bytes(paper_path), str(paper_path))
        election = add_paper_counts(election, counts, lines, str(paper_path))
        warnings = [w for w in warnings if w.code != "paper-ballots"]
    found = validate(election)
    errors = [p for p in found if p.severity is Severity.ERROR]
    if errors:
        raise ProblemsError(errors)
    return election, warnings + [p for p in found if p.severity is Severity.WARNING]


def _is_file(path: Path) -> bool:
    """Whether ``path`` is a file; False (not an exception) for a name the system refuses, e.g. too long."""
    try:
        return path.is_file()
    except OSError:
        return False


def price_projects(
    cycle: Cycle, amounts: dict[str, Fraction], projects: Sequence[ProjectRow], source: str
) -> tuple[list[Problem], list[ProjectRow]]:
    """Check each project's cost against its pot's constraints; price it at the top of
    its cost band where the pot has bands. Returns the problems and the priced projects."""
    pots = {pot.name: pot for pot in cycle.pots}
    problems: list[Problem] = []
    priced: list[ProjectRow] = []
    for project in projects:
        pot = pots.get(project.pot)
        if pot is None:
            priced.append(project)
            continue
        cost = project.cost
        low = parse_money(pot.min_cost) if pot.min_cost is not None else None
        high = parse_money(pot.max_cost) if pot.max_cost is not None else None
        breaches = [
            (text, word)
            for text, word, broken in (
                (pot.min_cost, "at least", low is not None and cost < low),
                (pot.max_cost, "at most", high is not None and cost > high),
            )
            if broken
        ]
        for text, word in breaches:
            if text is not None:
                problems.append(
                    Problem(
                        code="project-cost",
                        severity=Severity.ERROR,
                        file=source,
                        line=project.line,
                        message=f"project {project.project_id!r} costs {format_money(cost)}",
                        expected=f"{word} {text} in pot {pot.name!r}",
                    )
                )
        if pot.max_cost_share is not None and cost > parse_money(pot.max_cost_share) * amounts[pot.name]:
            problems.append(
                Problem(
                    code="project-cost",
                    severity=Severity.ERROR,
                    file=source,
                    line=project.line,
                    message=f"project {project.project_id!r} costs {format_money(cost)}",
                    expected=f"at most {pot.max_cost_share} of the pot, "
                    f"{format_money(parse_money(pot.max_cost_share) * amounts[pot.name])}",
                )
            )
        if pot.cost_bands:
            tops = sorted(parse_money(top) for top in pot.cost_bands)
            band = next((top for top in tops if cost <= top), None)
            if band is None:
                problems.append(
                    Problem(
                        code="project-cost",
                        severity=Severity.ERROR,
                        file=source,
                        line=project.line,
                        message=f"project {project.project_id!r} costs {format_money(cost)}, above every band",
                        expected=f"at most the top band, {format_money(tops[-1])}",
                    )
                )
            else:
                project = project.model_copy(update={"cost": band})
        priced.append(project)
    return problems, priced


def _check_projects_and_decisions(loaded: LoadedCycle, inputs: _Inputs) -> None:
    """Projects in pots the cycle has; decisions naming known projects and fitting rules."""
    config = loaded.config
    pots = {pot.name: pot for pot in config.pots}
    unknown_pots = [p for p in inputs.projects if p.pot not in pots]
    if unknown_pots:
        raise ProblemsError(
            [
                relocate(
                    _problem(
                        inputs.projects_source,
                        p.line,
                        f"project {p.project_id!r} is in pot {p.pot!r}, which the cycle does not have",
                        f"one of {', '.join(pots)}",
                    ),
                    inputs.places,
                )
                for p in unknown_pots
            ]
        )
    pot_of = {p.project_id: p.pot for p in inputs.projects}
    for name, election in inputs.pabulib.items():
        pot_of.update({p.project_id: name for p in election.projects})
    for decision in config.decisions:
        missing = [p for p in decision.projects if p not in pot_of]
        if missing:
            raise InputError(f"{loaded.path}: decision {decision.kind} names unknown projects {', '.join(missing)}")
        if decision.kind == "exclusive":
            for pot_name in {pot_of[p] for p in decision.projects}:
                if not _greedy_family(pots[pot_name].rule):
                    raise InputError(
                        f"{loaded.path}: exclusive projects {', '.join(decision.projects)} are in pot {pot_name!r}, "
                        f"whose rule {pots[pot_name].rule} cannot honour exclusive groups; expected a greedy rule"
                    )
    unknown_paper = [p for p in inputs.paper if p not in pot_of]
    if unknown_paper:
        raise InputError(
            f"{config.files.paper_counts}: paper counts name unknown projects {', '.join(unknown_paper)}; "
            "expected project ids of the cycle"
        )
    if config.leftover.policy == "to-citywide" and not any(p.kind == "citywide" for p in config.pots):
        raise InputError(f"{loaded.path}: leftover policy to-citywide, but the cycle has no citywide pot")


def validate_cycle(path: str | os.PathLike[str]) -> str:
    """Check a cycle file, its projects and every ballot without tallying; a summary."""
    loaded = load_cycle(path)
    inputs = _read_inputs(loaded)
    _check_projects_and_decisions(loaded, inputs)
    problems, priced = price_projects(loaded.config, loaded.amounts, inputs.projects, inputs.projects_source)
    problems += check_ballots(loaded.config, loaded.amounts, priced, inputs.ballots, inputs.ballots_source)
    if problems:
        raise ProblemsError([relocate(p, inputs.places) for p in problems])
    ballots = len(inputs.ballots) + sum(len(e.ballots) for e in inputs.pabulib.values())
    projects = len(inputs.projects) + sum(len(e.projects) for e in inputs.pabulib.values())
    summary = f"{len(loaded.config.pots)} pots, {projects} projects, {ballots} ballots"
    # What the importers lost is part of the verdict: listed in the summary, never silent.
    return "; ".join([summary, *(str(w) for w in inputs.warnings)])


class _Prepared(BaseModel):
    """A cycle read and checked: inputs with projects priced, the ballots to count."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    loaded: LoadedCycle
    inputs: _Inputs
    ballots_by_pot: dict[str, list[BallotRow]]
    excluded: list[Problem]
    withdrawn: set[str]
    forced: set[str]
    exclusive: list[list[str]]


def _prepare(path: str | os.PathLike[str], exclude_invalid: bool) -> _Prepared:
    loaded = load_cycle(path)
    config = loaded.config
    inputs = _read_inputs(loaded)
    _check_projects_and_decisions(loaded, inputs)
    price_problems, projects = price_projects(config, loaded.amounts, inputs.projects, inputs.projects_source)
    if price_problems:
        raise ProblemsError([relocate(p, inputs.places) for p in price_problems])
    inputs = inputs.model_copy(update={"projects": projects})
    ballots = inputs.ballots
    problems = check_ballots(config, loaded.amounts, projects, ballots, inputs.ballots_source)
    excluded: list[Problem] = []
    if problems:
        if not exclude_invalid:
            raise ProblemsError([relocate(p, inputs.places) for p in problems])
        bad_lines = {p.line for p in problems}
        excluded = [
            relocate(p, inputs.places).model_copy(
                update={"severity": Severity.WARNING, "message": p.message + " (ballot left out)"}
            )
            for p in problems
        ]
        ballots = [b for b in ballots if b.line not in bad_lines]
    ballots_by_pot: dict[str, list[BallotRow]] = {}
    for ballot in ballots:
        ballots_by_pot.setdefault(ballot.pot, []).append(ballot)
    decisions = config.decisions
    return _Prepared(
        loaded=loaded,
        inputs=inputs,
        ballots_by_pot=ballots_by_pot,
        excluded=excluded,
        withdrawn={p for d in decisions if d.kind in ("withdrawn", "excluded") for p in d.projects},
        forced={p for d in decisions if d.kind == "force-funded" for p in d.projects},
        exclusive=[d.projects for d in decisions if d.kind == "exclusive"],
    )


def tally_cycle(path: str | os.PathLike[str], *, exclude_invalid: bool = False) -> Record:
    """Tally every pot of a cycle file, apply decisions and the leftover policy."""
    prepared = _prepare(path, exclude_invalid)
    loaded, inputs = prepared.loaded, prepared.inputs
    config = loaded.config
    excluded = prepared.excluded
    withdrawn, forced, exclusive = prepared.withdrawn, prepared.forced, prepared.exclusive
    ballots_by_pot = prepared.ballots_by_pot
    decisions = config.decisions
    order = [p for p in config.pots if p.kind == "district"] + [p for p in config.pots if p.kind == "citywide"]
    citywide = next((p for p in config.pots if p.kind == "citywide"), None)
    if config.leftover.order == "citywide-first" and citywide is not None:
        order = [citywide] + [p for p in config.pots if p.kind == "district"]
    results: dict[str, PotOutcome] = {}
    moves: list[LeftoverMove] = []
    budgets = dict(loaded.amounts)
    for pot in order:
        if pot is citywide and config.leftover.policy == "to-citywide" and config.leftover.order == "districts-first":
            for district in (p for p in config.pots if p.kind == "district"):
                left = results[district.name].left
                if left:
                    moves.append(LeftoverMove(source=district.name, target=pot.name, amount=left))
                    budgets[pot.name] += left
        results[pot.name] = _tally_pot(
            config, pot, budgets[pot.name], inputs, ballots_by_pot, withdrawn, forced, exclusive
        )
    if citywide is not None and config.leftover.policy == "to-citywide" and config.leftover.order == "citywide-first":
        top_up = Fraction(0)
        for district in (p for p in config.pots if p.kind == "district"):
            left = results[district.name].left
            if left:
                moves.append(LeftoverMove(source=district.name, target=citywide.name, amount=left))
                top_up += left
        if top_up:
            first = results[citywide.name]
            already = set(first.funded)
            second = _tally_pot(
                config,
                citywide,
                first.left + top_up,
                inputs,
                ballots_by_pot,
                withdrawn | already,
                forced - already,
                exclusive,
            )
            results[citywide.name + " (top-up)"] = second.model_copy(update={"pot": citywide.name + " (top-up)"})
    if config.leftover.policy == "carry-over":
        for name, result in results.items():
            if result.left:
                moves.append(LeftoverMove(source=name, target="next cycle", amount=result.left))
    digests = tuple(_digest(p) for p in inputs.paths)
    ordered = [results[p.name] for p in config.pots] + [r for n, r in results.items() if n.endswith("(top-up)")]
    return make_record(
        requested_rule="cycle",
        invocation=CycleInvocation(kind="cycle", exclude_invalid=exclude_invalid),
        inputs=digests,
        outcomes=ordered,
        warnings=[*inputs.warnings, *excluded],
        cycle=CycleRecord(
            name=config.cycle.name,
            decisions=tuple(
                CouncilDecision(kind=d.kind, projects=tuple(d.projects), reason=d.reason) for d in decisions
            ),
            leftover_moves=tuple(moves),
        ),
    )


def _digest(path: Path) -> InputDigest:
    raw = path.read_bytes()
    return InputDigest(file=path.name, size=len(raw), sha256=hashlib.sha256(raw).hexdigest())


def _tally_pot(
    config: Cycle,
    pot: Pot,
    budget: Fraction,
    inputs: _Inputs,
    ballots_by_pot: dict[str, list[BallotRow]],
    withdrawn: set[str],
    forced: set[str],
    exclusive: list[list[str]],
) -> PotOutcome:
    seed = pot.seed if pot.seed is not None else config.cycle.seed
    if pot.name in inputs.pabulib:
        return _tally_pabulib_pot(pot, budget, inputs.pabulib[pot.name], withdrawn, forced, exclusive, seed)
    election, pot_forced, forced_cost = _csv_pot_election(
        pot, budget, inputs, ballots_by_pot.get(pot.name, []), withdrawn, forced
    )
    outcome = _run_pot_rule(pot, election, seed, exclusive)
    if pot_forced:
        outcome = outcome.model_copy(
            update={
                "funded": tuple(p.project_id for p in pot_forced) + outcome.funded,
                "budget": budget,
                "spent": outcome.spent + min(forced_cost, budget),
                "left": budget - outcome.spent - min(forced_cost, budget),
            }
        )
    return outcome.model_copy(update={"pot": pot.name})


def _csv_pot_election(
    pot: Pot,
    budget: Fraction,
    inputs: _Inputs,
    rows: Sequence[BallotRow],
    withdrawn: set[str],
    forced: set[str],
) -> tuple[Election, list[ProjectRow], Fraction]:
    """A CSV pot's election as its rule sees it, its force-funded projects and their cost.

    Withdrawn and excluded projects get the withdrawn cost (every rule passes them
    over); force-funded projects are paid first, so they are left out and the rule
    shares what is left of the budget.
    """
    mine = [p for p in inputs.projects if p.pot == pot.name]
    pot_forced = [p for p in mine if p.project_id in forced]
    forced_cost = sum((p.cost for p in pot_forced), Fraction(0))
    if forced_cost > budget:
        raise InputError(
            f"{inputs.paths[0]}: pot {pot.name!r}: force-funded projects "
            f"{', '.join(p.project_id for p in pot_forced)} cost {format_money(forced_cost)}, more than the pot's "
            f"{format_money(budget)}; expected force-funded projects that fit the pot"
        )
    rest_budget = budget - forced_cost
    models = tuple(
        Project(
            project_id=p.project_id,
            cost=WITHDRAWN_COST if p.project_id in withdrawn else p.cost,
            name=p.name,
            extra_approvals=inputs.paper.get(p.project_id),
            selected=inputs.declared_selected.get(p.project_id),
            source=SourceLocation(file=inputs.projects_source, line=p.line),
        )
        for p in mine
        if p.project_id not in forced
    )
    remaining = {m.project_id for m in models}
    vote_type = _VOTE_TYPE[pot.ballot.kind]
    # A voter who listed only force-funded projects keeps her place (and endowment);
    # her points for a force-funded project go with it.
    kept = [[k for k, item in enumerate(b.projects) if item in remaining] for b in rows]
    table = BallotTable(
        voter_ids=tuple(b.voter_id for b in rows),
        projects=tuple(tuple(b.projects[k] for k in keep) for b, keep in zip(rows, kept, strict=True)),
        points=tuple(
            tuple(b.points[k] for k in keep) if b.points is not None else () for b, keep in zip(rows, kept, strict=True)
        )
        if vote_type.has_points
        else None,
        lines=tuple(b.line for b in rows),
        # The voters' attributes, for the analysis by group (asukasbudjetti analyse --groups).
        extra={
            "age": tuple("" if b.age is None else str(b.age) for b in rows),
            "postal_code": tuple(b.postal_code or "" for b in rows),
        },
    )
    meta = {"budget": format_money(rest_budget), "vote_type": vote_type.value, "rule": pot.rule, "subunit": pot.name}
    if pot.ballot.kind == "ranking" and pot.ballot.max_projects is not None:
        meta["max_length"] = str(pot.ballot.max_projects)
    # An export that announces the outcome (OmaStadi's and Decidim's `selected`, CONSUL's
    # winners) gets it compared, as a .pb file's `selected` column is.
    announced = any(m.selected is not None for m in models)
    election = Election(
        source=inputs.ballots_source,
        meta=meta,
        vote_type=vote_type,
        budget=rest_budget,
        projects=models,
        ballots=table,
        projects_header=("project_id", "cost", "name", "selected") if announced else ("project_id", "cost"),
    )
    return election, pot_forced, forced_cost


def _pabulib_pot_election(
    pot: Pot, budget: Fraction, election: Election, withdrawn: set[str], forced: set[str]
) -> Election:
    """A pabulib pot's election with the cycle's budget and withdrawals."""
    if forced & {p.project_id for p in election.projects}:
        raise InputError(f"pot {pot.name!r}: force-funded decisions are not supported for a pabulib pot")
    projects = tuple(
        p.model_copy(update={"cost": WITHDRAWN_COST}) if p.project_id in withdrawn else p for p in election.projects
    )
    meta = {**election.meta, "budget": format_money(budget), "rule": pot.rule}
    return election.model_copy(update={"budget": budget, "projects": projects, "meta": meta})


def _tally_pabulib_pot(
    pot: Pot,
    budget: Fraction,
    election: Election,
    withdrawn: set[str],
    forced: set[str],
    exclusive: list[list[str]],
    seed: int,
) -> PotOutcome:
    """A pot whose projects and ballots come from a pabulib file (budget from the cycle)."""
    adjusted = _pabulib_pot_election(pot, budget, election, withdrawn, forced)
    return _run_pot_rule(pot, adjusted, seed, exclusive).model_copy(update={"pot": pot.name})


def _run_pot_rule(pot: Pot, election: Election, seed: int, exclusive: list[list[str]]) -> PotOutcome:
    """The pot's rule, parameters and threshold on its election; exclusive groups
    narrowed to the pot's projects (greedy rules only; others were refused earlier)."""
    ids = {p.project_id for p in election.projects}
    groups = [[p for p in group if p in ids] for group in exclusive]
    result, _ = tally_election(
        election,
        rule=pot.rule,
        seed=seed,
        exclusive=[g for g in groups if len(g) > 1] if _greedy_family(pot.rule) else (),
        threshold=pot.threshold,
        params=list(pot.params.items()),
    )
    return result


def read_paper_counts(path: Path, source: str) -> dict[str, int]:
    """Paper votes per project (``project_id,votes``), every row checked."""
    import csv
    import io

    text = read_text(path, source)
    rows = list(csv.reader(io.StringIO(text.replace("\r\n", "\n"))))
    if not rows or [c.strip() for c in rows[0]][:2] != ["project_id", "votes"]:
        raise InputError(f"{source}:1: header is not project_id,votes; expected project_id,votes")
    counts: dict[str, int] = {}
    problems: list[Problem] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 2 or not (row[1].strip().isascii() and row[1].strip().isdigit()):
            problems.append(
                _problem(
                    source,
                    line,
                    f"row {','.join(row)!r} is not a project id and a vote count",
                    "project_id,votes with a whole number of votes",
                )
            )
            continue
        if row[0].strip() in counts:
            problems.append(
                _problem(source, line, f"project {row[0].strip()!r} is counted twice", "one row per project")
            )
            continue
        counts[row[0].strip()] = int(row[1])
    if problems:
        raise ProblemsError(problems)
    return counts


def pot_elections(path: str | os.PathLike[str], *, exclude_invalid: bool = False) -> dict[str, Election]:
    """Each pot's election as its rule first sees it in :func:`tally_cycle`, by pot name in file order.

    The budget is the pot's own amount: money a leftover policy would move in later
    is not added, since how much moves depends on the rules run. Council decisions
    are applied as the tally applies them (withdrawn and excluded projects cost
    :data:`~asukasbudjetti.model.WITHDRAWN_COST`; force-funded projects are paid
    first, so they are left out and their cost taken off the amount). The ballots are
    checked against the cycle's rules first (``exclude_invalid`` as for
    :func:`tally_cycle`). Each election's META ``rule`` is its pot's rule.
    """
    prepared = _prepare(path, exclude_invalid)
    elections: dict[str, Election] = {}
    for pot in prepared.loaded.config.pots:
        amount = prepared.loaded.amounts[pot.name]
        if pot.name in prepared.inputs.pabulib:
            elections[pot.name] = _pabulib_pot_election(
                pot, amount, prepared.inputs.pabulib[pot.name], prepared.withdrawn, prepared.forced
            )
        else:
            elections[pot.name], _, _ = _csv_pot_election(
                pot,
                amount,
                prepared.inputs,
                prepared.ballots_by_pot.get(pot.name, []),
                prepared.withdrawn,
                prepared.forced,
            )
    return elections
