"""Validation decides most files for all ballots at once (numpy); it must agree with
the ballot-by-ballot checks, computed here independently."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from asukasbudjetti.io import read_pabulib_bytes
from asukasbudjetti.validation import validate

ids = st.sampled_from(["1", "2", "3", "4", "9"])  # "9" is not in PROJECTS
ballots = st.lists(st.lists(ids, min_size=1, max_size=5), min_size=1, max_size=8)


@given(ballots, st.one_of(st.none(), st.integers(min_value=1, max_value=4)))
def test_ballot_findings_match_an_independent_count(votes: list[list[str]], max_length: int | None) -> None:
    meta = "META\nkey;value\nbudget;100\nvote_type;approval\n" + (f"max_length;{max_length}\n" if max_length else "")
    projects = "PROJECTS\nproject_id;cost;votes\n" + "".join(
        f"{p};10;{sum(p in set(v) for v in votes)}\n" for p in ("1", "2", "3", "4")
    )
    lines = "VOTES\nvoter_id;vote\n" + "".join(f"v{i};{','.join(v)}\n" for i, v in enumerate(votes))
    election = read_pabulib_bytes((meta + projects + lines).encode(), "x.pb").election
    assert election is not None
    found = {(p.code, p.line) for p in validate(election)}
    first = meta.count("\n") + projects.count("\n") + 3  # line of ballot 0
    expected: set[tuple[str, int]] = set()
    for i, vote in enumerate(votes):
        line = first + i
        if "9" in vote:
            expected.add(("unknown-project", line))
        if len(set(vote)) != len(vote):
            expected.add(("repeated-project", line))
        if max_length is not None and len(set(vote)) > max_length:
            expected.add(("ballot-too-long", line))
    assert found == expected  # the votes column is right, so no summary warning either


@given(st.lists(st.lists(st.integers(min_value=0, max_value=129), min_size=1, max_size=6), min_size=1, max_size=20))
def test_repeat_detection_by_bits_and_by_sorting_agree(rows: list[list[int]]) -> None:
    import numpy as np

    from asukasbudjetti.validation import _has_repeats, _has_repeats_by_sorting

    lengths = np.array([len(r) for r in rows], dtype=np.int64)
    columns = np.array([c for r in rows for c in r], dtype=np.int64)
    expected = any(len(set(r)) != len(r) for r in rows)
    assert _has_repeats(lengths, columns, 130) == expected
    assert _has_repeats_by_sorting(lengths, columns, 130) == expected
