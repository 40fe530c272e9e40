"""asukasbudjetti: exact, explainable tallying of participatory budgeting ballots."""

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
from asukasbudjetti.version import __version__

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
