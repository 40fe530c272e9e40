"""`tally --margins` puts each unfunded project's margin in the record; explain reads it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from asukasbudjetti.cli import main

APPROVAL = Path(__file__).resolve().parent / "fixtures" / "good" / "approval.pb"


def test_margins_reach_explain_in_both_languages(tmp_path: Path) -> None:
    # approval.pb, greedy: P3 (3 votes, 1200) meets 999.80 left, short by 200.20. With
    # one more supporter (4 votes) it ties P2 (4 votes, 1000.10) and the lower cost goes
    # first: P2, then P3 still meets 999.80. With two (5 votes) it ties P1 (1000.20) and
    # goes first: P3 funded (1800.10 left). At any cost up to 999.80 it fits at its turn.
    record = tmp_path / "record.json"
    result = CliRunner().invoke(main, ["tally", str(APPROVAL), "--rule", "greedy", "--margins", "-o", str(record)])
    assert result.exit_code == 0, result.output
    english = CliRunner().invoke(main, ["explain", str(record), "--project", "P3"])
    assert "2 more supporters would have funded it; so would a cost of at most 999.80." in english.output
    finnish = CliRunner().invoke(main, ["explain", str(record), "--project", "P3", "--lang", "fi"])
    assert "2 lisäkannattajaa olisi riittänyt sen rahoitukseen; samoin kustannus enintään 999,80." in finnish.output
    # The record verifies (margins are re-computed from the invocation).
    (tmp_path / "approval.pb").write_bytes(APPROVAL.read_bytes())
    verified = CliRunner().invoke(main, ["verify", str(record)])
    assert verified.exit_code == 0, verified.output
