"""The rule registry: pabulib's META ``rule`` spelling -> the rule that implements it.

``--rule official`` is a lookup of the file's META ``rule`` in :data:`RULES`. The
table is written out by hand so that reading it tells exactly what exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, ValidationError

from asukasbudjetti.errors import MoneyError, RuleError, UnknownRuleError, UnsupportedVoteTypeError
from asukasbudjetti.model import VoteType
from asukasbudjetti.model.outcome import Outcome
from asukasbudjetti.money import parse_money
from asukasbudjetti.profile import CompiledProfile
from asukasbudjetti.rules.greedy import POZNAN_RESERVE_SHARE, TIE_BREAKING, GreedyParams, run_greedy
from asukasbudjetti.rules.options import RuleOptions

if TYPE_CHECKING:
    from asukasbudjetti.rules.maxwelfare import Objective

# The proportional rules' modules are imported when one of them runs: a greedy tally
# (most cities) then never pays for loading them (issue 13, start-up time).


class RuleSpec(BaseModel):
    """A registered rule: its name, how to run it, and what it is defined for."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    name: str
    run: Callable[[CompiledProfile, RuleOptions], Outcome]
    ballot_types: frozenset[VoteType]
    summary: str
    #: The rule needs every ballot: counts per project (paper votes) are not enough.
    needs_ballots: bool = False
    #: Parameters ``--rule official`` sets unless the caller gives them: how the cities
    #: whose outcomes are in pabulib computed them (../docs/rules.md has the evidence).
    official: tuple[tuple[str, str], ...] = ()


ALL_VOTE_TYPES = frozenset(VoteType)

#: Under ``--rule official`` a greedy tie is settled by the order the city published
#: its projects in: of the judged pabulib elections whose outcome a tie decides, that
#: order reproduces every one, lower cost only some (../docs/rules.md).
PUBLISHED_ORDER_TIES = (("tie_break", "published-order"),)
#: Under ``--rule official`` add1 raises the endowment while the outcome fits the budget,
#: without stopping at an exhaustive outcome, as the pabulib checker (and so the
#: published MES outcomes) computes it.
NO_EXHAUSTIVE_STOP = (("add1_stop_when_exhaustive", "false"),)


def _no_overrides(name: str, profile: CompiledProfile, options: RuleOptions) -> None:
    """Refuse parameters a rule does not have, rather than ignore them."""
    if options.overrides:
        names = ", ".join(key for key, _ in options.overrides)
        raise RuleError(f"{profile.source}: rule {name} has no parameter {names}; it takes none")


def _greedy(name: str, **fixed: object) -> Callable[[CompiledProfile, RuleOptions], Outcome]:
    def run(profile: CompiledProfile, options: RuleOptions) -> Outcome:
        params = GreedyParams.model_validate(
            {
                "threshold": options.threshold,
                "exclusive": options.exclusive,
                "seed": options.seed,
                **fixed,
                **_greedy_overrides(name, profile, options.overrides),
            }
        )
        if name == "greedy-threshold" and params.threshold is None:
            raise RuleError(
                f"{profile.source}: greedy-threshold needs a threshold; the file has no META "
                "min_project_score_threshold, so give one with --threshold"
            )
        return run_greedy(profile, params, name)

    return run


def _greedy_overrides(name: str, profile: CompiledProfile, overrides: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """A greedy rule's one parameter, ``tie_break``; anything else is refused, never ignored."""
    parsed: dict[str, str] = {}
    for key, text in overrides:
        if key != "tie_break":
            raise RuleError(f"{profile.source}: rule {name} has no parameter {key!r}; it has: tie_break")
        if text not in TIE_BREAKING:
            raise RuleError(
                f"{profile.source}: parameter tie_break is {text!r}; expected one of: {', '.join(TIE_BREAKING)}"
            )
        parsed[key] = text
    return parsed


def _mes(name: str, **fixed: object) -> Callable[[CompiledProfile, RuleOptions], Outcome]:
    def run(profile: CompiledProfile, options: RuleOptions) -> Outcome:
        from asukasbudjetti.rules.equalshares import MesParams, run_equal_shares

        values: dict[str, object] = {**fixed, "seed": options.seed}
        values.update(_mes_overrides(profile, options.overrides))
        return run_equal_shares(profile, MesParams.model_validate(values), name)

    return run


def _mes_overrides(profile: CompiledProfile, overrides: tuple[tuple[str, str], ...]) -> dict[str, object]:
    from asukasbudjetti.rules.equalshares import MesParams

    fields = MesParams.model_fields
    parsed: dict[str, object] = {}
    for key, text in overrides:
        if key not in fields or key == "seed":
            known = ", ".join(sorted(k for k in fields if k != "seed"))
            raise RuleError(f"{profile.source}: the Method of Equal Shares has no parameter {key!r}; it has: {known}")
        if key in ("add1_increment", "eligibility_k"):
            try:
                parsed[key] = parse_money(text)
            except MoneyError as exc:
                raise RuleError(f"{profile.source}: parameter {key}: {exc}") from exc
            if parsed[key] == 0:
                # An increment of 0 would raise the endowment by nothing, for ever.
                raise RuleError(f"{profile.source}: parameter {key} is 0; expected a positive amount")
        elif key in ("add1_stop_when_exhaustive", "everything_affordable"):
            if text.lower() not in ("true", "false"):
                raise RuleError(f"{profile.source}: parameter {key} is {text!r}; expected true or false")
            parsed[key] = text.lower() == "true"
        else:
            parsed[key] = text
    try:
        MesParams.model_validate(parsed)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise RuleError(f"{profile.source}: {problems}") from None
    return parsed


def _phragmen(profile: CompiledProfile, options: RuleOptions) -> Outcome:
    from asukasbudjetti.rules.phragmen import run_phragmen

    _no_overrides("phragmen", profile, options)
    return run_phragmen(profile, options)


def _max_welfare(profile: CompiledProfile, options: RuleOptions) -> Outcome:
    from asukasbudjetti.rules.maxwelfare import run_max_welfare

    objective: Objective = "cost"
    for key, value in options.overrides:
        if key != "objective":
            raise RuleError(f"{profile.source}: rule max-welfare has no parameter {key!r}; it has: objective")
        if value not in ("cost", "score"):
            raise RuleError(f"{profile.source}: parameter objective is {value!r}; expected cost or score")
        objective = "cost" if value == "cost" else "score"
    return run_max_welfare(profile, options, objective=objective)


RULES: dict[str, RuleSpec] = {
    spec.name: spec
    for spec in (
        RuleSpec(
            name="greedy",
            run=_greedy("greedy"),
            ballot_types=ALL_VOTE_TYPES,
            summary="fund by score, highest first, skipping projects that do not fit",
            official=PUBLISHED_ORDER_TIES,
        ),
        RuleSpec(
            name="greedy-no-skip",
            run=_greedy("greedy-no-skip", skip=False),
            ballot_types=ALL_VOTE_TYPES,
            summary="fund by score until the first project that does not fit",
            official=PUBLISHED_ORDER_TIES,
        ),
        RuleSpec(
            name="greedy-threshold",
            run=_greedy("greedy-threshold"),
            ballot_types=ALL_VOTE_TYPES,
            summary="greedy over the projects whose score reaches a threshold",
            official=PUBLISHED_ORDER_TIES,
        ),
        RuleSpec(
            name="greedy-exclusive",
            run=_greedy("greedy-exclusive"),
            ballot_types=ALL_VOTE_TYPES,
            summary="greedy; funding one project of an exclusive group passes over the others",
            official=PUBLISHED_ORDER_TIES,
        ),
        RuleSpec(
            name="greedy-custom",
            run=_greedy("greedy-custom", skip=False, reserve_share=POZNAN_RESERVE_SHARE),
            ballot_types=ALL_VOTE_TYPES,
            summary="Poznań: greedy-no-skip, then the next project if the pot covers 80% of it",
            official=PUBLISHED_ORDER_TIES,
        ),
        RuleSpec(
            name="equalshares",
            run=_mes("equalshares"),
            needs_ballots=True,
            ballot_types=ALL_VOTE_TYPES,
            summary="Method of Equal Shares, no completion",
        ),
        RuleSpec(
            name="equalshares/add1",
            run=_mes("equalshares/add1", completion="add1", everything_affordable=True),
            needs_ballots=True,
            ballot_types=ALL_VOTE_TYPES,
            summary="Method of Equal Shares, endowments raised by 1 per voter while the budget allows",
            official=NO_EXHAUSTIVE_STOP,
        ),
        RuleSpec(
            name="equalshares/add1u",
            run=_mes("equalshares/add1u", completion="add1u", everything_affordable=True),
            needs_ballots=True,
            ballot_types=ALL_VOTE_TYPES,
            summary="equalshares/add1, then greedy by votes with the money left",
        ),
        RuleSpec(
            name="equalshares/utilitarian",
            run=_mes("equalshares/utilitarian", completion="utilitarian"),
            needs_ballots=True,
            ballot_types=ALL_VOTE_TYPES,
            summary="Method of Equal Shares, then greedy by votes with the money left",
        ),
        RuleSpec(
            name="equalshares-comparison",
            run=_mes("equalshares-comparison", comparison="satisfaction"),
            needs_ballots=True,
            ballot_types=frozenset({VoteType.APPROVAL, VoteType.CHOOSE_1}),
            summary="Method of Equal Shares, replaced by greedy if more voters prefer greedy",
        ),
        RuleSpec(
            name="equalshares/add1-comparison",
            run=_mes(
                "equalshares/add1-comparison", completion="add1", everything_affordable=True, comparison="satisfaction"
            ),
            needs_ballots=True,
            ballot_types=frozenset({VoteType.APPROVAL, VoteType.CHOOSE_1}),
            summary="equalshares/add1, replaced by greedy if more voters prefer greedy",
            official=NO_EXHAUSTIVE_STOP,
        ),
        RuleSpec(
            name="phragmen",
            run=_phragmen,
            ballot_types=frozenset({VoteType.APPROVAL, VoteType.CHOOSE_1}),
            summary="sequential Phragmén: fund the project whose supporters end with the lowest load",
            needs_ballots=True,
        ),
        RuleSpec(
            name="max-welfare",
            run=_max_welfare,
            ballot_types=ALL_VOTE_TYPES,
            summary="the set of largest total welfare (votes times cost) that fits the budget",
        ),
        RuleSpec(
            name="greedy-per-cost",
            run=_greedy("greedy-per-cost", order="score-per-cost"),
            ballot_types=ALL_VOTE_TYPES,
            summary="greedy ordered by score per unit of cost",
            official=PUBLISHED_ORDER_TIES,
        ),
        RuleSpec(
            name="top1-greedy",
            run=_greedy("top1-greedy", top1_first=True),
            ballot_types=ALL_VOTE_TYPES,
            summary="Tampere: the most supported project first, then greedy by score",
            official=PUBLISHED_ORDER_TIES,
        ),
    )
}


def rule_names() -> list[str]:
    """The registered rule names, sorted."""
    return sorted(RULES)


def get_rule(name: str, *, declared_in: str | None = None) -> RuleSpec:
    """The rule called ``name``; ``declared_in`` names the file for ``--rule official``."""
    spec = RULES.get(name)
    if spec is not None:
        return spec
    if declared_in is not None:
        if name == "unknown":
            reason = (
                f"{declared_in}: the file's META rule is 'unknown' (the city's rule is not known), "
                "so --rule official cannot reproduce it; pass --rule NAME"
            )
        else:
            reason = f"{declared_in}: the file's META rule {name!r} is not a rule asukasbudjetti knows"
        raise UnknownRuleError(name, rule_names(), reason)
    raise UnknownRuleError(name, rule_names())


def check_ballots(spec: RuleSpec, profile: CompiledProfile) -> None:
    """Refuse aggregate vote counts to a rule that needs individual ballots."""
    if spec.needs_ballots and profile.has_paper_votes:
        counted = [p for p, extra in zip(profile.project_ids, profile.paper_votes, strict=True) if extra]
        raise RuleError(
            f"{profile.source}: rule {spec.name} needs individual ballots, but projects "
            f"{', '.join(counted[:5])}{' ...' if len(counted) > 5 else ''} also have votes given only as a "
            "count (extra_approvals); use a greedy rule, or tally the ballots without the counts"
        )


def check_vote_type(spec: RuleSpec, vote_type: VoteType, source: str) -> None:
    """Refuse to run a rule on ballots it has no definition for."""
    if vote_type not in spec.ballot_types:
        defined = ", ".join(sorted(v.value for v in spec.ballot_types))
        raise UnsupportedVoteTypeError(
            f"{source}: rule {spec.name} is not defined for {vote_type.value} ballots; it is defined for {defined}"
        )


__all__ = ["RULES", "RuleOptions", "RuleSpec", "check_ballots", "check_vote_type", "get_rule", "rule_names"]
