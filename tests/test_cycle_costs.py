"""Proposal constraints per pot: minimum and maximum cost, share of the pot, cost bands."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from asukasbudjetti.cli import main
from asukasbudjetti.cycles import tally_cycle


def cycle(tmp_path: Path, pot_extra: str, projects: str) -> Path:
    (tmp_path / "cycle.toml").write_text(
        '[cycle]\nname = "costs"\n[files]\nprojects = "p.csv"\nballots = "b.csv"\n'
        f'[[pots]]\nname = "A"\namount = "100000"\nrule = "greedy"\n{pot_extra}\n',
        encoding="utf-8",
    )
    (tmp_path / "p.csv").write_text("project_id,pot,cost\n" + projects, encoding="utf-8")
    (tmp_path / "b.csv").write_text('voter_id,pot,projects\nv1,A,X\nv2,A,"X,Y"\n', encoding="utf-8")
    return tmp_path / "cycle.toml"


@pytest.mark.parametrize(
    ("extra", "projects", "message"),
    [
        (
            'min_cost = "5000"',
            "X,A,4000\nY,A,6000\n",
            "p.csv:2: project 'X' costs 4000; expected at least 5000 in pot 'A'",
        ),
        (
            'max_cost = "50000"',
            "X,A,4000\nY,A,60000\n",
            "p.csv:3: project 'Y' costs 60000; expected at most 50000 in pot 'A'",
        ),
        (
            'max_cost_share = "0.5"',
            "X,A,50001\nY,A,6000\n",
            "p.csv:2: project 'X' costs 50001; expected at most 0.5 of the pot, 50000",
        ),
        (
            'cost_bands = ["50000", "150000"]',
            "X,A,160000\nY,A,6000\n",
            "p.csv:2: project 'X' costs 160000, above every band; expected at most the top band, 150000",
        ),
    ],
)
def test_cost_constraints_name_the_project_and_line(tmp_path: Path, extra: str, projects: str, message: str) -> None:
    path = cycle(tmp_path, extra, projects)
    for command in (["validate", str(path)], ["tally", str(path)]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 1
        assert f"{tmp_path / 'p.csv'}:{message.split(':', 1)[1]}" in result.stderr
        assert "Traceback" not in result.stderr


def test_cost_bands_price_projects_at_the_top_of_their_band(tmp_path: Path) -> None:
    # Bands topping at 50000 and 150000: X (estimate 40000) is priced 50000, Y (60000)
    # 150000. Pot 100000, votes X 2, Y 1: X funded (50000 left), Y (150000) does not fit.
    path = cycle(tmp_path, 'cost_bands = ["50000", "150000"]', "X,A,40000\nY,A,60000\n")
    outcome = tally_cycle(path).outcomes[0]
    assert outcome.funded == ("X",)
    assert outcome.spent == 50000
    assert [step.cost for step in outcome.steps] == [50000, 150000]
