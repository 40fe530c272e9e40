"""Make the synthetic ballots of the Helsinki 2025-2026 example (ballots.csv).

Pure standard library and deterministic: ``random.Random(2025)`` draws every
voter, so running the script again writes the same file byte for byte::

    python3 examples/helsinki_2025/make_ballots.py            # rewrites ballots.csv here
    python3 examples/helsinki_2025/make_ballots.py OUT.csv    # writes OUT.csv instead

Each voter is 13 or over (the cycle's ``min_age``: nobody younger is made, so every
ballot is valid), lives at a postal code of one of the seven major districts, votes
in one district (her home district, or now and then another one) and approves one
to five of its proposals, drawn by each proposal's appeal. None of it is real data.
"""

from __future__ import annotations

import csv
import io
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 2025
VOTERS = 3600
#: The share of voters who vote in their home district; the rest pick another.
HOME_SHARE = 0.85

#: District, its weight for drawing a voter's home (the cycle's population
#: figures), and postal codes in it (a rough grouping, for the synthetic data only).
DISTRICTS: tuple[tuple[str, int, tuple[str, ...]], ...] = tuple(
    (name, weight, tuple(codes.split()))
    for name, weight, codes in (
        ("Eteläinen", 1868353, "00100 00120 00130 00140 00150 00160 00170 00180 00200 00220 00250 00260"),
        (
            "Läntinen",
            1723412,
            "00270 00280 00290 00300 00320 00330 00350 00360 00370 00380 00400 00410 00420 00430 00440",
        ),
        ("Keskinen", 1572408, "00240 00500 00510 00520 00530 00540 00550 00560 00580 00600 00610"),
        ("Pohjoinen", 665977, "00620 00630 00640 00650 00660 00670 00680 00690"),
        ("Koillinen", 1531569, "00700 00710 00720 00730 00740 00750 00760 00770 00780 00790"),
        ("Kaakkoinen", 882799, "00570 00800 00810 00820 00830 00840 00850"),
        ("Itäinen", 1755482, "00890 00900 00910 00920 00930 00940 00950 00960 00970 00980 00990"),
    )
)

#: Age bands (youngest 13) and how often a voter falls in each.
AGES = ((13, 17, 9), (18, 29, 20), (30, 44, 30), (45, 64, 27), (65, 90, 14))

#: How many proposals a ballot approves (1 to 5, the cycle's max_projects).
PICKS = ((1, 2, 3, 4, 5), (14, 16, 20, 20, 30))


def read_projects(path: Path) -> dict[str, list[str]]:
    """Project ids per district, in the file's order."""
    projects: dict[str, list[str]] = {name: [] for name, _, _ in DISTRICTS}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            projects[row["pot"]].append(row["project_id"])
    return projects


def make_ballots(projects: dict[str, list[str]], rng: random.Random) -> list[tuple[str, str, str, int, str]]:
    """One row per voter: voter id, district voted in, approved ids, age, postal code."""
    names = [name for name, _, _ in DISTRICTS]
    weights = [weight for _, weight, _ in DISTRICTS]
    postal_codes = {name: codes for name, _, codes in DISTRICTS}
    # Each proposal's appeal: how likely a voter of its district is to pick it.
    appeal = {pid: rng.uniform(1.0, 6.0) for name in names for pid in projects[name]}
    rows: list[tuple[str, str, str, int, str]] = []
    for number in range(1, VOTERS + 1):
        home = rng.choices(names, weights=weights)[0]
        postal_code = rng.choice(postal_codes[home])
        pot = home if rng.random() < HOME_SHARE else rng.choice([name for name in names if name != home])
        low, high, _ = rng.choices(AGES, weights=[share for _, _, share in AGES])[0]
        age = rng.randint(low, high)
        count = rng.choices(PICKS[0], weights=PICKS[1])[0]
        left = list(projects[pot])
        picked: list[str] = []
        for _ in range(min(count, len(left))):
            choice = rng.choices(left, weights=[appeal[pid] for pid in left])[0]
            left.remove(choice)
            picked.append(choice)
        rows.append((f"h{number:05d}", pot, ",".join(picked), age, postal_code))
    return rows


def ballots_csv() -> str:
    """The whole ballots.csv text."""
    rows = make_ballots(read_projects(HERE / "projects.csv"), random.Random(SEED))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("voter_id", "pot", "projects", "age", "postal_code"))
    writer.writerows(rows)
    return out.getvalue()


def main(argv: list[str]) -> None:
    target = Path(argv[1]) if len(argv) > 1 else HERE / "ballots.csv"
    target.write_bytes(ballots_csv().encode("utf-8"))


if __name__ == "__main__":
    main(sys.argv)
