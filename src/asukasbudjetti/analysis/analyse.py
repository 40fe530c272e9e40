"""Analyse outcomes: run the rules, then check proportionality and measure satisfaction, per pot.

``analyse_file("city.pb", rules=["official", "equalshares/add1"], groupings=[...])``
runs each rule as the tally runs it (``official`` is the file's own rule, i.e. the
record's outcome), and for each outcome:

* the satisfaction measures (cost and cardinality) over every voter;
* EJR, EJR up to one project, PJR and PJR up to one project for both measures
  (approval and choose-1 ballots), each decided exactly or said to be undecided
  within the time limit; for points and rankings the same four with the ballots'
  additive utilities (:mod:`asukasbudjetti.analysis.additive`);
* the measures per group of residents for each grouping asked for.

A cycle ``.toml`` is analysed pot by pot, each on its own election (its own amount,
council decisions applied), as :mod:`asukasbudjetti.audit.compare` compares it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from asukasbudjetti.analysis.additive import ADDITIVE_PROPERTIES, check_additive
from asukasbudjetti.analysis.groups import Grouping, GroupMeasures, group_measures
from asukasbudjetti.analysis.justified import PROPERTIES, TIME_LIMIT, JustifiedCheck, check
from asukasbudjetti.analysis.satisfaction import SATISFACTIONS, SatisfactionMeasures, profile_measures
from asukasbudjetti.analysis.small import SmallChecks, small_checks
from asukasbudjetti.errors import InputError
from asukasbudjetti.model import Election
from asukasbudjetti.model.record import CycleInvocation, Record, canonical_json
from asukasbudjetti.money import Money
from asukasbudjetti.profile import compile_profile
from asukasbudjetti.rules.ties import DEFAULT_SEED
from asukasbudjetti.tally import OFFICIAL, RuleRefusal, check_rule_names, load_election, tally_rules
from asukasbudjetti.version import __version__


class RuleAnalysis(BaseModel):
    """One rule's outcome, analysed."""

    model_config = ConfigDict(frozen=True)

    rule: str
    ran: str
    funded: tuple[str, ...]
    spent: Money
    satisfaction: tuple[SatisfactionMeasures, ...]
    checks: tuple[JustifiedCheck, ...]
    small: SmallChecks | None = None
    groups: tuple[GroupMeasures, ...] = ()


class PotAnalysis(BaseModel):
    """Every requested rule's outcome on one pot."""

    model_config = ConfigDict(frozen=True)

    pot: str
    source: str
    vote_type: str
    budget: Money
    voters: int
    projects: int
    #: ``approved`` for approval and choose-1 ballots; ``listed`` for points and rankings.
    measure: str
    rules: tuple[RuleAnalysis, ...]
    refused: tuple[RuleRefusal, ...] = ()


class Analysis(BaseModel):
    """An analysed file: one pot for a ``.pb`` file, every pot for a cycle."""

    model_config = ConfigDict(frozen=True)

    file: str
    cycle: str | None = None
    groupings: tuple[Grouping, ...] = ()
    pots: tuple[PotAnalysis, ...]


def check_rules(rules: Sequence[str]) -> tuple[str, ...]:
    """The rules to analyse: known names or ``official``, each once (``official`` when none is given)."""
    return check_rule_names(rules, default=OFFICIAL)


def analyse_election(
    election: Election,
    rules: Sequence[str] = (OFFICIAL,),
    *,
    groupings: Sequence[Grouping] = (),
    seed: int = DEFAULT_SEED,
    time_limit: float = TIME_LIMIT,
    exclusive: Sequence[Sequence[str]] = (),
    official_params: Sequence[tuple[str, str]] = (),
    cycle_pot: bool = False,
    pot_name: str | None = None,
    checks: bool = True,
) -> PotAnalysis:
    """Run and analyse each rule on a validated election (one pot).

    A rule that cannot run (its vote type, paper votes, no META rule for
    ``official``, exclusive projects it cannot honour) is listed in ``refused``.
    ``checks=False`` leaves out the proportionality checks (measures only).
    """
    names = check_rules(rules)
    profile = compile_profile(election)
    analysed: list[RuleAnalysis] = []
    outcomes, refused = tally_rules(
        election, names, seed=seed, exclusive=exclusive, official_params=official_params, cycle_pot=cycle_pot
    )
    for name, pot, ran in outcomes:
        funded = pot.funded
        decided: tuple[JustifiedCheck, ...] = ()
        if checks and election.vote_type.is_approval_like:
            decided = tuple(
                check(profile, funded, prop, kind, time_limit=time_limit)
                for prop in PROPERTIES
                for kind in SATISFACTIONS
            )
        elif checks:
            decided = tuple(
                check_additive(profile, funded, prop, time_limit=time_limit) for prop in ADDITIVE_PROPERTIES
            )
        analysed.append(
            RuleAnalysis(
                rule=name,
                ran=ran,
                funded=funded,
                spent=pot.spent,
                satisfaction=tuple(profile_measures(profile, funded, kind) for kind in SATISFACTIONS),
                checks=decided,
                small=small_checks(profile, funded) if checks else None,
                groups=tuple(g for grouping in groupings for g in group_measures(election, profile, funded, grouping)),
            )
        )
    return PotAnalysis(
        pot=pot_name or (election.pot_name if election.pot_name != election.source else Path(election.source).name),
        source=Path(election.source).name,
        vote_type=election.vote_type.value,
        budget=election.budget,
        voters=profile.voter_count,
        projects=profile.project_count,
        measure="approved" if election.vote_type.is_approval_like else "listed",
        rules=tuple(analysed),
        refused=tuple(refused),
    )


def analyse_file(
    path: str | os.PathLike[str],
    rules: Sequence[str] = (OFFICIAL,),
    *,
    groupings: Sequence[Grouping] = (),
    seed: int | None = None,
    time_limit: float = TIME_LIMIT,
    checks: bool = True,
) -> Analysis:
    """Analyse a ``.pb`` file (one pot) or every pot of a budget cycle ``.toml``."""
    names = check_rules(rules)
    options: dict[str, Any] = {"groupings": groupings, "time_limit": time_limit, "checks": checks}
    if str(path).endswith(".toml"):
        from asukasbudjetti.cycles import load_cycle, pot_elections

        config = load_cycle(path).config
        elections = pot_elections(path)
        pots: list[PotAnalysis] = []
        for pot in config.pots:
            election = elections[pot.name]
            ids = set(election.project_ids())
            groups = [[p for p in d.projects if p in ids] for d in config.decisions if d.kind == "exclusive"]
            pot_seed = seed if seed is not None else pot.seed if pot.seed is not None else config.cycle.seed
            pots.append(
                analyse_election(
                    election,
                    names,
                    seed=pot_seed,
                    exclusive=[g for g in groups if len(g) > 1],
                    official_params=list(pot.params.items()),
                    cycle_pot=True,
                    pot_name=pot.name,
                    **options,
                )
            )
        return Analysis(file=Path(path).name, cycle=config.cycle.name, groupings=tuple(groupings), pots=tuple(pots))
    election, _, _ = load_election(path)
    pot_analysis = analyse_election(election, names, seed=DEFAULT_SEED if seed is None else seed, **options)
    return Analysis(file=Path(path).name, groupings=tuple(groupings), pots=(pot_analysis,))


def analyse_record(
    record: Record, folder: str | os.PathLike[str], *, time_limit: float = TIME_LIMIT
) -> dict[str, PotAnalysis]:
    """The analysis of a record's outcome, pot by pot (by pot name), from its inputs in ``folder``.

    The record's rule is run again on its own inputs (found by name in ``folder``, each
    checked against the record's SHA-256) and analysed; the record itself is only read.
    Raises :class:`~asukasbudjetti.errors.InputError` when an input is missing or
    differs from the record's, or when the outcome analysed is not the record's (a rule
    option the analysis does not run, such as a threshold): the analysis must be of the
    outcome the record states, or it is not given at all.
    """
    base = Path(folder)
    for digest in record.inputs:
        path = base / digest.file
        try:
            raw = path.read_bytes()
        except OSError:
            raise InputError(
                f"{path}: the record's input {digest.file} is not there; the fairness analysis runs on the "
                "record's inputs (give their folder with --inputs)"
            ) from None
        if hashlib.sha256(raw).hexdigest() != digest.sha256:
            raise InputError(f"{path}: not the input the record was made from (its SHA-256 differs)")
    invocation = record.invocation
    if isinstance(invocation, CycleInvocation):
        cycle = next(d.file for d in record.inputs if d.file.lower().endswith(".toml"))
        pots = {pot.pot: pot for pot in analyse_file(base / cycle, (OFFICIAL,), time_limit=time_limit).pots}
    else:
        election, _, _ = load_election(base / record.inputs[0].file, strict=invocation.strict)
        pot = analyse_election(
            election,
            (invocation.rule,),
            seed=invocation.seed,
            exclusive=invocation.exclusive,
            official_params=invocation.params if invocation.rule == OFFICIAL else (),
            time_limit=time_limit,
            pot_name=record.outcomes[0].pot,
        )
        pots = {record.outcomes[0].pot: pot}
    for outcome in record.outcomes:
        analysed = pots.get(outcome.pot)
        if analysed is not None and not analysed.rules and analysed.refused:
            raise InputError(f"pot {outcome.pot!r}: the fairness analysis cannot run: {analysed.refused[0].reason}")
        if analysed is None or not analysed.rules or set(analysed.rules[0].funded) != set(outcome.funded):
            raise InputError(
                f"pot {outcome.pot!r}: running the record's rule again for the fairness analysis did not give the "
                "record's outcome (asukasbudjetti verify tells whether the record holds); no analysis is shown"
            )
    return pots


def analysis_json(analysis: Analysis) -> str:
    """The analysis as one canonical JSON object: exact numbers as text, no floats."""
    data: dict[str, Any] = {
        "generator": {"name": "asukasbudjetti", "version": __version__},
        **analysis.model_dump(mode="json"),
    }
    return canonical_json(data)


__all__ = [
    "Analysis",
    "PotAnalysis",
    "RuleAnalysis",
    "analyse_election",
    "analyse_file",
    "analyse_record",
    "analysis_json",
    "check_rules",
]
