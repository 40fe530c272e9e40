"""One election as a pabulib file describes it: one pot, its projects and its ballots."""

from __future__ import annotations

from fractions import Fraction

from pydantic import BaseModel, ConfigDict

from asukasbudjetti.model.ballot import BallotTable, VoteType
from asukasbudjetti.model.project import Project


class Election(BaseModel):
    """A pot's budget, projects and ballots, with the file's META as written.

    ``source`` is the file name used in messages and records; ``meta_lines`` maps each
    META key to its line so that problems with it can be cited.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    source: str
    meta: dict[str, str]
    meta_lines: dict[str, int] = {}
    vote_type: VoteType
    budget: Fraction
    projects: tuple[Project, ...]
    ballots: BallotTable
    projects_header: tuple[str, ...] = ("project_id", "cost")
    votes_header: tuple[str, ...] = ("voter_id", "vote")

    @property
    def declared_rule(self) -> str | None:
        """The META ``rule``: the rule the city used, as pabulib names it."""
        return self.meta.get("rule")

    @property
    def pot_name(self) -> str:
        """A human name for the pot: pabulib's ``subunit``, ``district`` or ``unit``."""
        for key in ("subunit", "district", "unit"):
            if self.meta.get(key):
                return self.meta[key]
        return self.source

    def meta_int(self, key: str) -> int | None:
        """An integer META field, or None when absent (validation has checked the type)."""
        text = self.meta.get(key)
        if text is None or text.strip() == "":
            return None
        return int(text.strip())

    def project_ids(self) -> tuple[str, ...]:
        """Project ids in file order."""
        return tuple(p.project_id for p in self.projects)
