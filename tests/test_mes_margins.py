"""The largest funding cost under plain Equal Shares from one run (asukasbudjetti.audit.mes_margins).

The analysis is checked on its own (no confirming re-tally involved): by hand on a
small pot, and against brute force (a full re-tally at every cost unit) on random
small elections with cost and cardinality utilities on approval ballots and with
points on cumulative ballots, ties included (small integer costs make them common).
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asukasbudjetti.audit import mes_margins
from asukasbudjetti.audit.margins import compute_margins
from asukasbudjetti.model import Ballot, BallotTable, Election, Project, VoteType
from asukasbudjetti.profile import compile_profile
from asukasbudjetti.tally import tally_election
from tests.test_margins import make_election, with_cost

F = Fraction


def plain_mes(election: Election, params: tuple[tuple[str, str], ...] = (), seed: int = 0) -> list[str]:
    pot, _ = tally_election(election, rule="equalshares", seed=seed, params=params)
    return list(pot.funded)


def analysed(election: Election, params: tuple[tuple[str, str], ...] = (), seed: int = 0) -> dict[str, int | None]:
    pot, _ = tally_election(election, rule="equalshares", seed=seed, params=params)
    profile = compile_profile(election)
    assert mes_margins.applies(pot, profile)
    replay = mes_margins.MesReplay(profile, pot)
    return {
        p.project_id: mes_margins.largest_funded_cost(replay, j)
        for j, p in enumerate(election.projects)
        if p.project_id not in pot.funded
    }


def test_hand_worked_pot() -> None:
    # Budget 100, four voters: 25 each. A (60) by v1-v3, B (50) by v4, C (40) by v3, v4.
    # Round 1: A's cap is 20 (price 20/60 = 1/3), C's 20 (20/40 = 1/2); B (25 < 50) is
    # unaffordable. A wins; v1-v3 keep 5 each. Round 2: C (5 + 25 = 30 < 40) and B are
    # unaffordable: A alone is funded.
    # C beats A in round 1 only if 2 * min(25, c / 3) >= c, never for c > 0; after the
    # last round v3 and v4 hold 5 + 25 = 30, so C is funded at 30 and not at 31.
    # B likewise: v4 alone never beats 1/3 in round 1 (min(25, c / 3) < c), and holds
    # 25 after it: funded at 25.
    election = make_election(100, {"A": 60, "B": 50, "C": 40}, [("A",), ("A",), ("A", "C"), ("B", "C")])
    assert plain_mes(election) == ["A"]
    assert analysed(election) == {"B": 25, "C": 30}
    assert plain_mes(with_cost(election, "C", F(30))) == ["A", "C"]
    assert plain_mes(with_cost(election, "C", F(31))) == ["A"]


def test_a_tie_on_price_all_the_way_down() -> None:
    # Budget 60, three voters (20 each), both projects approved by all three. X (30):
    # cap 10, price 10/30 = 1/3. Y (45): cap 15, price 15/45 = 1/3: a tie, which X wins
    # on its lower cost. Each keeps 10; Y (45 > 30) is then unaffordable.
    # Y at any cost c <= 60 still costs each c / 3, price 1/3: a tie in round 1, won
    # below 30 (lower cost), at 30 by the lottery either way; and after round 1 the
    # three hold 30, so Y is funded at 30 in any case, and at 31 never.
    election = make_election(60, {"X": 30, "Y": 45}, [("X", "Y"), ("X", "Y"), ("X", "Y")])
    assert plain_mes(election) == ["X"]
    assert analysed(election) == {"Y": 30}
    assert "Y" in plain_mes(with_cost(election, "Y", F(30)))
    assert plain_mes(with_cost(election, "Y", F(31))) == ["X"]


@st.composite
def small_approval(draw: st.DrawFn) -> Election:
    m = draw(st.integers(1, 5))
    ids = [f"p{j}" for j in range(1, m + 1)]
    costs = {p: draw(st.integers(1, 60)) for p in ids}
    n = draw(st.integers(1, 9))
    ballots = [tuple(draw(st.lists(st.sampled_from(ids), min_size=1, max_size=m, unique=True))) for _ in range(n)]
    return make_election(draw(st.integers(10, 120)), costs, ballots)


@st.composite
def small_cumulative(draw: st.DrawFn) -> Election:
    m = draw(st.integers(1, 4))
    ids = [f"p{j}" for j in range(1, m + 1)]
    ballots = []
    for i in range(draw(st.integers(1, 7))):
        listed = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=m, unique=True))
        points = tuple(draw(st.integers(1, 4)) for _ in listed)
        ballots.append(Ballot(voter_id=f"v{i}", projects=tuple(listed), points=points))
    return Election(
        source="cumulative.pb",
        meta={"rule": "equalshares"},
        vote_type=VoteType.CUMULATIVE,
        budget=F(draw(st.integers(10, 120))),
        projects=tuple(Project(project_id=p, cost=F(draw(st.integers(1, 60)))) for p in ids),
        ballots=BallotTable.from_ballots(ballots),
    )


def check_against_brute_force(election: Election, params: tuple[tuple[str, str], ...], seed: int) -> None:
    for project_id, answer in analysed(election, params, seed).items():
        current = int(next(p.cost for p in election.projects if p.project_id == project_id))
        funding = [
            u for u in range(1, current) if project_id in plain_mes(with_cost(election, project_id, F(u)), params, seed)
        ]
        assert answer == (max(funding) if funding else None), (project_id, funding)


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(small_approval(), st.integers(0, 3))
def test_cost_utilities_against_brute_force(election: Election, seed: int) -> None:
    check_against_brute_force(election, (), seed)


@SETTINGS
@given(small_approval(), st.integers(0, 3))
def test_cardinality_utilities_against_brute_force(election: Election, seed: int) -> None:
    check_against_brute_force(election, (("utilities", "cardinality"),), seed)


@SETTINGS
@given(small_cumulative(), st.integers(0, 3))
def test_points_against_brute_force(election: Election, seed: int) -> None:
    check_against_brute_force(election, (), seed)


def test_margins_use_the_analysis_for_plain_equal_shares() -> None:
    election = make_election(100, {"A": 60, "B": 50, "C": 40}, [("A",), ("A",), ("A", "C"), ("B", "C")])
    margins = compute_margins(election, rule="equalshares")
    assert margins["C"].max_cost == 30
    assert "cost: exact-analysis" in margins["C"].method
    # A completion changes the run after the rounds: the general search runs.
    completed = compute_margins(election, rule="equalshares/add1")
    assert all("exact-analysis" not in m.method for m in completed.values())


def test_extra_supporters_below_affordability_are_not_tallied() -> None:
    # The hand-worked pot: B (50) by v4 alone, four voters, budget 100. With k extra
    # voters approving B alone, its k + 1 supporters hold (k + 1) * 100 / (4 + k):
    # 40 for k = 1 (short of 50: never funded), 50 for k = 2. With k = 2 each of the six
    # holds 50/3: A (60) and C (40) are out of their supporters' reach (50, 100/3),
    # B is affordable and funded. So 2 is the answer, and k = 1 needs no tally.
    election = make_election(100, {"A": 60, "B": 50, "C": 40}, [("A",), ("A",), ("A", "C"), ("B", "C")])
    margin = compute_margins(election, rule="equalshares")["B"]
    assert margin.extra_supporters == 2
    assert "below k=2 its supporters cannot afford it from the start" in margin.method
    # A project dearer than the whole budget: no number of voters can fund it.
    dear = make_election(100, {"A": 60, "D": 150}, [("A",), ("A", "D")])
    margin = compute_margins(dear, rule="equalshares")["D"]
    assert margin.extra_supporters is None
    assert margin.method.startswith("supporters: exact-analysis (it costs more than the whole budget")
