"""The reader's fast path (plain split, column-wise ballots) must agree with the csv path.

A VOTES section with no quote is split without the csv module and read column by
column; one quote anywhere in it sends the whole file through the csv module and
the row-by-row reader. Both must give the same ballots and the same problems.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from asukasbudjetti.io import read_pabulib_bytes

HEAD = "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;10\n2;20\n3;30\nVOTES\n"

vote_texts = st.lists(st.sampled_from(["1", "2", "3", "4", " 1", "2 ", ""]), min_size=0, max_size=4).map(",".join)
rows = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d", "", " e", "VOTES", " meta", "Projects"]),
        vote_texts,
        st.sampled_from(["x", "", "y;z"]),
    ),
    min_size=0,
    max_size=6,
)


def read(text: str) -> tuple[object, list[tuple[str, int | None, str]]]:
    result = read_pabulib_bytes(text.encode(), "paths.pb")
    problems = [(p.code, p.line, p.message) for p in result.problems]
    election = result.election
    table = None
    if election is not None:
        b = election.ballots
        table = (b.voter_ids, b.projects, b.points, tuple(b.lines), b.extra)
    return table, problems


@given(rows, st.booleans())
def test_fast_and_csv_paths_agree(body: list[tuple[str, str, str]], trailing_newline: bool) -> None:
    lines = [f"{voter};{vote};{extra}" for voter, vote, extra in body]
    plain = HEAD + "voter_id;vote;note\n" + "\n".join(lines) + ("\n" if trailing_newline else "")
    # The same file with the header's last column quoted: no longer quote-free.
    quoted = HEAD + 'voter_id;vote;"note"\n' + "\n".join(lines) + ("\n" if trailing_newline else "")
    assert read(plain) == read(quoted)


#: Whole lines for a VOTES section, among them blank ones (skipped by the csv reading,
#: and counted), marker-like ones, and ones that only start like a marker.
whole_lines = st.lists(
    st.sampled_from(
        ["a;1;x", "b;2,3;", "m;1;y", "v;3;z", " p;1;", "", " ", "\t", ";;", " ;\t;", "votes", " Meta ;", "mx;1;"]
    ),
    min_size=0,
    max_size=6,
)


@given(whole_lines, st.booleans(), st.booleans())
def test_blank_and_marker_lines_read_the_same_on_both_paths(
    lines: list[str], trailing_newline: bool, crlf: bool
) -> None:
    end = "\r\n" if crlf else "\n"
    body = end.join(lines) + (end if trailing_newline else "")
    plain = HEAD.replace("\n", end) + "voter_id;vote;note" + end + body
    quoted = HEAD.replace("\n", end) + 'voter_id;vote;"note"' + end + body
    assert read(plain) == read(quoted)


# Project ids and ballot items for the numbered-ids reading: canonical numbers, and ids
# that only look like them (a leading zero, 0 itself, more digits than int64 holds).
NUMBERED_IDS = ["1", "2", "3", "10", "12", "0", "01", "007", "99999999999999999999", "18446744073709551617", "x"]


@given(
    st.lists(st.sampled_from(NUMBERED_IDS), min_size=1, max_size=5, unique=True),
    st.lists(st.lists(st.sampled_from(NUMBERED_IDS), min_size=1, max_size=4), min_size=1, max_size=6),
)
def test_flat_indices_read_from_numbered_ids_name_the_same_projects(
    project_ids: list[str], ballots: list[list[str]]
) -> None:
    projects = "".join(f"{p};10\n" for p in project_ids)
    votes = "".join(f"v{i};{','.join(items)}\n" for i, items in enumerate(ballots))
    text = (
        "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n"
        + projects
        + "VOTES\nvoter_id;vote\n"
        + votes
    )
    election = read_pabulib_bytes(text.encode(), "numbered.pb").election
    assert election is not None
    lengths, columns = election.ballots.flat_indices(tuple(project_ids))
    # Each item's index among the PROJECTS ids, -1 for none, looked up one by one.
    assert lengths.tolist() == [len(items) for items in ballots]
    assert columns.tolist() == [project_ids.index(i) if i in project_ids else -1 for items in ballots for i in items]


def test_numbered_ids_take_the_numbers_path() -> None:
    """The case the numbers reading exists for: its result is the one kept on the table."""
    text = (
        "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n7;10\n12;10\n3;10\n"
        "VOTES\nvoter_id;vote\na;12,7\nb;3\nc;12,44\n"
    )
    ballots = read_pabulib_bytes(text.encode(), "numbered.pb").election.ballots  # type: ignore[union-attr]
    kept = ballots._flat[("7", "12", "3")]  # filled by the reader, before anyone asked
    assert kept[0].tolist() == [2, 1, 2]
    assert kept[1].tolist() == [1, 0, 2, 1, -1]
