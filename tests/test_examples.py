"""The bundled example, solved by hand.

examples/kumpula_2025.pb: budget 100000, approval, greedy.
Votes counted from the 12 ballots:
  K1: v01 v02 v03 v04 v06 v07 v09 v11 = 8      cost 45000
  K2: v01 v02 v04 v05 v07 v08 v12     = 7      cost 30000
  K3: v01 v03 v05 v06 v09 v11         = 6      cost 40000
  K4: v03 v04 v08 v10 v12             = 5      cost 15000
  K5: v06 v08 v11                     = 3      cost 20000
  K6: v07 v12                         = 2      cost  9500.50
Greedy: K1 fits (100000 -> 55000), K2 fits (-> 25000), K3 needs 40000 > 25000 (skip),
K4 fits (-> 10000), K5 needs 20000 > 10000 (skip), K6 fits (-> 499.50).
Funded K1, K2, K4, K6; spent 99500.50; left 499.50.
greedy-no-skip stops at K3: funded K1, K2; spent 75000; left 25000.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

from click.testing import CliRunner

from asukasbudjetti.cli import main
from asukasbudjetti.tally import tally_file

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "kumpula_2025.pb"


def test_example_greedy_by_hand() -> None:
    outcome = tally_file(EXAMPLE).outcomes[0]
    assert outcome.rule == "greedy"
    assert outcome.funded == ("K1", "K2", "K4", "K6")
    assert outcome.spent == Fraction("99500.50")
    assert outcome.left == Fraction("499.50")
    assert [step.score for step in outcome.steps] == [8, 7, 6, 5, 3, 2]
    assert [step.money_left for step in outcome.steps] == [
        100000,
        55000,
        25000,
        25000,
        10000,
        10000,
    ]


def test_example_greedy_no_skip_by_hand() -> None:
    outcome = tally_file(EXAMPLE, rule="greedy-no-skip").outcomes[0]
    assert outcome.funded == ("K1", "K2")
    assert outcome.spent == 75000
    assert outcome.left == 25000


def test_example_cli_table_and_json() -> None:
    table = CliRunner().invoke(main, ["tally", str(EXAMPLE), "--lang", "en"])
    assert table.exit_code == 0, table.output
    assert "  funded (4):\n    K1 " in table.output
    assert "spent €99,500.50, left €499.50" in table.output  # META currency EUR
    assert "matches the announced outcome" in table.output
    # The file's META says language fi: without --lang the table is Finnish.
    finnish = CliRunner().invoke(main, ["tally", str(EXAMPLE)])
    assert "käytetty 99\u00a0500,50\u00a0€, jäljellä 499,50\u00a0€" in finnish.output
    assert "vastaa julkistettua tulosta" in finnish.output
    record = CliRunner().invoke(main, ["tally", str(EXAMPLE), "--json"])
    data = json.loads(record.output)
    assert data["outcomes"][0]["funded"] == ["K1", "K2", "K4", "K6"]
    assert data["outcomes"][0]["spent"] == "99500.5"
    assert data["outcomes"][0]["left"] == "499.5"
    assert data["inputs"][0]["file"] == "kumpula_2025.pb"
