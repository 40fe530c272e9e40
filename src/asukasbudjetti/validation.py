"""Checks an election against pabulib's rules for its vote type: reads, never mutates.

The list of checks follows the pabulib checker (github.com/pabulib/checker) where a
check decides whether a ballot is valid, and goes further where the checker is
silent or lenient (it drops empty items such as ``1,,2`` without a word, and does
not report a project repeated inside a ballot). Every problem is either

- an **error**: the ballots cannot be tallied as written (an unknown project, a
  voter twice, a ballot longer than ``max_length``, points over the limit...), or
- a **warning**: a redundant summary disagrees with the ballots (``num_votes``,
  ``num_projects``, the PROJECTS ``votes``/``score`` columns), an approval ballot
  names a project twice (it counts once), or a ballot breaks a limit on its total
  (``min_sum_points``/``max_sum_points``, ``min_sum_cost``/``max_sum_cost``). Published
  files hold such ballots because the city counted them (six Warszawa 2018
  Praga-Południe baskets exceed ``max_sum_cost``, and the official outcome includes
  them), so a tally of the file as published must count them too; the pabulib
  checker grades them the same way. Warnings are shown and recorded, never
  fixed; ``strict=True`` turns them into errors.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from itertools import chain
from typing import Any

import numpy as np

from asukasbudjetti.errors import MoneyError
from asukasbudjetti.model import WITHDRAWN_COST, BallotTable, Election, VoteType
from asukasbudjetti.money import format_money, parse_money
from asukasbudjetti.problems import Problem, Severity

#: META keys that must hold whole numbers.
INTEGER_META = (
    "num_projects",
    "num_votes",
    "min_length",
    "max_length",
    "min_points",
    "max_points",
    "min_sum_points",
    "max_sum_points",
)
#: The largest whole number (META limits, points) the tally can count with: the
#: compiled profile holds points and positional scores as 64-bit integers.
LARGEST_NUMBER = 2**63 - 1
#: META keys that hold money.
MONEY_META = ("min_sum_cost", "max_sum_cost")


class _Collector:
    def __init__(self, election: Election) -> None:
        self.election = election
        self.problems: list[Problem] = []

    def add(
        self,
        severity: Severity,
        line: int | None,
        code: str,
        message: str,
        expected: str | None = None,
    ) -> None:
        self.problems.append(
            Problem(
                code=code,
                severity=severity,
                file=self.election.source,
                line=line,
                message=message,
                expected=expected,
            )
        )

    def error(self, line: int | None, code: str, message: str, expected: str | None = None) -> None:
        self.add(Severity.ERROR, line, code, message, expected)

    def warning(self, line: int | None, code: str, message: str, expected: str | None = None) -> None:
        self.add(Severity.WARNING, line, code, message, expected)


def validate(election: Election, *, strict: bool = False) -> list[Problem]:
    """Every problem in ``election``, in file order (META, PROJECTS, VOTES, summaries)."""
    check = _Collector(election)
    limits = _check_meta(check)
    _check_projects(check)
    supporters, points_sum = _check_ballots(check, limits)
    _check_summaries(check, supporters, points_sum)
    problems = sorted(check.problems, key=lambda p: (p.line is None, p.line or 0))
    if strict:
        problems = [p.as_error() for p in problems]
    return problems


class _Limits:
    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.min_sum_cost: Fraction | None = None
        self.max_sum_cost: Fraction | None = None


def _check_meta(check: _Collector) -> _Limits:
    election = check.election
    meta, lines = election.meta, election.meta_lines
    limits = _Limits()
    for key in INTEGER_META:
        text = meta.get(key)
        if text is None or text == "":
            continue
        try:
            value = int(text)
        except ValueError:
            check.error(lines.get(key), "bad-meta", f"META {key} is {text!r}", "a whole number")
            continue
        if abs(value) > LARGEST_NUMBER:
            check.error(
                lines.get(key),
                "bad-meta",
                f"META {key} is {text!r}",
                f"a whole number of at most {LARGEST_NUMBER}",
            )
            continue
        if value < 0 and key not in ("min_points", "max_points"):
            check.error(lines.get(key), "bad-meta", f"META {key} is {value}", "a whole number of at least 0")
            continue
        limits.numbers[key] = value
    for key in MONEY_META:
        text = meta.get(key)
        if text is None or text == "":
            continue
        try:
            amount = parse_money(text)
        except MoneyError as exc:
            check.error(lines.get(key), "bad-meta", f"META {key}: {exc}")
            continue
        if key == "min_sum_cost":
            limits.min_sum_cost = amount
        else:
            limits.max_sum_cost = amount
    threshold = meta.get("min_project_score_threshold")
    if threshold:
        try:
            parse_money(threshold)
        except MoneyError as exc:
            check.error(
                lines.get("min_project_score_threshold"),
                "bad-meta",
                f"META min_project_score_threshold: {exc}",
            )
    numbers = limits.numbers
    for low, high in (("min_length", "max_length"), ("min_points", "max_points"), ("min_sum_points", "max_sum_points")):
        if low in numbers and high in numbers and numbers[low] > numbers[high]:
            check.error(
                lines.get(low),
                "bad-meta",
                f"META {low} {numbers[low]} is larger than {high} {numbers[high]}",
                f"{low} <= {high}",
            )
    if election.vote_type is VoteType.CHOOSE_1:
        for key in ("min_length", "max_length"):
            if key in numbers and numbers[key] != 1:
                check.error(
                    lines.get(key),
                    "bad-meta",
                    f"META {key} is {numbers[key]} for choose-1 ballots",
                    f"{key} 1 (or no {key})",
                )
    return limits


def _check_projects(check: _Collector) -> None:
    election = check.election
    first_line: dict[str, int | None] = {}
    # META fully_funded 1 says every project was funded: the announced outcome must say so too.
    fully_funded = election.meta.get("fully_funded", "").strip() == "1" and "selected" in election.projects_header
    for project in election.projects:
        line = project.source.line if project.source else None
        if project.project_id in first_line:
            check.error(
                line,
                "duplicate-project",
                f"project {project.project_id!r} is listed again (first on line "
                f"{first_line[project.project_id]})",
                "each project_id once",
            )
            continue
        first_line[project.project_id] = line
        if project.cost == 0:
            check.warning(line, "zero-cost", f"project {project.project_id!r} costs 0", "a positive cost")
        elif project.cost > election.budget and project.cost != WITHDRAWN_COST:
            check.warning(
                line,
                "cost-over-budget",
                f"project {project.project_id!r} costs {format_money(project.cost)}, more than the "
                f"budget {format_money(election.budget)}; it can never be funded",
                "a cost within the budget",
            )
        if fully_funded and project.selected == 0 and project.cost != WITHDRAWN_COST:
            check.warning(
                line,
                "fully-funded-not-selected",
                f"META fully_funded is 1, but project {project.project_id!r} is not selected",
                "every project selected when fully_funded is 1",
            )
        if project.cost == WITHDRAWN_COST and project.selected in (1, 2, 3):
            check.error(
                line,
                "withdrawn-selected",
                f"project {project.project_id!r} has the withdrawn cost 999999999 but selected "
                f"{project.selected}",
                "selected 0 for a withdrawn project",
            )


#: One finding about a ballot's content: severity, code, message after "voter 'ID' ", expected.
_Finding = tuple[Severity, str, str, str | None]


class _BallotRules:
    """The checks that depend on a ballot's content alone (not on who cast it).

    Large cities repeat the same ballot thousands of times, so each distinct
    (projects, points) pair is checked once and its findings reused.
    """

    def __init__(self, election: Election, limits: _Limits) -> None:
        vote_type = election.vote_type
        numbers = limits.numbers
        self.vote_type = vote_type
        self.approval_like = vote_type.is_approval_like
        self.known = {p.project_id: p.cost for p in election.projects}
        self.project_ids = tuple(p.project_id for p in election.projects)
        self.known_ids = frozenset(self.known)
        self.min_length = 1 if vote_type is VoteType.CHOOSE_1 else numbers.get("min_length")
        self.max_length = 1 if vote_type is VoteType.CHOOSE_1 else numbers.get("max_length")
        self.shortest = self.min_length if self.min_length is not None else 0
        self.longest = self.max_length if self.max_length is not None else len(election.projects)
        self.min_points = numbers.get("min_points")
        self.max_points = numbers.get("max_points")
        self.min_sum = numbers.get("min_sum_points")
        self.max_sum = numbers.get("max_sum_points")
        self.limits = limits
        self.check_costs = self.approval_like and (
            limits.min_sum_cost is not None or limits.max_sum_cost is not None
        )

    def plainly_valid_counts(self, ballots: BallotTable) -> Counter[str] | None:
        """Each project's supporters when no ballot can have a finding (approval-like, known
        ids, lengths in range, no repeats), decided for all ballots at once with numpy;
        None when each ballot must be checked."""
        if ballots.points is not None or self.check_costs or not len(ballots):
            return None
        lengths, columns = ballots.flat_indices(self.project_ids)
        if int(lengths.min()) < self.shortest or int(lengths.max()) > self.longest:
            return None
        if int(columns.min()) < 0:
            return None  # an unknown project
        if _has_repeats(lengths, columns, len(self.project_ids)):
            return None
        counts = np.bincount(columns, minlength=len(self.project_ids))
        return Counter({p: int(c) for p, c in zip(self.project_ids, counts.tolist(), strict=True) if c})

    def findings(self, items: tuple[str, ...], points: tuple[int, ...] | None) -> tuple[list[_Finding], bool]:
        """The problems of one ballot, and whether its counts are usable."""
        if (
            points is None
            and not self.check_costs
            and self.known_ids.issuperset(items)
            and self.shortest <= len(items) <= self.longest
            and len(set(items)) == len(items)
        ):
            return [], True  # the common case, decided at C speed
        found: list[_Finding] = []
        unknown = [item for item in items if item not in self.known]
        for item in unknown:
            found.append(
                (
                    Severity.ERROR,
                    "unknown-project",
                    f"lists project {item!r}, which is not in PROJECTS",
                    "ids from the PROJECTS section",
                )
            )
        distinct = set(items)
        if len(distinct) != len(items):
            repeated = sorted({item for item in items if items.count(item) > 1})
            named = f"project{'s' if len(repeated) > 1 else ''} {', '.join(repr(r) for r in repeated)}"
            if self.approval_like:
                found.append(
                    (
                        Severity.WARNING,
                        "repeated-project",
                        f"lists {named} more than once; counted once",
                        "each project at most once per ballot",
                    )
                )
            else:
                kind = "a ranking" if self.vote_type is VoteType.ORDINAL else f"a {self.vote_type.value} ballot"
                found.append(
                    (
                        Severity.ERROR,
                        "repeated-project",
                        f"lists {named} more than once; {kind} cannot list a project twice",
                        "each project at most once per ballot",
                    )
                )
                return found, False
        length = len(distinct) if self.approval_like else len(items)
        if self.max_length is not None and length > self.max_length:
            found.append(
                (
                    Severity.ERROR,
                    "ballot-too-long",
                    f"lists {length} projects",
                    f"at most {self.max_length} (META max_length)"
                    if self.vote_type is not VoteType.CHOOSE_1
                    else "exactly 1 project on a choose-1 ballot",
                )
            )
        if self.min_length is not None and length < self.min_length:
            found.append(
                (
                    Severity.ERROR,
                    "ballot-too-short",
                    f"lists {length} project{'s' if length != 1 else ''}",
                    f"at least {self.min_length} (META min_length)",
                )
            )
        if points is not None:
            if len(points) != len(items):
                found.append(
                    (
                        Severity.ERROR,
                        "points-count",
                        f"gives {len(points)} points for {len(items)} projects",
                        "one number of points per listed project",
                    )
                )
                return found, False
            found.extend(self.points_findings(items, points))
        if self.check_costs and not unknown:
            found.extend(self.basket_findings(distinct))
        return found, not unknown

    def points_findings(self, items: tuple[str, ...], points: tuple[int, ...]) -> list[_Finding]:
        found: list[_Finding] = []
        for item, value in zip(items, points, strict=True):
            if abs(value) > LARGEST_NUMBER:
                found.append(
                    (
                        Severity.ERROR,
                        "points-too-large",
                        f"gives project {item!r} {value} points",
                        f"at most {LARGEST_NUMBER} points, plus or minus",
                    )
                )
            if self.max_points is not None and value > self.max_points:
                found.append(
                    (
                        Severity.ERROR,
                        "points-above-max",
                        f"gives project {item!r} {value} points",
                        f"at most {self.max_points} (META max_points)",
                    )
                )
            if self.min_points is not None and value < self.min_points:
                found.append(
                    (
                        Severity.ERROR,
                        "points-below-min",
                        f"gives project {item!r} {value} points",
                        f"at least {self.min_points} (META min_points)",
                    )
                )
        total = sum(points)
        if self.max_sum is not None and total > self.max_sum:
            found.append(
                (
                    Severity.WARNING,
                    "points-sum-above-max",
                    f"gives {total} points in all",
                    f"at most {self.max_sum} (META max_sum_points)",
                )
            )
        if self.min_sum is not None and total < self.min_sum:
            found.append(
                (
                    Severity.WARNING,
                    "points-sum-below-min",
                    f"gives {total} points in all",
                    f"at least {self.min_sum} (META min_sum_points)",
                )
            )
        return found

    def basket_findings(self, distinct: set[str]) -> list[_Finding]:
        found: list[_Finding] = []
        basket = sum((self.known[item] for item in distinct), Fraction(0))
        high, low = self.limits.max_sum_cost, self.limits.min_sum_cost
        if high is not None and basket > high:
            found.append(
                (
                    Severity.WARNING,
                    "basket-over-limit",
                    f"approves projects costing {format_money(basket)} in all",
                    f"at most {format_money(high)} (META max_sum_cost)",
                )
            )
        if low is not None and basket < low:
            found.append(
                (
                    Severity.WARNING,
                    "basket-under-limit",
                    f"approves projects costing {format_money(basket)} in all",
                    f"at least {format_money(low)} (META min_sum_cost)",
                )
            )
        return found


def _has_repeats(lengths: np.ndarray[Any, Any], columns: np.ndarray[Any, Any], projects: int) -> bool:
    """Whether some ballot lists a project twice (columns hold valid indices)."""
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    if hasattr(np, "bitwise_count"):  # numpy >= 2.0
        # One bit per project, 63 projects to a word: a ballot has a repeat iff it
        # sets fewer bits than it lists items.
        distinct = np.zeros(len(lengths), dtype=np.int64)
        word, bit = np.divmod(columns, 63)
        for w in range((projects + 62) // 63):
            bits = np.where(word == w, np.left_shift(np.int64(1), bit), np.int64(0))
            distinct += np.bitwise_count(np.bitwise_or.reduceat(bits, starts))
        return bool((distinct != lengths).any())
    return _has_repeats_by_sorting(lengths, columns, projects)


def _has_repeats_by_sorting(lengths: np.ndarray[Any, Any], columns: np.ndarray[Any, Any], projects: int) -> bool:
    """The same as :func:`_has_repeats`, for numpy without ``bitwise_count``."""
    rows = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    keys = np.sort(rows * projects + columns)
    return bool((keys[1:] == keys[:-1]).any())


def _check_ballots(check: _Collector, limits: _Limits) -> tuple[Counter[str], Counter[str]]:
    """Check every ballot; return each project's supporters and point total as counted."""
    election = check.election
    ballots = election.ballots
    rules = _BallotRules(election, limits)
    if rules.approval_like and "points" in ballots.extra:
        check.error(
            ballots.lines[0] if ballots.lines else None,
            "unexpected-points",
            f"{election.vote_type.value} ballots have a points column",
            "no points on approval and choose-1 ballots",
        )
    points_column = ballots.points
    lines = ballots.lines
    voter_ids = ballots.voter_ids
    repeated_voters: set[int] = set()
    if len(set(voter_ids)) != len(voter_ids):
        first_line: dict[str, int] = {}
        for i, voter_id in enumerate(voter_ids):
            line = lines[i] if lines else None
            if voter_id in first_line:
                repeated_voters.add(i)
                check.error(
                    line,
                    "duplicate-voter",
                    f"voter {voter_id!r} votes again (first on line {first_line[voter_id]})",
                    "one ballot per voter_id",
                )
            else:
                first_line[voter_id] = line or 0
    supporters = rules.plainly_valid_counts(ballots)
    if supporters is not None:
        return supporters, Counter()
    keys: Sequence[tuple[tuple[str, ...], tuple[int, ...] | None]] = (
        [(items, None) for items in ballots.projects]
        if points_column is None
        else list(zip(ballots.projects, points_column, strict=True))
    )
    counted: Counter[tuple[tuple[str, ...], tuple[int, ...] | None]] = Counter(keys)
    flagged: dict[tuple[tuple[str, ...], tuple[int, ...] | None], list[_Finding]] = {}
    for key in list(counted):
        found, usable = rules.findings(*key)
        if found:
            flagged[key] = found
        if not usable:
            del counted[key]
    if flagged:
        for i, key in enumerate(keys):
            findings = flagged.get(key)
            if findings is None or i in repeated_voters:
                continue
            for severity, code, message, expected in findings:
                check.add(severity, lines[i] if lines else None, code, f"voter {voter_ids[i]!r} {message}", expected)
    return _counts(check, ballots.projects, counted)


def _counts(
    check: _Collector,
    projects: Sequence[tuple[str, ...]],
    counted: Counter[tuple[tuple[str, ...], tuple[int, ...] | None]],
) -> tuple[Counter[str], Counter[str]]:
    """Each project's supporters and points, as the summaries are checked against."""
    if any(p.severity is Severity.ERROR for p in check.problems):
        return Counter(), Counter()  # the summaries are not checked against invalid ballots
    # A project repeated inside an approval ballot counts once: count sets.
    supporters: Counter[str] = Counter(chain.from_iterable(map(set, projects)))
    points_sum: Counter[str] = Counter()
    for (items, points), count in counted.items():
        if points is not None:
            for item, value in zip(items, points, strict=True):
                points_sum[item] += value * count
    return supporters, points_sum


def positional_scores(election: Election) -> Counter[str]:
    """Ordinal score: the project at position ``k`` (0-based) gets ``L - k`` points.

    ``L`` is META ``max_length``, else the longest ballot. This reproduces Kraków's
    published scores; pabutools' Borda variant gives the last-ranked project 0 instead.
    """
    ballots = election.ballots
    length = election.meta_int("max_length") if election.meta.get("max_length") else None
    if length is None:
        length = max((len(items) for items in ballots.projects), default=0)
    scores: Counter[str] = Counter()
    for items in ballots.projects:
        for k, item in enumerate(items):
            scores[item] += length - k
    return scores


def _check_summaries(check: _Collector, supporters: Counter[str], points_sum: Counter[str]) -> None:
    election = check.election
    meta, lines = election.meta, election.meta_lines
    counts = (("num_votes", len(election.ballots), "ballots"), ("num_projects", len(election.projects), "projects"))
    for key, actual, what in counts:
        text = meta.get(key)
        if text is None or text == "":
            continue
        try:
            declared = int(text)
        except ValueError:
            continue  # reported by _check_meta
        if declared != actual and declared >= 0:  # a negative count is already an error
            check.warning(
                lines.get(key),
                "summary-mismatch",
                f"META {key} says {declared} but the file has {actual} {what}",
                f"{key} {actual}",
            )
    if any(problem.severity is Severity.ERROR for problem in check.problems):
        return  # counts from invalid ballots would only add noise
    vote_type = election.vote_type
    if vote_type.has_points:
        scores: Counter[str] = points_sum
    elif vote_type is VoteType.ORDINAL:
        scores = positional_scores(election)
    else:
        scores = supporters
    for project in election.projects:
        line = project.source.line if project.source else None
        if project.declared_votes is not None and project.declared_votes != supporters[project.project_id]:
            check.warning(
                line,
                "summary-mismatch",
                f"project {project.project_id!r}: column votes says {project.declared_votes} but "
                f"{supporters[project.project_id]} ballots support it",
                f"votes {supporters[project.project_id]}",
            )
        if project.declared_score is not None and project.declared_score != scores[project.project_id]:
            check.warning(
                line,
                "summary-mismatch",
                f"project {project.project_id!r}: column score says "
                f"{format_money(project.declared_score) if project.declared_score >= 0 else project.declared_score} "
                f"but the ballots give {scores[project.project_id]}",
                f"score {scores[project.project_id]}",
            )
