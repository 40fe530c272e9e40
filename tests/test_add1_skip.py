"""add1 skips the endowments at which no project is affordable: the same result as the one-unit walk.

The oracle is the walk itself (``equalshares._add1_walk``, one MES run per increment):
on every instance the adopted endowment and the funded projects must agree. The skip
is now one case of the jump over every stretch of endowments whose run is provably the
same (issue 13; tests/test_add1_jump.py checks the whole trace against the walk).
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import asukasbudjetti.rules.equalshares as equalshares
from asukasbudjetti.model import Ballot, BallotTable, Election, Project, VoteType
from asukasbudjetti.tally import tally_election


def election(costs: list[int], ballots: list[list[int]], budget: int) -> Election:
    projects = tuple(Project(project_id=f"P{j}", cost=Fraction(c)) for j, c in enumerate(costs))
    rows = [Ballot(voter_id=f"v{i}", projects=tuple(f"P{j}" for j in sorted(set(b)))) for i, b in enumerate(ballots)]
    return Election(
        source="skip.pb",
        budget=Fraction(budget),
        vote_type=VoteType.APPROVAL,
        projects=projects,
        ballots=BallotTable.from_ballots(rows),
        meta={"budget": str(budget), "vote_type": "approval"},
    )


def outcome(elect: Election, rule: str, params: list[tuple[str, str]]) -> tuple[tuple[str, ...], Fraction | None]:
    pot, _ = tally_election(elect, rule=rule, params=params)
    return pot.funded, pot.endowment


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    costs=st.lists(st.integers(min_value=1, max_value=1500), min_size=1, max_size=4),
    data=st.data(),
    budget=st.integers(min_value=1, max_value=400),
    rule=st.sampled_from(["equalshares/add1", "equalshares/add1u"]),
    start=st.sampled_from(["floor", "exact"]),
    stop=st.sampled_from(["true", "false"]),
)
def test_the_skip_gives_the_walks_result(
    costs: list[int], data: st.DataObject, budget: int, rule: str, start: str, stop: str
) -> None:
    ballots = data.draw(
        st.lists(
            st.lists(st.integers(min_value=0, max_value=len(costs) - 1), min_size=1, max_size=2), min_size=1, max_size=4
        )
    )
    elect = election(costs, ballots, budget)
    params = [("add1_start", start), ("add1_stop_when_exhaustive", stop)]
    skipped = outcome(elect, rule, params)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(equalshares, "_add1", equalshares._add1_walk)
        walked = outcome(elect, rule, params)
    assert skipped == walked


def test_a_pot_whose_only_supported_project_costs_millions_is_quick() -> None:
    # One voter approves P0 (5,000,000) in a pot of 100: the walk would run MES at
    # 101, 102, ... 4,999,999 (all funding nothing), then at 5,000,000 fund P0 at a cost
    # over the budget and stop; the adopted endowment is 4,999,999, nothing funded.
    elect = election([5_000_000, 10], [[0]], 100)
    pot, _ = tally_election(elect, rule="equalshares/add1")
    assert pot.funded == ()
    assert pot.endowment == 4_999_999
    assert [step.endowment for step in pot.completion] == [100, 4_999_999, 5_000_000]
    # One MES run at 101 shows P0 out of its one supporter's reach below 5,000,000.
    assert pot.completion[1].reason == "fits the budget: adopted (the same projects as from 100)"
