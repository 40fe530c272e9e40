"""The election model: what a budget cycle's files say, validated by pydantic."""

from asukasbudjetti.model.ballot import Ballot, BallotTable, VoteType
from asukasbudjetti.model.election import Election
from asukasbudjetti.model.project import WITHDRAWN_COST, Project
from asukasbudjetti.model.source import SourceLocation

__all__ = [
    "WITHDRAWN_COST",
    "Ballot",
    "BallotTable",
    "Election",
    "Project",
    "SourceLocation",
    "VoteType",
]
