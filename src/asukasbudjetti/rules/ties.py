"""Tie-breaking: deterministic criteria first, then one seeded lottery order.

The lottery order is drawn once per tally, before the first step, and every rule
step uses that same order (equalshares.net's advice for completions that re-run a
rule). It is a pure function of the seed and the project ids: project ``p`` draws
the SHA-256 digest of ``"asukasbudjetti-lottery:{seed}:{p}"``, and smaller digests
win. Anyone can replay it with any SHA-256 tool, it does not depend on the order
projects are listed in, and it never falls back on comparing names as text (which
puts "10" before "9").
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

#: The seed used when none is given; recorded like any other.
DEFAULT_SEED = 0


def lottery_ticket(seed: int, project_id: str) -> bytes:
    """Project ``project_id``'s draw; the smaller ticket wins a lottery."""
    return hashlib.sha256(f"asukasbudjetti-lottery:{seed}:{project_id}".encode()).digest()


def lottery_ranks(seed: int, project_ids: Sequence[str]) -> list[int]:
    """Each project's place (0 = first) in the lottery order for ``seed``."""
    order = sorted(range(len(project_ids)), key=lambda j: lottery_ticket(seed, project_ids[j]))
    ranks = [0] * len(project_ids)
    for place, j in enumerate(order):
        ranks[j] = place
    return ranks
