"""split_by_population: exact, in whole units, largest remainder, against an independent version.

The documented rule (its docstring): the total is split in whole multiples of
``unit``; each pot gets the floor of its exact share of those units, the units left
go one each to the largest remainders (ties: larger population, then earlier pot),
and any part of the total below one unit goes to the pot with the largest
population (the earliest such pot).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from asukasbudjetti.cycles import load_cycle, split_by_population
from asukasbudjetti.errors import InputError

UNITS = [Fraction(text) for text in ("0.01", "0.05", "0.5", "1", "5", "250", "1000")]


def reference_split(total: Fraction, unit: Fraction, populations: list[int]) -> list[Fraction]:
    """Largest remainder written independently: one pass per unit handed out.

    Exact shares of the whole total; each pot first gets the whole units below its
    share; the whole units left go one at a time to the largest remainder (larger
    remainder, then larger population, then earlier pot); the part below one unit
    goes to the next pot in that order.
    """
    people = sum(populations)
    shares = [total * population / people for population in populations]
    amounts = [Fraction(int(share // unit)) * unit for share in shares]
    remainders = [share - amount for share, amount in zip(shares, amounts, strict=True)]
    left = total - sum(amounts)
    given_out: set[int] = set()

    def next_pot() -> int:
        best = None
        for k in range(len(populations)):
            if k in given_out:
                continue
            key = (remainders[k], populations[k], -k)
            if best is None or key > best[0]:
                best = (key, k)
        assert best is not None
        given_out.add(best[1])
        return best[1]

    while left >= unit:
        amounts[next_pot()] += unit
        left -= unit
    if left:
        amounts[next_pot()] += left
    return amounts


populations_st = st.lists(st.integers(min_value=0, max_value=200_000), min_size=1, max_size=8).filter(
    lambda pops: sum(pops) > 0
)
# Totals in cents (some whole, some not), and a few with finer digits than any unit.
totals_st = st.one_of(
    st.integers(min_value=0, max_value=10**11).map(lambda cents: Fraction(cents, 100)),
    st.integers(min_value=0, max_value=10**6).map(Fraction),
    st.integers(min_value=0, max_value=10**9).map(lambda mills: Fraction(mills, 1000)),
)


@settings(max_examples=400, deadline=None)
@given(total=totals_st, unit=st.sampled_from(UNITS), populations=populations_st)
@example(total=Fraction("1000000.01"), unit=Fraction("1000"), populations=[3, 5, 5, 1])
@example(total=Fraction("0.99"), unit=Fraction("1"), populations=[1, 2, 2])
@example(total=Fraction(0), unit=Fraction("0.01"), populations=[0, 7])
def test_split_sums_exactly_in_whole_units(total: Fraction, unit: Fraction, populations: list[int]) -> None:
    amounts = split_by_population(total, unit, populations)
    assert len(amounts) == len(populations)
    assert all(isinstance(a, Fraction) for a in amounts)
    assert sum(amounts) == total
    assert all(a >= 0 for a in amounts)
    rest = total % unit  # the part of the total below one unit
    # Every pot gets whole units, except at most one that also gets the part below one unit.
    off_grid = [k for k, amount in enumerate(amounts) if amount % unit != 0]
    assert len(off_grid) <= 1
    for k in off_grid:
        assert (amounts[k] - rest) % unit == 0
    # The independent version, same tie rule.
    assert amounts == reference_split(total, unit, populations)


@settings(max_examples=400, deadline=None)
@given(
    units=st.integers(min_value=0, max_value=10**7),
    unit=st.sampled_from(UNITS),
    populations=populations_st,
)
def test_each_pot_within_one_unit_of_its_exact_share(units: int, unit: Fraction, populations: list[int]) -> None:
    """Largest remainder property, for a total in whole units."""
    total = units * unit
    amounts = split_by_population(total, unit, populations)
    people = sum(populations)
    for amount, population in zip(amounts, populations, strict=True):
        exact = total * population / people
        assert abs(amount - exact) < unit
        # floor or ceiling of the exact share, in units
        assert amount in (exact // unit * unit, -(-exact // unit) * unit)
    assert [a for a, p in zip(amounts, populations, strict=True) if p == 0] == [0] * populations.count(0)


@settings(max_examples=400, deadline=None)
@given(total=totals_st, unit=st.sampled_from(UNITS), populations=populations_st)
@example(total=Fraction("2.99"), unit=Fraction(1), populations=[1, 1, 1, 1, 1])
def test_each_pot_within_one_unit_of_its_exact_share_when_the_total_has_a_sub_unit_part(
    total: Fraction, unit: Fraction, populations: list[int]
) -> None:
    amounts = split_by_population(total, unit, populations)
    people = sum(populations)
    for amount, population in zip(amounts, populations, strict=True):
        assert abs(amount - total * population / people) < unit


def test_split_by_hand() -> None:
    # 1000 in units of 1 by 1:1:1 -> 333.33 each; the one unit left goes to the
    # earliest pot (equal remainders, equal populations).
    assert split_by_population(Fraction(1000), Fraction(1), [1, 1, 1]) == [334, 333, 333]
    # 100 by 1:2:2 -> 20, 40, 40 exactly.
    assert split_by_population(Fraction(100), Fraction(1), [1, 2, 2]) == [20, 40, 40]
    # 10 by 1:1:1:3 -> 1.67, 1.67, 1.67, 5: floors 1, 1, 1, 5 (8); two units left go to
    # the largest remainders 2/3, 2/3, 2/3 -> the earliest two.
    assert split_by_population(Fraction(10), Fraction(1), [1, 1, 1, 3]) == [2, 2, 1, 5]
    # Equal remainders, the larger population wins: 5 by 3:2:5 = 1.5, 1, 2.5 -> floors
    # 1, 1, 2 (4); the unit left goes to the pot of 5 (remainder 1/2 as the first's).
    assert split_by_population(Fraction(5), Fraction(1), [3, 2, 5]) == [1, 1, 3]
    # 100.50 in units of 1 by 1:1 -> 50/50 and the 0.50 to the biggest (the earliest of equals).
    assert split_by_population(Fraction("100.50"), Fraction(1), [1, 1]) == [Fraction("50.50"), 50]
    # 0.5 in units of 1: no whole unit, all of it to the largest population.
    assert split_by_population(Fraction("0.5"), Fraction(1), [1, 2, 2]) == [0, Fraction("0.5"), 0]
    # Units of 1000 on 10000 by 1:1:1: floors 3000 each, the 1000 left to the first.
    assert split_by_population(Fraction(10000), Fraction(1000), [1, 1, 1]) == [4000, 3000, 3000]


def test_split_refuses_a_bad_unit_or_no_residents() -> None:
    with pytest.raises(InputError, match="unit must be positive"):
        split_by_population(Fraction(10), Fraction(0), [1])
    with pytest.raises(InputError, match="at least one pot with residents"):
        split_by_population(Fraction(10), Fraction(1), [0, 0])


def test_cycle_file_splits_what_the_fixed_pots_leave(tmp_path: Path) -> None:
    # 1000.50 - the citywide 100.25 = 900.25 by 2:1:1 in units of 1: 450.125, 225.0625,
    # 225.0625 of 900 units -> 450, 225, 225; the 0.25 below a unit goes to A (largest).
    (tmp_path / "cycle.toml").write_text(
        '[cycle]\nname = "s"\n[files]\nprojects = "p.csv"\nballots = "b.csv"\n'
        '[split]\ntotal = "1000.50"\nunit = "1"\n'
        '[[pots]]\nname = "A"\npopulation = 2000\n[[pots]]\nname = "B"\npopulation = 1000\n'
        '[[pots]]\nname = "C"\npopulation = 1000\n'
        '[[pots]]\nname = "City"\nkind = "citywide"\namount = "100.25"\n',
        encoding="utf-8",
    )
    loaded = load_cycle(tmp_path / "cycle.toml")
    assert loaded.amounts == {
        "A": Fraction("450.25"),
        "B": Fraction(225),
        "C": Fraction(225),
        "City": Fraction("100.25"),
    }


def test_cycle_file_refuses_fixed_amounts_above_the_total(tmp_path: Path) -> None:
    cycle = tmp_path / "cycle.toml"
    cycle.write_text(
        '[cycle]\nname = "s"\n[files]\nprojects = "p.csv"\nballots = "b.csv"\n'
        '[split]\ntotal = "100"\n'
        '[[pots]]\nname = "A"\npopulation = 5\n[[pots]]\nname = "City"\nkind = "citywide"\namount = "150"\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="fixed pot amounts 150 exceed the split total 100"):
        load_cycle(cycle)
