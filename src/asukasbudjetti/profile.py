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
from functools import cached_property
from itertools import chain
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, PrivateAttr

from asukasbudjetti.model import WITHDRAWN_COST, Election, VoteType

# numpy.typing's NDArray, spelled without importing numpy.typing at run time.
IntArray = np.ndarray[Any, np.dtype[np.int64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]


class CompiledProfile(BaseModel):
    """One pot's projects and ballots as arrays.

    Projects are indexed ``0..m-1`` in file order. Row ``r`` of ``weights`` is one
    distinct ballot cast ``counts[r]`` times: for approval and choose-1 a 0/1 row
    (a project repeated inside a ballot counts once), for cumulative and scoring the
    points, for ordinal the positional score ``L - k`` of the project ranked at
    0-based position ``k`` (``L`` = META ``max_length``, else the longest ballot).
    ``supporters[j]`` is ``votes(p)``, the number of voters whose ballot lists project
    ``j``; ``scores[j]`` is ``score(p)``.

    ``weights``, ``approvals`` and ``counts`` are found the first time a rule asks for
    one of them: merging a large city's ballots takes longer than a greedy rule, which
    needs only the totals. A copy made with ``model_copy(update=...)`` may set them.
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
    supporters: tuple[int, ...]
    scores: tuple[int, ...]
    voter_count: int
    positional_length: int | None = None
    #: Votes counted outside the ballots (paper votes given only per project); they
    #: are included in ``supporters`` and ``scores``. Rules that need individual
    #: ballots (Equal Shares, Phragmén) refuse a profile where any is non-zero.
    paper_votes: tuple[int, ...] = ()
    # One row per ballot (see compile_profile), and the distinct rows once merged; copies
    # share it, as they share the ballots.
    _ballot_rows: dict[str, Any] = PrivateAttr(default_factory=dict)

    @cached_property
    def weights(self) -> IntArray:
        """Row ``r``: distinct ballot ``r``'s approvals (0/1), points, or positional scores."""
        return self._merged()[0]

    @cached_property
    def approvals(self) -> BoolArray:
        """Row ``r``: which projects distinct ballot ``r`` lists."""
        return self._merged()[1]

    @cached_property
    def counts(self) -> IntArray:
        """How many voters cast distinct ballot ``r``."""
        return self._merged()[2]

    def _merged(self) -> tuple[IntArray, BoolArray, IntArray]:
        rows = self._ballot_rows
        if "merged" not in rows:
            rows["merged"] = _merge_identical(rows["keys"], len(self.project_ids))
        merged: tuple[IntArray, BoolArray, IntArray] = rows["merged"]
        return merged

    @property
    def has_paper_votes(self) -> bool:
        return any(self.paper_votes)

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
    costs = tuple(p.cost for p in election.projects)
    denominator = math.lcm(election.budget.denominator, *(c.denominator for c in costs))
    cost_units = tuple(int(c * denominator) for c in costs)
    budget_units = int(election.budget * denominator)
    vote_type = election.vote_type
    ballots = election.ballots

    positional_length: int | None = None
    m = len(project_ids)
    n = len(ballots)
    # Flatten every ballot into (ballot row, project column, value) triples at C speed.
    lengths, columns = ballots.flat_indices(project_ids)
    if columns.size and int(columns.min()) < 0:
        raise ValueError(f"{election.source}: a ballot names a project not in PROJECTS; validate the election first")
    rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
    if vote_type.is_approval_like:
        values = np.ones(len(columns), dtype=np.int64)
    elif vote_type.has_points:
        if ballots.points is None:
            raise ValueError(f"{election.source}: {vote_type.value} ballots without points")
        values = np.fromiter(chain.from_iterable(ballots.points), dtype=np.int64, count=len(columns))
    else:
        declared = election.meta_int("max_length")
        positional_length = declared if declared is not None else int(lengths.max(initial=0))
        starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        values = positional_length - (np.arange(len(columns), dtype=np.int64) - starts)
    fits_small = values.size == 0 or (int(values.min()) >= -128 and int(values.max()) <= 127)
    small = np.int8 if fits_small else np.int64
    # A project repeated inside an approval ballot counts once: assignment, not addition.
    per_ballot = np.zeros((n, m), dtype=small)
    per_ballot[rows, columns] = values
    if vote_type.has_points and bool((values == 0).any()):
        # A project listed with 0 points is still listed (it counts in votes(p)).
        listed = np.zeros((n, m), dtype=small)
        listed[rows, columns] = 1
        keys = np.ascontiguousarray(np.concatenate([per_ballot, listed], axis=1))
    else:
        keys = per_ballot
    paper = tuple(p.extra_approvals or 0 for p in election.projects)
    column_sums = _exact_column_sums(per_ballot)
    if vote_type.is_approval_like:
        listed_sums = column_sums  # the rows are 0/1: the sums count the listings
    else:
        listed_per_ballot = per_ballot != 0 if keys is per_ballot else keys[:, m:] != 0
        listed_sums = [int(v) for v in listed_per_ballot.sum(axis=0, dtype=np.int64)]
    supporters = tuple(v + extra for v, extra in zip(listed_sums, paper, strict=True))
    # A paper vote is an approval: it adds one to the score of approval-like ballots
    # (for points and rankings a count of paper votes has no points to add).
    scores = tuple(
        score + (extra if vote_type.is_approval_like else 0)
        for score, extra in zip(column_sums, paper, strict=True)
    )
    profile = CompiledProfile(
        source=election.source,
        vote_type=vote_type,
        project_ids=project_ids,
        costs=costs,
        budget=election.budget,
        denominator=denominator,
        cost_units=cost_units,
        budget_units=budget_units,
        withdrawn=tuple(c == WITHDRAWN_COST for c in costs),
        supporters=supporters,
        scores=scores,
        voter_count=len(ballots),
        positional_length=positional_length,
        paper_votes=paper,
    )
    profile._ballot_rows["keys"] = keys
    return profile


def _merge_identical(keys: np.ndarray[Any, Any], m: int) -> tuple[IntArray, BoolArray, IntArray]:
    """The distinct rows of ``keys`` (one per ballot: its values, then, where values can be
    0, whether it lists each project) as weights, approvals and counts.

    Each row is viewed as one opaque byte string, which numpy sorts quickly; the
    distinct rows come out in byte order, whatever the order the ballots were cast in.
    """
    row_type = np.dtype((np.void, keys.dtype.itemsize * keys.shape[1]))
    unique_rows, counts = np.unique(keys.view(row_type).ravel(), return_counts=True)
    unique = unique_rows.view(keys.dtype).reshape(len(unique_rows), keys.shape[1])
    weights = unique[:, :m].astype(np.int64)
    approvals = unique[:, m:] != 0 if keys.shape[1] != m else weights != 0
    return weights, approvals, counts.astype(np.int64)


def _exact_column_sums(per_ballot: np.ndarray[Any, np.dtype[np.int8]] | IntArray) -> list[int]:
    """Column sums without int64 overflow: checked, else done in Python integers."""
    bound = int(np.abs(per_ballot).max(initial=0)) * per_ballot.shape[0]
    if bound < 2**62:
        return [int(v) for v in per_ballot.sum(axis=0, dtype=np.int64)]
    return [sum(int(v) for v in per_ballot[:, j]) for j in range(per_ballot.shape[1])]
