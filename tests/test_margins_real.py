"""Margins on real elections, each checked against its definition by re-tallying the file.

For every pabulib file of ../shared/pabulib with up to 2,500 voters, under greedy and
plain Equal Shares: for each unfunded project, the election (not the compiled
profile the margins search works on) is changed as the margin says and tallied
again: ``k`` extra voters approving it alone fund it and ``k - 1`` do not; at the
largest cost it is funded and one unit above it is not.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from asukasbudjetti.audit.margins import compute_margins
from asukasbudjetti.profile import compile_profile
from asukasbudjetti.tally import load_election
from tests.test_margins import funded, with_cost, with_extra

PABULIB = Path(__file__).resolve().parents[1].parent / "shared" / "pabulib"
MAX_VOTERS = 2_500


def small_files() -> list[Path]:
    if not PABULIB.is_dir():
        return []
    found = []
    for path in sorted(PABULIB.glob("*.pb")):
        head = path.read_text(encoding="utf-8", errors="replace")[:4000].lower()
        line = next((ln for ln in head.splitlines() if ln.startswith("num_votes;")), None)
        if line is not None and int(line.split(";")[1]) <= MAX_VOTERS:
            found.append(path)
    return found


FILES = small_files()


@pytest.mark.skipif(not FILES, reason=f"the real elections are not at {PABULIB}")
@pytest.mark.parametrize("rule", ["greedy", "equalshares"])
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_margins_hold_by_retally(path: Path, rule: str) -> None:
    election, _, _ = load_election(path)
    if rule == "equalshares" and any(p.extra_approvals for p in election.projects):
        pytest.skip("paper votes: Equal Shares refuses counts without ballots")
    margins = compute_margins(election, rule=rule)
    unit = Fraction(1, compile_profile(election).denominator)
    for project_id, margin in margins.items():
        k = margin.extra_supporters
        if k is not None:
            assert funded(with_extra(election, project_id, k), rule, project_id), (project_id, margin)
            assert not funded(with_extra(election, project_id, k - 1), rule, project_id), (project_id, margin)
        if margin.max_cost is not None:
            assert funded(with_cost(election, project_id, margin.max_cost), rule, project_id), (project_id, margin)
            above = margin.max_cost + unit
            cost = next(p.cost for p in election.projects if p.project_id == project_id)
            if above < cost:
                assert not funded(with_cost(election, project_id, above), rule, project_id), (project_id, margin)

