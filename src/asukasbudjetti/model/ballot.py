"""Ballots as cast, kept column by column (a large city has tens of thousands)."""

from __future__ import annotations

from enum import StrEnum
from itertools import chain, repeat
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, PrivateAttr


class VoteType(StrEnum):
    """pabulib's META ``vote_type`` values."""

    APPROVAL = "approval"
    CHOOSE_1 = "choose-1"
    CUMULATIVE = "cumulative"
    SCORING = "scoring"
    ORDINAL = "ordinal"

    @property
    def has_points(self) -> bool:
        """Cumulative and scoring ballots give each listed project a number of points."""
        return self in (VoteType.CUMULATIVE, VoteType.SCORING)

    @property
    def is_approval_like(self) -> bool:
        """Choose-1 is approval of exactly one project."""
        return self in (VoteType.APPROVAL, VoteType.CHOOSE_1)


class Ballot(BaseModel):
    """One voter's ballot: the projects in the order written, and their points if any."""

    model_config = ConfigDict(frozen=True)

    voter_id: str
    projects: tuple[str, ...]
    points: tuple[int, ...] | None = None
    line: int | None = None


class BallotTable(BaseModel):
    """All ballots of one pot, column by column, in file order.

    Row ``i`` is voter ``voter_ids[i]`` who listed ``projects[i]`` (file order, which
    is a ranking for ordinal ballots), with ``points[i]`` for cumulative and scoring
    ballots, cast on line ``lines[i]``. ``extra`` holds the other VOTES columns
    (age, sex, voting_method, ...) as text.
    """

    model_config = ConfigDict(frozen=True)

    voter_ids: tuple[str, ...]
    projects: tuple[tuple[str, ...], ...]
    points: tuple[tuple[int, ...], ...] | None = None
    lines: tuple[int, ...] = ()
    extra: dict[str, tuple[str, ...]] = {}
    # Flattened ballots per project list, computed once and shared by validation and
    # the compiled profile (both need them, and a large city has ~300,000 items).
    _flat: dict[tuple[str, ...], tuple[Any, Any, Any]] = PrivateAttr(default_factory=dict)

    def __len__(self) -> int:
        return len(self.voter_ids)

    def flat_indices(
        self, project_ids: tuple[str, ...]
    ) -> tuple[np.ndarray[Any, np.dtype[np.int64]], np.ndarray[Any, np.dtype[np.int64]]]:
        """Every ballot's length, and all listed projects in ballot order as indices into
        ``project_ids`` (-1 for an id not among them)."""
        cached = self._flat.get(project_ids)
        # model_copy shares private attributes: the cache is only good for these very ballots.
        if cached is None or cached[2] is not self.projects:
            index = {project_id: j for j, project_id in enumerate(project_ids)}
            lengths = np.fromiter(map(len, self.projects), dtype=np.int64, count=len(self.projects))
            total = int(lengths.sum())
            try:
                columns = np.fromiter(
                    map(index.__getitem__, chain.from_iterable(self.projects)), dtype=np.int64, count=total
                )
            except KeyError:  # an unknown project: mark it -1 (slower, and rare)
                columns = np.fromiter(
                    map(index.get, chain.from_iterable(self.projects), repeat(-1)), dtype=np.int64, count=total
                )
            cached = self._flat[project_ids] = (lengths, columns, self.projects)
        return cached[0], cached[1]

    def keep_flat_indices(
        self,
        project_ids: tuple[str, ...],
        lengths: np.ndarray[Any, np.dtype[np.int64]],
        columns: np.ndarray[Any, np.dtype[np.int64]],
    ) -> None:
        """Remember what :meth:`flat_indices` returns for ``project_ids``, computed by whoever
        has a faster way to it (the pabulib reader, from the vote texts it has just read)."""
        self._flat[project_ids] = (lengths, columns, self.projects)

    def ballot(self, index: int) -> Ballot:
        """Row ``index`` as a :class:`Ballot`."""
        return Ballot(
            voter_id=self.voter_ids[index],
            projects=self.projects[index],
            points=None if self.points is None else self.points[index],
            line=self.lines[index] if self.lines else None,
        )

    @classmethod
    def from_ballots(cls, ballots: list[Ballot]) -> BallotTable:
        """Build the table from individual ballots (for library users and tests)."""
        with_points = [b.points is not None for b in ballots]
        if any(with_points) and not all(with_points):
            raise ValueError("either every ballot has points or none has")
        return cls(
            voter_ids=tuple(b.voter_id for b in ballots),
            projects=tuple(b.projects for b in ballots),
            points=tuple(b.points for b in ballots if b.points is not None) if any(with_points) else None,
            lines=tuple(b.line or 0 for b in ballots),
        )
