"""asukasbudjetti: exact, explainable tallying of participatory budgeting ballots."""

__version__ = "0.1.0"

from asukasbudjetti.errors import (  # noqa: E402  (the version must exist before submodules load)
    AsukasbudjettiError,
    InputError,
    MoneyError,
    OutputError,
    ProblemsError,
    RuleError,
    UnknownRuleError,
    UnsupportedVoteTypeError,
)
from asukasbudjetti.io import read_pabulib, write_pabulib  # noqa: E402
from asukasbudjetti.model import Ballot, BallotTable, Election, Project, VoteType  # noqa: E402
from asukasbudjetti.money import format_money, parse_money  # noqa: E402
from asukasbudjetti.outcome import Decision, Outcome  # noqa: E402
from asukasbudjetti.problems import Problem, Severity  # noqa: E402
from asukasbudjetti.profile import CompiledProfile, compile_profile  # noqa: E402
from asukasbudjetti.rules import RULES, get_rule  # noqa: E402
from asukasbudjetti.tally import TallyResult, load_election, tally_election, tally_file  # noqa: E402
from asukasbudjetti.validation import validate  # noqa: E402

__all__ = [
    "RULES",
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
    "RuleError",
    "Severity",
    "TallyResult",
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
    "tally_election",
    "tally_file",
    "validate",
    "write_pabulib",
]
