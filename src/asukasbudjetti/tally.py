"""Running a rule on an election file: read, validate, compile, apply, compare.

This is the library's front door::

    from asukasbudjetti import tally_file
    result = tally_file("examples/kumpula.pb", rule="official")
    result.pots[0].outcome.funded

``rule="official"`` runs the rule the file declares (META ``rule``) with the
parameters the file declares (META ``min_project_score_threshold``); any other
name runs that rule, taking a threshold only from the ``threshold`` argument,
except ``greedy-threshold``, which falls back on the file's.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from asukasbudjetti.errors import InputError, MoneyError, ProblemsError
from asukasbudjetti.io.pabulib import read_pabulib_bytes
from asukasbudjetti.model import Election
from asukasbudjetti.money import format_money, parse_money
from asukasbudjetti.outcome import LeftoverMove, Outcome
from asukasbudjetti.problems import Problem, Severity
from asukasbudjetti.profile import compile_profile
from asukasbudjetti.rules import RuleOptions, check_ballots, check_vote_type, get_rule
from asukasbudjetti.rules.ties import DEFAULT_SEED
from asukasbudjetti.validation import validate

OFFICIAL = "official"
#: Reader problems after which the rest of the file cannot be checked meaningfully.
STRUCTURAL = frozenset(
    {"encoding", "syntax", "missing-section", "section-order", "duplicate-section", "missing-header",
     "missing-column", "duplicate-column", "missing-meta", "bad-budget"}
)
#: Validation findings that an unreadable value, read as a placeholder, would cause.
FROM_PLACEHOLDERS = frozenset({"zero-cost", "cost-over-budget", "summary-mismatch"})
#: Rules under which ``selected`` = 2 marks the reserve-funded project (Poznań).
RESERVE_RULES = frozenset({"greedy-custom"})


class InputDigest(BaseModel):
    """An input file as the record identifies it."""

    model_config = ConfigDict(frozen=True)

    file: str
    size: int
    sha256: str


class Announced(BaseModel):
    """The outcome the city announced (PROJECTS ``selected``), against ours.

    ``funded`` are the projects the rule should reproduce: ``selected`` = 1, plus 2
    under Poznań's reserve rule. ``outside_money`` were paid from money outside the
    file (``selected`` = 3, and 2 under other rules, e.g. Gdynia's turnout award):
    no rule can reproduce them from the ballots. ``missing`` were announced but not
    funded by us; ``extra`` funded by us but not announced.
    """

    model_config = ConfigDict(frozen=True)

    funded: tuple[str, ...]
    outside_money: tuple[str, ...]
    missing: tuple[str, ...]
    extra: tuple[str, ...]

    @property
    def matches(self) -> bool:
        return not self.missing and not self.extra


class PotResult(BaseModel):
    """One pot's outcome, with the announced outcome when the file has one."""

    model_config = ConfigDict(frozen=True)

    pot: str
    source: str
    outcome: Outcome
    announced: Announced | None = None
    #: Project names where the input has them (the record and report show them).
    names: dict[str, str] = {}
    #: For each unfunded project, how far it was from funding (``tally --margins``):
    #: project, extra_supporters, max_cost (exact text), method.
    margins: tuple[dict[str, str | int | None], ...] = ()


class TallyResult(BaseModel):
    """Everything a tally produced: the record is rendered from this alone."""

    model_config = ConfigDict(frozen=True)

    requested_rule: str
    inputs: tuple[InputDigest, ...]
    pots: tuple[PotResult, ...]
    warnings: tuple[Problem, ...]
    #: Everything needed to run the tally again (``asukasbudjetti verify`` does).
    invocation: dict[str, object] = {}
    #: For a cycle: its name, its council decisions, and the leftover movements.
    cycle: str | None = None
    decisions: tuple[dict[str, str | list[str]], ...] = ()
    leftover_moves: tuple[LeftoverMove, ...] = ()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building a large acyclic object graph.

    A large city's file becomes hundreds of thousands of small tuples that hold no
    reference cycles; the collector would walk all of them again and again (about a
    third of the time of reading Warszawa 2026) and find nothing to free.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_election(
    path: str | os.PathLike[str], *, strict: bool = False
) -> tuple[Election, list[Problem], InputDigest]:
    """Read and validate a ``.pb`` file.

    Returns the election, its warnings and its digest; raises
    :class:`~asukasbudjetti.errors.ProblemsError` with every problem (errors first)
    when there is any error.
    """
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{source}: cannot read the file: {exc.strerror or exc}") from exc
    digest = InputDigest(file=Path(path).name, size=len(raw), sha256=hashlib.sha256(raw).hexdigest())
    with _collector_paused():
        read = read_pabulib_bytes(raw, source)
        problems = list(read.problems)
        if read.election is not None and not problems:
            problems.extend(validate(read.election))
        elif read.election is not None and not any(p.code in STRUCTURAL for p in problems):
            # Row-level errors already: check the rest too, so that one run lists
            # everything, but leave out what the placeholders for unreadable values
            # (a cost or budget read as 0) would make up.
            problems.extend(p for p in validate(read.election) if p.code not in FROM_PLACEHOLDERS)
    if strict:
        problems = [p.as_error() for p in problems]
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors or read.election is None:
        warnings = [p for p in problems if p.severity is Severity.WARNING]
        raise ProblemsError(errors + warnings)
    return read.election, problems, digest


def tally_election(
    election: Election,
    *,
    rule: str = OFFICIAL,
    seed: int = DEFAULT_SEED,
    exclusive: Sequence[Sequence[str]] = (),
    threshold: Fraction | int | str | None = None,
    params: Sequence[tuple[str, str]] = (),
) -> tuple[PotResult, str]:
    """Run a rule on a validated election; returns the pot's result and the rule's name."""
    declared = election.declared_rule
    if rule == OFFICIAL:
        if declared is None:
            raise InputError(
                f"{election.source}: the file has no META rule, so --rule official has nothing to run; "
                "pass --rule NAME"
            )
        rule_line = election.meta_lines.get("rule")
        where = f"{election.source}:{rule_line}" if rule_line is not None else election.source
        spec = get_rule(declared, declared_in=where)
    else:
        spec = get_rule(rule)
    check_vote_type(spec, election.vote_type, election.source)
    chosen_threshold = _threshold(threshold)
    if chosen_threshold is None and (rule == OFFICIAL or spec.name == "greedy-threshold"):
        chosen_threshold = _declared_threshold(election)
    options = RuleOptions(
        seed=seed,
        exclusive=tuple(tuple(group) for group in exclusive),
        threshold=chosen_threshold,
        overrides=tuple(params),
    )
    with _collector_paused():
        profile = compile_profile(election)
    check_ballots(spec, profile)
    outcome = spec.run(profile, options)
    pot = PotResult(
        pot=election.pot_name,
        source=Path(election.source).name,
        outcome=outcome,
        announced=_announced(election, outcome),
        names={p.project_id: p.name for p in election.projects if p.name},
    )
    return pot, spec.name


def tally_file(
    path: str | os.PathLike[str],
    *,
    rule: str = OFFICIAL,
    seed: int = DEFAULT_SEED,
    exclusive: Sequence[Sequence[str]] = (),
    threshold: Fraction | int | str | None = None,
    params: Sequence[tuple[str, str]] = (),
    strict: bool = False,
    margins: bool = False,
) -> TallyResult:
    """Read, validate and tally one ``.pb`` file (one pot); ``margins`` adds, for each
    unfunded project, how far it was from funding (re-tallies: for small elections)."""
    election, warnings, digest = load_election(path, strict=strict)
    pot, _ = tally_election(
        election, rule=rule, seed=seed, exclusive=exclusive, threshold=threshold, params=params
    )
    if margins:
        from asukasbudjetti.margins import compute_margins

        found = compute_margins(
            election,
            rule=pot.outcome.rule,
            seed=seed,
            exclusive=exclusive,
            threshold=threshold if threshold is not None else _official_threshold(election, rule, pot.outcome.rule),
            params=params,
        )
        pot = pot.model_copy(
            update={
                "margins": tuple(
                    {
                        "project": m.project_id,
                        "extra_supporters": m.extra_supporters,
                        "max_cost": None if m.max_cost is None else format_money(m.max_cost),
                        "method": m.method,
                    }
                    for m in found.values()
                )
            }
        )
    chosen = _threshold(threshold)
    return TallyResult(
        requested_rule=rule,
        inputs=(digest,),
        pots=(pot,),
        warnings=tuple(warnings),
        invocation={
            "kind": "pabulib",
            "rule": rule,
            "seed": seed,
            "exclusive": [list(group) for group in exclusive],
            "threshold": None if chosen is None else format_money(chosen),
            "params": [[key, value] for key, value in params],
            "strict": strict,
            "margins": margins,
        },
    )


def _threshold(value: Fraction | int | str | None) -> Fraction | None:
    if value is None:
        return None
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    try:
        return parse_money(value)
    except MoneyError as exc:
        raise InputError(f"threshold: {exc}") from exc


def _official_threshold(election: Election, requested: str, rule: str) -> Fraction | None:
    """The threshold tally_election used when none was given."""
    if requested == OFFICIAL or rule == "greedy-threshold":
        return _declared_threshold(election)
    return None


def _declared_threshold(election: Election) -> Fraction | None:
    text = election.meta.get("min_project_score_threshold")
    if not text:
        return None
    return parse_money(text)  # validation has checked it


def _announced(election: Election, outcome: Outcome) -> Announced | None:
    if "selected" not in election.projects_header:
        return None
    reserve_marks_two = outcome.rule in RESERVE_RULES
    by_rule: list[str] = []
    outside: list[str] = []
    for project in election.projects:
        if project.selected == 1 or (project.selected == 2 and reserve_marks_two):
            by_rule.append(project.project_id)
        elif project.selected in (2, 3):
            outside.append(project.project_id)
    ours = set(outcome.funded)
    return Announced(
        funded=tuple(by_rule),
        outside_money=tuple(outside),
        missing=tuple(p for p in by_rule if p not in ours),
        extra=tuple(p for p in outcome.funded if p not in set(by_rule)),
    )
