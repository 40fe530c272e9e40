"""Every judged real election, ../shared/pabulib and ../shared/pabulib-wide: the official rule
reproduces the announced outcome, and every file that does not reproduce is named here.

"Judged" means the file has a ``selected`` column (the outcome the city announced)
and declares a rule the engine knows. The announced outcome is read with the csv
module (tests/test_real_elections.py's reader), not with the library's reader.
No file is left out silently: an unreadable file must be in UNREADABLE with its
error, a file that does not reproduce in NOT_REPRODUCED.

The compiled profile is built once per file (in-process: load, validate, tally).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from asukasbudjetti.errors import AsukasbudjettiError
from asukasbudjetti.rules import RULES
from asukasbudjetti.tally import load_election, tally_election
from tests.conftest import PABULIB
from tests.test_real_elections import announced

#: Files that cannot be read as written, and the error each must get (file:line and what).
UNREADABLE = {
    # A cumulative ballot listing one project four times.
    "Poland_Czestochowa_2020.pb": ":11740: voter '13026' lists project '579' more than once",
    # A project name with a broken quote.
    "Poland_Czestochowa_2020_Grabowka.pb": ":29: cannot split the line into fields",
}

#: Judged files whose announced outcome the official rule does not reproduce: the
#: projects the city announced that we do not fund (missing) and those we fund that
#: it did not announce (extra). Their diagnoses are in tests/test_diagnose.py.
NOT_REPRODUCED = {
    "Poland_Warszawa_2018_Las.pb": ((), ("1649",)),
    "Poland_Warszawa_2018_Ursynow_Wysoki_Poludniowy.pb": (("2737", "787"), ("1137",)),
    "Poland_Warszawa_2018_Wawrzyszew.pb": ((), ("2527",)),
    "Poland_Warszawa_2020_Bialoleka.pb": (("1938", "1514"), ("118", "1699", "736")),
    "Poland_Warszawa_2020_Targowek.pb": (("1686", "331", "2025", "1903", "1325"), ("1667",)),
    "Poland_Warszawa_2022_Bemowo.pb": ((), ("153",)),
}

#: Greedy elections whose outcome a tie decides: the published order reproduces all 18.
DECISIVE_TIES = {
    "Poland_Czestochowa_2024_Dzbow.pb",
    "Poland_Gdynia_2020_Babie_Doly__small.pb",
    "Poland_Gdynia_2024_Srodmiescie__large.pb",
    "Poland_Katowice_2022_Koszutka.pb",
    "Poland_Katowice_2025_Kostuchna.pb",
    "Poland_Krakow_2022_Czyzyny.pb",
    "Poland_Krakow_2024_Krowodrza.pb",
    "Poland_Lodz_2022_Zdrowie-Mania.pb",
    "Poland_Lodz_2024_Katedralna.pb",
    "Poland_Warszawa_2018_Niskie_Okecie.pb",
    "Poland_Warszawa_2019_Brodno.pb",
    "Poland_Warszawa_2019_Okecie.pb",
    "Poland_Warszawa_2019_Targowek_Mieszkaniowy.pb",
    "Poland_Warszawa_2020_Rembertow.pb",
    "Poland_Warszawa_2022_Praga-Polnoc.pb",
    "Poland_Warszawa_2023_Ursus.pb",
    "Poland_Warszawa_2026_Marymont-Potok_Stary_Zoliborz.pb",
    "Poland_Warszawa_2026_Stary_Mokotow.pb",
}
#: Of those, the ones that settling the tie by the lower cost does not reproduce.
LOWER_COST_FAILS = {
    "Poland_Gdynia_2020_Babie_Doly__small.pb",
    "Poland_Krakow_2022_Czyzyny.pb",
    "Poland_Lodz_2024_Katedralna.pb",
    "Poland_Warszawa_2018_Niskie_Okecie.pb",
    "Poland_Warszawa_2019_Targowek_Mieszkaniowy.pb",
}


def announced_funded(path: Path) -> tuple[str, set[str]] | None:
    """The declared rule and the projects the rule should fund, or None when the file is not judged."""
    rule, selected = announced(path)
    if not selected or rule not in RULES:
        return None
    reserve = rule == "greedy-custom"  # Poznań: 2 marks the reserve-funded project
    return rule, {p for p, mark in selected.items() if mark == 1 or (mark == 2 and reserve)}


def test_every_judged_election(wide_dir: Path) -> None:
    if not PABULIB.is_dir():
        pytest.skip(f"the real pabulib sample is not at {PABULIB}")
    files = sorted(PABULIB.glob("*.pb")) + sorted(wide_dir.glob("*.pb"))
    assert len(files) == 57 + 1643
    unreadable: dict[str, str] = {}
    judged = reproduced = 0
    differing: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    decisive: set[str] = set()
    for path in files:
        expected = announced_funded(path)
        try:
            election, _, _ = load_election(path)
        except AsukasbudjettiError as exc:
            unreadable[path.name] = str(exc)
            continue
        if expected is None:
            continue
        judged += 1
        rule, funded = expected
        pot, ran = tally_election(election, rule="official")
        assert ran == rule
        ours = set(pot.funded)
        if ours == funded:
            reproduced += 1
        else:
            differing[path.name] = (
                tuple(p for p in election.project_ids() if p in funded - ours),
                tuple(p for p in pot.funded if p not in funded),
            )
        if rule.startswith("greedy") and any(tie.decisive for tie in pot.ties):
            decisive.add(path.name)
            assert all(tie.settled_by == ("published order",) for tie in pot.ties)
            if path.name in LOWER_COST_FAILS:
                by_cost, _ = tally_election(election, rule="official", params=[("tie_break", "cost")])
                assert set(by_cost.funded) != funded, path.name
    assert set(unreadable) == set(UNREADABLE), unreadable
    for name, error in UNREADABLE.items():
        assert error in unreadable[name]
    assert judged == 1392
    assert reproduced == judged - len(NOT_REPRODUCED) >= 1385
    assert differing == NOT_REPRODUCED
    assert decisive == DECISIVE_TIES
    assert LOWER_COST_FAILS <= DECISIVE_TIES
