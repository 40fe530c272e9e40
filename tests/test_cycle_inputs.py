"""Cycle inputs besides the CSV pair: a pabulib file per pot, and paper counts."""

from __future__ import annotations

import shutil
from fractions import Fraction
from pathlib import Path

import pytest

from asukasbudjetti.cycles import tally_cycle
from asukasbudjetti.errors import InputError, ProblemsError, RuleError

GOOD = Path(__file__).resolve().parent / "fixtures" / "good"


def test_pabulib_pot_uses_the_cycle_amount(tmp_path: Path) -> None:
    # approval.pb: votes P1 5 (1000.20), P2 4 (1000.10), P3 3 (1200), P4 2 (999.80), P5 1 (400).
    # The cycle gives the pot 2000: P1 fits (999.80 left), P2 does not, P3 does not,
    # P4 fits exactly (0 left), P5 does not.
    shutil.copy(GOOD / "approval.pb", tmp_path / "a.pb")
    (tmp_path / "cycle.toml").write_text(
        '[cycle]\nname = "x"\n[[pots]]\nname = "A"\namount = "2000"\nrule = "greedy"\npabulib = "a.pb"\n',
        encoding="utf-8",
    )
    record = tally_cycle(tmp_path / "cycle.toml")
    outcome = record.outcomes[0]
    assert outcome.funded == ("P1", "P4")
    assert outcome.budget == 2000
    assert outcome.left == 0
    assert [d.file for d in record.inputs] == ["cycle.toml", "a.pb"]


def test_csv_pots_need_the_csv_files(tmp_path: Path) -> None:
    (tmp_path / "cycle.toml").write_text('[cycle]\nname = "x"\n[[pots]]\nname = "A"\namount = "10"\n', encoding="utf-8")
    with pytest.raises(InputError, match="needs projects and ballots"):
        tally_cycle(tmp_path / "cycle.toml")


def write_cycle(tmp_path: Path, rule: str, counts: str) -> Path:
    (tmp_path / "cycle.toml").write_text(
        '[cycle]\nname = "paper"\n[files]\nprojects = "p.csv"\nballots = "b.csv"\npaper_counts = "paper.csv"\n'
        f'[[pots]]\nname = "A"\namount = "100"\nrule = "{rule}"\n',
        encoding="utf-8",
    )
    (tmp_path / "p.csv").write_text("project_id,pot,cost\nX,A,60\nY,A,50\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("voter_id,pot,projects\nv1,A,X\nv2,A,X\nv3,A,Y\n", encoding="utf-8")
    (tmp_path / "paper.csv").write_text(counts, encoding="utf-8")
    return tmp_path / "cycle.toml"


def test_paper_counts_add_to_greedy_votes(tmp_path: Path) -> None:
    # Online: X 2, Y 1. Paper: Y 4 -> Y 5. Greedy: Y (50) first, then X (60) does not fit in 50.
    outcome = tally_cycle(write_cycle(tmp_path, "greedy", "project_id,votes\nY,4\n")).outcomes[0]
    assert outcome.funded == ("Y",)
    assert outcome.left == Fraction(50)


def test_paper_counts_are_refused_by_equal_shares(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="needs individual ballots"):
        tally_cycle(write_cycle(tmp_path, "equalshares", "project_id,votes\nY,4\n"))


def test_bad_paper_count_row_names_its_line(tmp_path: Path) -> None:
    with pytest.raises(ProblemsError, match=r"paper\.csv:3: row 'X,many'"):
        tally_cycle(write_cycle(tmp_path, "greedy", "project_id,votes\nY,4\nX,many\n"))
