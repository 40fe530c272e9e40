"""The result record: one typed model of everything a tally produced.

The record is the contract between the tally and everything after it (verify,
explain, margins, compare, report): each of them takes a :class:`Record`, never
JSON data. This module is the one definition of every field; the JSON Schema in
docs/record.schema.json is generated from it (``asukasbudjetti schema --record``).

In JSON, keys are sorted, money is exact decimal text (or ``p/q`` when it has no
finite decimal form), there are no floats, no timestamps and no absolute paths:
two runs on the same inputs with the same version give byte-identical records on
any machine. :meth:`Record.dumps` writes that text;
:func:`asukasbudjetti.io.record.read_record` reads it back into a ``Record``.

The tree::

    Record
    ├── generator: Generator                  name and version of the program
    ├── invocation: PabulibInvocation | CycleInvocation   how to run the tally again
    ├── inputs: InputDigest...                each input file's name, size and SHA-256
    ├── outcomes: PotOutcome...               one per pot: the rule's Outcome and its trace,
    │   ├── announced: Announced              the outcome the city announced, against ours
    │   ├── margins: Margin...                how far each unfunded project was (tally --margins)
    │   └── diagnosis: Diagnosis              when ours differs: the smallest changes that reproduce it
    ├── warnings: RecordWarning...            problems found in the input that did not stop it
    └── cycle: CycleRecord                    a cycle's name, council decisions and leftover moves

A new part (such as the diagnosis of a differing outcome) is one more optional
field here, written only when it holds something, so that every earlier record
stays valid and byte-identical.
"""

from __future__ import annotations

import json
from typing import Annotated, ClassVar, Literal

from pydantic import Field

from asukasbudjetti.model.outcome import LeavesOutEmpty, Outcome, RecordPart
from asukasbudjetti.money import Money

#: The layout version of the record; bumped whenever a change alters what a record holds.
SCHEMA_VERSION = 1


class Generator(RecordPart):
    """The program that wrote the record."""

    name: str
    version: str


class InputDigest(RecordPart):
    """An input file as the record identifies it: its plain name (no folder), size and SHA-256."""

    file: str
    size: int
    sha256: str


class PabulibInvocation(RecordPart):
    """A tally of one pabulib file, with everything needed to run it again."""

    kind: Literal["pabulib"]
    rule: str
    seed: int
    exclusive: tuple[tuple[str, ...], ...]
    threshold: Money | None
    params: tuple[tuple[str, str], ...]
    strict: bool
    margins: bool


class CycleInvocation(RecordPart):
    """A tally of a budget cycle file (which states each pot's rule and parameters itself)."""

    kind: Literal["cycle"]
    exclude_invalid: bool


Invocation = Annotated[PabulibInvocation | CycleInvocation, Field(discriminator="kind")]


class Announced(RecordPart):
    """The outcome the city announced (PROJECTS ``selected``), against ours.

    ``funded`` are the projects the rule should reproduce: ``selected`` = 1, plus 2
    under Poznań's reserve rule. ``outside_money`` were paid from money outside the
    file (``selected`` = 3, and 2 under other rules, e.g. Gdynia's turnout award):
    no rule can reproduce them from the ballots. ``missing`` were announced but not
    funded by us; ``extra`` funded by us but not announced; ``matches`` is true
    when neither has any project.
    """

    funded: tuple[str, ...]
    outside_money: tuple[str, ...]
    missing: tuple[str, ...]
    extra: tuple[str, ...]
    matches: bool


class Margin(RecordPart):
    """How far one unfunded project was from being funded (see :mod:`asukasbudjetti.audit.margins`).

    ``extra_supporters``: the fewest extra voters approving only this project that
    fund it (``None``: not approval or choose-1, or no such number found).
    ``max_cost``: the largest cost at or below the current one that funds it, in
    exact money (``None``: none does). ``method`` says how each was found.
    """

    project_id: str = Field(alias="project")
    extra_supporters: int | None
    max_cost: Money | None
    method: str


# --- the diagnosis of a differing outcome (asukasbudjetti.audit.diagnose) ----------------------------------------

#: The kinds of change a diagnosis tries, in the order it tries them.
ChangeKind = Literal[
    "tie-order", "leave-out", "force-in", "exclusive-group", "budget", "threshold", "rule", "rule-parameter"
]


class TieOrderChange(RecordPart):
    """Greedy ties settled another way: the rule's parameter ``tie_break`` set to ``tie_break``.

    ``was`` is the ``tie_break`` the tally used; ``ties`` the projects of each tie the
    tally recorded as decisive (another order of them funds other projects).
    """

    kind: Literal["tie-order"]
    tie_break: str
    was: str
    ties: tuple[tuple[str, ...], ...]


class LeaveOutChange(RecordPart):
    """A project left out of the count (an unstated exclusion or withdrawal).

    ``cost`` is its cost; ``funded`` whether the tally funded it; ``money_left`` the
    money left when its turn came in the tally (greedy rules; ``None`` for the
    others); ``similar_to`` a project of the announced outcome with a similar name,
    if there is one.
    """

    kind: Literal["leave-out"]
    project_id: str = Field(alias="project")
    cost: Money
    funded: bool
    money_left: Money | None
    similar_to: str | None


class ForceInChange(RecordPart):
    """A project funded before the count, its cost taken from the budget; the rule shares the rest.

    ``funded`` is whether the tally funded it anyway; ``money_left`` the money left
    when its turn came in the tally (greedy rules; ``None`` for the others).
    """

    kind: Literal["force-in"]
    project_id: str = Field(alias="project")
    cost: Money
    funded: bool
    money_left: Money | None


class ExclusiveGroupChange(RecordPart):
    """Two projects made mutually exclusive (``--exclusive A,B``).

    The first is funded (by the tally and by the city), the second is then passed
    over; ``similar_names`` says whether their names are alike.
    """

    kind: Literal["exclusive-group"]
    projects: tuple[str, ...]
    similar_names: bool


class BudgetChange(RecordPart):
    """Another budget: every budget from ``smallest`` to ``largest`` reproduces the announced outcome.

    ``budget`` is the pot's budget. ``largest`` is ``None`` when no budget above
    ``smallest`` stops reproducing it. ``exact``: the interval is exact, computed
    from the walking order (greedy rules) and checked at both ends and one money
    unit beyond each; otherwise it was found by a scan, and other budgets may
    reproduce it too.
    """

    kind: Literal["budget"]
    budget: Money
    smallest: Money
    largest: Money | None
    exact: bool


class ThresholdChange(RecordPart):
    """Another score threshold: every whole threshold from ``smallest`` to ``largest`` reproduces it.

    (Scores are whole numbers, so any threshold above ``smallest - 1`` and at most
    ``largest`` does.) ``threshold`` is the one the tally used; ``largest`` is
    ``None`` when every larger threshold reproduces it too.
    """

    kind: Literal["threshold"]
    threshold: Money | None
    smallest: Money
    largest: Money | None


class RuleChange(RecordPart):
    """Another rule of the same family as ``was``, the rule the tally ran."""

    kind: Literal["rule"]
    rule: str
    was: str


class RuleParameterChange(RecordPart):
    """A rule parameter (``--param NAME=VALUE``) set to ``value``; ``was`` is the value the tally used."""

    kind: Literal["rule-parameter"]
    parameter: str
    value: str
    was: str


#: One change to the count, told apart by its ``kind``.
Change = Annotated[
    TieOrderChange
    | LeaveOutChange
    | ForceInChange
    | ExclusiveGroupChange
    | BudgetChange
    | ThresholdChange
    | RuleChange
    | RuleParameterChange,
    Field(discriminator="kind"),
]


class Explanation(RecordPart):
    """Changes that, made together, make the rule reproduce the announced outcome (checked by a re-tally)."""

    changes: tuple[Change, ...] = Field(min_length=1)


class SearchLimit(RecordPart):
    """A search the diagnosis did not make in full: ``tried`` tallies of ``candidates`` changes.

    ``candidates`` is ``None`` for a scan of a range with no end (the budget).
    ``search`` is ``budget`` (a scan, for rules with no exact budget interval) or
    ``two-changes`` (pairs of changes, cut at a cap).
    """

    search: Literal["budget", "two-changes"]
    tried: int
    candidates: int | None


class Diagnosis(RecordPart):
    """Why the tally differs from the announced outcome: the smallest changes that reproduce it.

    ``explanations`` are every explanation of ``size`` changes found (the smallest
    size for which any was found), each checked by a full re-tally; empty (and
    ``size`` 0) when none with up to ``max_changes`` changes was found. ``limits``
    lists the searches not made in full.
    """

    size: int
    max_changes: int
    explanations: tuple[Explanation, ...]
    limits: tuple[SearchLimit, ...]


class PotOutcome(Outcome):
    """One pot in the record: the rule's :class:`Outcome` with where it came from.

    ``pot`` names the pot and ``source`` the file its ballots came from. ``names``
    holds project names where the input has them; ``announced`` the city's outcome
    when the file has one; ``margins`` how far each unfunded project was from
    funding (``tally --margins``); ``diagnosis``, when the outcome differs from the
    announced one, the smallest changes that reproduce it (``tally --rule official``).
    """

    omitted_when_empty: ClassVar[frozenset[str]] = Outcome.omitted_when_empty | {
        "announced",
        "names",
        "margins",
        "diagnosis",
    }

    pot: str
    source: str
    announced: Announced | None = None
    names: dict[str, str] = Field(default_factory=dict)
    margins: tuple[Margin, ...] = ()
    diagnosis: Diagnosis | None = None

    @classmethod
    def of(cls, outcome: Outcome, *, pot: str, source: str, **more: object) -> PotOutcome:
        """``outcome`` as a pot of the record (its fields are taken as they are, already validated)."""
        fields = {name: getattr(outcome, name) for name in Outcome.model_fields}
        return cls.model_validate({**fields, "pot": pot, "source": source, **more})


class RecordWarning(RecordPart):
    """A problem found in an input that did not stop the tally (``message`` as printed)."""

    file: str
    line: int | None
    code: str
    message: str


class CouncilDecision(RecordPart):
    """A council decision on a cycle's projects, with its reason."""

    kind: Literal["withdrawn", "exclusive", "excluded", "force-funded"]
    projects: tuple[str, ...]
    reason: str


class LeftoverMove(RecordPart):
    """Money a cycle's leftover policy moved, in the order it moved."""

    source: str
    target: str
    amount: Money


class CycleRecord(RecordPart):
    """A budget cycle's name, its council decisions and the money its leftover policy moved."""

    name: str
    decisions: tuple[CouncilDecision, ...]
    leftover_moves: tuple[LeftoverMove, ...]


class Record(LeavesOutEmpty):
    """Everything a tally produced, and all that verify, explain and report read."""

    omitted_when_empty: ClassVar[frozenset[str]] = frozenset({"cycle"})

    schema_version: Literal[1]
    generator: Generator
    requested_rule: str
    invocation: Invocation
    inputs: tuple[InputDigest, ...] = Field(min_length=1)
    outcomes: tuple[PotOutcome, ...] = Field(min_length=1)
    warnings: tuple[RecordWarning, ...]
    cycle: CycleRecord | None = None

    def dumps(self) -> str:
        """The canonical text: sorted keys, no insignificant white space, UTF-8, one final newline.

        (Compact output also keeps to json's C encoder, several times faster than its
        indenting one on a large city's Equal Shares trace; for reading, pipe it
        through ``python -m json.tool``.)
        """
        return canonical_json(self.model_dump(mode="json", by_alias=True))


def canonical_json(data: object) -> str:
    """JSON data as asukasbudjetti writes it: sorted keys, compact, UTF-8, no NaN, one final newline."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False) + "\n"
