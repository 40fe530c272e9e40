"""asukasbudjetti: exact, explainable tallying of participatory budgeting ballots.

The public names below are imported when first used (PEP 562), so that
``import asukasbudjetti`` (and every command of the CLI, which needs only some of
them) does not pay for numpy, pydantic and every stage up front.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from asukasbudjetti.version import __version__

if TYPE_CHECKING:
    from asukasbudjetti.errors import (
        AsukasbudjettiError,
        InputError,
        MoneyError,
        OutputError,
        ProblemsError,
        RuleError,
        UnknownRuleError,
        UnsupportedVoteTypeError,
    )
    from asukasbudjetti.io import read_pabulib, write_pabulib
    from asukasbudjetti.io.record import read_record, write_record
    from asukasbudjetti.model import Ballot, BallotTable, Election, Project, VoteType
    from asukasbudjetti.model.outcome import Decision, Outcome
    from asukasbudjetti.model.record import Record
    from asukasbudjetti.money import format_money, parse_money
    from asukasbudjetti.problems import Problem, Severity
    from asukasbudjetti.profile import CompiledProfile, compile_profile
    from asukasbudjetti.rules import RULES, get_rule
    from asukasbudjetti.tally import load_election, tally_election, tally_file
    from asukasbudjetti.validation import validate

#: Each public name and the module that defines it.
_LAZY: dict[str, str] = {
    "AsukasbudjettiError": "asukasbudjetti.errors",
    "InputError": "asukasbudjetti.errors",
    "MoneyError": "asukasbudjetti.errors",
    "OutputError": "asukasbudjetti.errors",
    "ProblemsError": "asukasbudjetti.errors",
    "RuleError": "asukasbudjetti.errors",
    "UnknownRuleError": "asukasbudjetti.errors",
    "UnsupportedVoteTypeError": "asukasbudjetti.errors",
    "read_pabulib": "asukasbudjetti.io",
    "write_pabulib": "asukasbudjetti.io",
    "read_record": "asukasbudjetti.io.record",
    "write_record": "asukasbudjetti.io.record",
    "Ballot": "asukasbudjetti.model",
    "BallotTable": "asukasbudjetti.model",
    "Election": "asukasbudjetti.model",
    "Project": "asukasbudjetti.model",
    "VoteType": "asukasbudjetti.model",
    "Decision": "asukasbudjetti.model.outcome",
    "Outcome": "asukasbudjetti.model.outcome",
    "Record": "asukasbudjetti.model.record",
    "format_money": "asukasbudjetti.money",
    "parse_money": "asukasbudjetti.money",
    "Problem": "asukasbudjetti.problems",
    "Severity": "asukasbudjetti.problems",
    "CompiledProfile": "asukasbudjetti.profile",
    "compile_profile": "asukasbudjetti.profile",
    "RULES": "asukasbudjetti.rules",
    "get_rule": "asukasbudjetti.rules",
    "load_election": "asukasbudjetti.tally",
    "tally_election": "asukasbudjetti.tally",
    "tally_file": "asukasbudjetti.tally",
    "validate": "asukasbudjetti.validation",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'asukasbudjetti' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "AsukasbudjettiError",
    "Ballot",
    "BallotTable",
    "CompiledProfile",
    "Decision",
    "Election",
    "InputError",
    "MoneyError",
    "Outcome",
    "OutputError",
    "Problem",
    "ProblemsError",
    "Project",
    "RULES",
    "Record",
    "RuleError",
    "Severity",
    "UnknownRuleError",
    "UnsupportedVoteTypeError",
    "VoteType",
    "__version__",
    "compile_profile",
    "format_money",
    "get_rule",
    "load_election",
    "parse_money",
    "read_pabulib",
    "read_record",
    "tally_election",
    "tally_file",
    "validate",
    "write_pabulib",
    "write_record",
]
