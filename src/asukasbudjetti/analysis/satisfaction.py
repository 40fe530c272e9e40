"""How satisfied the voters are with an outcome: exact averages, shares, the Gini coefficient, a histogram.

A voter's satisfaction with the funded projects ``W`` is measured two ways, as in
the literature on approval-based participatory budgeting (Talmon and Faliszewski
2019; Peters, Pierczyński and Skowron 2021; pabutools' ``Cost_Sat`` and
``Cardinality_Sat``):

* ``cost``: the money spent on projects she approved, ``sum(cost(p) for p in W ∩ A_i)``;
* ``cardinality``: how many funded projects she approved, ``|W ∩ A_i|``.

For cumulative, scoring and ordinal ballots "approved" means "listed on her ballot"
(points and ranks are ignored by these two measures).

Every measure is exact (a :class:`~fractions.Fraction`); they are the definitions of
pabutools 1.2.3 (``analysis/votersatisfaction.py``), which the tests check on every
approval file: the average over all voters, the share of voters with at least one
funded project they approved (``percent_non_empty_handed``), the Gini coefficient
``(n + 1 - 2 * sum_k (n - k) * s_(k) / sum_k s_(k)) / n`` over the satisfactions
sorted ascending (``s_(0) <= s_(1) <= ...``, 0 when every satisfaction is 0), and
the histogram of ``satisfaction_histogram``: bin 0 holds the voters with nothing,
bin ``k`` those with satisfaction in ``((k-1) * max / (bins-1), k * max / (bins-1)]``,
the last bin also everything above ``max``.

The functions take per-voter (or per distinct ballot) satisfactions as integers
(money in the profile's units) with a count each, so that the whole city and each
group of residents are measured by the same code.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from asukasbudjetti.money import Exact
from asukasbudjetti.profile import CompiledProfile, IntArray

SatisfactionKind = Literal["cost", "cardinality"]
SATISFACTIONS: tuple[SatisfactionKind, ...] = ("cost", "cardinality")
#: pabutools' default number of bins.
HISTOGRAM_BINS = 21


class HistogramBin(BaseModel):
    """Voters whose satisfaction lies in ``(low, high]`` (``[0, 0]`` for the first bin)."""

    model_config = ConfigDict(frozen=True)

    low: Exact
    high: Exact | None
    voters: int


class SatisfactionMeasures(BaseModel):
    """How satisfied ``voters`` voters are with one outcome, by one measure.

    ``average`` is in money for ``cost`` and in projects for ``cardinality``;
    ``None`` when there is no voter.
    """

    model_config = ConfigDict(frozen=True)

    satisfaction: SatisfactionKind
    voters: int
    average: Exact | None
    voters_with_one: int
    share_with_one: Exact | None
    gini: Exact | None
    histogram: tuple[HistogramBin, ...]


def funded_mask(profile: CompiledProfile, funded: Sequence[str]) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """A 0/1 mask over the profile's projects (``KeyError`` for an unknown project)."""
    mask = np.zeros(profile.project_count, dtype=np.bool_)
    for project_id in funded:
        mask[profile.index(project_id)] = True
    return mask


def unit_satisfactions(profile: CompiledProfile, kind: SatisfactionKind) -> IntArray:
    """What one approval of each project is worth: its cost in units, or 1."""
    if kind == "cost":
        return np.array(profile.cost_units, dtype=np.int64)
    return np.ones(profile.project_count, dtype=np.int64)


def ballot_satisfactions(profile: CompiledProfile, funded: Sequence[str], kind: SatisfactionKind) -> list[int]:
    """Each distinct ballot's satisfaction with ``funded``, in units (exact Python integers)."""
    mask = funded_mask(profile, funded)
    values = [int(v) if m else 0 for v, m in zip(unit_satisfactions(profile, kind), mask, strict=True)]
    columns = [j for j, value in enumerate(values) if value]
    if sum(values) < 2**62:  # no int64 overflow possible: let numpy add
        column_values = np.array([values[j] for j in columns], dtype=np.int64)
        return [int(v) for v in profile.approvals[:, columns].astype(np.int64) @ column_values]
    approvals = profile.approvals
    return [sum(values[j] for j in columns if approvals[r, j]) for r in range(approvals.shape[0])]


def measure(
    values: Sequence[int],
    counts: Sequence[int],
    kind: SatisfactionKind,
    *,
    denominator: int = 1,
    max_satisfaction: int | None = None,
    bins: int = HISTOGRAM_BINS,
) -> SatisfactionMeasures:
    """The measures of satisfactions ``values`` (integers, divided by ``denominator``), each held by ``counts`` voters.

    ``max_satisfaction`` (in the same units) scales the histogram; without it the
    histogram has one bin per value seen.
    """
    merged: dict[int, int] = {}
    for value, count in zip(values, counts, strict=True):
        if count:
            merged[int(value)] = merged.get(int(value), 0) + int(count)
    n = sum(merged.values())
    total = sum(value * count for value, count in merged.items())
    with_one = sum(count for value, count in merged.items() if value > 0)
    scale = Fraction(1, denominator)
    return SatisfactionMeasures(
        satisfaction=kind,
        voters=n,
        average=Fraction(total, n) * scale if n else None,
        voters_with_one=with_one,
        share_with_one=Fraction(with_one, n) if n else None,
        gini=gini(merged) if n else None,
        histogram=_histogram(merged, scale, max_satisfaction, bins),
    )


def gini(merged: dict[int, int]) -> Fraction:
    """pabutools' Gini coefficient of the satisfactions ``{value: voters}``, exactly.

    With the ``n`` values sorted ascending, value ``s_(k)`` at 0-based place ``k``
    weighs ``n - k``; a run of ``c`` equal values from place ``p`` weighs
    ``c * (n - p) - c * (c - 1) / 2`` together.
    """
    n = sum(merged.values())
    total = sum(value * count for value, count in merged.items())
    if total == 0:
        return Fraction(0)
    weighted = 0
    place = 0
    for value in sorted(merged):
        count = merged[value]
        weighted += value * (count * (n - place) - count * (count - 1) // 2)
        place += count
    return (n + 1 - Fraction(2 * weighted, total)) / n


def _histogram(
    merged: dict[int, int], scale: Fraction, max_satisfaction: int | None, bins: int
) -> tuple[HistogramBin, ...]:
    if max_satisfaction is None or max_satisfaction <= 0:
        return tuple(
            HistogramBin(low=value * scale, high=value * scale, voters=merged[value]) for value in sorted(merged)
        )
    counts = [0] * bins
    for value, count in merged.items():
        if value >= max_satisfaction:
            counts[-1] += count
        else:
            # ceil(value * (bins - 1) / max) in integers.
            counts[-((-value * (bins - 1)) // max_satisfaction)] += count
    step = Fraction(max_satisfaction, bins - 1) * scale
    result = [HistogramBin(low=Fraction(0), high=Fraction(0), voters=counts[0])]
    result += [
        HistogramBin(low=(k - 1) * step, high=k * step if k < bins - 1 else None, voters=counts[k])
        for k in range(1, bins)
    ]
    return tuple(result)


def profile_measures(
    profile: CompiledProfile, funded: Sequence[str], kind: SatisfactionKind, *, bins: int = HISTOGRAM_BINS
) -> SatisfactionMeasures:
    """The measures of one outcome over the whole profile (its merged ballots).

    The cost histogram is scaled to the budget; the cardinality histogram has one
    bin per number of funded projects.
    """
    values = ballot_satisfactions(profile, funded, kind)
    return measure(
        values,
        [int(c) for c in profile.counts],
        kind,
        denominator=profile.denominator if kind == "cost" else 1,
        max_satisfaction=profile.budget_units if kind == "cost" else None,
        bins=bins,
    )


__all__ = [
    "HISTOGRAM_BINS",
    "SATISFACTIONS",
    "HistogramBin",
    "SatisfactionKind",
    "SatisfactionMeasures",
    "ballot_satisfactions",
    "funded_mask",
    "gini",
    "measure",
    "profile_measures",
    "unit_satisfactions",
]
