"""Where a piece of input came from, so that every problem can cite a file and line."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class SourceLocation(BaseModel):
    """A line of an input file (1-based, counting the line a quoted field starts on)."""

    model_config = ConfigDict(frozen=True)

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"
