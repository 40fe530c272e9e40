"""pabutools as an independent oracle on the real approval elections.

pabutools (GPL-3.0, a development extra only) computes greedy utilitarian welfare
with cost satisfaction, which orders projects by approvals: the same definition as
our ``greedy``. Its tie-breaking is set to the lower cost, as ours; only a tie on
both votes and cost can then separate the two, and ours is settled by the recorded
lottery, so a difference must be explained by such a tie in our outcome.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from asukasbudjetti.tally import load_election, tally_election
from tests.conftest import pabulib_params

pabutools_election = pytest.importorskip("pabutools.election", reason="pabutools is a dev extra")
pabutools_rules = pytest.importorskip("pabutools.rules", reason="pabutools is a dev extra")
pabutools_ties = pytest.importorskip("pabutools.tiebreaking", reason="pabutools is a dev extra")

APPROVAL_TYPES = {"approval", "choose-1"}


@pytest.mark.parametrize("path", pabulib_params())
def test_greedy_equals_pabutools_greedy_utilitarian_welfare(path: Path) -> None:
    election, _, _ = load_election(path)
    if election.vote_type.value not in APPROVAL_TYPES:
        pytest.skip(f"{election.vote_type.value} ballots: the oracle comparison is for approval files")
    pot, _ = tally_election(election, rule="greedy")
    ours = set(pot.funded)

    instance, profile = pabutools_election.parse_pabulib(str(path))
    theirs_outcome = pabutools_rules.greedy_utilitarian_welfare(
        instance,
        profile,
        sat_class=pabutools_election.Cost_Sat,
        tie_breaking=pabutools_ties.min_cost_tie_breaking,
    )
    theirs = {project.name for project in theirs_outcome}
    if ours != theirs:
        lottery_ties = [t for t in pot.ties if t.decisive and "lottery" in t.settled_by]
        assert lottery_ties, f"differs without a lottery tie: ours-theirs={ours - theirs}, theirs-ours={theirs - ours}"
