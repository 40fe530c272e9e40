"""The Method of Equal Shares on tiny hand-solved elections.

Every expected value below was worked out by hand from docs/rules.md ("Method of
Equal Shares", "Completions and variants", "Ties"); the arithmetic is in the
comment above each check, never copied from the program. Money is exact:
``F(17, 2)`` is 8.50.

Notation in the comments: ``e`` is each voter's endowment ``B / n``; ``q`` the
per-voter cap (the smallest amount with ``sum(min(money_i, q)) = cost``);
``eff = cost / q`` the effective vote count (cost utilities); a voter's money
is written ``v1 = 4`` after a round.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise
from math import floor

import pytest

from asukasbudjetti.io import read_pabulib_bytes
from asukasbudjetti.model import Election
from asukasbudjetti.model.outcome import EqualSharesParameters, MesRound, Outcome
from asukasbudjetti.profile import compile_profile
from asukasbudjetti.rules import RULES, RuleOptions
from asukasbudjetti.tally import tally_election
from tests.strategies import ticket

F = Fraction

MES_RULES = (
    "equalshares",
    "equalshares/add1",
    "equalshares/add1u",
    "equalshares/utilitarian",
    "equalshares-comparison",
    "equalshares/add1-comparison",
)


def pb(
    budget: str,
    costs: dict[str, str],
    ballots: list[tuple[str, ...]],
    vote_type: str = "approval",
) -> str:
    """A .pb file: ``ballots`` are (project ids,) or, with points, (project ids, points)."""
    lines = ["META", "key;value", f"budget;{budget}", f"vote_type;{vote_type}", "rule;equalshares"]
    lines += ["PROJECTS", "project_id;cost", *(f"{p};{c}" for p, c in costs.items())]
    with_points = vote_type in ("cumulative", "scoring")
    lines += ["VOTES", "voter_id;vote;points" if with_points else "voter_id;vote"]
    lines += [";".join((f"v{i}", *ballot)) for i, ballot in enumerate(ballots, start=1)]
    return "\n".join(lines) + "\n"


def election_of(text: str) -> Election:
    read = read_pabulib_bytes(text.encode(), "hand.pb")
    assert read.problems == []
    assert read.election is not None
    return read.election


def mes(text: str, rule: str = "equalshares", *, seed: int = 0, **overrides: str) -> Outcome:
    """Run a registered MES rule with parameters set as text (``--param key=value``)."""
    profile = compile_profile(election_of(text))
    options = RuleOptions(seed=seed, overrides=tuple(overrides.items()))
    outcome = RULES[rule].run(profile, options)
    assert outcome.spent + outcome.left == outcome.budget
    assert F(0) <= outcome.spent <= outcome.budget
    return outcome


def payments(round_: MesRound) -> list[tuple[int, F]]:
    """(voters, amount) pairs of a round, paying nothing left out, smallest amount first."""
    return sorted((p.voters, p.amount) for p in round_.payments if p.amount)


def candidates(round_: MesRound) -> dict[str, F]:
    return dict(round_.candidates)


def steps(outcome: Outcome) -> list[tuple[F, tuple[str, ...], F, bool]]:
    """The completion's steps, one per endowment the add1 walk tries (worked by hand below).

    The record keeps the first endowment, those where the outcome changes, the adopted
    one and the one that stopped the walk; every endowment the walk tries between two
    recorded steps funds (and spends) what the earlier of them does, and is adopted.
    """
    recorded = outcome.completion
    if not recorded:
        return []
    params = outcome.params
    assert isinstance(params, EqualSharesParameters)
    start = F(floor(recorded[0].endowment)) if params.add1_start == "floor" else recorded[0].endowment
    out = [(recorded[0].endowment, recorded[0].funded, recorded[0].spent, recorded[0].accepted)]
    for number, (before, step) in enumerate(pairwise(recorded)):
        endowment = start + params.add1_increment if number == 0 else before.endowment + params.add1_increment
        while endowment < step.endowment != before.endowment:  # the same endowment: the exhaustive stop
            out.append((endowment, before.funded, before.spent, True))
            endowment += params.add1_increment
        out.append((step.endowment, step.funded, step.spent, step.accepted))
    return out


# ---------------------------------------------------------------------------
# (a) + (c): cost utilities, B = 60, six voters, e = 10.
#   P1 24: v1 v2 v3 v4      P2 21: v4 v5 v6      P3 18: v1 v2 v5      P4 3: v3
#
# Round 1 (everyone has 10):
#   P1 q = 24/4 = 6   eff 24/6 = 4
#   P2 q = 21/3 = 7   eff 3
#   P3 q = 18/3 = 6   eff 3
#   P4 q = 3          eff 1
#   -> P1; v1..v4 pay 6 each. Money: v1 v2 v3 v4 = 4, v5 v6 = 10.
# Round 2:
#   P2: v4 = 4, v5 = v6 = 10. 21/3 = 7 > 4, so v4 pays all her 4 and
#       (21 - 4) / 2 = 17/2 <= 10: q = 17/2, eff = 21 / (17/2) = 42/17 (~2.47)
#   P3: v1 = v2 = 4, v5 = 10 (together exactly 18). 18/3 = 6 > 4: v1, v2 pay 4,
#       (18 - 8) / 1 = 10 <= 10: q = 10, eff = 18/10 = 9/5
#   P4: v3 = 4 >= 3: q = 3, eff 1
#   -> P2 (42/17 > 9/5 > 1; P3 is cheaper and has as many votes, but the
#      effective vote count decides). v4 pays 4 (q > her money), v5, v6 pay 17/2.
#   Money: v1 v2 v3 = 4, v4 = 0, v5 v6 = 3/2.
# Round 3:
#   P3: 4 + 4 + 3/2 = 19/2 < 18 -> dropped for good
#   P4: v3 = 4 >= 3: q = 3, eff 1 -> P4; v3 pays 3.
# Funded P1, P2, P4: spent 24 + 21 + 3 = 48, left 12.
# ---------------------------------------------------------------------------
ROUNDS = pb(
    "60",
    {"P1": "24", "P2": "21", "P3": "18", "P4": "3"},
    [("P1,P3",), ("P1,P3",), ("P1,P4",), ("P1,P2",), ("P2,P3",), ("P2",)],
)


def test_cost_utilities_order_by_effective_vote_count() -> None:
    outcome = mes(ROUNDS)
    assert outcome.funded == ("P1", "P2", "P4")
    assert (outcome.spent, outcome.left) == (F(48), F(12))
    assert outcome.endowment == F(10)
    assert outcome.ties == ()
    assert outcome.completion == ()
    assert outcome.comparison is None
    assert [r.round for r in outcome.mes_rounds] == [1, 2, 3]
    assert [r.project_id for r in outcome.mes_rounds] == ["P1", "P2", "P4"]
    assert [r.cost for r in outcome.mes_rounds] == [F(24), F(21), F(3)]
    assert [r.q for r in outcome.mes_rounds] == [F(6), F(17, 2), F(3)]
    assert [r.effective_vote_count for r in outcome.mes_rounds] == [F(4), F(42, 17), F(1)]


def test_round_payments_are_exact_and_a_poor_supporter_pays_all_she_has() -> None:
    first, second, third = mes(ROUNDS).mes_rounds
    # round 1: four supporters pay 6 each
    assert payments(first) == [(4, F(6))]
    # round 2: q = 17/2 is more than v4's 4, so she pays 4; v5 and v6 pay 17/2
    assert payments(second) == [(1, F(4)), (2, F(17, 2))]
    assert sum(p.voters * p.amount for p in second.payments) == F(21)
    # round 3: v3 pays P4's whole cost
    assert payments(third) == [(1, F(3))]
    # Round 1 sees every project (all are affordable at e = 10).
    assert candidates(first) == {"P1": F(4), "P2": F(3), "P3": F(3), "P4": F(1)}
    assert first.candidates[0] == ("P1", F(4))  # best first
    assert first.dropped == ()


def test_candidates_report_the_right_effective_vote_counts() -> None:
    # Whatever subset of projects a round evaluates, each listed value must be
    # the hand-computed one, and the funded project the best of them.
    expected = [
        {"P1": F(4), "P2": F(3), "P3": F(3), "P4": F(1)},
        {"P2": F(42, 17), "P3": F(9, 5), "P4": F(1)},
        {"P4": F(1)},
    ]
    for round_, values in zip(mes(ROUNDS).mes_rounds, expected, strict=True):
        listed = candidates(round_)
        assert round_.project_id in listed
        assert set(listed) <= set(values)
        assert all(listed[p] == values[p] for p in listed)
        assert listed[round_.project_id] == max(listed.values())
        # best first
        assert [v for _, v in round_.candidates] == sorted(listed.values(), reverse=True)


def test_candidates_are_the_projects_priced_this_round() -> None:
    # outcome.py: candidates are the projects priced in the round; the others were
    # pruned because their count from an earlier round, which can only have fallen,
    # was already below the winner's. Round 2 (see above): P2 42/17 and P3 9/5 are
    # priced; P4's round-1 count (1, cost 3 / q 3) is below 42/17, so it is pruned.
    second = mes(ROUNDS).mes_rounds[1]
    assert candidates(second) == {"P2": F(42, 17), "P3": F(9, 5)}


def test_project_dropped_when_its_supporters_can_no_longer_afford_it() -> None:
    # (c) Round 3: P3's supporters hold 4 + 4 + 3/2 = 19/2 < 18 -> dropped, and P4
    # is funded in the same round.
    third = mes(ROUNDS).mes_rounds[2]
    assert third.dropped == ("P3",)
    assert third.project_id == "P4"
    assert "P3" not in candidates(third)
    rounds = mes(ROUNDS).mes_rounds
    assert all("P3" not in r.dropped for r in rounds[:2])


def test_tally_election_runs_the_same_rule() -> None:
    pot, name = tally_election(election_of(ROUNDS), rule="equalshares")
    assert name == "equalshares"
    assert pot.funded == ("P1", "P2", "P4")
    assert pot.params.utilities == "cost"
    assert pot.params.completion == "none"


# ---------------------------------------------------------------------------
# (b) cost vs cardinality utilities. B = 40, four voters, e = 10.
#   P1 40: v1 v2 v3 v4     P2 6: v1 v2
# Cost utilities:
#   R1: P1 q = 10, eff 40/10 = 4; P2 q = 3, eff 6/3 = 2 -> P1; everyone pays 10 -> 0
#   R2: P2: 0 + 0 < 6 -> dropped.            Funded P1, spent 40.
# Cardinality utilities (smallest q wins):
#   R1: P1 q = 10, P2 q = 3 -> P2; v1, v2 pay 3 -> 7
#   R2: P1: 7 + 7 + 10 + 10 = 34 < 40 -> dropped.  Funded P2, spent 6.
# ---------------------------------------------------------------------------
UTILITIES = pb("40", {"P1": "40", "P2": "6"}, [("P1,P2",), ("P1,P2",), ("P1",), ("P1",)])


def test_cost_utilities_fund_the_big_project() -> None:
    outcome = mes(UTILITIES)
    assert outcome.funded == ("P1",)
    assert outcome.spent == F(40)
    (only,) = outcome.mes_rounds
    assert (only.q, only.effective_vote_count) == (F(10), F(4))
    assert payments(only) == [(4, F(10))]
    assert candidates(only) == {"P1": F(4), "P2": F(2)}


def test_cardinality_utilities_give_a_different_order() -> None:
    outcome = mes(UTILITIES, utilities="cardinality")
    assert outcome.params.utilities == "cardinality"
    assert outcome.funded == ("P2",)
    assert (outcome.spent, outcome.left) == (F(6), F(34))
    (only,) = outcome.mes_rounds
    # cardinality: the effective vote count is 1 / q
    assert (only.q, only.effective_vote_count) == (F(3), F(1, 3))
    assert payments(only) == [(2, F(3))]
    assert candidates(only) == {"P2": F(1, 3), "P1": F(1, 10)}


# ---------------------------------------------------------------------------
# (d) add1 completion.
#
# RAISES: B = 80, two voters, e = 40.   P1 30: v1    P2 40: v1 v2    P3 20: nobody
#   (total 90 > 80, so "everything affordable" does not apply)
#   e = 40: R1 P1 q 30 eff 1; P2 q 20 eff 2 -> P2; v1 = v2 = 20.
#           R2 P1: 20 < 30 -> dropped.  Funded P2, spent 40, left 40: P1 (30)
#           and P3 (20) fit -> not exhaustive.
#   floor(40) = 40; e = 41 ... 49: after P2 v1 holds e - 20 = 21 ... 29 < 30, so
#           the outcome stays P2 (spent 40, fits: adopted; still not exhaustive).
#   e = 50: v1 holds 30 after P2 -> P1 q 30, funded. Spent 70 <= 80: adopted.
#           Left 10 < P3's 20 -> exhaustive: stop. Final endowment 50.
# ---------------------------------------------------------------------------
RAISES = pb("80", {"P1": "30", "P2": "40", "P3": "20"}, [("P1,P2",), ("P2",)])


def test_add1_raises_the_endowment_until_the_outcome_changes() -> None:
    outcome = mes(RAISES, "equalshares/add1")
    assert outcome.params.completion == "add1"
    assert outcome.params.add1_start == "floor"
    assert outcome.funded == ("P2", "P1")
    assert (outcome.spent, outcome.left) == (F(70), F(10))
    assert outcome.endowment == F(50)
    expected: list[tuple[F, tuple[str, ...], F, bool]] = [(F(40), ("P2",), F(40), True)]
    expected += [(F(e), ("P2",), F(40), True) for e in range(41, 50)]
    expected += [(F(50), ("P2", "P1"), F(70), True)]
    expected += [(F(50), ("P2", "P1"), F(70), True)]  # exhaustive: the stop is recorded
    assert steps(outcome) == expected
    assert "exhaustive" in outcome.completion[-1].reason
    # The recorded rounds are those of the adopted endowment 50.
    assert [(r.project_id, r.q) for r in outcome.mes_rounds] == [("P2", F(20)), ("P1", F(30))]
    assert payments(outcome.mes_rounds[0]) == [(2, F(20))]
    assert payments(outcome.mes_rounds[1]) == [(1, F(30))]


def test_plain_mes_on_the_same_election() -> None:
    outcome = mes(RAISES)
    assert outcome.funded == ("P2",)
    assert (outcome.spent, outcome.endowment) == (F(40), F(40))
    assert outcome.mes_rounds[0].dropped == ()
    # P3 has no supporter: never a candidate, never dropped
    assert all("P3" not in candidates(r) for r in outcome.mes_rounds)


# ---------------------------------------------------------------------------
# START: B = 20, three voters, e = 20/3 (floor 6).   P1 4: v1    P2 16: v2 v3
#   e = 20/3: R1 P1 q 4 eff 1; P2: 40/3 < 16 -> dropped. Funded P1, left 16 >= 16:
#             not exhaustive.
#   floor:  e = 7:  P2: 14 < 16 dropped -> P1 only, spent 4: adopted, not exhaustive
#           e = 8:  P2 q 8 eff 2, P1 q 4 eff 1 -> P2, P1; spent 20: adopted, exhaustive
#   exact:  e = 23/3: P2: 46/3 < 16 dropped -> P1 only: adopted
#           e = 26/3: P2 q 8 <= 26/3 -> P2, P1; spent 20: adopted, exhaustive
#   (4 + 16 = 20 <= B: the registered add1 rules would fund everything at once,
#   so "everything affordable" is switched off here.)
# ---------------------------------------------------------------------------
START = pb("20", {"P1": "4", "P2": "16"}, [("P1",), ("P2",), ("P2",)])


def test_add1_floor_start() -> None:
    outcome = mes(START, "equalshares/add1", everything_affordable="false")
    assert outcome.funded == ("P2", "P1")
    assert outcome.endowment == F(8)
    assert steps(outcome) == [
        (F(20, 3), ("P1",), F(4), True),
        (F(7), ("P1",), F(4), True),
        (F(8), ("P2", "P1"), F(20), True),
        (F(8), ("P2", "P1"), F(20), True),
    ]


def test_add1_everything_affordable_on_the_start_example() -> None:
    # 4 + 16 = 20 <= 20: the registered rule funds both without any MES round.
    outcome = mes(START, "equalshares/add1")
    assert set(outcome.funded) == {"P1", "P2"}
    assert outcome.spent == F(20)
    assert outcome.mes_rounds == ()


def test_add1_exact_start() -> None:
    outcome = mes(START, "equalshares/add1", add1_start="exact", everything_affordable="false")
    assert outcome.params.add1_start == "exact"
    assert outcome.funded == ("P2", "P1")
    assert outcome.endowment == F(26, 3)
    assert steps(outcome) == [
        (F(20, 3), ("P1",), F(4), True),
        (F(23, 3), ("P1",), F(4), True),
        (F(26, 3), ("P2", "P1"), F(20), True),
        (F(26, 3), ("P2", "P1"), F(20), True),
    ]
    # q of P2 at e = 26/3: 16 / 2 = 8; v2, v3 pay 8 each
    assert payments(outcome.mes_rounds[0]) == [(2, F(8))]


# ---------------------------------------------------------------------------
# OVERSPEND: B = 14, three voters, e = 14/3 (floor 4).
#   P1 8: v1 v2     P2 5: v3     P3 1.50: v1        (total 14.50 > 14)
#   e = 14/3: R1 P1 q 4 eff 2; P2: 14/3 < 5 dropped; P3 q 1.5 eff 1 -> P1;
#             v1 = v2 = 2/3. R2 P3: 2/3 < 1.5 dropped. Funded P1, spent 8, left 6:
#             P2 fits -> not exhaustive.
#   floor: e = 5: R1 P1 (eff 2) -> v1 = v2 = 1. R2 P2 q 5 eff 1 (v3 = 5);
#                 P3: 1 < 1.5 dropped -> P2. Spent 13 <= 14: adopted.
#                 Left 1 < 1.50 -> exhaustive: stop.  Final P1, P2 at e = 5.
#   exact: e = 17/3: R1 P1 -> v1 = v2 = 5/3. R2 P2 q 5 eff 1, P3 q 1.5 eff 1:
#                 tie -> lower cost P3; R3 P2. Spent 14.50 > 14: rejected; stop
#                 with P1 at e = 14/3.
#   floor, never stopping on exhaustiveness (the pabulib checker): after e = 5,
#          e = 6: R1 P1 -> v1 = v2 = 2; R2 tie P2/P3 at eff 1 -> P3; R3 P2:
#          spent 14.50 > 14: rejected. Final P1, P2 at e = 5.
# ---------------------------------------------------------------------------
OVERSPEND = pb("14", {"P1": "8", "P2": "5", "P3": "1.50"}, [("P1,P3",), ("P1",), ("P2",)])


def test_add1_floor_stops_when_exhaustive() -> None:
    outcome = mes(OVERSPEND, "equalshares/add1")
    assert outcome.funded == ("P1", "P2")
    assert (outcome.spent, outcome.left, outcome.endowment) == (F(13), F(1), F(5))
    assert steps(outcome) == [
        (F(14, 3), ("P1",), F(8), True),
        (F(5), ("P1", "P2"), F(13), True),
        (F(5), ("P1", "P2"), F(13), True),
    ]
    # at e = 5: P1 split 4 + 4 (v1, v2), then v3 pays all her 5 for P2
    assert [payments(r) for r in outcome.mes_rounds] == [[(2, F(4))], [(1, F(5))]]
    assert outcome.mes_rounds[1].dropped == ("P3",)


def test_add1_exact_stops_at_the_first_overspend() -> None:
    outcome = mes(OVERSPEND, "equalshares/add1", add1_start="exact")
    assert outcome.funded == ("P1",)
    assert (outcome.spent, outcome.left, outcome.endowment) == (F(8), F(6), F(14, 3))
    assert steps(outcome) == [
        (F(14, 3), ("P1",), F(8), True),
        (F(17, 3), ("P1", "P3", "P2"), F("14.50"), False),
    ]
    assert "over the budget" in outcome.completion[-1].reason


def test_add1_without_the_exhaustive_stop() -> None:
    outcome = mes(OVERSPEND, "equalshares/add1", add1_stop_when_exhaustive="false")
    assert outcome.params.add1_stop_when_exhaustive is False
    assert outcome.funded == ("P1", "P2")
    assert outcome.endowment == F(5)
    assert steps(outcome) == [
        (F(14, 3), ("P1",), F(8), True),
        (F(5), ("P1", "P2"), F(13), True),
        (F(6), ("P1", "P3", "P2"), F("14.50"), False),
    ]


def test_add1u_fills_by_votes_after_add1() -> None:
    # exact: add1 stops with P1 (left 6). Greedy by votes: P2 and P3 have 1 vote
    # each -> lower cost first: P3 1.50 (left 4.50), P2 5 > 4.50 skipped.
    exact = mes(OVERSPEND, "equalshares/add1u", add1_start="exact")
    assert exact.funded == ("P1", "P3")
    assert (exact.spent, exact.left) == (F("9.50"), F("4.50"))
    assert exact.endowment == F(14, 3)
    # floor: add1 ends exhaustive with P1, P2 (left 1): nothing more fits.
    floor = mes(OVERSPEND, "equalshares/add1u")
    assert floor.funded == ("P1", "P2")
    assert floor.spent == F(13)


# ---------------------------------------------------------------------------
# Utilitarian completion: B = 20, four voters, e = 5.
#   P1 8: v1 v2     P2 9: v1 v3 v4     P3 6: v2
#   R1: P1 q 4 eff 2; P2 q 3 eff 3; P3: 5 < 6 dropped -> P2; v1 v3 v4 = 2, v2 = 5
#   R2: P1: 2 + 5 = 7 < 8 dropped. MES: P2, spent 9, left 11.
#   Greedy by votes with the money left: P1 (2 votes) 8 <= 11 -> funded, left 3;
#   P3 (1 vote) 6 > 3 skipped. Utilitarian: P2, P1; spent 17, left 3.
#   add1u: e = 6: R1 P2 (eff 3) -> v1 = 3, v2 = 6, v3 = v4 = 3;
#     R2 P1: v1 3 < 8/2 pays 3, v2 pays 5 (q = 5, eff 8/5); P3 q 6 eff 1 -> P1.
#     Spent 17 <= 20: adopted; left 3 < 6 -> exhaustive. Greedy adds nothing.
# ---------------------------------------------------------------------------
FILL = pb("20", {"P1": "8", "P2": "9", "P3": "6"}, [("P1,P2",), ("P1,P3",), ("P2",), ("P2",)])


def test_utilitarian_completion_is_greedy_by_votes_with_the_money_left() -> None:
    plain = mes(FILL)
    assert plain.funded == ("P2",)
    assert plain.mes_rounds[0].dropped == ("P3",)
    outcome = mes(FILL, "equalshares/utilitarian")
    assert outcome.params.completion == "utilitarian"
    assert outcome.funded == ("P2", "P1")
    assert (outcome.spent, outcome.left) == (F(17), F(3))
    assert outcome.endowment == F(5)
    assert [r.project_id for r in outcome.mes_rounds] == ["P2"]


def test_add1u_on_the_utilitarian_example() -> None:
    outcome = mes(FILL, "equalshares/add1u")
    assert outcome.funded == ("P2", "P1")
    assert outcome.endowment == F(6)
    assert steps(outcome) == [
        (F(5), ("P2",), F(9), True),
        (F(6), ("P2", "P1"), F(17), True),
        (F(6), ("P2", "P1"), F(17), True),
    ]
    second = outcome.mes_rounds[1]
    assert (second.project_id, second.q, second.effective_vote_count) == ("P1", F(5), F(8, 5))
    assert payments(second) == [(1, F(3)), (1, F(5))]


# ---------------------------------------------------------------------------
# (e) comparison step. B = 12, six voters, e = 2.
#   A 8: v1 v2 v3 v4    B 4: v1 v2 v3    C 4: v5 v6
#   MES R1: A q 2 eff 4; B q 4/3 eff 3; C q 2 eff 2 -> A; v1..v4 = 0.
#       R2: B: 0 < 4 dropped; C q 2 eff 2 -> C.  MES = A, C (spent 12).
#   Greedy by votes: A (4) 8 -> left 4; B (3) 4 -> left 0; C (2) 4 > 0 skipped.
#   Greedy = A, B.
#   Satisfaction (approved funded projects):
#       v1 v2 v3: MES 1, greedy 2 -> prefer greedy: 3
#       v4: 1 and 1 -> neither
#       v5 v6: MES 1, greedy 0 -> prefer MES: 2
#     3 > 2 -> greedy's outcome A, B.
#   Exclusion (some approved project funded in one outcome, none in the other):
#       v1..v4 have one in both; v5 v6 only under MES -> prefer MES 2, greedy 0
#     -> MES kept.
# ---------------------------------------------------------------------------
COMPARE = pb(
    "12",
    {"A": "8", "B": "4", "C": "4"},
    [("A,B",), ("A,B",), ("A,B",), ("A",), ("C",), ("C",)],
)


def test_comparison_chooses_greedy_when_more_voters_prefer_it() -> None:
    assert mes(COMPARE).funded == ("A", "C")
    outcome = mes(COMPARE, "equalshares-comparison")
    comparison = outcome.comparison
    assert comparison is not None
    assert comparison.measure == "satisfaction"
    assert (comparison.prefer_rule, comparison.prefer_greedy) == (2, 3)
    assert comparison.rule_funded == ("A", "C")
    assert comparison.greedy_funded == ("A", "B")
    assert comparison.chosen == "greedy"
    assert outcome.funded == ("A", "B")
    assert (outcome.spent, outcome.left) == (F(12), F(0))
    # MES' own rounds are still in the record
    assert [r.project_id for r in outcome.mes_rounds] == ["A", "C"]
    assert outcome.mes_rounds[1].dropped == ("B",)


def test_comparison_with_add1_keeps_the_same_verdict() -> None:
    # MES spends all 12 at e = 2: exhaustive at once, so add1 changes nothing.
    outcome = mes(COMPARE, "equalshares/add1-comparison")
    assert outcome.comparison is not None
    assert (outcome.comparison.prefer_rule, outcome.comparison.prefer_greedy) == (2, 3)
    assert outcome.funded == ("A", "B")
    assert outcome.endowment == F(2)


def test_exclusion_comparison_keeps_mes() -> None:
    outcome = mes(COMPARE, "equalshares-comparison", comparison="exclusion")
    comparison = outcome.comparison
    assert comparison is not None
    assert comparison.measure == "exclusion"
    assert (comparison.prefer_rule, comparison.prefer_greedy) == (2, 0)
    assert comparison.chosen == "rule"
    assert outcome.funded == ("A", "C")


# ---------------------------------------------------------------------------
# (f) eligibility filter, k = 3. B = 100, ten voters, e = 10.
#   P1 20: everyone     P2 61: v1 v2     P3 30: v3
#   ineligible when votes / n < cost / (3B), i.e. votes * 300 < cost * 10:
#     P1 3000 < 200 no; P2 600 < 610 yes; P3 300 < 300 no (the boundary is eligible)
#   MES: R1 P1 q 2 eff 10; P2: 20 < 61 dropped; P3: 10 < 30 dropped -> P1, left 80.
#   Utilitarian fill without the filter: P2 (2 votes) 61 -> left 19; P3 30 skipped.
#   With the filter: P2 is out; P3 30 -> left 50.
# ---------------------------------------------------------------------------
ELIGIBILITY = pb(
    "100",
    {"P1": "20", "P2": "61", "P3": "30"},
    [("P1,P2",), ("P1,P2",), ("P1,P3",), *[("P1",)] * 7],
)


def test_eligibility_filter() -> None:
    unfiltered = mes(ELIGIBILITY, "equalshares/utilitarian")
    assert unfiltered.funded == ("P1", "P2")
    assert unfiltered.spent == F(81)
    assert unfiltered.ineligible == ()
    outcome = mes(ELIGIBILITY, "equalshares/utilitarian", eligibility_k="3")
    assert outcome.params.eligibility_k == 3
    assert outcome.ineligible == ("P2",)
    assert outcome.funded == ("P1", "P3")
    assert (outcome.spent, outcome.left) == (F(50), F(50))
    assert all("P2" not in candidates(r) and "P2" not in r.dropped for r in outcome.mes_rounds)


# ---------------------------------------------------------------------------
# (g) everything affordable. B = 100, two voters.
#   P1 30: v1    P2 40: v1 v2    P3 20: nobody     total 90 <= 100
#   plain MES, e = 50: R1 P1 q 30 eff 1; P2 q 20 eff 2 -> P2; v1 = v2 = 30.
#                      R2 P1 q 30 -> funded. P3 has no supporter. Spent 70.
#   everything affordable: all three, spent 90, left 10.
# ---------------------------------------------------------------------------
AFFORDABLE = pb("100", {"P1": "30", "P2": "40", "P3": "20"}, [("P1,P2",), ("P2",)])


def test_everything_affordable() -> None:
    plain = mes(AFFORDABLE)
    assert plain.funded == ("P2", "P1")
    assert plain.spent == F(70)
    forced = mes(AFFORDABLE, everything_affordable="true")
    assert set(forced.funded) == {"P1", "P2", "P3"}
    assert len(forced.funded) == 3
    assert (forced.spent, forced.left) == (F(90), F(10))
    # the registered add1 rules switch it on
    for rule in ("equalshares/add1", "equalshares/add1u"):
        outcome = mes(AFFORDABLE, rule)
        assert set(outcome.funded) == {"P1", "P2", "P3"}
        assert outcome.spent == F(90)


def test_everything_affordable_does_not_apply_when_the_total_exceeds_the_budget() -> None:
    # RAISES is this election with B = 80 < 90: plain MES funds P2 only.
    assert mes(RAISES, everything_affordable="true").funded == ("P2",)


# ---------------------------------------------------------------------------
# (h) ties on the effective vote count.
#
# Lower cost: B = 12, two voters both approving P1 (8) and P2 (6); e = 6.
#   R1: P1 q 4 eff 2; P2 q 3 eff 2 -> tie; lower cost: P2. v1 = v2 = 3.
#   R2: P1: 3 + 3 < 8 -> dropped. Funded P2 (P1 first would have left 2 + 2 < 6:
#   the tie decides the outcome).
# ---------------------------------------------------------------------------


def test_tie_settled_by_lower_cost() -> None:
    outcome = mes(pb("12", {"P1": "8", "P2": "6"}, [("P1,P2",), ("P1,P2",)]))
    assert outcome.funded == ("P2",)
    assert outcome.spent == F(6)
    (tie,) = outcome.ties
    assert (tie.step, tie.projects, tie.settled_by) == (1, ("P2", "P1"), ("lower cost",))
    assert tie.decisive
    assert candidates(outcome.mes_rounds[0]) == {"P1": F(2), "P2": F(2)}


# More votes: B = 80, eight voters, e = 10.
#   Z 40: v1 v2 v3 v4     X 20: v1 v5 v6     Y 20: v7 v8
#   R1: Z q 10 eff 4; X q 20/3 eff 3; Y q 10 eff 2 -> Z; v1..v4 = 0.
#   R2: X: v1 = 0 pays nothing, v5 and v6 pay 10: q = 10, eff 20/10 = 2
#       Y: q 10, eff 2 -> tie at 2 with equal cost 20; X has 3 votes, Y 2 -> X.
#   R3: Y q 10 -> funded.  Funded Z, X, Y; spent 80.
def test_tie_settled_by_more_votes() -> None:
    text = pb(
        "80",
        {"Z": "40", "X": "20", "Y": "20"},
        [("Z,X",), ("Z",), ("Z",), ("Z",), ("X",), ("X",), ("Y",), ("Y",)],
    )
    outcome = mes(text)
    assert outcome.funded == ("Z", "X", "Y")
    assert outcome.spent == F(80)
    (tie,) = outcome.ties
    assert (tie.step, tie.projects, tie.settled_by) == (2, ("X", "Y"), ("lower cost", "more votes"))
    second = outcome.mes_rounds[1]
    assert (second.project_id, second.q, second.effective_vote_count) == ("X", F(10), F(2))
    assert candidates(second) == {"X": F(2), "Y": F(2)}
    # the penniless supporter pays nothing; the two others pay 10 each
    assert payments(second) == [(2, F(10))]
    assert sum(p.voters * p.amount for p in second.payments) == F(20)


# Lottery: B = 12, two voters both approving "9" and "10", both costing 8; e = 6.
#   R1: both q 4, eff 2, same cost, same votes -> lottery: the smaller
#   SHA-256("asukasbudjetti-lottery:{seed}:{id}") wins; v1 = v2 = 2.
#   R2: the loser needs 8 > 2 + 2 -> dropped. Only the winner is funded.
LOTTERY = pb("12", {"9": "8", "10": "8"}, [("9,10",), ("9,10",)])


def test_a_penniless_voter_cannot_pay_twice() -> None:
    # B = 1, one voter approving p0 and p1, both costing 1; e = 1.
    #   R1: both q 1, eff 1: a full tie -> lottery winner; the voter pays her 1 -> 0.
    #   R2: the other project: 0 < 1 -> dropped.  Funded: the winner only; spent 1.
    winner = min(("p0", "p1"), key=lambda p: ticket(0, p))
    outcome = RULES["equalshares"].run(
        compile_profile(election_of(pb("1", {"p0": "1", "p1": "1"}, [("p0,p1",)]))), RuleOptions()
    )
    assert outcome.funded == (winner,)
    assert (outcome.spent, outcome.left) == (F(1), F(0))


@pytest.mark.parametrize("seed", range(8))
def test_tie_settled_by_lottery(seed: int) -> None:
    winner, loser = sorted(("9", "10"), key=lambda p: ticket(seed, p))
    outcome = mes(LOTTERY, seed=seed)
    assert outcome.funded == (winner,)
    assert outcome.params.seed == seed
    (tie,) = outcome.ties
    assert tie.projects == (winner, loser)
    assert tie.settled_by == ("lower cost", "more votes", "lottery")
    assert tie.step == 1


def test_lottery_seeds_reach_both_winners() -> None:
    # The parametrised seeds above are not all won by the same project.
    winners = {min(("9", "10"), key=lambda p: ticket(seed, p)) for seed in range(8)}
    assert winners == {"9", "10"}


def test_lottery_order_is_the_same_at_every_endowment() -> None:
    # add1: e = 6 funds the lottery winner (spent 8, left 4 < 8: exhaustive at once).
    for seed in range(4):
        winner = min(("9", "10"), key=lambda p: ticket(seed, p))
        outcome = mes(LOTTERY, "equalshares/add1", seed=seed)
        assert outcome.funded == (winner,)
        assert steps(outcome) == [(F(6), (winner,), F(8), True), (F(6), (winner,), F(8), True)]


# ---------------------------------------------------------------------------
# (i) cumulative ballots: additive utilities from points. B = 10, two voters, e = 5.
#   v1: P1 3 points, P2 1       v2: P1 1, P2 1, P3 1
#   P1 4, P2 5, P3 3.50. A supporter pays min(money, rho * points); the smallest
#   rho (price per point) wins.
#   R1: P1: 4 / (3 + 1) = rho 1: v1 pays 3 <= 5, v2 pays 1 <= 5 -> rho 1
#       P2: 5 / 2 = rho 5/2 (both pay 5/2 <= 5)
#       P3: 3.50 / 1 = rho 7/2
#       -> P1; v1 = 2, v2 = 4.
#   R2: P2: v1 money/points 2, v2 4. rho 5/2 > 2: v1 pays her 2; (5 - 2) / 1 = 3
#           <= 4 -> rho 3; v2 pays 3.
#       P3: rho 7/2 (v2 has 4)
#       -> P2; v1 = 0, v2 = 1.
#   R3: P3: 1 < 3.50 -> dropped.   Funded P1, P2; spent 9, left 1.
# ---------------------------------------------------------------------------
CUMULATIVE = pb(
    "10",
    {"P1": "4", "P2": "5", "P3": "3.50"},
    [("P1,P2", "3,1"), ("P1,P2,P3", "1,1,1")],
    vote_type="cumulative",
)


def test_cumulative_ballots_use_points_as_utilities() -> None:
    outcome = mes(CUMULATIVE)
    assert outcome.params.utilities == "cumulative points"
    assert outcome.funded == ("P1", "P2")
    assert (outcome.spent, outcome.left) == (F(9), F(1))
    first, second = outcome.mes_rounds
    # round 1 at rho 1: v2 pays 1 (1 point), v1 pays 3 (3 points)
    assert payments(first) == [(1, F(1)), (1, F(3))]
    # round 2 at rho 3: v1 pays all she has (2), v2 pays 3
    assert payments(second) == [(1, F(2)), (1, F(3))]
    assert [r.effective_vote_count for r in outcome.mes_rounds] == [F(1), F(1, 3)]


# ---------------------------------------------------------------------------
# Every registered MES rule keeps the budget on every example above.
# ---------------------------------------------------------------------------
EXAMPLES = [
    pytest.param(ROUNDS, id="rounds"),
    pytest.param(UTILITIES, id="utilities"),
    pytest.param(RAISES, id="raises"),
    pytest.param(START, id="start"),
    pytest.param(OVERSPEND, id="overspend"),
    pytest.param(FILL, id="fill"),
    pytest.param(COMPARE, id="compare"),
    pytest.param(ELIGIBILITY, id="eligibility"),
    pytest.param(AFFORDABLE, id="affordable"),
    pytest.param(LOTTERY, id="lottery"),
]


@pytest.mark.parametrize("rule", MES_RULES)
@pytest.mark.parametrize("text", EXAMPLES)
def test_every_mes_rule_keeps_the_budget(rule: str, text: str) -> None:
    outcome = mes(text, rule)
    election = election_of(text)
    costs = {p.project_id: p.cost for p in election.projects}
    assert sum((costs[p] for p in outcome.funded), F(0)) == outcome.spent <= election.budget
    assert len(set(outcome.funded)) == len(outcome.funded)
    for round_ in outcome.mes_rounds:
        assert sum(p.voters * p.amount for p in round_.payments) == round_.cost
        assert outcome.endowment is not None
        assert all(F(0) <= p.amount <= min(round_.q, outcome.endowment) for p in round_.payments)
