"""What a caller may set for any rule, in a module of its own so that every rule module can name it."""

from __future__ import annotations

from fractions import Fraction

from pydantic import BaseModel, ConfigDict

from asukasbudjetti.rules.ties import DEFAULT_SEED


class RuleOptions(BaseModel):
    """What a caller may set for any rule; each rule uses the options it defines."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    seed: int = DEFAULT_SEED
    exclusive: tuple[tuple[str, ...], ...] = ()
    threshold: Fraction | None = None
    #: Rule parameters by name, as text (``--param completion=add1``); each rule
    #: checks the names and values it accepts.
    overrides: tuple[tuple[str, str], ...] = ()
