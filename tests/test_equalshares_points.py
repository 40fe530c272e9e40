"""Equal Shares on scoring ballots: only voters with a positive utility pay for a project.

The definition (Peters & Skowron; pabutools keeps the voters with ``u_i(p) > 0``)
charges a project to its supporters, the voters who gain from it. A scoring
ballot may list a project with 0 or negative points (tests/fixtures/good/scoring.pb
has -1): that voter neither pays for it nor helps afford it. The expected outcomes
below are worked out by hand.
"""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

from asukasbudjetti.model import Ballot, BallotTable, Election, Project, VoteType
from asukasbudjetti.tally import tally_election


def scoring(costs: dict[str, int], ballots: list[dict[str, int]], budget: int) -> Election:
    projects = tuple(Project(project_id=p, cost=Fraction(c)) for p, c in costs.items())
    rows = [
        Ballot(voter_id=f"v{i}", projects=tuple(b), points=tuple(b.values())) for i, b in enumerate(ballots, start=1)
    ]
    return Election(
        source="points.pb",
        budget=Fraction(budget),
        vote_type=VoteType.SCORING,
        projects=projects,
        ballots=BallotTable.from_ballots(rows),
        meta={"budget": str(budget), "vote_type": "scoring"},
    )


def test_voters_with_negative_points_pay_nothing() -> None:
    # Three voters, 100 each. P: v1 gives 5 points, v2 and v3 give -1; Q: v2 and v3
    # give 1 point each. P's only supporter is v1: she pays all 90 of it (price 18 per
    # point). Q costs 200: v2 and v3 pay 100 each. Counting the -1s as supporters
    # would make them "pay" a negative share of P.
    elect = scoring({"P": 90, "Q": 200}, [{"P": 5}, {"P": -1, "Q": 1}, {"P": -1, "Q": 1}], 300)
    pot, _ = tally_election(elect, rule="equalshares")
    assert pot.funded == ("P", "Q")
    first, second = pot.mes_rounds
    assert [(p.voters, p.amount) for p in first.payments] == [(1, 90)]
    assert [(p.voters, p.amount) for p in second.payments] == [(2, 100)]


def test_voters_with_zero_points_do_not_help_afford_a_project() -> None:
    # P costs 150; v1 gives it 3 points and has 100; v2 and v3 give it 0 points and
    # gain nothing from it, so their 200 cannot pay for it: plain MES funds nothing.
    # add1 raises the endowments until v1 alone has 150 (P funded, 150 spent of 300;
    # Q, which only v2 lists, with 0 points, does not fit the 150 left: stop).
    elect = scoring({"P": 150, "Q": 200}, [{"P": 3}, {"P": 0, "Q": 0}, {"P": 0}], 300)
    pot, _ = tally_election(elect, rule="equalshares")
    assert pot.funded == ()
    pot, _ = tally_election(elect, rule="equalshares/add1")
    assert pot.funded == ("P",)
    assert pot.endowment == 150


def test_add1u_with_a_huge_project_and_negative_points_ends(tmp_path: Path) -> None:
    # Issue 14 (fuzzing): scoring.pb with one project costing 10**300 made add1u walk
    # one unit at a time, practically for ever. Through the command line, with a timeout.
    source = Path(__file__).parent / "fixtures" / "good" / "scoring.pb"
    text = source.read_text(encoding="utf-8").replace("S1;600;", f"S1;{10**300};")
    assert str(10**300) in text
    path = tmp_path / "huge.pb"
    path.write_text(text, encoding="utf-8")
    command = [sys.executable, "-c", "from asukasbudjetti.cli import run; run()", "tally", str(path)]
    for stop in ("true", "false"):
        completed = subprocess.run(
            [*command, "--rule", "equalshares/add1u", "--param", f"add1_stop_when_exhaustive={stop}", "--json"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr
        # S4, S3 and S2 (1200 together) fit; S1 never does.
        assert '"funded":["S4",' in completed.stdout.replace(" ", "")
