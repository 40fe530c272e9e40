"""Running a rule on an election file: read, validate, compile, apply, compare.

This is the library's front door::

    from asukasbudjetti import tally_file
    record = tally_file("examples/kumpula.pb", rule="official")
    record.outcomes[0].funded

The result is the :class:`~asukasbudjetti.model.record.Record` that everything after
the tally reads. Margins are not computed here but above the tally
(:func:`asukasbudjetti.audit.margins.tally_file_with_margins`).

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

from asukasbudjetti.errors import (
    AsukasbudjettiError,
    InputError,
    MoneyError,
    ProblemsError,
    RuleError,
    UnknownRuleError,
)
from asukasbudjetti.io.pabulib import read_pabulib_bytes
from asukasbudjetti.io.text import read_bytes
from asukasbudjetti.model import Election
from asukasbudjetti.model.outcome import Outcome
from asukasbudjetti.model.record import (
    SCHEMA_VERSION,
    Announced,
    CycleInvocation,
    CycleRecord,
    Generator,
    InputDigest,
    PabulibInvocation,
    PotOutcome,
    Record,
    RecordWarning,
)
from asukasbudjetti.money import parse_money
from asukasbudjetti.problems import Problem, Severity
from asukasbudjetti.profile import compile_profile
from asukasbudjetti.rules import RULES, RuleOptions, RuleSpec, check_ballots, check_vote_type, get_rule, rule_names
from asukasbudjetti.rules.ties import DEFAULT_SEED
from asukasbudjetti.validation import validate
from asukasbudjetti.version import __version__

OFFICIAL = "official"
#: Reader problems after which the rest of the file cannot be checked meaningfully.
STRUCTURAL = frozenset(
    {
        "encoding",
        "syntax",
        "missing-section",
        "section-order",
        "duplicate-section",
        "missing-header",
        "missing-column",
        "duplicate-column",
        "missing-meta",
        "bad-budget",
    }
)
#: Validation findings that an unreadable value, read as a placeholder, would cause.
FROM_PLACEHOLDERS = frozenset({"zero-cost", "cost-over-budget", "summary-mismatch"})
#: Rules under which ``selected`` = 2 marks the reserve-funded project (Poznań).
RESERVE_RULES = frozenset({"greedy-custom"})


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


def load_election(path: str | os.PathLike[str], *, strict: bool = False) -> tuple[Election, list[Problem], InputDigest]:
    """Read and validate a ``.pb`` file.

    Returns the election, its warnings and its digest; raises
    :class:`~asukasbudjetti.errors.ProblemsError` with every problem (errors first)
    when there is any error.
    """
    source = str(path)
    raw = read_bytes(path, source)
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


def resolve_rule(
    election: Election,
    *,
    rule: str = OFFICIAL,
    seed: int = DEFAULT_SEED,
    exclusive: Sequence[Sequence[str]] = (),
    threshold: Fraction | int | str | None = None,
    params: Sequence[tuple[str, str]] = (),
    city_defaults: bool = True,
) -> tuple[RuleSpec, RuleOptions]:
    """The rule :func:`tally_election` runs on ``election`` and the options it runs it with.

    Whatever re-runs a rule on changed copies of a compiled profile (margins, the
    diagnosis) takes both from here, so that it runs exactly what the tally ran.
    """
    declared = election.declared_rule
    if rule == OFFICIAL:
        if declared is None:
            raise InputError(
                f"{election.source}: the file has no META rule, so --rule official has nothing to run; pass --rule NAME"
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
    overrides = tuple(params)
    if rule == OFFICIAL and city_defaults:
        # The parameters the cities used, unless the caller sets them (recorded in the outcome's params).
        given = {key for key, _ in overrides}
        overrides = tuple((key, value) for key, value in spec.official if key not in given) + overrides
    options = RuleOptions(
        seed=seed,
        exclusive=tuple(tuple(group) for group in exclusive),
        threshold=chosen_threshold,
        overrides=overrides,
    )
    return spec, options


def tally_election(
    election: Election,
    *,
    rule: str = OFFICIAL,
    seed: int = DEFAULT_SEED,
    exclusive: Sequence[Sequence[str]] = (),
    threshold: Fraction | int | str | None = None,
    params: Sequence[tuple[str, str]] = (),
    city_defaults: bool = True,
) -> tuple[PotOutcome, str]:
    """Run a rule on a validated election; returns the pot's outcome and the rule's name.

    Under ``rule="official"`` the declared rule runs with the parameters the cities
    used (:attr:`~asukasbudjetti.rules.RuleSpec.official`: ties by the published
    order, add1 without the exhaustive stop) unless ``params`` sets them, or
    ``city_defaults`` is false (a budget cycle's pot, whose file states its own
    parameters).
    """
    spec, options = resolve_rule(
        election,
        rule=rule,
        seed=seed,
        exclusive=exclusive,
        threshold=threshold,
        params=params,
        city_defaults=city_defaults,
    )
    with _collector_paused():
        profile = compile_profile(election)
    check_ballots(spec, profile)
    outcome = spec.run(profile, options)
    pot = PotOutcome.of(
        outcome,
        pot=election.pot_name,
        source=Path(election.source).name,
        announced=_announced(election, outcome),
        names={p.project_id: p.name for p in election.projects if p.name},
    )
    return pot, spec.name


class RuleRefusal(BaseModel):
    """A rule that does not run on this election, and why (e.g. its vote type)."""

    model_config = ConfigDict(frozen=True)

    rule: str
    reason: str


def check_rule_names(rules: Sequence[str], *, default: str | None = None) -> tuple[str, ...]:
    """Rules to run side by side, checked: known names (or ``official``), each once, at
    least one (``default`` alone when none is given and there is one).

    Raises :class:`~asukasbudjetti.errors.UnknownRuleError` (listing the known names)
    or :class:`~asukasbudjetti.errors.RuleError`.
    """
    names = tuple(rules) or ((default,) if default is not None else ())
    if not names:
        raise RuleError("no rules to compare; expected one or more rule names, e.g. greedy,equalshares/add1")
    if "" in names:
        raise RuleError(f"{','.join(names)!r}: expected rule names separated by commas, e.g. greedy,equalshares/add1")
    for name in names:
        if name != OFFICIAL and name not in RULES:
            raise UnknownRuleError(name, [OFFICIAL, *rule_names()])
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise RuleError(f"{', '.join(repeated)} listed more than once; expected each rule once")
    return names


def tally_rules(
    election: Election,
    rules: Sequence[str],
    *,
    seed: int = DEFAULT_SEED,
    exclusive: Sequence[Sequence[str]] = (),
    official_params: Sequence[tuple[str, str]] = (),
    cycle_pot: bool = False,
) -> tuple[list[tuple[str, PotOutcome, str]], list[RuleRefusal]]:
    """Each rule on one validated election: (name asked, outcome, rule run) per rule that
    runs, and the refusals (a rule that cannot run is listed with its reason, not raised).

    ``exclusive`` groups (a cycle's council decisions) go to every greedy rule, which
    honours them; any other rule cannot, so it is refused, as a cycle refuses it.
    ``official_params`` go to the ``official`` rule only (a cycle pot's parameters); for
    a ``cycle_pot`` ``official`` is the pot's rule as the cycle runs it, without the
    defaults of the cities' published files.
    """
    ran: list[tuple[str, PotOutcome, str]] = []
    refused: list[RuleRefusal] = []
    for name in rules:
        resolved = election.declared_rule if name == OFFICIAL else name
        greedy = resolved is not None and resolved.startswith("greedy")
        if exclusive and resolved is not None and not greedy:
            groups = "; ".join(", ".join(group) for group in exclusive)
            reason = (
                f"{election.source}: rule {resolved} cannot honour the exclusive projects ({groups}); "
                "expected a greedy rule"
            )
            refused.append(RuleRefusal(rule=name, reason=reason))
            continue
        try:
            pot, spec_name = tally_election(
                election,
                rule=name,
                seed=seed,
                exclusive=exclusive if greedy else (),
                params=official_params if name == OFFICIAL else (),
                city_defaults=not cycle_pot,
            )
        except AsukasbudjettiError as exc:
            refused.append(RuleRefusal(rule=name, reason=str(exc)))
            continue
        ran.append((name, pot, spec_name))
    return ran, refused


def tally_file(
    path: str | os.PathLike[str],
    *,
    rule: str = OFFICIAL,
    seed: int = DEFAULT_SEED,
    exclusive: Sequence[Sequence[str]] = (),
    threshold: Fraction | int | str | None = None,
    params: Sequence[tuple[str, str]] = (),
    strict: bool = False,
) -> Record:
    """Read, validate and tally one ``.pb`` file (one pot); the result record."""
    record, _ = tally_file_and_election(
        path, rule=rule, seed=seed, exclusive=exclusive, threshold=threshold, params=params, strict=strict
    )
    return record


def tally_file_and_election(
    path: str | os.PathLike[str],
    *,
    rule: str = OFFICIAL,
    seed: int = DEFAULT_SEED,
    exclusive: Sequence[Sequence[str]] = (),
    threshold: Fraction | int | str | None = None,
    params: Sequence[tuple[str, str]] = (),
    strict: bool = False,
) -> tuple[Record, Election]:
    """:func:`tally_file`, and the election it read: for what runs above the tally on the
    same election (margins, the diagnosis), so that the file is read and validated once."""
    election, warnings, digest = load_election(path, strict=strict)
    record = tally_loaded(
        election,
        warnings,
        digest,
        rule=rule,
        seed=seed,
        exclusive=exclusive,
        threshold=threshold,
        params=params,
        strict=strict,
    )
    return record, election


def tally_loaded(
    election: Election,
    warnings: Sequence[Problem],
    digest: InputDigest,
    *,
    rule: str = OFFICIAL,
    seed: int = DEFAULT_SEED,
    exclusive: Sequence[Sequence[str]] = (),
    threshold: Fraction | int | str | None = None,
    params: Sequence[tuple[str, str]] = (),
    strict: bool = False,
) -> Record:
    """The record of a tally of an election :func:`load_election` has read (its warnings and digest)."""
    pot, _ = tally_election(election, rule=rule, seed=seed, exclusive=exclusive, threshold=threshold, params=params)
    if pot.rule == "greedy-exclusive" and not exclusive:
        warnings = [*warnings, _no_exclusive_groups(election)]
    invocation = PabulibInvocation(
        kind="pabulib",
        rule=rule,
        seed=seed,
        exclusive=tuple(tuple(group) for group in exclusive),
        threshold=_threshold(threshold),
        params=tuple((key, value) for key, value in params),
        strict=strict,
        margins=False,
    )
    return make_record(requested_rule=rule, invocation=invocation, inputs=(digest,), outcomes=(pot,), warnings=warnings)


def _no_exclusive_groups(election: Election) -> Problem:
    """greedy-exclusive with no groups is plain greedy: say so rather than let it pass unnoticed."""
    return Problem(
        code="exclusive-without-groups",
        severity=Severity.WARNING,
        file=election.source,
        line=election.meta_lines.get("rule"),
        message="the file declares greedy-exclusive but no groups were given; its META comment may state them",
        expected="--exclusive ID,ID,... for each group of mutually exclusive projects",
    )


def make_record(
    *,
    requested_rule: str,
    invocation: PabulibInvocation | CycleInvocation,
    inputs: Sequence[InputDigest],
    outcomes: Sequence[PotOutcome],
    warnings: Sequence[Problem],
    cycle: CycleRecord | None = None,
) -> Record:
    """The record of a tally, written by this version of the program."""
    return Record(
        schema_version=SCHEMA_VERSION,
        generator=Generator(name="asukasbudjetti", version=__version__),
        requested_rule=requested_rule,
        invocation=invocation,
        inputs=tuple(inputs),
        outcomes=tuple(outcomes),
        warnings=tuple(
            RecordWarning(file=Path(w.file).name, line=w.line, code=w.code, message=str(w)) for w in warnings
        ),
        cycle=cycle,
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
    missing = tuple(p for p in by_rule if p not in ours)
    extra = tuple(p for p in outcome.funded if p not in set(by_rule))
    return Announced(
        funded=tuple(by_rule),
        outside_money=tuple(outside),
        missing=missing,
        extra=extra,
        matches=not missing and not extra,
    )
