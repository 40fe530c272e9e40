"""The satisfaction measures equal pabutools' exactly on every approval file of the pabulib sample.

pabutools 1.2.3 (``analysis/votersatisfaction.py``): ``avg_satisfaction`` with
``Cost_Sat`` and ``Cardinality_Sat``, ``percent_non_empty_handed``,
``gini_coefficient_of_satisfaction`` (exact gmpy2 fractions), and
``satisfaction_histogram`` (floats: the share of voters per bin, compared as counts).
The outcome measured is our greedy outcome; pabutools measures the same set of projects.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from asukasbudjetti.analysis.satisfaction import HISTOGRAM_BINS, profile_measures
from asukasbudjetti.profile import compile_profile
from asukasbudjetti.tally import load_election, tally_election
from tests.conftest import pabulib_params

pabutools_election = pytest.importorskip("pabutools.election", reason="pabutools is a dev extra")
pabutools_satisfaction = pytest.importorskip("pabutools.analysis.votersatisfaction", reason="pabutools is a dev extra")


def exact(value: object) -> Fraction:
    return Fraction(str(value))


@pytest.mark.parametrize("path", pabulib_params())
def test_satisfaction_measures_equal_pabutools(path: Path) -> None:
    election, _, _ = load_election(path)
    if not election.vote_type.is_approval_like:
        pytest.skip(f"{election.vote_type.value} ballots: the comparison is for approval files")
    if any(p.extra_approvals for p in election.projects):
        pytest.skip("paper votes: pabutools' profile holds only the ballots")
    pot, _ = tally_election(election, rule="greedy")
    profile = compile_profile(election)
    instance, their_profile = pabutools_election.parse_pabulib(str(path))
    allocation = [p for p in instance if p.name in set(pot.funded)]
    assert len(allocation) == len(pot.funded)
    for kind, sat_class in (("cost", pabutools_election.Cost_Sat), ("cardinality", pabutools_election.Cardinality_Sat)):
        ours = profile_measures(profile, pot.funded, kind)
        assert ours.average == exact(
            pabutools_satisfaction.avg_satisfaction(instance, their_profile, allocation, sat_class)
        )
        assert ours.gini == exact(
            pabutools_satisfaction.gini_coefficient_of_satisfaction(instance, their_profile, allocation, sat_class)
        )
        if kind == "cost":
            histogram = pabutools_satisfaction.satisfaction_histogram(
                instance, their_profile, allocation, sat_class, instance.budget_limit, HISTOGRAM_BINS
            )
            n = their_profile.num_ballots()
            assert [b.voters for b in ours.histogram] == [round(share * n) for share in histogram]
    share = profile_measures(profile, pot.funded, "cardinality").share_with_one
    assert share == exact(pabutools_satisfaction.percent_non_empty_handed(instance, their_profile, allocation))
