"""The three bundled budget cycles, each checked against an outcome worked out apart.

examples/seinajoki_2023 (districts-first leftovers to a citywide pot), by hand:
  Pohjoinen 20000: P1 a1 a2 = 2 (12000), P2 a1 = 1 (9000).
    P1 fits (20000 -> 8000); P2 needs 9000 > 8000. Funded P1; spent 12000, left 8000.
  Itäinen 70000: I1 a3 a4 = 2 (45000), I2 a4 a5 = 2 (20000), I3 a3 = 1 (8000).
    I1 and I2 tie on 2 votes: the lower cost, I2, goes first (70000 -> 50000); I1 fits
    (-> 5000); I3 needs 8000 > 5000. Funded I2, I1; spent 65000, left 5000.
  Läntinen 70000: L2 a6 a7 = 2 (15000), L1 a6 = 1 (50000).
    L2 (-> 55000), L1 (-> 5000). Funded L2, L1; spent 65000, left 5000.
  Eteläinen 20000: E1 a8 = 1 (15000). Funded E1; spent 15000, left 5000.
  Leftovers 8000 + 5000 + 5000 + 5000 = 23000 move to Koko kaupunki: 20000 + 23000 = 43000.
  Koko kaupunki 43000: K1 a1 a3 a8 = 3 (18000), K2 a3 a6 a8 = 3 (15000), K3 a1 = 1 (6000).
    K1 and K2 tie on 3 votes: K2 (lower cost) first (43000 -> 28000); K1 (-> 10000);
    K3 (-> 4000). Funded K2, K1, K3; spent 39000, left 4000.
  On its own 20000 (leftovers kept where they are, policy "unspent") the citywide pot
  funds K2 only (20000 -> 5000; K1 18000 and K3 6000 do not fit): K1 and K3 are funded
  only because the 23000 arrived.

examples/tampere_2025 (top1-greedy, a withdrawn proposal, carry-over), by hand:
  Keskusta 60000: K3 t01 t02 t03 t05 t06 = 5 (30000), K2 t01 t03 t04 t07 = 4 (25000),
    K4 t02 t03 t04 t07 = 4 (20000), K1 t05 t06 = 2 (8000).
    Top 1: K3 (60000 -> 30000). K4 and K2 tie on 4 votes: K4 (lower cost) first
    (-> 10000); K2 needs 25000 > 10000; K1 fits (-> 2000). The tie is decisive: K2
    first would fund K3, K2 only. Funded K3, K4, K1; spent 58000, left 2000.
  Itä 50000: I1 t08 t09 t10 t11 t12 t13 = 6 (40000, withdrawn by decision),
    I2 t08 t10 t13 t14 = 4 (35000), I3 t09 t12 t13 = 3 (12000), I4 t10 t14 = 2 (6000).
    I1 is passed over; top 1: I2 (50000 -> 15000); I3 (-> 3000); I4 needs 6000 > 3000.
    Funded I2, I3; spent 47000, left 3000.
    Without the decision: I1 (-> 10000); I2 and I3 do not fit; I4 (-> 4000):
    funded I1, I4; spent 46000, left 4000.
  Länsi 40000: L2 t15 t16 t17 t03 = 4 (30000), L1 t15 t03 t08 = 3 (15000),
    L3 t17 t08 = 2 (10000). Top 1: L2 (-> 10000); L1 needs 15000 > 10000; L3 (-> 0).
    Funded L2, L3; spent 40000, left 0.
  Carry-over: 2000 from Keskusta and 3000 from Itä to the next cycle (Länsi has none).

examples/helsinki_2025 is too large to do by hand: the test below recounts its
ballots with the csv module, runs greedy itself and splits the 10,000,000 itself.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from asukasbudjetti.cli import main
from asukasbudjetti.cycles import load_cycle, split_by_population, tally_cycle
from asukasbudjetti.model.outcome import Decision
from asukasbudjetti.model.record import Record

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SEINAJOKI = EXAMPLES / "seinajoki_2023" / "cycle.toml"
TAMPERE = EXAMPLES / "tampere_2025" / "cycle.toml"
HELSINKI = EXAMPLES / "helsinki_2025" / "cycle.toml"

HELSINKI_TOTAL = 10_000_000
HELSINKI_POPULATIONS = {
    "Eteläinen": 1868353,
    "Läntinen": 1723412,
    "Keskinen": 1572408,
    "Pohjoinen": 665977,
    "Koillinen": 1531569,
    "Kaakkoinen": 882799,
    "Itäinen": 1755482,
}


def summary(record: Record) -> dict[str, tuple[tuple[str, ...], Fraction, Fraction, Fraction]]:
    """Per pot: funded ids in funding order, budget, spent, left."""
    return {pot.pot: (pot.funded, pot.budget, pot.spent, pot.left) for pot in record.outcomes}


def edited_copy(cycle: Path, target: Path, old: str, new: str) -> Path:
    """The example's folder copied to ``target`` with one edit to its cycle.toml."""
    shutil.copytree(cycle.parent, target)
    text = cycle.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    copy = target / cycle.name
    copy.write_text(text.replace(old, new), encoding="utf-8")
    return copy


# Seinäjoki


def test_seinajoki_by_hand() -> None:
    record = tally_cycle(SEINAJOKI)
    assert record.cycle is not None
    assert summary(record) == {
        "Pohjoinen": (("P1",), 20000, 12000, 8000),
        "Itäinen": (("I2", "I1"), 70000, 65000, 5000),
        "Läntinen": (("L2", "L1"), 70000, 65000, 5000),
        "Eteläinen": (("E1",), 20000, 15000, 5000),
        "Koko kaupunki": (("K2", "K1", "K3"), 43000, 39000, 4000),
    }
    assert [(m.source, m.target, m.amount) for m in record.cycle.leftover_moves] == [
        ("Pohjoinen", "Koko kaupunki", 8000),
        ("Itäinen", "Koko kaupunki", 5000),
        ("Läntinen", "Koko kaupunki", 5000),
        ("Eteläinen", "Koko kaupunki", 5000),
    ]
    assert record.cycle.decisions == ()
    assert record.warnings == ()


def test_seinajoki_citywide_pot_without_the_leftovers(tmp_path: Path) -> None:
    copy = edited_copy(SEINAJOKI, tmp_path / "unspent", 'policy = "to-citywide"', 'policy = "unspent"')
    record = tally_cycle(copy)
    assert record.cycle is not None
    assert summary(record)["Koko kaupunki"] == (("K2",), 20000, 15000, 5000)
    assert record.cycle.leftover_moves == ()


# Tampere


def test_tampere_by_hand() -> None:
    record = tally_cycle(TAMPERE)
    assert record.cycle is not None
    assert summary(record) == {
        "Keskusta": (("K3", "K4", "K1"), 60000, 58000, 2000),
        "Itä": (("I2", "I3"), 50000, 47000, 3000),
        "Länsi": (("L2", "L3"), 40000, 40000, 0),
    }
    assert all(pot.rule == "top1-greedy" for pot in record.outcomes)
    keskusta, ita, _ = record.outcomes
    [tie] = keskusta.ties
    assert tie.projects == ("K4", "K2")
    assert tie.decisive
    assert tie.settled_by == ("lower cost",)
    steps = {step.project_id: step for step in ita.steps}
    assert steps["I1"].decision is Decision.WITHDRAWN
    assert steps["I1"].votes == 6
    assert [(m.source, m.target, m.amount) for m in record.cycle.leftover_moves] == [
        ("Keskusta", "next cycle", 2000),
        ("Itä", "next cycle", 3000),
    ]
    [decision] = record.cycle.decisions
    assert decision.kind == "withdrawn"
    assert decision.projects == ("I1",)
    assert "investment programme" in decision.reason


def test_tampere_without_the_withdrawal(tmp_path: Path) -> None:
    copy = edited_copy(TAMPERE, tmp_path / "no_decision", 'projects = ["I1"]', "projects = []")
    record = tally_cycle(copy)
    assert summary(record)["Itä"] == (("I1", "I4"), 50000, 46000, 4000)


def test_tampere_top1_greedy_agrees_with_greedy(tmp_path: Path) -> None:
    # With the default fill by score, top1-greedy's first pick is greedy's first step.
    copy = edited_copy(TAMPERE, tmp_path / "greedy", 'rule = "top1-greedy"', 'rule = "greedy"')
    plain = {name: funded for name, (funded, *_) in summary(tally_cycle(copy)).items()}
    top1 = {name: funded for name, (funded, *_) in summary(tally_cycle(TAMPERE)).items()}
    assert plain == top1


# Helsinki


def largest_remainder(total: int, populations: list[int]) -> list[int]:
    """Whole-unit largest-remainder split, written apart from the library's."""
    people = sum(populations)
    floors = [total * p // people for p in populations]
    remainders = [total * p - f * people for p, f in zip(populations, floors, strict=True)]  # numerators over people
    left = total - sum(floors)
    ranked = sorted(range(len(populations)), key=lambda k: (-remainders[k], -populations[k], k))
    return [f + (1 if k in ranked[:left] else 0) for k, f in enumerate(floors)]


def test_helsinki_split_adds_up_to_ten_million() -> None:
    loaded = load_cycle(HELSINKI)
    expected = largest_remainder(HELSINKI_TOTAL, list(HELSINKI_POPULATIONS.values()))
    assert sum(expected) == HELSINKI_TOTAL
    assert loaded.amounts == dict(zip(HELSINKI_POPULATIONS, map(Fraction, expected), strict=True))
    assert sum(loaded.amounts.values()) == HELSINKI_TOTAL


@pytest.mark.parametrize(("total", "unit"), [(4_400_000, 1), (8_800_000, 1), (10_000_000, 1000), (9_999_999, 1)])
def test_split_of_the_helsinki_figures_with_remainders(total: int, unit: int) -> None:
    # The example's figures add up to 10,000,000, so its own split has no remainders;
    # other totals and units (whole multiples of the unit) exercise the
    # largest-remainder step on the same figures.
    populations = list(HELSINKI_POPULATIONS.values())
    assert total % unit == 0
    expected = [amount * unit for amount in largest_remainder(total // unit, populations)]
    got = split_by_population(Fraction(total), Fraction(unit), populations)
    assert got == expected
    assert sum(got) == total


def test_helsinki_against_an_independent_count() -> None:
    folder = HELSINKI.parent
    with (folder / "projects.csv").open(encoding="utf-8", newline="") as handle:
        projects = {row["project_id"]: (row["pot"], int(row["cost"])) for row in csv.DictReader(handle)}
    with (folder / "ballots.csv").open(encoding="utf-8", newline="") as handle:
        ballots = list(csv.DictReader(handle))
    assert 2000 <= len(ballots) <= 5000
    # Every generated ballot is valid: one per voter, aged 13 or over, 1 to 5 projects of its pot.
    assert len({b["voter_id"] for b in ballots}) == len(ballots)
    approvals: Counter[str] = Counter()
    for ballot in ballots:
        assert int(ballot["age"]) >= 13
        assert ballot["postal_code"].startswith("00")
        items = ballot["projects"].split(",")
        assert 1 <= len(items) <= 5
        assert len(set(items)) == len(items)
        assert all(projects[item][0] == ballot["pot"] for item in items)
        approvals.update(items)

    split = largest_remainder(HELSINKI_TOTAL, list(HELSINKI_POPULATIONS.values()))
    amounts = dict(zip(HELSINKI_POPULATIONS, split, strict=True))
    expected: dict[str, tuple[tuple[str, ...], Fraction, Fraction, Fraction]] = {}
    for pot, budget in amounts.items():
        mine = [pid for pid, (where, _) in projects.items() if where == pot]
        assert 8 <= len(mine) <= 12
        keys = [(approvals[pid], projects[pid][1]) for pid in mine]
        assert len(set(keys)) == len(keys), "a tie on votes and cost would need the lottery"
        money = budget
        funded: list[str] = []
        for pid in sorted(mine, key=lambda p: (-approvals[p], projects[p][1])):
            cost = projects[pid][1]
            if cost <= money:
                funded.append(pid)
                money -= cost
        expected[pot] = (tuple(funded), Fraction(budget), Fraction(budget - money), Fraction(money))

    record = tally_cycle(HELSINKI)
    assert summary(record) == expected
    assert sum(pot.budget for pot in record.outcomes) == HELSINKI_TOTAL
    assert all(pot.rule == "greedy" for pot in record.outcomes)
    # Money is left in every district and some proposal did not fit in each.
    assert all(pot.left > 0 for pot in record.outcomes)
    sizes = Counter(pot for pot, _ in projects.values())
    assert all(len(funded) < sizes[pot] for pot, (funded, *_) in expected.items())


def test_helsinki_generator_reproduces_the_ballots(tmp_path: Path) -> None:
    folder = HELSINKI.parent
    out = tmp_path / "ballots.csv"
    subprocess.run([sys.executable, str(folder / "make_ballots.py"), str(out)], check=True)
    committed = (folder / "ballots.csv").read_bytes()
    assert out.read_bytes() == committed
    assert len(committed) < 300_000


def test_helsinki_cli_tally() -> None:
    runner = CliRunner()
    table = runner.invoke(main, ["tally", str(HELSINKI)])
    assert table.exit_code == 0, table.output
    assert "cycle 'Helsinki OmaStadi-style 2025-2026 (synthetic ballots)':" in table.output
    result = runner.invoke(main, ["tally", str(HELSINKI), "--json"])
    assert result.exit_code == 0, result.output
    outcomes = json.loads(result.output)["outcomes"]
    assert [o["pot"] for o in outcomes] == list(HELSINKI_POPULATIONS)
    assert sum(Fraction(o["budget"]) for o in outcomes) == HELSINKI_TOTAL
    valid = runner.invoke(main, ["validate", str(HELSINKI)])
    assert valid.exit_code == 0, valid.output
    assert "7 pots, 69 projects, 3600 ballots" in valid.output
