"""The rule registry: pabulib's META ``rule`` spelling -> the rule that implements it.

``--rule official`` is a lookup of the file's META ``rule`` in :data:`RULES`. The
table is written out by hand so that reading it tells exactly what exists.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from pydantic import BaseModel, ConfigDict

from asukasbudjetti.errors import RuleError, UnknownRuleError, UnsupportedVoteTypeError
from asukasbudjetti.model import VoteType
from asukasbudjetti.outcome import Outcome
from asukasbudjetti.profile import CompiledProfile
from asukasbudjetti.rules.greedy import POZNAN_RESERVE_SHARE, GreedyParams, run_greedy
from asukasbudjetti.rules.ties import DEFAULT_SEED


class RuleOptions(BaseModel):
    """What a caller may set for any rule; each rule uses the options it defines."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    seed: int = DEFAULT_SEED
    exclusive: tuple[tuple[str, ...], ...] = ()
    threshold: Fraction | None = None


class RuleSpec(BaseModel):
    """A registered rule: its name, how to run it, and what it is defined for."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    name: str
    run: Callable[[CompiledProfile, RuleOptions], Outcome]
    ballot_types: frozenset[VoteType]
    summary: str


ALL_VOTE_TYPES = frozenset(VoteType)


def _greedy(name: str, **fixed: object) -> Callable[[CompiledProfile, RuleOptions], Outcome]:
    def run(profile: CompiledProfile, options: RuleOptions) -> Outcome:
        params = GreedyParams.model_validate(
            {
                "threshold": options.threshold,
                "exclusive": options.exclusive,
                "seed": options.seed,
                **fixed,
            }
        )
        if name == "greedy-threshold" and params.threshold is None:
            raise RuleError(
                f"{profile.source}: greedy-threshold needs a threshold; the file has no META "
                "min_project_score_threshold, so give one with --threshold"
            )
        return run_greedy(profile, params, name)

    return run


RULES: dict[str, RuleSpec] = {
    spec.name: spec
    for spec in (
        RuleSpec(
            name="greedy",
            run=_greedy("greedy"),
            ballot_types=ALL_VOTE_TYPES,
            summary="fund by score, highest first, skipping projects that do not fit",
        ),
        RuleSpec(
            name="greedy-no-skip",
            run=_greedy("greedy-no-skip", skip=False),
            ballot_types=ALL_VOTE_TYPES,
            summary="fund by score until the first project that does not fit",
        ),
        RuleSpec(
            name="greedy-threshold",
            run=_greedy("greedy-threshold"),
            ballot_types=ALL_VOTE_TYPES,
            summary="greedy over the projects whose score reaches a threshold",
        ),
        RuleSpec(
            name="greedy-exclusive",
            run=_greedy("greedy-exclusive"),
            ballot_types=ALL_VOTE_TYPES,
            summary="greedy; funding one project of an exclusive group passes over the others",
        ),
        RuleSpec(
            name="greedy-custom",
            run=_greedy("greedy-custom", skip=False, reserve_share=POZNAN_RESERVE_SHARE),
            ballot_types=ALL_VOTE_TYPES,
            summary="Poznań: greedy-no-skip, then the next project if the pot covers 80% of it",
        ),
        RuleSpec(
            name="greedy-per-cost",
            run=_greedy("greedy-per-cost", order="score-per-cost"),
            ballot_types=ALL_VOTE_TYPES,
            summary="greedy ordered by score per unit of cost",
        ),
        RuleSpec(
            name="top1-greedy",
            run=_greedy("top1-greedy", top1_first=True),
            ballot_types=ALL_VOTE_TYPES,
            summary="Tampere: the most supported project first, then greedy by score",
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


def check_vote_type(spec: RuleSpec, vote_type: VoteType, source: str) -> None:
    """Refuse to run a rule on ballots it has no definition for."""
    if vote_type not in spec.ballot_types:
        defined = ", ".join(sorted(v.value for v in spec.ballot_types))
        raise UnsupportedVoteTypeError(
            f"{source}: rule {spec.name} is not defined for {vote_type.value} ballots; "
            f"it is defined for {defined}"
        )


__all__ = ["RULES", "RuleOptions", "RuleSpec", "check_vote_type", "get_rule", "rule_names"]
