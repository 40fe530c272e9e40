"""``--rule official`` as the cities computed their outcomes, worked by hand on small files.

TIED: budget 30; P1 costs 30, P2 costs 20, both with 2 votes (P1 listed first), P3
costs 10 with 1 vote.
- tie_break=cost: P2 (cheaper) first: funded (10 left); P1 (30) does not fit; P3 (10) fits: P2, P3.
- tie_break=published-order: P1 (listed first) first: funded (0 left); P2 and P3 do not fit: P1.
- --rule official: the published order, so P1.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from asukasbudjetti.cli import main
from asukasbudjetti.errors import RuleError
from asukasbudjetti.model.outcome import EqualSharesParameters, GreedyParameters
from asukasbudjetti.tally import tally_file

TIED = """\
META
key;value
description;Tie fixture
country;Finland
unit;Testila
num_projects;3
num_votes;3
budget;30
vote_type;approval
rule;{rule}
{extra}PROJECTS
project_id;cost;votes;selected
P1;30;2;{s1}
P2;20;2;{s2}
P3;10;1;{s3}
VOTES
voter_id;vote
v1;P1,P2
v2;P1,P2,P3
v3;
"""


def write(tmp_path: Path, rule: str = "greedy", extra: str = "", selected: tuple[int, int, int] = (1, 0, 0)) -> Path:
    path = tmp_path / "tied.pb"
    s1, s2, s3 = selected
    text = TIED.format(rule=rule, extra=extra, s1=s1, s2=s2, s3=s3).replace("v3;\n", "")
    path.write_text(text.replace("num_votes;3", "num_votes;2"), encoding="utf-8")
    return path


def test_each_tie_break(tmp_path: Path) -> None:
    path = write(tmp_path)
    by_cost = tally_file(path, rule="greedy").outcomes[0]
    assert by_cost.funded == ("P2", "P3")
    assert by_cost.ties[0].settled_by == ("lower cost",)
    assert isinstance(by_cost.params, GreedyParameters)
    assert by_cost.params.tie_breaking == "lower cost, then lottery"
    published = tally_file(path, rule="greedy", params=[("tie_break", "published-order")]).outcomes[0]
    assert published.funded == ("P1",)
    assert published.ties[0].projects == ("P1", "P2")
    assert published.ties[0].settled_by == ("published order",)
    assert published.ties[0].decisive
    lottery = tally_file(path, rule="greedy", params=[("tie_break", "lottery")]).outcomes[0]
    assert lottery.ties[0].settled_by == ("lottery",)
    assert set(lottery.funded) in ({"P1"}, {"P2", "P3"})


def test_official_settles_ties_by_the_published_order_and_reproduces(tmp_path: Path) -> None:
    record = tally_file(write(tmp_path, selected=(1, 0, 0)))
    pot = record.outcomes[0]
    assert pot.funded == ("P1",)
    assert isinstance(pot.params, GreedyParameters)
    assert pot.params.tie_breaking == "published order"
    assert pot.announced is not None
    assert pot.announced.matches
    # A parameter given explicitly wins over the city's default.
    assert tally_file(write(tmp_path), params=[("tie_break", "cost")]).outcomes[0].funded == ("P2", "P3")


def test_tie_break_is_checked(tmp_path: Path) -> None:
    with pytest.raises(
        RuleError, match="parameter tie_break is 'coin'; expected one of: cost, published-order, lottery"
    ):
        tally_file(write(tmp_path), rule="greedy", params=[("tie_break", "coin")])
    with pytest.raises(RuleError, match="has no parameter 'skip'; it has: tie_break"):
        tally_file(write(tmp_path), rule="greedy", params=[("skip", "false")])


def test_greedy_exclusive_without_groups_warns(tmp_path: Path) -> None:
    path = write(tmp_path, rule="greedy-exclusive")
    result = CliRunner().invoke(main, ["tally", str(path)])
    assert result.exit_code == 0
    # META is line 1, key;value line 2, ..., vote_type line 9, rule line 10.
    assert f"{path}:10: warning: the file declares greedy-exclusive but no groups were given" in result.stdout
    [warning] = tally_file(path).warnings
    assert (warning.code, warning.line) == ("exclusive-without-groups", 10)
    assert tally_file(path, exclusive=[["P1", "P2"]]).warnings == ()


def test_fully_funded_with_a_project_not_selected_warns(tmp_path: Path) -> None:
    path = write(tmp_path, extra="fully_funded;1\n", selected=(1, 0, 0))
    record = tally_file(path)
    # fully_funded is line 11, PROJECTS line 12, its header 13, P1 14: P2 (15) and P3 (16) are not selected.
    assert [(w.code, w.line) for w in record.warnings] == [
        ("fully-funded-not-selected", 15),
        ("fully-funded-not-selected", 16),
    ]
    assert "META fully_funded is 1, but project 'P2' is not selected" in record.warnings[0].message
    assert tally_file(write(tmp_path, extra="fully_funded;1\n", selected=(1, 1, 1))).warnings == ()


def test_official_add1_has_no_exhaustive_stop(tmp_path: Path) -> None:
    path = write(tmp_path, rule="equalshares/add1")
    official = tally_file(path).outcomes[0].params
    assert isinstance(official, EqualSharesParameters)
    assert official.add1_stop_when_exhaustive is False
    named = tally_file(path, rule="equalshares/add1").outcomes[0].params
    assert isinstance(named, EqualSharesParameters)
    assert named.add1_stop_when_exhaustive is True
    given = tally_file(path, params=[("add1_stop_when_exhaustive", "true")]).outcomes[0].params
    assert isinstance(given, EqualSharesParameters)
    assert given.add1_stop_when_exhaustive is True
