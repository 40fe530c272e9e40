"""The diagnosis of a differing outcome: the smallest changes under which the rule reproduces the announced one.

Every expected diagnosis below is worked out by hand from its fixture
(tests/fixtures/diagnose/), in the comment above it, not copied from the program's
output. The fixtures are approval elections; "A 60 (3)" is project A costing 60 with
3 votes, and each fixture's ballots give every project exactly its votes. Under
``--rule official`` greedy ties are settled by the published order (the file's).

What a diagnosis tries, in order: another tie order, one project left out, one
project funded first, one exclusive group (greedy-exclusive), another budget,
another threshold (a greedy rule run with one), another rule of the family, an
Equal Shares parameter; then pairs of leave-outs and force-ins.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asukasbudjetti.audit.diagnose import diagnose, tally_file_with_diagnosis
from asukasbudjetti.audit.explain import explain
from asukasbudjetti.audit.explain.render import render_diagnosis
from asukasbudjetti.audit.verify import verify_record
from asukasbudjetti.cli import main
from asukasbudjetti.io.record import parse_record
from asukasbudjetti.model import WITHDRAWN_COST, Ballot, BallotTable, Election, Project, VoteType
from asukasbudjetti.model.outcome import GreedyParameters
from asukasbudjetti.model.record import (
    BudgetChange,
    Change,
    Diagnosis,
    ExclusiveGroupChange,
    ForceInChange,
    LeaveOutChange,
    RuleChange,
    RuleParameterChange,
    ThresholdChange,
    TieOrderChange,
)
from asukasbudjetti.model.schemas import record_schema
from asukasbudjetti.tally import load_election, tally_election, tally_file

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "diagnose"


def diagnosis_of(name: str) -> dict[str, Any] | None:
    """The diagnosis ``tally --rule official`` records for a fixture, as its JSON."""
    pot = tally_file_with_diagnosis(FIXTURES / name).outcomes[0]
    return None if pot.diagnosis is None else pot.diagnosis.model_dump(mode="json", by_alias=True)


def found(*explanations: list[dict[str, Any]], limits: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    """A diagnosis of one-change or two-change explanations, as JSON."""
    return {
        "size": len(explanations[0]) if explanations else 0,
        "max_changes": 2,
        "explanations": [{"changes": changes} for changes in explanations],
        "limits": list(limits),
    }


def leave_out(project: str, cost: str, money_left: str | None, similar_to: str | None = None) -> dict[str, Any]:
    return {
        "kind": "leave-out",
        "project": project,
        "cost": cost,
        "funded": True,
        "money_left": money_left,
        "similar_to": similar_to,
    }


def force_in(project: str, cost: str, money_left: str | None, *, funded: bool = False) -> dict[str, Any]:
    return {"kind": "force-in", "project": project, "cost": cost, "funded": funded, "money_left": money_left}


def budget(smallest: str, largest: str | None, *, was: str = "100", exact: bool = True) -> dict[str, Any]:
    return {"kind": "budget", "budget": was, "smallest": smallest, "largest": largest, "exact": exact}


def rule(name: str, was: str) -> dict[str, Any]:
    return {"kind": "rule", "rule": name, "was": was}


# --- one fixture per kind of diagnosis --------------------------------------------------------------------------


def test_an_election_that_reproduces_gets_no_diagnosis() -> None:
    # reproduces.pb: budget 100; A 50 (3), B 40 (2), C 30 (1); announced A, B.
    # Greedy: A (100 -> 50), B (50 -> 10), C does not fit (30 > 10): A, B, as announced.
    assert diagnosis_of("reproduces.pb") is None
    record = tally_file_with_diagnosis(FIXTURES / "reproduces.pb")
    assert record == tally_file(FIXTURES / "reproduces.pb")  # byte-identical: nothing added


def test_tie_order() -> None:
    # tie_order.pb: budget 100; A 60 (3), B 50 (3), C 40 (2); announced B, C.
    # Published order (A before B): A (100 -> 40), B 50 > 40, C (40 -> 0): A, C. Missing B, extra A.
    # - tie_break=cost: B first (50 < 60): B (-> 50), A 60 > 50, C (-> 10): B, C. Reproduced.
    # - tie_break=lottery: SHA-256 "asukasbudjetti-lottery:0:A" = dd47..., ":B" = eafb...: A first,
    #   as published: not reproduced.
    # - leave out A (the only project not announced; funded): B (-> 50), C (-> 10). Reproduced.
    # - force in B (budget 100 - 50 = 50): A 60 > 50, C (-> 10): C + B. Reproduced.
    #   Force in C (budget 60): A (-> 0), B no: A + C. Not.
    # - budget: with B, C funded, A (walked first) must not fit: budget <= 59; B and C must: >= 90. None.
    # - rules: greedy-no-skip stops at B: A. greedy-custom: at B 40 >= 80% of 50, reserve-funded: A, B.
    #   greedy-per-cost: B (3/50) before A and C (3/60 = 2/40, A published first): B, A no, C: B, C.
    #   Reproduced. greedy-exclusive (no groups) and top1-greedy walk as greedy; greedy-threshold has
    #   no threshold to run with.
    # B was walked with 40 left (100 - 60); A with all 100.
    tie = {"kind": "tie-order", "tie_break": "cost", "was": "published-order", "ties": [["A", "B"]]}
    assert diagnosis_of("tie_order.pb") == found(
        [tie],
        [leave_out("A", "60", "100")],
        [force_in("B", "50", "40")],
        [rule("greedy-per-cost", "greedy")],
    )


def test_leave_out() -> None:
    # leave_out.pb: budget 100; X 30 (5), A 50 (4), B 45 (3); announced A, B.
    # Greedy: X (100 -> 70), A (-> 20), B 45 > 20: X, A. Missing B, extra X.
    # - leave out X: A (-> 50), B (-> 5). Reproduced.
    # - force in A (budget 50): X (-> 20), B no. Force in B (budget 55): X (-> 25), A 50 > 25. Neither.
    # - budget: X walked first and not announced: budget <= 29; A must fit: >= 50. None.
    # - rules: no-skip and the reserve rule stop at B (20 < 80% of 45); per cost (5/30, 4/50, 3/45) walks
    #   as by votes. None. No ties, no threshold.
    # X's name "Park Picassa modernisation" and A's "New Park Picassa" share "park" and "pica(ssa)".
    assert diagnosis_of("leave_out.pb") == found([leave_out("X", "30", "100", similar_to="A")])


def test_force_in() -> None:
    # force_in.pb: budget 100; A 40 (6), E1 25 (5), E2 25 (4), B 50 (3); announced A, B.
    # Greedy: A (-> 60), E1 (-> 35), E2 (-> 10), B 50 > 10: A, E1, E2. Missing B, extra E1, E2.
    # - leave out E1: A (-> 60), E2 (-> 35), B 50 > 35: A, E2. Not; E2 alike.
    # - force in B (budget 50): A (-> 10), E1 and E2 25 > 10: A + B. Reproduced.
    #   Force in A (budget 60): E1, E2 funded. Not.
    # - budget: A >= 40; E1 must not fit: <= 40 + 25 - 1 = 64; B: >= 90. None.
    # - rules: no-skip funds A, E1, E2 and stops at B (the reserve rule: 10 < 40); per cost
    #   (E1 .2, E2 .16, A .15, B .06): E1, E2, A. None.
    # B's turn came with 10 left.
    assert diagnosis_of("force_in.pb") == found([force_in("B", "50", "10")])


def test_budget_interval() -> None:
    # budget.pb: budget 100; A 50 (4), B 40 (3), C 30 (2), D 10 (1); announced A, B, C.
    # Greedy: A (-> 50), B (-> 10), C 30 > 10, D (-> 0): A, B, D. Missing C, extra D.
    # - leave out D: A, B; C still does not fit. Not.
    # - force in A (50): B, D; B (60): A, D; C (70): A (-> 20), B no, D (-> 10). None.
    # - budget, the announced set fixed, in walking order: A fits: >= 50; B: >= 90; C: >= 120; D must not
    #   fit with 100 spent before it: <= 100 + 10 - 1 = 129. Every budget from 120 to 129.
    # - rules: no-skip stops at C (A, B); the reserve rule: 10 < 80% of 30, stops (A, B); per cost walks
    #   D (.1), A (.08), B (.075), C: D, A, B. None.
    assert diagnosis_of("budget.pb") == found([budget("120", "129")])


def test_threshold() -> None:
    # threshold.pb: greedy-threshold, threshold 2; budget 100; A 40 (5), B 30 (4), D 25 (3), C 20 (2);
    # announced A, B. Greedy: A (-> 60), B (-> 30), D (-> 5), C 20 > 5: A, B, D. Extra D.
    # - leave out D: A, B, C (20 <= 30). Not. Force-ins: D still funded. Not.
    # - budget: A >= 40, B >= 70; D must not fit: <= 70 + 25 - 1 = 94; C: <= 70 + 20 - 1 = 89. 70 to 89.
    # - threshold, one level per score (2, 3, 4, 5, and above 5): above 3 and at most 4 leaves A, B:
    #   reproduced; at most 3 (D in), above 4 (A alone), above 5 (nothing): not. So 4, and only 4.
    # - rules: the threshold applies to every greedy rule here; no-skip (C stops the walk after D), the
    #   reserve rule (5 < 16) and per cost (B .133, A .125, D .12, C .1) fund A, B, D. None.
    assert diagnosis_of("threshold.pb") == found(
        [budget("70", "89")],
        [{"kind": "threshold", "threshold": "2", "smallest": "4", "largest": "4"}],
    )


def test_exclusive_group() -> None:
    # exclusive.pb: greedy-exclusive with no groups; budget 100; A 30 (5), A2 20 (4), B 40 (3), C 15 (2);
    # announced A, B, C. Greedy: A (-> 70), A2 (-> 50), B (-> 10), C 15 > 10: A, A2, B. Missing C, extra A2.
    # - leave out A2: A (-> 70), B (-> 30), C (-> 15). Reproduced.
    # - force in A (70): A2, B funded. B (60): A (-> 30), A2 (-> 10), C no. C (85): A, A2 (-> 35), B no.
    # - exclusive groups of a funded announced project (A or B) and the funded A2: with A, A2 is passed
    #   over when its turn comes: A, B, C. Reproduced. With B: A2 is walked first and funded, then B is
    #   passed over: A, A2, C. Not.
    # - budget: A >= 30; A2 must not fit: <= 30 + 20 - 1 = 49; B: >= 70. None. Rules: no-skip and the
    #   reserve rule (10 < 12) as greedy; per cost A2 (.2), A (.167), C (.133), B: A2, A, C. None.
    # "Trees on Main Street" and "More trees on Main Street" share "tree", "main", "stre(et)".
    assert diagnosis_of("exclusive.pb") == found(
        [leave_out("A2", "20", "70", similar_to="A")],
        [{"kind": "exclusive-group", "projects": ["A", "A2"], "similar_names": True}],
    )


def test_rule_of_the_family() -> None:
    # rule.pb: greedy; budget 100; A 60 (5), B 50 (4), C 30 (3), D 10 (2); announced A.
    # Greedy: A (-> 40), B 50 > 40, C (-> 10), D (-> 0): A, C, D. Extra C, D.
    # - leave out C: A, D. Leave out D: A, C. Force in A (40): C, D. None.
    # - budget: A >= 60; B must not fit: <= 60 + 50 - 1 = 109; C: <= 89; D: <= 69. 60 to 69.
    # - rules: greedy-no-skip: A, then B does not fit and the walk stops: A. Reproduced.
    #   greedy-custom: at B 40 >= 80% of 50: B reserve-funded. Not. greedy-per-cost: D (.2), C (.1),
    #   A (.083): D, C, A. Not.
    assert diagnosis_of("rule.pb") == found([budget("60", "69")], [rule("greedy-no-skip", "greedy")])


def test_equal_shares_parameter_and_rules() -> None:
    # mes_parameter.pb: equalshares, budget 100, four voters (25 each): v1 Q, v2 P Q, v3 P, v4 P R;
    # P 58, Q 32, R 40; announced P, Q.
    # Cost utilities: P's three supporters pay 58/3 each (effective votes 3), Q's two 16 (2): P wins;
    # v2 keeps 25 - 58/3 = 17/3, and Q's supporters have 25 + 17/3 < 32: dropped. R (v4 alone, 25 < 40)
    # dropped from the start. Funded: P. Missing Q.
    # - leave out R: no change. Force in P (budget 42, 10.5 each): Q's 21 < 32. Force in Q (68, 17 each):
    #   P's 51 < 58. None.
    # - budget (a scan): at budget b everyone has b/4; P is funded first when 3b/4 >= 58, then Q when
    #   b/4 + (b/4 - 58/3) >= 32, i.e. b >= 308/3 = 102.67. The scan tries 50, 80, 90 (the announced
    #   total, also -10%), 95, 98, 99, 101, 102 (no), 105, 110, 120, 150 (yes; R stays unaffordable below
    #   b = 160), then bisects 102..105 once: 103 reproduces. 13 tallies; 103 to 150, not exact.
    # - rules: equalshares/add1 (official: no exhaustive stop) raises the endowment from 25 to 26, where
    #   Q is funded after P (26 + 26 - 58/3 >= 32), and on while R stays unaffordable (until 60, where
    #   P, Q, R cost 130 > 100): P, Q. add1u: P, Q, then R (40) does not fit the 10 left. utilitarian:
    #   P, then by votes Q (32 <= 42), R no: P, Q. equalshares-comparison: greedy by votes funds P, Q;
    #   v1 and v2 prefer it, nobody prefers Equal Shares: P, Q. add1-comparison: both P, Q. All reproduce.
    # - utilities=cardinality: the smallest share wins: Q (16 each) before P (58/3); then P's supporters
    #   have 9 + 25 + 25 = 59 >= 58: Q, P. Reproduced.
    rules = [
        rule(name, "equalshares")
        for name in (
            "equalshares/add1",
            "equalshares/add1u",
            "equalshares/utilitarian",
            "equalshares-comparison",
            "equalshares/add1-comparison",
        )
    ]
    parameter = {"kind": "rule-parameter", "parameter": "utilities", "value": "cardinality", "was": "cost"}
    assert diagnosis_of("mes_parameter.pb") == found(
        [budget("103", "150", exact=False)],
        *([change] for change in rules),
        [parameter],
        limits=({"search": "budget", "tried": 13, "candidates": None},),
    )


def test_two_changes() -> None:
    # two_changes.pb: budget 100; A 40 (9), E1 20 (8), E2 20 (7), B 30 (6), C 30 (5); announced A, B, C.
    # Greedy: A (-> 60), E1 (-> 40), E2 (-> 20), B and C 30 > 20: A, E1, E2. Missing B, C; extra E1, E2.
    # One change: leave out E1 (or E2): A, E2, B (-> 10), C no. Force in B (70): A (-> 30), E1 (-> 10),
    # E2 no, C no; C alike; A (60): E1, E2, B no. Budget: E1 must not fit (<= 59) but B must (>= 70).
    # Rules: no-skip and the reserve rule (20 < 24) fund A, E1, E2; per cost walks E1, E2, A first.
    # None. Two changes:
    # - leave out E1 and E2: A (-> 60), B (-> 30), C (-> 0). Reproduced.
    # - force in B and C (budget 40): A (-> 0), E1, E2 no: A + B + C. Reproduced.
    # - leave out one E, force in B or C (budget 70): A (-> 30), the other E (-> 10), the rest no. Not.
    # - force in A with anything: E1 (or E2) is funded. Not.
    # E1's turn came with 60 left, E2's with 40; B's and C's with 20.
    assert diagnosis_of("two_changes.pb") == found(
        [leave_out("E1", "20", "60"), leave_out("E2", "20", "40")],
        [force_in("B", "30", "20"), force_in("C", "30", "20")],
    )


def test_none_found() -> None:
    # none_found.pb: budget 100; E1, E2, E3 10 each (9, 8, 7 votes), M 50 (1); announced M alone.
    # Greedy funds all four (100 -> 90 -> 80 -> 70 -> 20). Every explanation must remove all three Es:
    # leaving out two keeps the third; forcing in M leaves 50 for them; a budget below 10 (so that E1
    # does not fit) cannot fund M; the other rules walk the Es first too.
    assert diagnosis_of("none_found.pb") == found()


# --- the sentences, the record, the commands --------------------------------------------------------------------


def test_sentences() -> None:
    # The facts the sentences need are in the diagnosis; the sentences come from render_diagnosis alone.
    leave = Diagnosis.model_validate(found([leave_out("118", "385000", "1118734", similar_to="752")]))
    assert render_diagnosis(leave) == [
        "Reproduced if project 118 is left out (it is not selected although it fits with 1,118,734 left; "
        "project 752, funded, has a similar name)."
    ]
    pair = Diagnosis.model_validate(found([force_in("B", "1000.5", "20.25"), force_in("C", "30", None)]))
    assert render_diagnosis(pair) == [
        "Reproduced if project B is funded first, its cost of 1,000.50 taken from the budget (it is selected "
        "although only 20.25 was left when its turn came) and project C is funded first, its cost of 30 taken "
        "from the budget (it is selected although this count does not fund it)."
    ]
    groups = Diagnosis.model_validate(
        found(
            [{"kind": "exclusive-group", "projects": ["1", "9"], "similar_names": False}],
            [{"kind": "exclusive-group", "projects": ["5", "9"], "similar_names": True}],
        )
    )
    assert render_diagnosis(groups) == [
        "Reproduced if project 9 is mutually exclusive with any one of projects 1 and 5 "
        "(project 5 has a similar name; --exclusive 5,9)."
    ]
    none = Diagnosis.model_validate(found(limits=({"search": "two-changes", "tried": 300, "candidates": 1234},)))
    assert render_diagnosis(none) == [
        "No explanation with up to 2 changes was found.",
        "Pairs of changes were searched only in part: 300 of 1,234.",
    ]
    thresholds = Diagnosis.model_validate(
        found(
            [{"kind": "threshold", "threshold": None, "smallest": "0", "largest": "7"}],
            [{"kind": "threshold", "threshold": None, "smallest": "9", "largest": None}],
        )
    )
    assert render_diagnosis(thresholds) == [
        "Reproduced if the score threshold is at most 7 instead of none.",
        "Reproduced if the score threshold is at least 9 instead of none.",
    ]


def test_every_change_kind_reads_back_from_json_and_fits_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is a dev extra")
    for name in ("tie_order.pb", "mes_parameter.pb", "exclusive.pb", "threshold.pb", "two_changes.pb"):
        record = tally_file_with_diagnosis(FIXTURES / name)
        text = record.dumps()
        assert parse_record(text.encode(), "record.json") == record
        jsonschema.validate(json.loads(text), record_schema())
    kinds = {
        TieOrderChange,
        LeaveOutChange,
        ForceInChange,
        ExclusiveGroupChange,
        BudgetChange,
        ThresholdChange,
        RuleChange,
        RuleParameterChange,
    }
    assert {type(c) for name in FIXTURES.glob("*.pb") for c in changes_of(name)} == kinds


def changes_of(path: Path) -> list[Change]:
    pot = tally_file_with_diagnosis(path).outcomes[0]
    if pot.diagnosis is None:
        return []
    return [change for explanation in pot.diagnosis.explanations for change in explanation.changes]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_tally_official_adds_the_diagnosis_and_verify_runs_it_again(tmp_path: Path) -> None:
    source = tmp_path / "leave_out.pb"
    shutil.copyfile(FIXTURES / "leave_out.pb", source)
    record = tmp_path / "record.json"
    code, out, _ = run("tally", str(source), "-o", str(record))
    assert code == 0
    assert "  diagnosis:\n    Reproduced if project X is left out" in out
    assert json.loads(record.read_text(encoding="utf-8"))["outcomes"][0]["diagnosis"]["size"] == 1
    assert verify_record(record).ok
    # A diagnosis that says something else is not verified.
    data = json.loads(record.read_text(encoding="utf-8"))
    data["outcomes"][0]["diagnosis"]["explanations"][0]["changes"][0]["money_left"] = "99"
    record.write_text(json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n")
    report = verify_record(record)
    assert not report.ok
    assert report.differences == [
        'outcomes[0].diagnosis.explanations[0].changes[0].money_left: record says "99" but the tally gives "100"'
    ]
    # A rule named explicitly is not diagnosed (the diagnosis is of the rule the file declares).
    code, out, _ = run("tally", str(source), "--rule", "greedy", "--json")
    assert code == 0
    assert "diagnosis" not in json.loads(out)["outcomes"][0]


def test_tally_with_margins_and_diagnosis_verifies(tmp_path: Path) -> None:
    source = tmp_path / "force_in.pb"
    shutil.copyfile(FIXTURES / "force_in.pb", source)
    record = tmp_path / "record.json"
    assert run("tally", str(source), "--margins", "-o", str(record))[0] == 0
    pot = json.loads(record.read_text(encoding="utf-8"))["outcomes"][0]
    assert pot["margins"]
    assert pot["diagnosis"]["explanations"][0]["changes"][0]["kind"] == "force-in"
    assert verify_record(record).ok


def test_explain_mentions_the_diagnosis() -> None:
    record = tally_file_with_diagnosis(FIXTURES / "leave_out.pb")
    paragraphs = explain(record)
    assert paragraphs[-1] == (
        "This count differs from the announced outcome. Reproduced if project X is left out (it is not "
        "selected although it fits with 100 left; project A, funded, has a similar name)."
    )
    assert len(paragraphs) == 4  # X, A, B, then the diagnosis
    assert explain(record, project="X")[-1] == paragraphs[-1]
    assert explain(record, project="A")[-1] == paragraphs[-1]  # named as the similar project
    assert len(explain(record, project="B")) == 1  # B is not named by the diagnosis
    # Without a diagnosis, explain says what it always said.
    assert explain(tally_file(FIXTURES / "leave_out.pb")) == paragraphs[:-1]


def test_audit_of_a_file() -> None:
    code, out, err = run("audit", str(FIXTURES / "budget.pb"))
    assert code == 0, err
    assert out == (
        "budget.pb: rule greedy: differs (announced but not funded here: C; funded here but not announced: D)\n"
        "  Reproduced if the budget is from 120 to 129 instead of 100.\n"
    )
    code, out, _ = run("audit", str(FIXTURES / "reproduces.pb"))
    assert (code, out) == (0, "reproduces.pb: rule greedy: reproduced\n")
    code, _, err = run("audit", str(FIXTURES / "missing.pb"))
    assert code == 2  # click: the path does not exist
    assert "does not exist" in err


def test_audit_of_a_folder_with_a_bad_file(tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    for name in ("leave_out.pb", "reproduces.pb", "none_found.pb"):
        shutil.copyfile(FIXTURES / name, folder / name)
    (folder / "bad.pb").write_text("META\nkey;value\nbudget;-5\n", encoding="utf-8")
    output = tmp_path / "audit.csv"
    code, _, err = run("audit", str(folder), "-o", str(output))
    assert code == 0, err
    assert err.strip().endswith(
        "4 files: 1 reproduced, 2 differ (1 explained), 0 without an announced outcome, 1 error"
    )
    rows = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8"))))
    assert [row["file"] for row in rows] == ["bad.pb", "leave_out.pb", "none_found.pb", "reproduces.pb"]
    bad, leave, none, fine = rows
    assert "bad.pb:3: the file has no PROJECTS section" in bad["error"]
    assert (bad["rule"], bad["reproduced"], bad["diagnosis"]) == ("", "", "")
    assert (leave["rule"], leave["reproduced"], leave["missing"], leave["extra"]) == ("greedy", "no", "B", "X")
    assert leave["diagnosis"].startswith("Reproduced if project X is left out")
    assert none["diagnosis"] == "No explanation with up to 2 changes was found."
    assert (fine["reproduced"], fine["diagnosis"], fine["error"]) == ("yes", "", "")
    # Without -o, one block of lines per file.
    code, out, _ = run("audit", str(folder))
    assert code == 0
    assert out.splitlines()[0].startswith("bad.pb: error: ")
    assert "reproduces.pb: rule greedy: reproduced" in out.splitlines()


# --- the property: every explanation reported re-tallies to the announced outcome ---------------------------------

GREEDY_RULES = ("greedy", "greedy-no-skip", "greedy-custom", "greedy-threshold", "greedy-exclusive", "greedy-per-cost")
#: Rules with no exact budget interval and no pruning (the add1 completions are left out: slow to repeat).
OTHER_RULES = ("equalshares", "equalshares/utilitarian", "phragmen", "max-welfare")


@st.composite
def perturbed_elections(draw: st.DrawFn, rules: tuple[str, ...] = GREEDY_RULES) -> Election:
    """A small approval election whose ``selected`` column is its own outcome with one or two flips."""
    m = draw(st.integers(min_value=2, max_value=5))
    ids = [f"p{j}" for j in range(m)]
    costs = [draw(st.integers(min_value=1, max_value=12)) for _ in ids]
    rule = draw(st.sampled_from(rules))
    n = draw(st.integers(min_value=1, max_value=7))
    ballots = [
        Ballot(voter_id=f"v{i}", projects=tuple(draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))))
        for i in range(n)
    ]
    meta = {"budget": "0", "vote_type": "approval", "rule": rule}
    if rule == "greedy-threshold" or draw(st.booleans()):
        meta["min_project_score_threshold"] = str(draw(st.integers(min_value=0, max_value=3)))
    election = Election(
        source="random.pb",
        meta=meta,
        vote_type=VoteType.APPROVAL,
        budget=Fraction(draw(st.integers(min_value=0, max_value=sum(costs)))),
        projects=tuple(Project(project_id=p, cost=Fraction(c)) for p, c in zip(ids, costs, strict=True)),
        ballots=BallotTable.from_ballots(ballots),
        projects_header=("project_id", "cost", "selected"),
    )
    funded = set(tally_election(election)[0].funded)
    flips = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=2, unique=True))
    selected = funded ^ set(flips)
    projects = tuple(p.model_copy(update={"selected": int(p.project_id in selected)}) for p in election.projects)
    return election.model_copy(update={"projects": projects})


def apply(election: Election, changes: tuple[Change, ...]) -> tuple[set[str], bool]:
    """The projects funded with ``changes`` made (forced ones included), re-tallied from the election;
    and whether the changes are of the leave-out / force-in kinds only."""
    projects = {p.project_id: p for p in election.projects}
    budget, meta = election.budget, dict(election.meta)
    threshold: Fraction | None = None
    params: list[tuple[str, str]] = []
    exclusive: list[list[str]] = []
    forced: set[str] = set()
    for change in changes:
        match change:
            case LeaveOutChange():
                projects[change.project_id] = projects[change.project_id].model_copy(update={"cost": WITHDRAWN_COST})
            case ForceInChange():
                forced.add(change.project_id)
                budget -= projects[change.project_id].cost
                projects[change.project_id] = projects[change.project_id].model_copy(update={"cost": WITHDRAWN_COST})
            case BudgetChange():
                budget = change.smallest
            case ThresholdChange():
                threshold = change.smallest
            case RuleChange():
                meta["rule"] = change.rule
            case TieOrderChange():
                params.append(("tie_break", change.tie_break))
            case RuleParameterChange():
                params.append((change.parameter, change.value))
            case ExclusiveGroupChange():
                exclusive.append(list(change.projects))
    changed = election.model_copy(update={"projects": tuple(projects.values()), "budget": budget, "meta": meta})
    pot, _ = tally_election(changed, threshold=threshold, params=params, exclusive=exclusive)
    plain = all(isinstance(change, LeaveOutChange | ForceInChange) for change in changes)
    return set(pot.funded) | forced, plain


def announced(election: Election) -> set[str]:
    return {p.project_id for p in election.projects if p.selected == 1}


def funded_with(election: Election, *, budget: Fraction | None = None, threshold: int | None = None) -> set[str]:
    changed = election if budget is None else election.model_copy(update={"budget": budget})
    return set(tally_election(changed, threshold=threshold)[0].funded)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(perturbed_elections())
def test_every_explanation_re_tallies_to_the_announced_outcome(election: Election) -> None:
    pot, _ = tally_election(election)
    assert pot.announced is not None
    diagnosis = diagnose(election, pot)
    target = announced(election)
    if pot.announced.matches:
        assert diagnosis is None
        return
    assert diagnosis is not None
    for explanation in diagnosis.explanations:
        got, _ = apply(election, explanation.changes)
        assert got == target, explanation
        for change in explanation.changes:
            if isinstance(change, BudgetChange) and change.largest is not None:
                got, _ = apply(election, (change.model_copy(update={"smallest": change.largest}),))
                assert got == target
    # Exhaustive checks, by brute force on the election itself (no pruning).
    leave_or_force: set[tuple[str, str]] = set()
    for project in election.projects:
        if project.withdrawn:
            continue
        change: Change
        pid, cost = project.project_id, project.cost
        if pid in target:
            if cost > election.budget:
                continue
            change = ForceInChange(kind="force-in", project_id=pid, cost=cost, funded=False, money_left=None)
        else:
            change = LeaveOutChange(
                kind="leave-out", project_id=pid, cost=cost, funded=False, money_left=None, similar_to=None
            )
        if apply(election, (change,))[0] == target:
            leave_or_force.add((change.kind, project.project_id))
    singles = {
        (c.kind, c.project_id)
        for explanation in diagnosis.explanations
        if diagnosis.size == 1
        for c in explanation.changes
        if isinstance(c, LeaveOutChange | ForceInChange)
    }
    assert singles == leave_or_force
    # Every budget up to the total cost and a little more: those that reproduce are the interval found.
    total = sum(p.cost for p in election.projects)
    reproducing = {b for b in range(int(total) + 3) if funded_with(election, budget=Fraction(b)) == target}
    intervals = [
        c for e in diagnosis.explanations if diagnosis.size == 1 for c in e.changes if isinstance(c, BudgetChange)
    ]
    if reproducing and diagnosis.size == 1:
        assert len(intervals) == 1
        low, high = intervals[0].smallest, intervals[0].largest
        assert min(reproducing) == low
        assert reproducing == set(range(int(low), int(high if high is not None else total + 2) + 1))
    elif diagnosis.size == 1:
        assert intervals == []
    else:
        assert not reproducing
    # Every whole threshold from 0 to above the top score, when the rule runs with one.
    params = pot.params
    if not isinstance(params, GreedyParameters) or params.threshold is None:
        return
    top = max(step.score for step in pot.steps) + 2
    thresholds = {t for t in range(top + 1) if funded_with(election, threshold=t) == target}
    found_thresholds: set[int] = set()
    for change in (c for e in diagnosis.explanations if diagnosis.size == 1 for c in e.changes):
        if isinstance(change, ThresholdChange):
            largest = top if change.largest is None else int(change.largest)
            found_thresholds |= set(range(int(change.smallest), largest + 1))
    if diagnosis.size == 1:
        assert found_thresholds & set(range(top + 1)) == thresholds
    else:
        assert not thresholds


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(perturbed_elections(OTHER_RULES))
def test_every_explanation_re_tallies_under_the_other_rules(election: Election) -> None:
    pot, _ = tally_election(election)
    diagnosis = diagnose(election, pot)
    assert pot.announced is not None
    assert (diagnosis is None) == pot.announced.matches
    for explanation in diagnosis.explanations if diagnosis is not None else ():
        assert apply(election, explanation.changes)[0] == announced(election), explanation


# --- the six real elections that do not reproduce -----------------------------------------------------------------

#: Each file's expected diagnosis: (kind, projects) of every explanation, in order. The brief's expectations:
#: Białołęka reproduces with 118 left out; Bemowo with 153 left out, or with --exclusive 773,153 (its META
#: comment). The others: a leave-out of the extra project (and, where it is the last one funded, the budget
#: interval and the threshold); Targówek also with 1686 funded first.
REAL: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "Poland_Warszawa_2018_Las.pb": [("leave-out", ("1649",)), ("budget", ()), ("threshold", ())],
    "Poland_Warszawa_2018_Ursynow_Wysoki_Poludniowy.pb": [("leave-out", ("1137",))],
    "Poland_Warszawa_2018_Wawrzyszew.pb": [("leave-out", ("2527",)), ("budget", ()), ("threshold", ())],
    "Poland_Warszawa_2020_Bialoleka.pb": [("leave-out", ("118",))],
    "Poland_Warszawa_2020_Targowek.pb": [("leave-out", ("1667",)), ("force-in", ("1686",))],
    "Poland_Warszawa_2022_Bemowo.pb": [("leave-out", ("153",))]
    + [("exclusive-group", (kept, "153")) for kept in ("554", "825", "702", "822", "773", "522", "168", "541")]
    + [("exclusive-group", (kept, "153")) for kept in ("857", "777")],
}


def projects_of(change: Change) -> tuple[str, ...]:
    if isinstance(change, LeaveOutChange | ForceInChange):
        return (change.project_id,)
    if isinstance(change, ExclusiveGroupChange):
        return change.projects
    return ()


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_elections_that_do_not_reproduce(wide_dir: Path, name: str) -> None:
    path = wide_dir / name
    election, _, _ = load_election(path)
    start = time.perf_counter()
    record = tally_file_with_diagnosis(path)
    seconds = time.perf_counter() - start
    assert seconds < 10, f"{name}: {seconds:.1f} s"
    diagnosis = record.outcomes[0].diagnosis
    assert diagnosis is not None
    assert diagnosis.size == 1
    assert diagnosis.limits == ()
    found = [(e.changes[0].kind, projects_of(e.changes[0])) for e in diagnosis.explanations]
    assert found == REAL[name]
    target = announced(election)
    for explanation in diagnosis.explanations:
        (change,) = explanation.changes
        assert apply(election, (change,))[0] == target
        if isinstance(change, BudgetChange):
            # Exact: the ends reproduce, one unit beyond either does not.
            assert change.largest is not None
            for value, reproduces in (
                (change.smallest, True),
                (change.largest, True),
                (change.smallest - 1, False),
                (change.largest + 1, False),
            ):
                assert (funded_with(election, budget=value) == target) is reproduces, value
        if isinstance(change, ThresholdChange):
            assert change.largest is not None
            for value, reproduces in (
                (change.smallest, True),
                (change.largest, True),
                (change.smallest - 1, False),
                (change.largest + 1, False),
            ):
                assert (funded_with(election, threshold=int(value)) == target) is reproduces, value
    if name == "Poland_Warszawa_2020_Bialoleka.pb":
        leave = diagnosis.explanations[0].changes[0]
        assert isinstance(leave, LeaveOutChange)
        # 752, "Nowoczesny Park Picassa - rewitalizacja parku"; 118, "Zmodernizujmy Park Picassa".
        assert (leave.similar_to, leave.funded) == ("752", True)
    if name == "Poland_Warszawa_2022_Bemowo.pb":
        similar = [
            c.projects
            for e in diagnosis.explanations
            for c in e.changes
            if isinstance(c, ExclusiveGroupChange) and c.similar_names
        ]
        assert similar == [("773", "153")]  # both "... zieleni przy ul. Konarskiego"
