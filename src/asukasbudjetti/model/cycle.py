"""A budget cycle as a city runs it: pots, ballot rules, who may vote, decisions, leftovers.

Loaded from a TOML file (see docs/cycles.md). Every amount is exact decimal text.
"""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from asukasbudjetti.errors import MoneyError
from asukasbudjetti.money import parse_money


def _money_text(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError('write amounts as text or whole numbers, e.g. "1000.50" or 1000 (never 1000.5 as a float)')
    text = str(value)
    try:
        parse_money(text)
    except MoneyError as exc:
        raise ValueError(str(exc)) from None
    return text


def _share_text(value: object) -> str:
    text = _money_text(value)
    if parse_money(text) > 1:
        raise ValueError(f"{text} is more than the whole pot; expected a share between 0 and 1")
    return text


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CycleInfo(_Strict):
    name: str
    currency: str = "EUR"
    #: The language results are published in by default (fi, sv or en); never part of the record.
    language: Literal["fi", "sv", "en"] | None = None
    begin: datetime.date | None = None
    end: datetime.date | None = None
    seed: int = 0


class Split(_Strict):
    """A total split between pots by population, in whole multiples of ``unit``.

    ``largest-remainder``: each pot gets the floor of its exact share, and the units
    left go one each to the pots with the largest remainders (ties: larger
    population, then pot order), so the amounts add up to the total exactly.
    """

    total: str
    unit: str = "1"
    rounding: Literal["largest-remainder"] = "largest-remainder"

    _check_total = field_validator("total", "unit", mode="before")(_money_text)


class BallotRules(_Strict):
    """What a valid ballot looks like in one pot."""

    kind: Literal["approval", "choose-1", "knapsack", "cumulative", "ranking"] = "approval"
    min_projects: int | None = Field(default=None, ge=0)
    max_projects: int | None = Field(default=None, ge=1)
    max_points: int | None = Field(default=None, ge=1)
    max_total_points: int | None = Field(default=None, ge=1)
    #: knapsack: the basket must cost at least this share of the pot (0..1, as text).
    min_share: str | None = None

    _check_share = field_validator("min_share", mode="before")(lambda v: None if v is None else _share_text(v))

    @model_validator(mode="after")
    def _lengths_in_order(self) -> BallotRules:
        if self.min_projects is not None and self.max_projects is not None and self.min_projects > self.max_projects:
            raise ValueError(f"min_projects {self.min_projects} is larger than max_projects {self.max_projects}")
        return self


class PotFiles(_Strict):
    """One pot's projects and ballots in a platform's export format (see docs/importers.md)."""

    format: Literal[
        "pabulib",
        "decidim-pb",
        "stanford-approvals",
        "stanford-knapsacks",
        "stanford-tokens",
        "stanford-ranking",
    ]
    #: The export file (relative to the cycle file).
    ballots: str
    #: Paper votes per project for this pot: Decidim's ``id;new_paper_ballots`` (or a
    #: fork's ``id;paper_ballots_to_import``) or ``project_id,votes``. Greedy rules only.
    paper_counts: str | None = None
    #: stanford-tokens: an approvals_individual file of the same election, for the costs.
    costs: str | None = None


class Pot(_Strict):
    name: str
    kind: Literal["district", "citywide"] = "district"
    amount: str | None = None
    population: int | None = Field(default=None, ge=0)
    rule: str = "greedy"
    params: dict[str, str] = {}
    #: Greedy rules: the minimum score a project needs (greedy-threshold needs one).
    threshold: str | None = None
    seed: int | None = None
    #: Postal codes of the residents of this district (who may vote here as "home").
    postal_codes: list[str] = []
    ballot: BallotRules = BallotRules()
    #: Proposal constraints: each project's cost at least ``min_cost``, at most
    #: ``max_cost`` and at most ``max_cost_share`` of the pot (amounts and shares as text).
    min_cost: str | None = None
    max_cost: str | None = None
    max_cost_share: str | None = None
    #: Cost bands, as the top of each band: a project is priced at the top of the
    #: band its estimate falls in (Helsinki prices winners this way).
    cost_bands: list[str] = []
    #: A pabulib .pb file holding this pot's projects and ballots (its own META limits
    #: are checked); the cycle's CSV files then hold nothing for this pot.
    pabulib: str | None = None
    #: This pot's projects and ballots from a platform's export (docs/importers.md);
    #: ``pabulib = "x.pb"`` is ``files = { format = "pabulib", ballots = "x.pb" }``.
    files: PotFiles | None = None

    _check_amount = field_validator("amount", "min_cost", "max_cost", "max_cost_share", "threshold", mode="before")(
        lambda v: None if v is None else _money_text(v)
    )
    _check_bands = field_validator("cost_bands", mode="before")(
        lambda v: [_money_text(x) for x in v] if isinstance(v, list) else v
    )


class Voters(_Strict):
    min_age: int | None = Field(default=None, ge=0)
    #: Which pots a voter may cast ballots in.
    choose: Literal["home-district", "one-district", "citywide-plus-one", "any"] = "any"


class Decision(_Strict):
    """A council decision applied before the tally, recorded with its reason."""

    kind: Literal["withdrawn", "exclusive", "excluded", "force-funded"]
    projects: list[str]
    reason: str


class Leftover(_Strict):
    """What happens to money a district pot leaves unspent.

    ``to-citywide`` moves it to the citywide pot. ``order`` says when:
    ``districts-first`` tallies the districts, adds their leftovers to the citywide
    budget, then tallies the citywide pot once; ``citywide-first`` tallies the
    citywide pot on its own budget first, then runs its rule again on its unfunded
    projects with the districts' leftovers (a top-up).
    """

    policy: Literal["unspent", "to-citywide", "carry-over"] = "unspent"
    order: Literal["districts-first", "citywide-first"] = "districts-first"


class Files(_Strict):
    #: ``csv``: our projects and ballots CSVs. Other formats read a whole cycle from
    #: one platform export named by ``export`` (docs/importers.md).
    format: Literal["csv", "omastadi-xlsx", "decidim-projects", "consul-investments"] = "csv"
    export: str | None = None
    #: decidim-projects: the locale of the titles to use (default: the first with a title).
    lang: str | None = None
    projects: str | None = None
    ballots: str | None = None
    #: Column names of the ballot CSV, if not the default ones.
    columns: dict[str, str] = {}
    #: Paper ballots given only as a count per project (``project_id,votes``): greedy
    #: rules add them to the votes; rules that need every ballot refuse them.
    paper_counts: str | None = None


class Cycle(_Strict):
    cycle: CycleInfo
    split: Split | None = None
    files: Files = Files()
    voters: Voters = Voters()
    pots: list[Pot]
    decisions: list[Decision] = []
    leftover: Leftover = Leftover()
