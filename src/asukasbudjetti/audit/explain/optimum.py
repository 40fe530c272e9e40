"""Reasons under the utilitarian optimum (``max-welfare``), read from ``optimum``:
whether the project is in the funded set that no other set within the budget beats."""

from __future__ import annotations

from asukasbudjetti.audit.explain.common import Pot, others_in
from asukasbudjetti.audit.explain.reasons import OptimumVerdict, Reason, ReasonKind, TieSettled
from asukasbudjetti.model.outcome import Optimum


def optimum_reasons(pot: Pot, optimum: Optimum, project: str) -> list[Reason]:
    """Whether ``project`` is in the optimal set, and the tie-break that chose among equal optima."""
    outcome = pot.outcome
    reasons: list[Reason] = [
        OptimumVerdict(
            kind=ReasonKind.OPTIMUM_FUNDED if project in outcome.funded else ReasonKind.OPTIMUM_NOT_FUNDED,
            project=project,
            cost=pot.costs.get(project),
            objective=optimum.objective,
            welfare=optimum.value,
        )
    ]
    tie = next((t for t in outcome.ties if project in t.projects), None)
    if tie is not None:
        reasons.append(
            TieSettled(kind=ReasonKind.OPTIMUM_TIE, others=others_in(tie, project), settled_by=tie.settled_by)
        )
    return reasons
