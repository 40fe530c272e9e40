"""Every error asukasbudjetti raises on purpose.

The tree::

    AsukasbudjettiError
    ├── MoneyError(ValueError)            a cost or budget that is not an exact, non-negative amount
    ├── InputError(ValueError)            a file that cannot be read as an election
    │   └── ProblemsError                 validation found errors; carries every Problem
    ├── RuleError(ValueError)             a rule cannot run on this election
    │   ├── UnknownRuleError              no rule of that name (lists the known names)
    │   └── UnsupportedVoteTypeError      the rule does not define an outcome for this vote type
    └── OutputError(OSError)              a result could not be written

The command line turns any of them into ``Error: ...`` and exit code 1, without a
traceback; library users catch ``AsukasbudjettiError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from asukasbudjetti.problems import Problem

#: How many problems a message lists before it gives only a count of the rest.
SHOWN_PROBLEMS = 20


class AsukasbudjettiError(Exception):
    """Base class of every error raised on purpose by asukasbudjetti."""


class MoneyError(AsukasbudjettiError, ValueError):
    """A text that should hold an exact, non-negative amount of money does not."""


class InputError(AsukasbudjettiError, ValueError):
    """An input file cannot be read as an election."""


class ProblemsError(InputError):
    """Validation found errors; ``problems`` holds all of them, in file order."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(format_problems(self.problems))


class RuleError(AsukasbudjettiError, ValueError):
    """A rule cannot run on the election it was given."""


class UnknownRuleError(RuleError):
    """No rule has the requested name."""

    def __init__(self, name: str, known: Sequence[str], reason: str | None = None) -> None:
        self.name = name
        self.known = tuple(known)
        lead = reason if reason is not None else f"unknown rule {name!r}"
        super().__init__(f"{lead}; choose one of: {', '.join(self.known)}")


class UnsupportedVoteTypeError(RuleError):
    """The rule has no definition for the election's vote type."""


class OutputError(AsukasbudjettiError, OSError):
    """A result could not be written."""


def format_problems(problems: Sequence[Problem]) -> str:
    """One line per problem, the first ``SHOWN_PROBLEMS`` of them, then a count of the rest."""
    lines = [str(problem) for problem in problems[:SHOWN_PROBLEMS]]
    hidden = len(problems) - SHOWN_PROBLEMS
    if hidden > 0:
        lines.append(f"... and {hidden} more problem{'s' if hidden != 1 else ''}")
    return "\n".join(lines)
