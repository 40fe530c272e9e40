"""The satisfaction measures per group of residents: by age band, sex, district, how they voted.

Ballots can carry attributes: pabulib's VOTES section has columns such as ``age``,
``sex``, ``district``, ``neighborhood`` and ``voting_method``; a budget cycle's ballot
CSV has ``age`` and ``postal_code``. A grouping names one attribute:

* ``age:13-17,18-29,30-64,65-``: age bands (both ends included; ``65-`` is 65 and
  over, ``-12`` is 12 and under); an age outside every band, unreadable or missing
  goes to the group ``unknown``;
* any other attribute (``sex``, ``district``): one group per value seen, a missing
  value in ``unknown``.

Each group's measures are those of :mod:`asukasbudjetti.analysis.satisfaction`
over its voters only, computed from the ballots as cast (one value per voter).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from asukasbudjetti.analysis.satisfaction import (
    HISTOGRAM_BINS,
    SatisfactionKind,
    SatisfactionMeasures,
    measure,
    unit_satisfactions,
)
from asukasbudjetti.errors import InputError
from asukasbudjetti.model import Election
from asukasbudjetti.profile import CompiledProfile, IntArray

UNKNOWN = "unknown"
_BAND = re.compile(r"^(?P<low>[0-9]*)-(?P<high>[0-9]*)$")


class Grouping(BaseModel):
    """One attribute to group voters by; ``bands`` for age bands (``None`` = open end)."""

    model_config = ConfigDict(frozen=True)

    attribute: str
    bands: tuple[tuple[int | None, int | None], ...] = ()

    def label(self, band: tuple[int | None, int | None]) -> str:
        low, high = band
        if low is None:
            return f"-{high}"
        if high is None:
            return f"{low}-"
        return f"{low}-{high}"


class GroupMeasures(BaseModel):
    """One group's measures under one outcome."""

    model_config = ConfigDict(frozen=True)

    attribute: str
    group: str
    voters: int
    measures: tuple[SatisfactionMeasures, ...]


def parse_grouping(text: str) -> Grouping:
    """``age:13-17,18-29,65-`` or ``sex``; raises :class:`InputError` naming the text otherwise."""
    attribute, _, spec = text.partition(":")
    attribute = attribute.strip()
    if not attribute:
        raise InputError(f"--groups {text!r}: expected an attribute name, e.g. sex or age:13-17,18-29,30-64,65-")
    if not spec:
        return Grouping(attribute=attribute)
    bands: list[tuple[int | None, int | None]] = []
    for part in spec.split(","):
        match = _BAND.fullmatch(part.strip())
        if match is None or (not match["low"] and not match["high"]):
            raise InputError(
                f"--groups {text!r}: {part!r} is not a band; expected LOW-HIGH, LOW- or -HIGH, e.g. 18-29 or 65-"
            )
        low = int(match["low"]) if match["low"] else None
        high = int(match["high"]) if match["high"] else None
        if low is not None and high is not None and low > high:
            raise InputError(f"--groups {text!r}: band {part!r} ends before it starts")
        bands.append((low, high))
    return Grouping(attribute=attribute, bands=tuple(bands))


def voter_groups(election: Election, grouping: Grouping) -> list[str]:
    """Each voter's group, in ballot order (``unknown`` when the attribute is missing)."""
    values = election.ballots.extra.get(grouping.attribute)
    if values is None:
        return [UNKNOWN] * len(election.ballots)
    if not grouping.bands:
        return [value if value else UNKNOWN for value in values]
    groups: list[str] = []
    for value in values:
        group = UNKNOWN
        if value.isdigit():
            age = int(value)
            for band in grouping.bands:
                if (band[0] is None or age >= band[0]) and (band[1] is None or age <= band[1]):
                    group = grouping.label(band)
                    break
        groups.append(group)
    return groups


def voter_satisfactions(
    election: Election, profile: CompiledProfile, funded: Sequence[str], kind: SatisfactionKind
) -> IntArray | list[int]:
    """Each voter's satisfaction with ``funded`` in units, in ballot order, from the ballots as cast."""
    values = unit_satisfactions(profile, kind)
    mask = np.zeros(profile.project_count, dtype=np.bool_)
    for project_id in funded:
        mask[profile.index(project_id)] = True
    lengths, columns = election.ballots.flat_indices(profile.project_ids)
    n = len(election.ballots)
    rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
    keep = mask[columns] if columns.size else np.zeros(0, dtype=np.bool_)
    # A project listed twice on one ballot counts once, as in the compiled profile.
    pairs = np.unique(rows[keep] * profile.project_count + columns[keep])
    voter, column = np.divmod(pairs, profile.project_count)
    if int(values.sum()) < 2**62:
        result: IntArray = np.zeros(n, dtype=np.int64)
        np.add.at(result, voter, values[column])
        return result
    exact = [0] * n
    for i, j in zip(voter.tolist(), column.tolist(), strict=True):
        exact[i] += int(profile.cost_units[j]) if kind == "cost" else 1
    return exact


def group_measures(
    election: Election,
    profile: CompiledProfile,
    funded: Sequence[str],
    grouping: Grouping,
    kinds: Sequence[SatisfactionKind] = ("cost", "cardinality"),
) -> tuple[GroupMeasures, ...]:
    """The measures of every group of ``grouping`` (bands in the order given, then values sorted, ``unknown`` last)."""
    groups = voter_groups(election, grouping)
    per_kind = {kind: voter_satisfactions(election, profile, funded, kind) for kind in kinds}
    names = [grouping.label(b) for b in grouping.bands] if grouping.bands else sorted(set(groups) - {UNKNOWN})
    if UNKNOWN in groups:
        names.append(UNKNOWN)
    labels = np.array(groups, dtype=object)
    result: list[GroupMeasures] = []
    for name in names:
        members = labels == name
        voters = int(members.sum())
        if voters == 0:
            continue  # an age band nobody in the file falls into
        measures: list[SatisfactionMeasures] = []
        for kind in kinds:
            values: Any = per_kind[kind]
            chosen = np.asarray(values, dtype=object if isinstance(values, list) else np.int64)[members]
            distinct, counts = np.unique(chosen, return_counts=True)
            measures.append(
                measure(
                    [int(v) for v in distinct],
                    [int(c) for c in counts],
                    kind,
                    denominator=profile.denominator if kind == "cost" else 1,
                    max_satisfaction=profile.budget_units if kind == "cost" else None,
                    bins=HISTOGRAM_BINS,
                )
            )
        result.append(GroupMeasures(attribute=grouping.attribute, group=name, voters=voters, measures=tuple(measures)))
    return tuple(result)


__all__ = [
    "UNKNOWN",
    "GroupMeasures",
    "Grouping",
    "group_measures",
    "parse_grouping",
    "voter_groups",
    "voter_satisfactions",
]
