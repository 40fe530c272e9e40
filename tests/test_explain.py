"""`asukasbudjetti explain`: plain-language reasons per project, from the record alone.

Every expected sentence and every expected reason below is worked by hand from the
fixture, not copied from the program's output; the arithmetic is in the comments.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

import pytest
from click.testing import CliRunner

from asukasbudjetti.audit.explain import ReasonKind, explain, reasons
from asukasbudjetti.audit.explain.reasons import (
    GreedyRanked,
    GreedyReserveFunded,
    GreedyShort,
    MarginOfDefeat,
    MesFunded,
    MesNotFunded,
    MesOutcounted,
    MesRoundWon,
    MesRuleStopped,
    OptimumVerdict,
    PhragmenRemoved,
    SupportersPaid,
)
from asukasbudjetti.audit.explain.render import PHRASES, TEMPLATES, Phrase, render
from asukasbudjetti.audit.margins import tally_file_with_margins
from asukasbudjetti.cli import main
from asukasbudjetti.errors import InputError
from asukasbudjetti.i18n import LANGS, Texts
from asukasbudjetti.io.record import parse_record, read_record
from asukasbudjetti.model.record import Record
from asukasbudjetti.tally import tally_file

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "tests" / "fixtures" / "good"
APPROVAL = GOOD / "approval.pb"
WITHDRAWN = GOOD / "withdrawn.pb"


def record_of(path: Path, rule: str, **options: Any) -> Record:
    """The record as a reader of the JSON file sees it (through the canonical text)."""
    return parse_record(tally_file(path, rule=rule, **options).dumps().encode(), "record.json")


def one(record: Record, project: str, lang: str = "en") -> str:
    paragraphs = explain(record, project=project, lang="fi" if lang == "fi" else "en")
    assert len(paragraphs) == 1
    return paragraphs[0]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


# approval.pb: budget 3000.10; votes P1 5, P2 4, P3 3, P4 2, P5 1;
# costs P1 1000.20, P2 1000.10, P3 1200, P4 999.80, P5 400.
# Greedy: P1 funded (3000.10 - 1000.20 = 1,999.90 left), P2 funded (1,999.90 - 1000.10
# = 999.80 left), P3 does not fit (1200 - 999.80 = 200.20 short), P4 fits exactly
# (999.80 - 999.80 = 0), P5 does not fit (400 - 0 = 400 short).


def test_greedy_did_not_fit() -> None:
    record = record_of(APPROVAL, "greedy")
    assert one(record, "P3") == (
        "Project P3 “Outdoor gym” (cost 1,200) was ranked 3rd with 3 votes. "
        "When its turn came 999.80 was left, so it did not fit by 200.20."
    )
    assert one(record, "P3", "fi") == (
        "Suunnitelma P3 ”Outdoor gym” (kustannus 1\u00a0200) sijoittui 3. sijalle 3 äänellä. "
        "Kun sen vuoro tuli, rahaa oli jäljellä 999,80, joten se ei mahtunut: rahaa puuttui 200,20."
    )


def test_greedy_funded_and_every_project_in_rank_order() -> None:
    record = record_of(APPROVAL, "greedy")
    paragraphs = explain(record)
    assert [p.split()[1] for p in paragraphs] == ["P1", "P2", "P3", "P4", "P5"]
    assert paragraphs[0] == (
        "Project P1 “Playground” (cost 1,000.20) was ranked 1st with 5 votes. "
        "When its turn came 3,000.10 was left, so it was funded, leaving 1,999.90."
    )
    assert paragraphs[3] == (
        "Project P4 “Reading corner” (cost 999.80) was ranked 4th with 2 votes. "
        "When its turn came 999.80 was left, so it was funded, leaving 0."
    )
    assert paragraphs[4] == (
        "Project P5 “Bird boxes” (cost 400) was ranked 5th with 1 vote. When its turn came 0 was left, so it did not "
        "fit by 400."
    )
    assert explain(record, lang="fi")[1] == (
        "Suunnitelma P2 ”Benches” (kustannus 1\u00a0000,10) sijoittui 2. sijalle 4 äänellä. "
        "Kun sen vuoro tuli, rahaa oli jäljellä 1\u00a0999,90, joten se rahoitettiin ja jäljelle jäi 999,80."
    )


def test_the_text_comes_from_the_record_not_from_a_recount() -> None:
    # Tamper with the record: explain repeats it (999.70 left, 1200 - 999.70 = 200.30 short).
    data = json.loads(record_of(APPROVAL, "greedy").dumps())
    data["outcomes"][0]["steps"][2]["money_left"] = "999.7"
    record = parse_record(json.dumps(data).encode(), "tampered.json")
    assert one(record, "P3").endswith("When its turn came 999.70 was left, so it did not fit by 200.30.")


# withdrawn.pb: budget 1000; W1 (5 votes) withdrawn; A 600 (4), B 550 (3), C 300 (2).
# Greedy: W1 passed over, A funded (400 left), B short by 550 - 400 = 150, C funded (100 left).


def test_withdrawn() -> None:
    record = record_of(WITHDRAWN, "greedy")
    assert one(record, "W1") == (
        "Project W1 “Withdrawn pier” was ranked 1st with 5 votes but had been withdrawn, so it was passed over."
    )
    assert one(record, "W1", "fi") == (
        "Suunnitelma W1 ”Withdrawn pier” sijoittui 1. sijalle 5 äänellä, mutta se oli vedetty pois, joten se "
        "ohitettiin."
    )
    assert one(record, "B") == (
        "Project B “Boat ramp” (cost 550) was ranked 3rd with 3 votes. When its turn came 400 was left, so it did not "
        "fit by 150."
    )


def test_no_skip_stops_and_later_projects_are_not_reached() -> None:
    # greedy-no-skip on withdrawn.pb: W1 passed over (a withdrawn project does not stop
    # the count), A funded (400 left), B short by 150: the count stops; C not reached.
    record = record_of(WITHDRAWN, "greedy-no-skip")
    assert one(record, "B") == (
        "Project B “Boat ramp” (cost 550) was ranked 3rd with 3 votes. When its turn came 400 was left, so it did not "
        "fit by 150. "
        "This rule does not skip a project that does not fit, so the count stopped here."
    )
    assert one(record, "C") == (
        "Project C “Life buoys” (cost 300) was ranked 4th with 2 votes. It was not considered: the count had already "
        "stopped at "
        "project B, the first that did not fit (this rule does not skip projects)."
    )
    assert one(record, "C", "fi") == (
        "Suunnitelma C ”Life buoys” (kustannus 300) sijoittui 4. sijalle 2 äänellä. Sen vuoro ei tullut, koska "
        "laskenta oli jo "
        "pysähtynyt suunnitelmaan B, ensimmäiseen, joka ei mahtunut (tämä sääntö ei ohita suunnitelmia)."
    )


def test_reserve_funded() -> None:
    # greedy-custom on approval.pb: P3's turn with 999.80 left, 200.20 short; 999.80 / 1200
    # = 0.83316... >= 0.8, so P3 is funded: 999.80 from the pot, 200.20 from the reserve.
    record = record_of(APPROVAL, "greedy-custom")
    assert one(record, "P3") == (
        "Project P3 “Outdoor gym” (cost 1,200) was ranked 3rd with 3 votes. When its turn came 999.80 was left, "
        "200.20 short of "
        "its cost. The money left covered about 83.32% of the cost, at least the 80% the rule requires, so it was "
        "funded anyway: 999.80 from the pot and 200.20 from the reserve. The count ended here."
    )
    assert one(record, "P3", "fi") == (
        "Suunnitelma P3 ”Outdoor gym” (kustannus 1\u00a0200) sijoittui 3. sijalle 3 äänellä. Kun sen vuoro tuli, "
        "rahaa oli jäljellä 999,80, "
        "eli 200,20 vähemmän kuin sen kustannus. Jäljellä oleva raha kattoi noin 83,32\u00a0% kustannuksesta, "
        "vähintään säännön vaatimat 80\u00a0%, joten suunnitelma rahoitettiin silti: 999,80 budjetista ja "
        "200,20 varauksesta. Laskenta päättyi tähän."
    )
    assert one(record, "P4") == (
        "Project P4 “Reading corner” (cost 999.80) was ranked 4th with 2 votes. It was not considered: the count had "
        "already ended "
        "with project P3, funded partly from the reserve."
    )


def test_below_threshold() -> None:
    record = record_of(APPROVAL, "greedy-threshold", threshold="3")
    assert one(record, "P4") == (
        "Project P4 “Reading corner” (cost 999.80) was ranked 4th with 2 votes. "
        "Its score of 2 was below the threshold of 3, so it was passed over."
    )
    assert one(record, "P4", "fi") == (
        "Suunnitelma P4 ”Reading corner” (kustannus 999,80) sijoittui 4. sijalle 2 äänellä. "
        "Sen pistemäärä 2 jäi alle kynnyksen 3, joten se ohitettiin."
    )


def test_excluded_names_the_funded_partner() -> None:
    record = record_of(APPROVAL, "greedy-exclusive", exclusive=[["P1", "P2"]])
    assert one(record, "P2") == (
        "Project P2 “Benches” (cost 1,000.10) was ranked 2nd with 4 votes. When its turn came, project P1, mutually "
        "exclusive "
        "with it, had already been funded, so it was passed over."
    )
    assert one(record, "P2", "fi") == (
        "Suunnitelma P2 ”Benches” (kustannus 1\u00a0000,10) sijoittui 2. sijalle 4 äänellä. Kun sen vuoro tuli, sen "
        "kanssa toisensa "
        "poissulkeva suunnitelma P1 oli jo rahoitettu, joten se ohitettiin."
    )


# Equal Shares, hand-solved. Budget 400, 4 voters: each starts with 400 / 4 = 100.
#
# MES_NEVER_BEST: A 240 (v1, v2, v3), B 110 (v1, v4), C 100 (v3, v4).
# Round 1, everyone has 100: A's equal share 240 / 3 = 80 (effective vote count
#   240 / 80 = 3); B 110 / 2 = 55 (count 2); C 100 / 2 = 50 (count 2). A wins; v1, v2,
#   v3 pay 80 each and keep 20; v4 keeps 100.
# Round 2: C: v3 can give only 20, so v4 pays q with 20 + q = 100, q = 80 (count
#   100 / 80 = 1.25). B: v1 gives 20, v4 pays q with 20 + q = 110, q = 90 (count
#   110 / 90 = 11/9 ≈ 1.22). C wins: v3 pays 20 (all she has), v4 pays 80.
# Round 3 (not recorded: nothing left to fund): B's supporters have 0 + 20 < 110.
MES_NEVER_BEST = """META
key;value
description;Hand-solved Equal Shares, A then C funded, B never has the best count
num_projects;3
num_votes;4
budget;400
vote_type;approval
rule;equalshares
PROJECTS
project_id;cost;votes
A;240;3
B;110;2
C;100;2
VOTES
voter_id;vote
v1;A,B
v2;A
v3;A,C
v4;B,C
"""

# MES_DROPPED: A 240 (v1, v2, v3), B 150 (v1, v2), C 100 (v3, v4).
# Round 1 as above: A wins (count 3 against B's 150 / 75 = 2 and C's 2).
# Round 2: B's supporters have 20 + 20 = 40 < 150: dropped. C as above: q = 80,
#   count 1.25, v3 pays 20, v4 pays 80.
MES_DROPPED = MES_NEVER_BEST.replace("B;110;2", "B;150;2").replace("v2;A\n", "v2;A,B\n").replace("v4;B,C", "v4;C")


@pytest.fixture
def mes_never_best(tmp_path: Path) -> Record:
    path = tmp_path / "never_best.pb"
    path.write_text(MES_NEVER_BEST, encoding="utf-8")
    return record_of(path, "equalshares")


@pytest.fixture
def mes_dropped(tmp_path: Path) -> Record:
    path = tmp_path / "dropped.pb"
    path.write_text(MES_DROPPED, encoding="utf-8")
    return record_of(path, "equalshares")


def test_mes_funded_with_payments(mes_never_best: Record) -> None:
    assert explain(mes_never_best) == [
        "Project A (cost 240) was funded in round 1 with an effective vote count of 3; its 3 supporters paid 80 each.",
        "Project C (cost 100) was funded in round 2 with an effective vote count of 1.25; "
        "its supporters paid: 1 voter 20 (all they had left) and 1 voter 80.",
        "Project B was not funded: it was still affordable but never had the best effective vote count; in the "
        "last round it was priced (round 2) its count was 11/9 ≈ 1.22 against the winner C's 1.25. After round 2 "
        "its supporters could no longer afford it, and the rule stopped.",
    ]
    assert explain(mes_never_best, lang="fi") == [
        "Suunnitelma A (kustannus 240) rahoitettiin kierroksella 1 tehollisella äänimäärällä 3; "
        "sen 3 kannattajaa maksoi kukin 80.",
        "Suunnitelma C (kustannus 100) rahoitettiin kierroksella 2 tehollisella äänimäärällä 1,25; "
        "sen kannattajista 1 maksoi 20 (kaiken, mitä hänellä oli jäljellä) ja 1 maksoi 80.",
        "Suunnitelma B jäi rahoittamatta: siihen olisi vielä ollut varaa, mutta sen tehollinen äänimäärä ei ollut "
        "koskaan suurin; viimeisellä kierroksella, jolla se hinnoiteltiin (kierros 2), sen äänimäärä oli "
        "11/9 ≈ 1,22, kun voittajan C oli 1,25. Kierroksen 2 jälkeen sen kannattajilla ei ollut enää varaa "
        "siihen, ja laskenta päättyi.",
    ]


def test_mes_dropped(mes_dropped: Record) -> None:
    assert one(mes_dropped, "B") == (
        "Project B was not funded: its supporters could no longer afford it in round 2 (together they had less "
        "money left than its cost). In round 1 its effective vote count was 2 against the winner A's 3."
    )
    assert one(mes_dropped, "B", "fi") == (
        "Suunnitelma B jäi rahoittamatta: kierroksella 2 sen kannattajilla ei ollut enää varaa siihen (heillä oli "
        "yhteensä vähemmän rahaa jäljellä kuin sen kustannus). Kierroksella 1 sen tehollinen äänimäärä oli 2, "
        "kun voittajan A oli 3."
    )


def test_mes_completion_endowment() -> None:
    # approval.pb, 5 voters: B / n = 3000.10 / 5 = 600.02. add1 starts from floor(600.02) = 600
    # and tries 601: P1 (5 pay 200.04), P2 (4 pay 250.025), then P5 (400) from v5, who has
    # 601 - 200.04 = 400.96; 1000.20 + 1000.10 + 400 = 2400.30 <= 3000.10: adopted. Then 599.80 is
    # left and neither P3 (1200) nor P4 (999.80) fits: exhaustive, the completion stops at 601.
    record = record_of(APPROVAL, "equalshares/add1")
    assert one(record, "P5") == (
        "Project P5 “Bird boxes” (cost 400) was funded in round 3 with an effective vote count of 1; its only "
        "supporter paid "
        "400. The add1 completion raised each voter's endowment from 600.02 to 601."
    )
    assert one(record, "P5", "fi").endswith(
        "sen ainoa kannattaja maksoi 400. Täydennys (add1) korotti kunkin äänestäjän alkuosuuden arvosta 600,02 "
        "arvoon 601."
    )


def test_mes_tie_and_utilitarian_completion() -> None:
    record = record_of(ROOT / "examples" / "kumpula_2025.pb", "equalshares/utilitarian")
    k4, k2 = one(record, "K4"), one(record, "K2")
    assert k4.endswith("It tied with K2 on the effective vote count and won the tie-break (lower cost).")
    assert k2.startswith(
        "Project K2 “Community garden” was funded by the utilitarian completion, which after the Equal Shares rounds "
        "funds the "
        "projects left in order of votes while the money left allows. Equal Shares itself did not fund it: it "
        "was still affordable but never won a round; in round 2 it tied with the winner K4 at 108/23 ≈ 4.70 and "
        "lost the tie-break (lower cost)."
    )


# Sequential Phragmén on approval.pb (voters v1-v3: P1,P2,P3; v4: P1,P2,P4; v5: P1,P4,P5).
# Round 1: s = cost / supporters: P1 1000.20 / 5 = 200.04 is the least; 1,999.90 left.
# Round 2 (every voter at 200.04): P2 (1000.10 + 4 * 200.04) / 4 = 450.065; P3 (1200 +
#   3 * 200.04) / 3 = 600.04; P4 (999.80 + 400.08) / 2 = 699.94; P5 400 + 200.04 = 600.04:
#   P2 wins; 999.80 left.
# Round 3: P3 (1200 > 999.80) is removed first; P4 (999.80 + 450.065 + 200.04) / 2 =
#   824.9525, P5 600.04: P5 wins; 599.80 left.


def test_phragmen() -> None:
    record = record_of(APPROVAL, "phragmen")
    assert one(record, "P2") == (
        "Project P2 “Benches” (cost 1,000.10) was funded in round 2: the load of each of its 4 supporters (the money a "
        "supporter is counted as having spent) became 450.065, the lowest new load any remaining project gave. "
        "After it 999.80 was left."
    )
    assert one(record, "P2", "fi") == (
        "Suunnitelma P2 ”Benches” (kustannus 1\u00a0000,10) rahoitettiin kierroksella 2: sen 4 kannattajan kuormaksi "
        "(rahamäärä, jonka "
        "kannattajan katsotaan käyttäneen) tuli 450,065, pienin uusi kuorma jäljellä olevista suunnitelmista. "
        "Sen jälkeen rahaa oli jäljellä 999,80."
    )
    assert one(record, "P3") == (
        "Project P3 “Outdoor gym” was not funded: before round 3 only 999.80 was left, so it no longer fit and was "
        "removed."
    )
    assert one(record, "P3", "fi") == (
        "Suunnitelma P3 ”Outdoor gym” jäi rahoittamatta: ennen kierrosta 3 rahaa oli jäljellä enää 999,80, joten se "
        "ei enää mahtunut "
        "ja poistettiin."
    )
    assert one(record, "P5").startswith("Project P5 “Bird boxes” (cost 400) was funded in round 3: its only "
        "supporter's load")


def test_max_welfare() -> None:
    # Welfare votes * cost: {P1, P2, P4} = 5 * 1000.20 + 4 * 1000.10 + 2 * 999.80 = 11001.
    record = record_of(APPROVAL, "max-welfare")
    assert one(record, "P4") == (
        "Project P4 “Reading corner” was funded as part of the optimal set: no set of projects within the budget has "
        "a higher total "
        "welfare (sum of votes(p) * cost(p)) than the funded set's 11,001."
    )
    assert one(record, "P4", "fi") == (
        "Suunnitelma P4 ”Reading corner” rahoitettiin osana optimaalista joukkoa: mikään budjettiin mahtuva "
        "suunnitelmajoukko ei tuota "
        "suurempaa kokonaishyötyä (sum of votes(p) * cost(p)) kuin rahoitettu joukko (11\u00a0001)."
    )


def test_max_welfare_unfunded_project_named_by_a_tie() -> None:
    # tie_lottery.pb: {10, 11} and {9, 11} both have welfare 900; the lottery picks 10.
    record = record_of(GOOD / "tie_lottery.pb", "max-welfare")
    assert one(record, "9") == (
        "Project 9 “Fitness stairs” was not in the optimal set (total welfare 900), so it was not funded. Another set "
        "has the same "
        "total welfare; the choice was settled by lottery."
    )


def test_announced_outcome_disagreeing_is_said() -> None:
    # kumpula_2025.pb announces K1, K2, K4, K6; greedy-no-skip stops at K3 and funds K1, K2.
    record = record_of(ROOT / "examples" / "kumpula_2025.pb", "greedy-no-skip")
    assert one(record, "K4").endswith("The announced outcome funded it, but this count does not.")
    assert one(record, "K4", "fi").endswith("Julkistetussa tuloksessa se rahoitettiin, mutta tässä laskennassa ei.")


def test_cycle_paragraphs_name_the_pot() -> None:
    from asukasbudjetti.cycles import tally_cycle

    record = tally_cycle(ROOT / "examples" / "seinajoki_2023" / "cycle.toml")
    first = explain(record)[0]
    assert first.startswith("Pohjoinen: Project P1 “Frisbee golf course” (cost 12,000) was ranked 1st")


def test_project_filter_and_unknown_project() -> None:
    record = record_of(APPROVAL, "greedy")
    assert len(explain(record)) == 5
    assert explain(record, project="P2")[0].startswith("Project P2 ")
    with pytest.raises(InputError, match=r"'P9' is not in the record; it names: P1, P2, P3, P4, P5$"):
        explain(record, project="P9")


def test_unknown_language_is_an_input_error() -> None:
    record = record_of(APPROVAL, "greedy")
    with pytest.raises(InputError, match=r"^unknown language 'de'; choose one of: fi, sv, en$"):
        explain(record, lang=cast(Any, "de"))


# A typed record cannot be malformed: explain never sees one, because read_record
# refuses the file, naming the path of each wrong field.


def test_malformed_record_file_is_refused_naming_the_field(tmp_path: Path) -> None:
    data = json.loads(record_of(APPROVAL, "greedy").dumps())
    data["outcomes"][0]["steps"][0]["cost"] = 1000.2  # a float: never in a record
    floated = tmp_path / "floated.json"
    floated.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match=r"floated\.json: .*outcomes\[0\]\.steps\[0\]\.cost: "):
        read_record(floated)
    del data["outcomes"][0]["funded"]
    unfunded = tmp_path / "unfunded.json"
    unfunded.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match=r"unfunded\.json: .*outcomes\[0\]\.funded: missing"):
        read_record(unfunded)


def test_read_record_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.json: not a result record: invalid JSON at line 1, column 2"):
        read_record(bad)
    other = tmp_path / "other.json"
    other.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(InputError, match=r"other\.json: not a result record"):
        read_record(other)
    future = tmp_path / "future.json"
    future.write_text('{"outcomes": [], "schema_version": 99}', encoding="utf-8")
    with pytest.raises(InputError, match=r"future\.json: record schema_version 99"):
        read_record(future)
    with pytest.raises(InputError, match=r"missing\.json: cannot read the record"):
        read_record(tmp_path / "missing.json")


# --- the reasons, before any sentence ---


def test_greedy_reasons_did_not_fit() -> None:
    # approval.pb: P3 (3 votes, cost 1200) meets 3000.10 - 1000.20 - 1000.10 = 999.80, short by 200.20.
    (ranked, short) = reasons(record_of(APPROVAL, "greedy").outcomes[0], "P3")
    assert ranked == GreedyRanked(
        kind=ReasonKind.GREEDY_RANKED, project="P3", cost=Fraction(1200), rank=3, score=3, votes=3, per_cost=False
    )
    assert short == GreedyShort(
        kind=ReasonKind.GREEDY_DID_NOT_FIT, money_left=Fraction("999.80"), shortfall=Fraction("200.20")
    )


def test_greedy_reasons_reserve_funded() -> None:
    # greedy-custom: 999.80 of 1200 is covered (999.80 / 1200 = 4999/6000 >= 0.8); the reserve pays 200.20.
    (_, funded) = reasons(record_of(APPROVAL, "greedy-custom").outcomes[0], "P3")
    assert funded == GreedyReserveFunded(
        money_left=Fraction("999.80"),
        shortfall=Fraction("200.20"),
        covered=Fraction(4999, 6000),
        needed=Fraction("0.8"),
        from_pot=Fraction("999.80"),
        from_reserve=Fraction("200.20"),
    )


def test_equal_shares_reasons(mes_never_best: Record) -> None:
    pot = mes_never_best.outcomes[0]
    # C: round 2, count 100 / 80 = 1.25; v3 paid her last 20, v4 paid q = 80 (no less than q: not all he had).
    assert reasons(pot, "C") == (
        MesFunded(
            project="C",
            cost=Fraction(100),
            why=MesRoundWon(
                round=2,
                effective_vote_count=Fraction(5, 4),
                payments=(
                    SupportersPaid(voters=1, amount=Fraction(20), all_they_had=True),
                    SupportersPaid(voters=1, amount=Fraction(80), all_they_had=False),
                ),
            ),
        ),
    )
    # B: last priced in round 2 at 11/9 against C's 5/4; no round funded it, so no cost is recorded.
    assert reasons(pot, "B") == (
        MesNotFunded(
            project="B",
            cost=None,
            why=MesOutcounted(
                kind=ReasonKind.MES_NEVER_BEST,
                round=2,
                effective_vote_count=Fraction(11, 9),
                winner="C",
                winner_count=Fraction(5, 4),
            ),
        ),
        MesRuleStopped(round=2),
    )


def test_phragmen_and_optimum_reasons() -> None:
    # Phragmén: P3 (1200) is removed before round 3, when 999.80 was left.
    assert reasons(record_of(APPROVAL, "phragmen").outcomes[0], "P3") == (
        PhragmenRemoved(project="P3", cost=None, round=3, money_left=Fraction("999.80")),
    )
    # max-welfare: {P1, P2, P4}, welfare 11001 (worked above).
    assert reasons(record_of(APPROVAL, "max-welfare").outcomes[0], "P4") == (
        OptimumVerdict(
            kind=ReasonKind.OPTIMUM_FUNDED,
            project="P4",
            cost=None,
            objective="sum of votes(p) * cost(p)",
            welfare=Fraction(11001),
        ),
    )


def test_margin_reason() -> None:
    # As in test_margins_cli: two more supporters, or a cost of at most 999.80, fund P3.
    record = tally_file_with_margins(APPROVAL, rule="greedy")
    assert reasons(record.outcomes[0], "P3")[-1] == MarginOfDefeat(
        kind=ReasonKind.MARGIN_SUPPORTERS_AND_COST, extra_supporters=2, max_cost=Fraction("999.80")
    )


def test_render_one_reason_in_each_language() -> None:
    short = GreedyShort(kind=ReasonKind.GREEDY_DID_NOT_FIT, money_left=Fraction("999.8"), shortfall=Fraction(8125, 3))
    # No currency known: amounts as numbers, grouped as each language groups them (Finnish
    # and Swedish with a no-break space), the fraction with its approximation.
    assert render(short, "en") == "When its turn came 999.80 was left, so it did not fit by 8125/3 ≈ 2,708.33."
    assert render(short, "fi") == (
        "Kun sen vuoro tuli, rahaa oli jäljellä 999,80, joten se ei mahtunut: rahaa puuttui 8125/3 ≈ 2\u00a0708,33."
    )
    assert render(short, "sv") == (
        "När det var dess tur återstod 999,80, så det rymdes inte: det saknades 8125/3 ≈ 2\u00a0708,33."
    )
    assert render(short, Texts("fi", "EUR")) == (
        "Kun sen vuoro tuli, rahaa oli jäljellä 999,80\u00a0€, joten se ei mahtunut: rahaa puuttui "
        "8125/3 ≈ 2\u00a0708,33\u00a0€."
    )


def test_every_reason_kind_and_phrase_has_a_text_in_every_language() -> None:
    assert set(TEMPLATES) == set(ReasonKind)
    assert set(PHRASES) == set(Phrase)
    # Each is an English message id that every catalog translates (tests/test_catalogs.py).
    for message in [*TEMPLATES.values(), *PHRASES.values()]:
        for lang in LANGS:
            if isinstance(message, tuple):
                assert Texts(lang).ngettext(*message, 1)
                assert Texts(lang).ngettext(*message, 2)
            else:
                assert Texts(lang).gettext(message)


# --- the command ---


@pytest.fixture
def greedy_record(tmp_path: Path) -> Path:
    path = tmp_path / "record.json"
    code, _, err = run("tally", str(APPROVAL), "--rule", "greedy", "-o", str(path))
    assert code == 0, err
    return path


def test_cli_explains_every_project(greedy_record: Path) -> None:
    code, out, _ = run("explain", str(greedy_record))
    assert code == 0
    paragraphs = out.rstrip("\n").split("\n\n")
    assert len(paragraphs) == 5
    assert paragraphs[2] == (
        "Project P3 “Outdoor gym” (cost 1,200) was ranked 3rd with 3 votes. "
        "When its turn came 999.80 was left, so it did not fit by 200.20."
    )


def test_cli_project_in_finnish(greedy_record: Path) -> None:
    code, out, _ = run("explain", str(greedy_record), "--project", "P3", "--lang", "fi")
    assert code == 0
    assert out == (
        "Suunnitelma P3 ”Outdoor gym” (kustannus 1\u00a0200) sijoittui 3. sijalle 3 äänellä. "
        "Kun sen vuoro tuli, rahaa oli jäljellä 999,80, joten se ei mahtunut: rahaa puuttui 200,20.\n"
    )


def test_cli_unknown_project_is_exit_1_listing_known_ids(greedy_record: Path) -> None:
    code, out, err = run("explain", str(greedy_record), "--project", "P9")
    assert code == 1
    assert out == ""
    assert err == "Error: project 'P9' is not in the record; it names: P1, P2, P3, P4, P5\n"


def test_cli_bad_json_is_exit_1_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text('{"outcomes": [', encoding="utf-8")
    code, _, err = run("explain", str(bad))
    assert code == 1
    assert err.startswith(f"Error: {bad}: not a result record: invalid JSON")
    assert "Traceback" not in err


def test_cli_missing_file_and_bad_language(greedy_record: Path, tmp_path: Path) -> None:
    code, _, err = run("explain", str(tmp_path / "nowhere.json"))
    assert code == 1
    assert "nowhere.json: cannot read the record: No such file or directory" in err
    code, _, err = run("explain", str(greedy_record), "--lang", "de")
    assert code == 2
    assert "'de' is not one of 'fi', 'sv', 'en'" in err
