"""Votes given only as a count per project (paper ballots): greedy adds them, MES refuses.

tests/fixtures/good/paper_votes.pb, budget 100:
  A: 3 online + 0 paper = 3, cost 60
  B: 1 online + 5 paper = 6, cost 50
  C: 2 online + 0 paper = 2, cost 40
Greedy by votes: B (6) fits, 100 -> 50; A (3) needs 60 > 50, skipped; C (2) fits, 50 -> 10.
Funded B, C; spent 90; left 10. Without the paper votes A would come first.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from asukasbudjetti.cli import main
from asukasbudjetti.errors import RuleError
from asukasbudjetti.tally import tally_file

PAPER = Path(__file__).resolve().parent / "fixtures" / "good" / "paper_votes.pb"


def test_greedy_counts_paper_votes() -> None:
    outcome = tally_file(PAPER, rule="greedy").outcomes[0]
    assert outcome.funded == ("B", "C")
    assert outcome.spent == 90
    assert outcome.left == 10
    assert [(s.project_id, s.votes) for s in outcome.steps] == [("B", 6), ("A", 3), ("C", 2)]


@pytest.mark.parametrize("rule", ["equalshares", "equalshares/add1"])
def test_rules_needing_ballots_refuse_counts(rule: str) -> None:
    with pytest.raises(RuleError, match="needs individual ballots"):
        tally_file(PAPER, rule=rule)


def test_cli_refusal_is_exit_1_naming_the_projects() -> None:
    result = CliRunner().invoke(main, ["tally", str(PAPER), "--rule", "equalshares"])
    assert result.exit_code == 1
    assert "projects B also have votes given only as a count" in result.stderr
    assert "Traceback" not in result.stderr
