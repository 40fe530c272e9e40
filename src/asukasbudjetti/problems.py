"""A problem found in an input file: where, what, and what was expected."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Severity(StrEnum):
    """Errors stop a tally; warnings are shown and recorded (``--strict`` makes them errors)."""

    ERROR = "error"
    WARNING = "warning"


class Problem(BaseModel):
    """One problem, printed as ``FILE:LINE: problem; expected ...``.

    ``code`` is a stable short name (``unknown-project``, ``duplicate-voter``...) for
    scripts and tests; the message is for people.
    """

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    file: str
    line: int | None
    message: str
    expected: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        lead = "warning: " if self.severity is Severity.WARNING else ""
        tail = f"; expected {self.expected}" if self.expected else ""
        return f"{where}: {lead}{self.message}{tail}"

    def as_error(self) -> Problem:
        """The same problem as an error (``--strict``)."""
        return self.model_copy(update={"severity": Severity.ERROR})

