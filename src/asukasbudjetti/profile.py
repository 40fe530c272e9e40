"""The compiled profile: ballots turned once into numpy arrays, the only thing rules read.

Identical ballots are merged and carry a count (a large city has tens of thousands
of voters but far fewer distinct ballots), as pref_voting's ``Profile`` does.
Money is exact: every cost and the budget are scaled by the least common
denominator of their decimal parts to Python integers (``cost_units``,
``budget_units``), so rules compare integers; ``money()`` turns units back into
exact :class:`~fractions.Fraction` amounts.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from asukasbudjetti.model import WITHDRAWN_COST, Election, VoteType

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class CompiledProfile(BaseModel):
    """One pot's projects and ballots as arrays.

    Projects are indexed ``0..m-1`` in file order. Row ``r`` of ``weights`` is one
    distinct ballot cast ``counts[r]`` times: for approval and choose-1 a 0/1 row
    (a project repeated inside a ballot counts once), for cumulative and scoring the
    points, for ordinal the positional score ``L - k`` of the project ranked at
    0-based position ``k`` (``L`` = META ``max_length``, else the longest ballot).
    ``supporters[j]`` is ``votes(p)``, the number of voters whose ballot lists project
    ``j``; ``scores[j]`` is ``score(p)``.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    source: str
    vote_type: VoteType
    project_ids: tuple[str, ...]
    costs: tuple[Fraction, ...]
    budget: Fraction
    denominator: int
    cost_units: tuple[int, ...]
    budget_units: int
    withdrawn: tuple[bool, ...]
    weights: IntArray
    approvals: BoolArray
    counts: IntArray
    supporters: tuple[int, ...]
    scores: tuple[int, ...]
    voter_count: int
    positional_length: int | None = None

    @property
    def project_count(self) -> int:
        return len(self.project_ids)

    def index(self, project_id: str) -> int:
        """The index of ``project_id`` (KeyError when unknown)."""
        return self.project_ids.index(project_id)

    def money(self, units: int) -> Fraction:
        """Exact money from scaled integer units."""
        return Fraction(units, self.denominator)


def compile_profile(election: Election) -> CompiledProfile:
    """Compile a validated election (every ballot names known projects only)."""
    project_ids = tuple(p.project_id for p in election.projects)
    index = {project_id: j for j, project_id in enumerate(project_ids)}
    costs = tuple(p.cost for p in election.projects)
    denominator = math.lcm(election.budget.denominator, *(c.denominator for c in costs))
    cost_units = tuple(int(c * denominator) for c in costs)
    budget_units = int(election.budget * denominator)
    vote_type = election.vote_type
    ballots = election.ballots

    positional_length: int | None = None
    distinct: dict[tuple[tuple[int, int], ...], int] = {}
    if vote_type.is_approval_like:
        for items in ballots.projects:
            key = tuple((j, 1) for j in sorted({index[item] for item in items}))
            distinct[key] = distinct.get(key, 0) + 1
    elif vote_type.has_points:
        if ballots.points is None:
            raise ValueError(f"{election.source}: {vote_type.value} ballots without points")
        for items, points in zip(ballots.projects, ballots.points, strict=True):
            key = tuple(sorted((index[item], value) for item, value in zip(items, points, strict=True)))
            distinct[key] = distinct.get(key, 0) + 1
    else:
        declared = election.meta_int("max_length")
        positional_length = (
            declared if declared is not None else max((len(i) for i in ballots.projects), default=0)
        )
        for items in ballots.projects:
            key = tuple(sorted((index[item], positional_length - k) for k, item in enumerate(items)))
            distinct[key] = distinct.get(key, 0) + 1

    m = len(project_ids)
    weights = np.zeros((len(distinct), m), dtype=np.int64)
    counts = np.zeros(len(distinct), dtype=np.int64)
    for r, (key, count) in enumerate(distinct.items()):
        counts[r] = count
        for j, value in key:
            weights[r, j] = value
    approvals = weights != 0
    if vote_type.has_points:
        # A listed project with 0 points is still listed: votes(p) counts it.
        approvals = np.zeros_like(approvals)
        for r, key in enumerate(distinct):
            for j, _ in key:
                approvals[r, j] = True
    supporters = tuple(int(v) for v in counts @ approvals.astype(np.int64))
    scores = tuple(_exact_column_sums(weights, counts))
    return CompiledProfile(
        source=election.source,
        vote_type=vote_type,
        project_ids=project_ids,
        costs=costs,
        budget=election.budget,
        denominator=denominator,
        cost_units=cost_units,
        budget_units=budget_units,
        withdrawn=tuple(c == WITHDRAWN_COST for c in costs),
        weights=weights,
        approvals=approvals,
        counts=counts,
        supporters=supporters,
        scores=scores,
        voter_count=len(ballots),
        positional_length=positional_length,
    )


def _exact_column_sums(weights: IntArray, counts: IntArray) -> list[int]:
    """``counts @ weights`` without int64 overflow: checked, else done in Python ints."""
    bound = int(np.abs(weights).max(initial=0)) * int(counts.sum())
    if bound < 2**62:
        return [int(v) for v in counts @ weights]
    return [
        sum(int(c) * int(w) for c, w in zip(counts, weights[:, j], strict=True))
        for j in range(weights.shape[1])
    ]
