"""Invariants every rule must keep, on random small elections (hypothesis)."""

from __future__ import annotations

import json
import tempfile
from fractions import Fraction
from pathlib import Path

from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from asukasbudjetti.cli import main
from asukasbudjetti.io import read_pabulib_bytes
from asukasbudjetti.model import Election, VoteType
from asukasbudjetti.model.outcome import Outcome
from asukasbudjetti.model.record import InputDigest, PabulibInvocation, PotOutcome
from asukasbudjetti.rules import RULES
from asukasbudjetti.tally import make_record, tally_election
from tests.strategies import PbElection, elections

RULE_NAMES = sorted(RULES)


def election_of(text: str) -> Election:
    read = read_pabulib_bytes(text.encode(), "random.pb")
    assert read.problems == []
    assert read.election is not None
    return read.election


def defined(election: PbElection, rule: str) -> bool:
    """Whether the rule defines an outcome for the election's vote type."""
    return VoteType(election.vote_type) in RULES[rule].ballot_types


def record_text(pot: PotOutcome, rule: str) -> str:
    """The record of one pot's tally, with a stand-in input (its digest is not what is tested)."""
    invocation = PabulibInvocation(
        kind="pabulib", rule=rule, seed=0, exclusive=(), threshold=None, params=(), strict=False, margins=False
    )
    digest = InputDigest(file="random.pb", size=0, sha256="0" * 64)
    record = make_record(requested_rule=rule, invocation=invocation, inputs=(digest,), outcomes=(pot,), warnings=())
    return record.dumps()


def run(text: str, rule: str, seed: int = 0) -> Outcome:
    threshold = 3 if rule == "greedy-threshold" else None
    pot, _ = tally_election(election_of(text), rule=rule, seed=seed, threshold=threshold)
    return pot


@given(elections(), st.sampled_from(RULE_NAMES), st.integers(min_value=0, max_value=3))
def test_budget_is_never_exceeded(election: PbElection, rule: str, seed: int) -> None:
    assume(defined(election, rule))
    outcome = run(election.text(), rule, seed)
    budget = Fraction(election.budget)
    costs = {f"p{j}": Fraction(c) for j, c in enumerate(election.costs)}
    assert outcome.spent + outcome.left == budget
    assert Fraction(0) <= outcome.spent <= budget
    reserve = outcome.reserve.from_reserve if outcome.reserve else Fraction(0)
    assert sum((costs[p] for p in outcome.funded), Fraction(0)) == outcome.spent + reserve
    assert len(set(outcome.funded)) == len(outcome.funded)


@given(elections(), st.sampled_from(RULE_NAMES), st.randoms(use_true_random=False))
def test_ballot_order_does_not_matter(election: PbElection, rule: str, random: object) -> None:
    assume(defined(election, rule))
    order = list(range(len(election.ballots)))
    random.shuffle(order)  # type: ignore[attr-defined]  # hypothesis' Random
    first = run(election.text(), rule)
    shuffled = run(election.text(ballot_order=order), rule)
    assert first == shuffled


@given(elections(), st.sampled_from(RULE_NAMES), st.randoms(use_true_random=False))
def test_project_order_does_not_matter(election: PbElection, rule: str, random: object) -> None:
    assume(defined(election, rule))
    # The lottery draws from project ids, not positions, so even lottery-settled
    # ties come out the same; the funded set, order and steps must all agree.
    order = list(range(len(election.costs)))
    random.shuffle(order)  # type: ignore[attr-defined]  # hypothesis' Random
    first = run(election.text(), rule)
    shuffled = run(election.text(project_order=order), rule)
    assert first.funded == shuffled.funded
    assert first.steps == shuffled.steps
    assert {t.projects for t in first.ties} == {t.projects for t in shuffled.ties}


@settings(max_examples=25, deadline=None)
@given(elections(), st.sampled_from(RULE_NAMES))
def test_rerun_gives_byte_identical_json(election: PbElection, rule: str) -> None:
    assume(defined(election, rule))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.pb"
        path.write_text(election.text(), encoding="utf-8")
        args = ["tally", str(path), "--rule", rule, "--json"]
        if rule == "greedy-threshold":
            args += ["--threshold", "2"]
        first = CliRunner().invoke(main, args)
        second = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert first.output.encode() == second.output.encode()


def _no_float(text: str) -> object:
    raise AssertionError(f"the record holds a float: {text}")


@given(elections())
def test_records_hold_no_float(election: PbElection) -> None:
    pot, _ = tally_election(election_of(election.text()), rule="greedy")
    record = record_text(pot, "greedy")
    parsed = json.loads(record, parse_float=_no_float)
    assert Fraction(parsed["outcomes"][0]["spent"]) == pot.spent


@settings(max_examples=40, deadline=None)
@given(elections(), st.sampled_from(RULE_NAMES), st.randoms(use_true_random=False))
def test_record_is_byte_identical_for_a_shuffled_ballot_order(election: PbElection, rule: str, random: object) -> None:
    # The inputs' hashes differ (the files differ); everything else in the record must not.
    assume(defined(election, rule))
    order = list(range(len(election.ballots)))
    random.shuffle(order)  # type: ignore[attr-defined]  # hypothesis' Random
    threshold = 3 if rule == "greedy-threshold" else None
    records = []
    for text in (election.text(), election.text(ballot_order=order)):
        pot, _ = tally_election(election_of(text), rule=rule, threshold=threshold)
        records.append(record_text(pot, rule))
    assert records[0] == records[1]
