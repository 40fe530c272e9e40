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
