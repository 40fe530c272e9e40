"""Equal Shares in certified floating point (rules/mes_interval.py), against the exact run.

``interval_run`` answers only when every decision of the run is certain; the exact
run (``equalshares._mes_run``) is the oracle: an answer must be its funded projects,
in its order, at every endowment of the range the answer covers. None (cannot tell)
is always allowed, but must come where the floating-point run cannot be sure (the
hand-made cases below), and must be rare on real elections, or the add1 completion
gains nothing.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import asukasbudjetti.rules.equalshares as equalshares
from asukasbudjetti.errors import AsukasbudjettiError
from asukasbudjetti.model import Election
from asukasbudjetti.profile import CompiledProfile, compile_profile
from asukasbudjetti.rules.mes_interval import IntervalSupporters, interval_run, interval_supporters
from asukasbudjetti.rules.ties import lottery_ranks
from asukasbudjetti.tally import load_election
from tests.conftest import pabulib_params
from tests.test_add1_jump import (
    RULES,
    approval,
    approval_ballots,
    assert_same,
    both,
    parameters,
    params_strategy,
    scoring,
    scoring_ballots,
)


class Setup:
    """What both runs need for one profile and one choice of utilities."""

    def __init__(self, election: Election, utilities: str = "cost") -> None:
        self.profile: CompiledProfile = compile_profile(election)
        self.params = equalshares.MesParams(utilities=utilities)  # type: ignore[arg-type]
        self.lottery = lottery_ranks(self.params.seed, self.profile.project_ids)
        self.candidates, _ = equalshares._eligible(self.profile, self.params)
        self.supporters = equalshares._Supporters(self.profile)
        floats = interval_supporters(
            self.profile, self.supporters.rows, self.supporters.utilities, self.supporters.weights
        )
        assert floats is not None
        self.floats: IntervalSupporters = floats
        self.cost_utilities = self.profile.vote_type.is_approval_like and utilities == "cost"

    def exact(self, endowment: Fraction) -> list[int]:
        run = equalshares._mes_run(
            self.profile, self.params, endowment, self.lottery, self.candidates, self.supporters, trace=False
        )
        return run.funded

    def floating(self, lowest: Fraction, highest: Fraction) -> list[int] | None:
        return interval_run(
            self.profile, self.floats, self.cost_utilities, lowest, highest, self.candidates, self.lottery
        )


def check_range(setup: Setup, lowest: Fraction, highest: Fraction) -> bool:
    """The floating-point answer over the range, if any, is the exact run's at its ends
    and middle. True when it answered."""
    answer = setup.floating(lowest, highest)
    if answer is None:
        return False
    for endowment in {lowest, (lowest + highest) / 2, highest}:
        assert answer == setup.exact(endowment), f"at {endowment}"
    return True


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    costs=st.lists(st.integers(min_value=1, max_value=700), min_size=1, max_size=8),
    data=st.data(),
    budget=st.integers(min_value=1, max_value=900),
    utilities=st.sampled_from(["cost", "cardinality"]),
    offset=st.fractions(min_value=0, max_value=40, max_denominator=7),
    width=st.sampled_from([Fraction(0), Fraction(1, 1000), Fraction(1, 3), Fraction(2), Fraction(50)]),
)
def test_approval_answers_are_the_exact_runs(
    costs: list[int], data: st.DataObject, budget: int, utilities: str, offset: Fraction, width: Fraction
) -> None:
    m = len(costs)
    ballots = data.draw(approval_ballots(m))
    setup = Setup(approval(costs, ballots, budget), utilities)
    lowest = Fraction(budget, len(ballots)) + offset
    check_range(setup, lowest, lowest + width)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    costs=st.lists(st.integers(min_value=1, max_value=700), min_size=1, max_size=5),
    data=st.data(),
    budget=st.integers(min_value=1, max_value=900),
    offset=st.fractions(min_value=0, max_value=40, max_denominator=7),
    width=st.sampled_from([Fraction(0), Fraction(1, 1000), Fraction(2)]),
)
def test_scoring_answers_are_the_exact_runs(
    costs: list[int], data: st.DataObject, budget: int, offset: Fraction, width: Fraction
) -> None:
    m = len(costs)
    ballots = data.draw(scoring_ballots(m))
    setup = Setup(scoring(costs, ballots, budget))
    lowest = Fraction(budget, len(ballots)) + offset
    check_range(setup, lowest, lowest + width)


def test_money_exactly_at_the_cost_cannot_be_told_in_floating_point() -> None:
    # Three voters with 100 each approve P0, costing exactly 300: affordable, just.
    # Floating point cannot tell 300 from 300 minus a rounding, so it must not answer.
    setup = Setup(approval([300, 50], [[0], [0], [0, 1]], 300))
    assert setup.exact(Fraction(100)) == [0]
    assert setup.floating(Fraction(100), Fraction(100)) is None
    # A little more money and it is sure (and right): P0 funded, voter 2 keeps 1 of
    # the 50 that P1 costs.
    assert setup.floating(Fraction(101), Fraction(101)) == [0] == setup.exact(Fraction(101))
    # With 150 each, voter 2 keeps exactly P1's cost: not answered; with 151 both are.
    assert setup.floating(Fraction(150), Fraction(150)) is None
    assert setup.floating(Fraction(151), Fraction(151)) == [0, 1] == setup.exact(Fraction(151))


def test_an_exact_tie_in_equal_shares_is_broken_as_the_exact_rule_does() -> None:
    # Cost utilities: P0 (600) and P1 (300) each have the same two supporters and all can
    # pay equal shares, so both have effective vote count 2: an exact tie, which the
    # lower cost wins. The keys are exact fractions, so floating point still answers.
    setup = Setup(approval([600, 300], [[0, 1], [0, 1]], 2000))
    assert setup.exact(Fraction(1000)) == [1, 0]
    assert setup.floating(Fraction(1000), Fraction(1000)) == [1, 0]


def test_a_tie_where_a_supporter_has_nothing_left_is_told_exactly() -> None:
    # Ten voters with 10 each, cost utilities. Round 1: P0 (36; a, b, c, d: 4 votes)
    # wins, each pays 9, a keeps 1. Round 2: P1 (4; a, f, g) has effective vote count
    # 8/3 (a pays her 1, f and g 3/2 each), P2 (6; a, h, i) 12/5, P3 (3; j, k) 2: P1
    # wins and a has nothing left. Round 3: P2 is paid by h and i alone, 3 each, and
    # P3 by j and k, 3/2 each: both have effective vote count 2, an exact tie that the
    # lower cost (P3) wins; then P2. Floating point knows a has exactly nothing (she
    # paid all she had), so P2's price is exactly 6 / 2 and the tie is told.
    ballots = [[0, 1, 2], [0], [0], [0], [1], [1], [2], [2], [3], [3]]
    setup = Setup(approval([36, 4, 6, 3], ballots, 100))
    assert setup.exact(Fraction(10)) == [0, 1, 3, 2]
    assert setup.floating(Fraction(10), Fraction(10)) == [0, 1, 3, 2]


def test_a_range_across_which_the_outcome_changes_is_not_answered() -> None:
    # P0 (cost 10) has two supporters: they can pay for it from an endowment of 5 on.
    # Over endowments 4 to 6 some runs fund it and some do not: no single answer.
    setup = Setup(approval([10], [[0], [0]], 8))
    assert setup.exact(Fraction(4)) == []
    assert setup.exact(Fraction(6)) == [0]
    assert setup.floating(Fraction(4), Fraction(6)) is None
    assert setup.floating(Fraction(4), Fraction(4)) == []
    assert setup.floating(Fraction(6), Fraction(6)) == [0]
    # Over 6 to 9 every run funds it: one answer for the whole range.
    assert setup.floating(Fraction(6), Fraction(9)) == [0]


@pytest.mark.parametrize("path", pabulib_params())
def test_real_elections_answers_are_the_exact_runs(path: Path) -> None:
    elect, _, _ = load_election(path)
    try:
        setup = Setup(elect)
    except AsukasbudjettiError as error:  # pragma: no cover  (no such file in the sample)
        pytest.skip(f"{path.name}: {error}")
    if setup.profile.has_paper_votes or not setup.profile.voter_count:
        pytest.skip(f"{path.name}: Equal Shares does not run on it (paper votes or no voters)")
    start = Fraction(int(setup.profile.budget / setup.profile.voter_count))
    answered = sum(check_range(setup, start + k, start + k) for k in range(0, 40, 3))
    # Single endowments are decided unless a tie or money exactly at a share or a cost
    # falls on them: the engine must answer for most (or the completion gains nothing).
    assert answered >= 10, f"only {answered} of 14 endowments answered"
    check_range(setup, start + 1, start + 2)


def regions_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    # Exact regions end at once (they promise nothing above a run's endowment), so the
    # completion goes to its floating-point trials, as on a city.
    monkeypatch.setattr(equalshares, "_overtaken", lambda *args: Fraction(0))


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    costs=st.lists(st.integers(min_value=1, max_value=700), min_size=1, max_size=8),
    data=st.data(),
    budget=st.integers(min_value=1, max_value=900),
    rule=st.sampled_from(RULES),
    chosen=params_strategy,
    utilities=st.sampled_from(["cost", "cardinality"]),
)
def test_add1_with_floating_point_trials_equals_the_walk(
    costs: list[int], data: st.DataObject, budget: int, rule: str, chosen: Any, utilities: str
) -> None:
    m = len(costs)
    ballots = data.draw(approval_ballots(m))
    with pytest.MonkeyPatch.context() as patch:
        regions_fail(patch)
        assert_same(*both(approval(costs, ballots, budget), rule, parameters(chosen, utilities)))


def test_an_endowment_beyond_exact_floats_is_left_to_the_exact_rule() -> None:
    # A huge add1 increment can ask for endowments float cannot hold exactly (or at
    # all): no answer, never an overflow.
    setup = Setup(approval([10, 20], [[0], [1], [0, 1]], 30))
    assert setup.floating(Fraction(10), Fraction(10**400)) is None
    assert setup.floating(Fraction(2**53), Fraction(2**53)) is None
    assert setup.floating(Fraction(11), Fraction(11)) == [0] == setup.exact(Fraction(11))


def test_points_too_large_to_number_levels_by_keep_the_exact_trials() -> None:
    # Floating point is not used where its inputs would not be exact or its level
    # numbers could overflow: add1 then runs its exact trials, and still equals the walk.
    elect = scoring([30, 20], [{0: 2**40, 1: 1}, {1: 3}, {0: 1}], 40)
    profile = compile_profile(elect)
    supporters = equalshares._Supporters(profile)
    assert interval_supporters(profile, supporters.rows, supporters.utilities, supporters.weights) is None
    assert_same(*both(elect, "equalshares/add1", []))
