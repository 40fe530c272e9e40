"""A proposal that the city screened, priced and put to the vote."""

from __future__ import annotations

from fractions import Fraction

from pydantic import BaseModel, ConfigDict

from asukasbudjetti.model.source import SourceLocation

#: pabulib's cost for a project withdrawn after the vote: every rule passes it over.
WITHDRAWN_COST = Fraction(999_999_999)


class Project(BaseModel):
    """One project of a pot.

    ``declared_votes``, ``declared_score`` and ``selected`` are what the file says
    (pabulib's PROJECTS columns ``votes``, ``score`` and ``selected``): summaries
    and the announced outcome, checked against the ballots but never used by a rule.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    project_id: str
    cost: Fraction
    name: str | None = None
    declared_votes: int | None = None
    declared_score: Fraction | None = None
    selected: int | None = None
    #: Approvals counted outside the ballots (paper votes given only as a count per
    #: project; pabulib's PROJECTS column ``extra_approvals``).
    extra_approvals: int | None = None
    fields: dict[str, str] = {}
    source: SourceLocation | None = None

    @property
    def withdrawn(self) -> bool:
        """True when the file marks the project withdrawn with the sentinel cost."""
        return self.cost == WITHDRAWN_COST
