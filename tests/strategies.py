"""Shared hypothesis strategies: small random elections written as .pb text."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from hypothesis import strategies as st

VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring", "ordinal")


@dataclass(frozen=True)
class PbElection:
    """A small election: enough to write a .pb file and to shuffle it."""

    vote_type: str
    budget: str
    costs: tuple[str, ...]
    ballots: tuple[tuple[tuple[str, int], ...], ...]  # (project id, points) per ballot
    threshold: int | None = None

    def text(self, *, ballot_order: list[int] | None = None, project_order: list[int] | None = None) -> str:
        projects = list(range(len(self.costs)))
        if project_order is not None:
            projects = project_order
        ballots = list(range(len(self.ballots)))
        if ballot_order is not None:
            ballots = ballot_order
        has_points = self.vote_type in ("cumulative", "scoring")
        lines = ["META", "key;value", f"budget;{self.budget}", f"vote_type;{self.vote_type}", "rule;greedy"]
        if self.threshold is not None:
            lines.append(f"min_project_score_threshold;{self.threshold}")
        lines += ["PROJECTS", "project_id;cost"]
        lines += [f"p{j};{self.costs[j]}" for j in projects]
        lines += ["VOTES", "voter_id;vote;points" if has_points else "voter_id;vote"]
        for i in ballots:
            ballot = self.ballots[i]
            vote = ",".join(p for p, _ in ballot)
            if has_points:
                lines.append(f"v{i};{vote};{','.join(str(points) for _, points in ballot)}")
            else:
                lines.append(f"v{i};{vote}")
        return "\n".join(lines) + "\n"


money_text = st.one_of(
    st.integers(min_value=0, max_value=120).map(str),
    st.tuples(st.integers(min_value=0, max_value=120), st.integers(min_value=0, max_value=99)).map(
        lambda t: f"{t[0]}.{t[1]:02d}"
    ),
)


@st.composite
def elections(draw: st.DrawFn, vote_types: tuple[str, ...] = VOTE_TYPES) -> PbElection:
    vote_type = draw(st.sampled_from(vote_types))
    m = draw(st.integers(min_value=1, max_value=7))
    costs = tuple(draw(st.lists(money_text, min_size=m, max_size=m)))
    budget = draw(st.integers(min_value=0, max_value=300).map(str))
    n = draw(st.integers(min_value=1, max_value=12))
    ids = [f"p{j}" for j in range(m)]
    ballots = []
    for _ in range(n):
        if vote_type == "choose-1":
            chosen = [draw(st.sampled_from(ids))]
        else:
            chosen = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=m, unique=True))
        points = [draw(st.integers(min_value=1, max_value=5)) for _ in chosen]
        ballots.append(tuple(zip(chosen, points, strict=True)))
    threshold = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=8)))
    return PbElection(vote_type, budget, costs, tuple(ballots), threshold)


def ticket(seed: int, project_id: str) -> bytes:
    """The lottery draw, computed independently of asukasbudjetti.rules.ties (docs/rules.md)."""
    return hashlib.sha256(f"asukasbudjetti-lottery:{seed}:{project_id}".encode()).digest()
