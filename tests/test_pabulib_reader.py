"""The .pb reader on real-world quirks, and the writer's round trip."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from asukasbudjetti.io import dumps_pabulib, read_pabulib, read_pabulib_bytes, write_pabulib
from asukasbudjetti.model import Election, VoteType
from tests.conftest import pabulib_params

SMALL = (
    "META\n"
    "key;value\n"
    "description;quirks\n"
    "num_projects;3\n"
    "num_votes;3\n"
    "budget;1000.50\n"
    "vote_type;approval\n"
    "rule;greedy\n"
    "PROJECTS\n"
    "project_id;cost;votes;name\n"
    '1;400.0;2;"Park; benches and lights"\n'
    "2;600.25;2;Library\n"
    "3;999999999;1;Withdrawn plan\n"
    "VOTES\n"
    "voter_id;vote\n"
    "a;1, 2\n"
    "b;1,3\n"
    "c;2\n"
)


def read_text(text: str, *, bom: bool = False, newline: str = "\n") -> Election:
    raw = text.replace("\n", newline).encode()
    read = read_pabulib_bytes((b"\xef\xbb\xbf" if bom else b"") + raw, "quirks.pb")
    assert read.problems == []
    assert read.election is not None
    return read.election


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("bom", [False, True])
def test_line_ends_and_bom_read_alike(newline: str, bom: bool) -> None:
    election = read_text(SMALL, bom=bom, newline=newline)
    assert election.budget == Fraction(2001, 2)  # 1000.50
    assert election.meta["description"] == "quirks"  # the BOM is not part of the first key
    assert [p.project_id for p in election.projects] == ["1", "2", "3"]
    assert [p.source.line for p in election.projects if p.source] == [11, 12, 13]
    assert election.ballots.lines == (16, 17, 18)


def test_mixed_line_ends_keep_line_numbers() -> None:
    lines = SMALL.split("\n")
    mixed = "".join(line + ("\r\n" if i % 2 else "\n") for i, line in enumerate(lines[:-1]))
    read = read_pabulib_bytes(mixed.encode(), "mixed.pb")
    assert read.election is not None
    assert read.election.ballots.lines == (16, 17, 18)


def test_quoted_name_with_semicolon_float_cost_sentinel_and_spaced_ids() -> None:
    election = read_text(SMALL)
    park, library, withdrawn = election.projects
    assert park.name == "Park; benches and lights"
    assert park.cost == 400  # "400.0" read exactly
    assert library.cost == Fraction(60025, 100)
    assert withdrawn.withdrawn
    assert election.ballots.projects[0] == ("1", "2")  # "1, 2"
    assert election.vote_type is VoteType.APPROVAL


def test_quoted_field_spanning_lines_cites_the_line_it_starts_on() -> None:
    text = SMALL.replace('"Park; benches and lights"', '"Park;\nbenches"')
    read = read_pabulib_bytes(text.encode(), "multi.pb")
    assert read.election is not None
    assert read.election.projects[0].name == "Park;\nbenches"
    assert read.election.projects[1].source is not None
    assert read.election.projects[1].source.line == 13
    assert read.election.ballots.lines == (17, 18, 19)


def test_reader_reports_file_and_line_of_a_bad_cost() -> None:
    read = read_pabulib_bytes(SMALL.replace("600.25", "nan").encode(), "bad.pb")
    assert [str(p).split(": ")[0] for p in read.problems] == ["bad.pb:12"]


def test_writer_round_trips_to_an_equivalent_file(tmp_path: Path) -> None:
    election = read_text(SMALL, newline="\r\n", bom=True)
    target = tmp_path / "out.pb"
    write_pabulib(election, target)
    again = read_pabulib(target).election
    assert again is not None
    assert_equivalent(election, again)
    # Canonical text is a fixed point.
    assert dumps_pabulib(again) == target.read_text(encoding="utf-8")


def assert_equivalent(first: Election, second: Election) -> None:
    assert first.meta == second.meta
    assert first.budget == second.budget
    assert first.vote_type == second.vote_type
    assert first.projects_header == second.projects_header
    assert first.votes_header == second.votes_header
    for a, b in zip(first.projects, second.projects, strict=True):
        assert (a.project_id, a.cost, a.name, a.declared_votes, a.declared_score, a.selected) == (
            b.project_id,
            b.cost,
            b.name,
            b.declared_votes,
            b.declared_score,
            b.selected,
        )
    assert first.ballots.voter_ids == second.ballots.voter_ids
    assert first.ballots.projects == second.ballots.projects
    assert first.ballots.points == second.ballots.points
    assert first.ballots.extra == second.ballots.extra


@pytest.mark.parametrize("path", pabulib_params())
def test_every_real_file_reads_cleanly_and_round_trips(path: Path, tmp_path: Path) -> None:
    read = read_pabulib(path)
    assert read.problems == [], [str(p) for p in read.problems]
    assert read.election is not None
    declared = read.election.meta_int("num_votes")
    assert declared == len(read.election.ballots)
    target = tmp_path / path.name
    write_pabulib(read.election, target)
    again = read_pabulib(target).election
    assert again is not None
    assert_equivalent(read.election, again)
