"""Platform exports in: Decidim, Stanford PB, Helsinki OmaStadi, CONSUL (docs/importers.md).

The fixtures in tests/fixtures/importers are hand-made in each platform's layout (the
lines of the platform's code each layout follows are in docs/importers.md); every
expected outcome below is worked by hand in the comment above it.
"""

from __future__ import annotations

import shutil
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from importer_workbooks import CYCLE, SHEETS, VOTE_HEADER, write_workbook

from asukasbudjetti.cli import main
from asukasbudjetti.cycles import tally_cycle, validate_cycle
from asukasbudjetti.errors import ProblemsError, RuleError
from asukasbudjetti.io.importers import add_paper_counts, read_cycle_rows, read_pot

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures" / "importers"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def funded(cycle: Path, **kwargs: bool) -> dict[str, tuple[str, ...]]:
    record = tally_cycle(cycle, **kwargs)
    return {o.pot: o.funded for o in record.outcomes}


# --- Decidim ---------------------------------------------------------------------------------


def test_decidim_pb_reads_order_ids_and_online_votes() -> None:
    read = read_pot("decidim-pb", (FIXTURES / "decidim_keskusta.pb").read_bytes(), "k.pb")
    election = read.election
    assert election.ballots.voter_ids == ("101", "102", "104", "107", "108")
    assert [p.declared_votes for p in election.projects] == [4, 3, 2, 1]
    # Paper ballots are not in Decidim's VOTES: without their counts, a warning says so.
    assert [w.code for w in read.warnings] == ["paper-ballots"]


def test_decidim_pb_alone_tallies_the_online_orders(tmp_path: Path) -> None:
    # Online votes 11:4 (60000), 12:3 (30000), 13:2 (20000), 14:1 (10000), budget 100000:
    # 11 fits (40000 left), 12 fits (10000), 13 does not, 14 fits (0): Decidim's `selected`.
    code, _out, err = run("convert", "decidim-pb", str(FIXTURES / "decidim_keskusta.pb"), "-o", str(tmp_path / "c"))
    assert code == 0, err
    assert "paper ballots" in err
    assert "paper ballots" in (tmp_path / "c" / "cycle.toml").read_text(encoding="utf-8")
    assert funded(tmp_path / "c" / "cycle.toml") == {"decidim_keskusta": ("11", "12", "14")}


def test_decidim_pot_with_paper_counts_adds_them_for_greedy() -> None:
    # Paper (id;new_paper_ballots) 11:+1, 12:+1, 13:+5, 14:+0 -> 11:5, 12:4, 13:7, 14:1.
    # Greedy: 13 (20000, 80000 left), 11 (60000, 20000 left), 12 (30000) does not fit,
    # 14 (10000) fits: 13, 11, 14; spent 90000, left 10000.
    record = tally_cycle(FIXTURES / "decidim_cycle.toml")
    outcome = record.outcomes[0]
    assert outcome.funded == ("13", "11", "14")
    assert (outcome.spent, outcome.left) == (90000, 10000)
    assert not [w for w in record.warnings if w.code == "paper-ballots"]
    assert "decidim_keskusta_paper.csv" in [d.file for d in record.inputs]


@pytest.mark.parametrize("rule", ["equalshares", "phragmen"])
def test_rules_that_need_every_ballot_refuse_decidim_paper_counts(tmp_path: Path, rule: str) -> None:
    for name in ("decidim_keskusta.pb", "decidim_keskusta_paper.csv"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    text = (FIXTURES / "decidim_cycle.toml").read_text(encoding="utf-8").replace('"greedy"', f'"{rule}"')
    (tmp_path / "cycle.toml").write_text(text, encoding="utf-8")
    with pytest.raises(RuleError, match="given only as a count"):
        tally_cycle(tmp_path / "cycle.toml")


@pytest.mark.parametrize("header", ["id;new_paper_ballots", "id;paper_ballots_to_import", "project_id,votes"])
def test_paper_counts_in_each_platform_spelling(tmp_path: Path, header: str) -> None:
    sep = ";" if ";" in header else ","
    for name in ("decidim_keskusta.pb", "decidim_cycle.toml"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    rows = [header] + [f"{p}{sep}{n}" for p, n in (("11", 1), ("12", 1), ("13", 5), ("14", 0))]
    (tmp_path / "decidim_keskusta_paper.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert funded(tmp_path / "decidim_cycle.toml") == {"Keskusta": ("13", "11", "14")}


def test_paper_counts_for_another_budget_are_refused(tmp_path: Path) -> None:
    for name in ("decidim_keskusta.pb", "decidim_cycle.toml"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    (tmp_path / "decidim_keskusta_paper.csv").write_text("id;new_paper_ballots\n11;1\n99;4\n", encoding="utf-8")
    with pytest.raises(ProblemsError) as caught:
        tally_cycle(tmp_path / "decidim_cycle.toml")
    assert str(caught.value).startswith(f"{tmp_path / 'decidim_keskusta_paper.csv'}:3: paper counts for project '99'")


def test_decidim_budget_without_orders_has_no_votes_section() -> None:
    # writer.rb's write_data writes nothing for an empty table, not even "VOTES".
    text = (FIXTURES / "decidim_keskusta.pb").read_text(encoding="utf-8").split("VOTES")[0]
    read = read_pot("decidim-pb", text.encode(), "empty.pb")
    assert len(read.election.ballots) == 0
    assert "no-votes" in [w.code for w in read.warnings]


def test_cycle_wide_paper_counts_reach_a_pabulib_pot(tmp_path: Path) -> None:
    # They used to be accepted and then ignored for a pabulib pot; now greedy adds them.
    shutil.copy(FIXTURES / "decidim_keskusta.pb", tmp_path / "k.pb")
    (tmp_path / "paper.csv").write_text("project_id,votes\n11,1\n12,1\n13,5\n", encoding="utf-8")
    (tmp_path / "cycle.toml").write_text(
        '[cycle]\nname = "x"\n[files]\npaper_counts = "paper.csv"\n'
        '[[pots]]\nname = "K"\namount = "100000"\npabulib = "k.pb"\n',
        encoding="utf-8",
    )
    assert funded(tmp_path / "cycle.toml") == {"K": ("13", "11", "14")}


def test_decidim_projects_export_csv_and_json(tmp_path: Path) -> None:
    # Budget 7: A 60000 (confirmed 10 + paper 2 = 12), B 50000 (11), C 40000 (3); amount 100000.
    # Greedy: A (40000 left), B does not fit, C fits (0 left). Budget 8: D alone, 5000 of 5000.
    csv_text = (
        "id;title/fi;title/en;budget/id;budget_amount;confirmed_votes;paper_ballots\n"
        "1;Puisto;Park;7;60000;10;2\n2;Kirjasto;Library;7;50000;11;0\n3;Valot;Lights;7;40000;3;\n"
        "4;Penkit;Benches;8;5000;1;0\n"
    )
    (tmp_path / "projects.csv").write_text(csv_text, encoding="utf-8")
    rows = read_cycle_rows("decidim-projects", csv_text.encode(), "projects.csv", lang="en")
    assert [p.name for p in rows.projects] == ["Park", "Library", "Lights", "Benches"]
    assert rows.paper == {"1": 12, "2": 11, "3": 3, "4": 1}
    code, _, err = run("convert", "decidim-projects", str(tmp_path / "projects.csv"), "-o", str(tmp_path / "c"))
    assert code == 1
    assert "--amount" in err
    code, _, err = run(
        "convert", "decidim-projects", str(tmp_path / "projects.csv"), "-o", str(tmp_path / "c"),
        "--amount", "7=100000", "--amount", "8=5000", "--lang", "fi",
    )  # fmt: skip
    assert code == 0, err
    assert funded(tmp_path / "c" / "cycle.toml") == {"7": ("1", "3"), "8": ("4",)}
    json_text = (
        '[{"id": 1, "title": {"fi": "Puisto"}, "budget": {"id": 7}, "budget_amount": 60000, "confirmed_votes": 10},'
        ' {"id": 2, "title": {"fi": "Kirjasto"}, "budget": {"id": 7}, "budget_amount": 50000, "confirmed_votes": 11}]'
    )
    rows = read_cycle_rows("decidim-projects", json_text.encode(), "projects.json")
    assert [(p.project_id, p.pot, p.cost, p.name) for p in rows.projects] == [
        ("1", "7", 60000, "Puisto"),
        ("2", "7", 50000, "Kirjasto"),
    ]
    # JSON has no rows: a project is named by its place in the list.
    with pytest.raises(ProblemsError) as caught:
        read_cycle_rows("decidim-projects", json_text.replace("50000", '"paljon"').encode(), "projects.json")
    assert str(caught.value).startswith("projects.json[2]: project '2': budget_amount 'paljon' is not an amount")


# --- Stanford PB -------------------------------------------------------------------------------


def test_stanford_approvals_and_knapsacks_in_a_cycle() -> None:
    # Approvals: Playground 4 (50000), Street lights 3 (30000), Bike lanes 2 (40000),
    # Murals 1 (10000); voter 5 approved nothing. 100000: Playground (50000 left), Street
    # lights (20000), Bike lanes does not fit, Murals (10000 left).
    # Knapsacks: Playground 5, Bike lanes 4, Murals 3, Street lights 2 (costs = the amounts
    # put on them): Playground (50000 left), Bike lanes (10000), Murals (0), Street lights no.
    record = tally_cycle(FIXTURES / "stanford_cycle.toml")
    assert {o.pot: o.funded for o in record.outcomes} == {
        "Approval": ("Playground", "Street lights", "Murals"),
        "Knapsack": ("Playground", "Bike lanes", "Murals"),
    }
    codes = [w.code for w in record.warnings]
    assert codes.count("empty-ballot") == 1
    assert "missing-cost" in codes
    skate = next(w for w in record.warnings if w.code == "missing-cost")
    assert "'Skate ramp'" in skate.message
    assert skate.line == 1


def test_stanford_tokens_take_costs_from_the_approvals_file(tmp_path: Path) -> None:
    # Tokens: Playground 3+1 = 4, Street lights 2+1 = 3, Bike lanes 5+1 = 6, Murals 2.
    # 100000: Bike lanes (60000 left), Playground (10000), Street lights no, Murals (0).
    code, _, err = run(
        "convert", "stanford-tokens", str(FIXTURES / "stanford_tokens_individual.csv"), "-o", str(tmp_path / "c"),
        "--amount", "100000", "--costs", str(FIXTURES / "stanford_approvals_individual.csv"),
    )  # fmt: skip
    assert code == 0, err
    assert funded(tmp_path / "c" / "cycle.toml") == {
        "stanford_tokens_individual": ("Bike lanes", "Playground", "Murals")
    }


def test_stanford_ranking_reads_titles_and_costs_from_the_cells() -> None:
    read = read_pot(
        "stanford-ranking", (FIXTURES / "stanford_ranking_individual.csv").read_bytes(), "r.csv", budget=Fraction(1)
    )
    election = read.election
    assert [(p.project_id, p.cost) for p in election.projects] == [
        ("Playground", 50000),
        ("Murals", 10000),
        ("Bike lanes", 40000),
        ("Street lights", 30000),
    ]
    assert election.ballots.projects == (
        ("Playground", "Murals"),
        ("Bike lanes", "Playground", "Street lights"),
        ("Street lights", "Bike lanes"),
        ("Playground",),
    )
    assert election.vote_type.value == "ordinal"
    assert election.meta["max_length"] == "3"
    assert [w.code for w in read.warnings] == ["unranked-projects"]


def test_stanford_ranking_tallies_by_position(tmp_path: Path) -> None:
    # Three Rank columns: first place 3 points, second 2, third 1 (docs/rules.md, ordinal).
    # Playground 3 + 2 + 3 = 8, Bike lanes 3 + 2 = 5, Street lights 1 + 3 = 4, Murals 2.
    # 100000: Playground (50000 left), Bike lanes (10000), Street lights no, Murals (0).
    code, _, err = run(
        "convert", "stanford-ranking", str(FIXTURES / "stanford_ranking_individual.csv"), "-o", str(tmp_path / "c"),
        "--amount", "100000",
    )  # fmt: skip
    assert code == 0, err
    expected = {"stanford_ranking_individual": ("Playground", "Bike lanes", "Murals")}
    assert funded(tmp_path / "c" / "cycle.toml") == expected


# --- Helsinki OmaStadi ---------------------------------------------------------------------


@pytest.fixture
def omastadi(tmp_path: Path) -> Path:
    write_workbook(tmp_path / "omastadi.xlsx")
    (tmp_path / "cycle.toml").write_text(CYCLE, encoding="utf-8")
    return tmp_path


def test_omastadi_voter_rules_name_the_sheet_and_cell(omastadi: Path) -> None:
    with pytest.raises(ProblemsError) as caught:
        validate_cycle(omastadi / "cycle.toml")
    book = omastadi / "omastadi.xlsx"
    assert str(caught.value).splitlines() == [
        f"{book}:Eteläinen - Votes!L5: voter 'uh4' (postal code 00800) votes in district 'Eteläinen'; "
        "expected a ballot in the voter's home district only",
        f"{book}:Eteläinen - Votes!M6: voter 'uh5' has age 11; expected at least 12 (voters.min_age)",
        f"{book}:Itäinen - Votes!M4: voter 'uh8' has no age; expected at least 12 (voters.min_age)",
    ]


def test_omastadi_workbook_tallies_as_a_cycle(omastadi: Path) -> None:
    # Left out: h4 (lives in Itäinen), h5 (11), h8 (no age). Eteläinen: 201 by h1 h2 h3 (3),
    # 202 by h1 h3 (2), 203 by h2 (1); 100000: 201 (40000 left), 202 (10000), 203 does not fit.
    # Itäinen: 302 by h6 h7 (2), 301 by h6 (1); 50000: 302 (30000 left), 301 (40000) no.
    record = tally_cycle(omastadi / "cycle.toml", exclude_invalid=True)
    assert {o.pot: o.funded for o in record.outcomes} == {"Eteläinen": ("201", "202"), "Itäinen": ("302",)}
    assert [(o.spent, o.left) for o in record.outcomes] == [(90000, 10000), (20000, 30000)]
    # The Projects sheets' `selected` (201, 202 and 302) is the announced outcome, and it matches.
    assert [(o.announced.funded, o.announced.matches) for o in record.outcomes if o.announced] == [
        (("201", "202"), True),
        (("302",), True),
    ]
    left_out = [w.file for w in record.warnings if "ballot left out" in w.message]
    # The record names input files without their folder.
    assert left_out == [f"omastadi.xlsx:{cell}" for cell in
                        ("Eteläinen - Votes!L5", "Eteläinen - Votes!M6", "Itäinen - Votes!M4")]  # fmt: skip


def test_omastadi_convert_keeps_ages_postal_codes_and_published_result(omastadi: Path) -> None:
    code, _, err = run("convert", "omastadi-xlsx", str(omastadi / "omastadi.xlsx"), "-o", str(omastadi / "c"))
    assert code == 0, err
    ballots = (omastadi / "c" / "ballots.csv").read_text(encoding="utf-8").splitlines()
    assert ballots[4] == "uh4,Eteläinen,201,,29,00800"
    assert ballots[8] == "uh8,Itäinen,301,,,00810"
    # The converted cycle plus the voter rules gives the same outcome as the workbook.
    text = (omastadi / "c" / "cycle.toml").read_text(encoding="utf-8")
    text = text.replace("[[pots]]", '[voters]\nmin_age = 12\nchoose = "home-district"\n\n[[pots]]', 1)
    text = text.replace('name = "Eteläinen"', 'name = "Eteläinen"\npostal_codes = ["00100", "00120"]')
    text = text.replace('name = "Itäinen"', 'name = "Itäinen"\npostal_codes = ["00800", "00810"]')
    (omastadi / "c" / "cycle.toml").write_text(text, encoding="utf-8")
    assert funded(omastadi / "c" / "cycle.toml", exclude_invalid=True) == {
        "Eteläinen": ("201", "202"),
        "Itäinen": ("302",),
    }
    # To pabulib: the published votes and selected go to PROJECTS, age and postal code to VOTES.
    code, _, err = run("convert", "omastadi-xlsx", str(omastadi / "omastadi.xlsx"), "--to", "pabulib", "-o",
                       str(omastadi / "pb"))  # fmt: skip
    assert code == 0, err
    pb = (omastadi / "pb" / "Eteläinen.pb").read_text(encoding="utf-8")
    assert "project_id;cost;name;votes;selected\n201;60000;Puisto;4;1\n" in pb
    assert "voter_id;vote;age;postal_code\nuh1;201,202;34;00100\n" in pb


def test_omastadi_bad_rows_are_named_by_sheet_and_cell(tmp_path: Path) -> None:
    sheets = {name: [list(row) for row in rows] for name, rows in SHEETS.items()}
    sheets["Eteläinen - Votes"][2][12] = "viisitoista"  # age, row 3
    sheets["Itäinen - Projects"][1][13] = "kallis"  # budget (cost), row 2
    write_workbook(tmp_path / "bad.xlsx", sheets)
    with pytest.raises(ProblemsError) as caught:
        read_cycle_rows("omastadi-xlsx", (tmp_path / "bad.xlsx").read_bytes(), "bad.xlsx")
    assert [str(p) for p in caught.value.problems] == [
        "bad.xlsx:Itäinen - Projects!N2: project '302': cost 'kallis' is not an amount of money; "
        "expected digits such as 1000 or 1000.50",
        "bad.xlsx:Eteläinen - Votes!M3: order 'uh2': age 'viisitoista' is not a whole number",
    ]


# --- CONSUL --------------------------------------------------------------------------------


def test_consul_investments_per_heading(tmp_path: Path) -> None:
    # Centro (amount 100000): A 70000 (30 supports), B 40000 (20), C 30000 (10): A (30000 left),
    # B does not fit, C fits (0). Norte (5000): D 4000 (5).
    text = (
        "ID,Title,Supports,Heading,Price,Selected,Winner\n"
        '1,Parque,30,Centro,"Feasible (€70,000)",Yes,Yes\n2,Biblioteca,20,Centro,Viable (40.000 €),Yes,No\n'
        "3,Luces,10,Centro,30000,No,No\n4,Bancos,5,Norte,4000,Yes,Yes\n"
    )
    (tmp_path / "investments.csv").write_text(text, encoding="utf-8")
    code, _, err = run("convert", "consul-investments", str(tmp_path / "investments.csv"), "-o", str(tmp_path / "c"),
                       "--amount", "Centro=100000", "--amount", "Norte=5000")  # fmt: skip
    assert code == 0, err
    assert "rounded-price" in err or "formatted text" in err
    assert funded(tmp_path / "c" / "cycle.toml") == {"Centro": ("1", "3"), "Norte": ("4",)}
    # Read straight from a cycle, the winners (1 and 4, not "selected" for the final vote: 1, 2
    # and 4) are the announced outcome: Centro's count funds 3 as well, Norte matches.
    (tmp_path / "cycle.toml").write_text(
        '[cycle]\nname = "c"\n[files]\nformat = "consul-investments"\nexport = "investments.csv"\n'
        '[[pots]]\nname = "Centro"\namount = "100000"\n[[pots]]\nname = "Norte"\namount = "5000"\n',
        encoding="utf-8",
    )
    record = tally_cycle(tmp_path / "cycle.toml")
    assert [(o.pot, o.announced.funded, o.announced.extra) for o in record.outcomes if o.announced] == [
        ("Centro", ("1",), ("3",)),
        ("Norte", ("4",), ()),
    ]


# --- Round trip: cycle -> pabulib -> cycle --------------------------------------------------


@pytest.mark.parametrize(
    "cycle", [HERE.parent / "examples" / "tampere_2025" / "cycle.toml", FIXTURES / "decidim_cycle.toml"]
)
def test_cycle_to_pabulib_and_back_keeps_the_outcomes(tmp_path: Path, cycle: Path) -> None:
    code, _, err = run("convert", "cycle", str(cycle), "--to", "pabulib", "-o", str(tmp_path / "pb"))
    assert code == 0, err
    files = sorted(str(p) for p in (tmp_path / "pb").glob("*.pb"))
    code, _, err = run("convert", "pabulib", *files, "-o", str(tmp_path / "back"))
    assert code == 0, err
    before = {o.pot: (o.funded, o.spent) for o in tally_cycle(cycle).outcomes}
    after = {o.pot: (o.funded, o.spent) for o in tally_cycle(tmp_path / "back" / "cycle.toml").outcomes}
    assert after == before


def test_paper_counts_survive_the_round_trip(tmp_path: Path) -> None:
    code, _, err = run("convert", "cycle", str(FIXTURES / "decidim_cycle.toml"), "--to", "pabulib", "-o", str(tmp_path))
    assert code == 0, err
    pb = (tmp_path / "Keskusta.pb").read_text(encoding="utf-8")
    assert "project_id;cost;name;extra_approvals\n11;60000;Skatepark;1\n" in pb


# --- Bad exports: one clear error naming the file and where, exit 1 ---------------------------


def write(tmp_path: Path, name: str, text: str) -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return str(tmp_path / name)


APPROVALS = (FIXTURES / "stanford_approvals_individual.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("format", "name", "text", "expected"),
    [
        (
            "stanford-approvals",
            "a.csv",
            APPROVALS.replace("Authentication ID,", ""),
            "a.csv:1: header starts 'Voter ID,Playground'; expected Voter ID,Authentication ID,<project title>...",
        ),
        (
            "stanford-approvals",
            "a.csv",
            APPROVALS.replace("Bike lanes", "Murals"),
            "a.csv:1: two projects are titled 'Murals' (columns 5 and 6)",
        ),
        (
            "stanford-approvals",
            "a.csv",
            APPROVALS.replace("$30000", "$lots"),
            "a.csv:2: project 'Street lights' (column 4): cost '$lots' is not an amount",
        ),
        (
            "stanford-approvals",
            "a.pb",
            (FIXTURES / "decidim_keskusta.pb").read_text(encoding="utf-8"),
            "a.pb:1: header starts 'META'",
        ),
        ("decidim-pb", "a.pb", APPROVALS, "a.pb:1: line starts with 'Voter ID,Authentication ID"),
        ("omastadi-xlsx", "a.xlsx", APPROVALS, "a.xlsx: not an Excel workbook"),
        (
            "decidim-projects",
            "p.csv",
            "id;title/fi;budget_amount;confirmed_votes\n1;Puisto;100;2\n",
            "p.csv:1: the projects export has no budget/id",
        ),
        ("consul-investments", "c.csv", "ID,Title,Supports,Heading\n1,A,3,X\n", "c.csv:1: the header has no price"),
    ],
)
def test_bad_export_gives_one_clear_error(tmp_path: Path, format: str, name: str, text: str, expected: str) -> None:
    path = write(tmp_path, name, text)
    code, _out, err = run("convert", format, path, "-o", str(tmp_path / "out"), "--amount", "100000")
    assert code == 1
    lines = [line for line in err.splitlines() if line]
    assert len(lines) == 1, err
    assert lines[0].startswith(f"Error: {tmp_path / expected.split(':')[0]}:" + expected.split(":", 1)[1].lstrip(":"))
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_empty_and_incomplete_sheets(tmp_path: Path) -> None:
    sheets = {name: [list(row) for row in rows] for name, rows in SHEETS.items()}
    sheets["Itäinen - Votes"] = []
    write_workbook(tmp_path / "empty.xlsx", sheets)
    code, _, err = run("convert", "omastadi-xlsx", str(tmp_path / "empty.xlsx"), "-o", str(tmp_path / "out"))
    assert code == 1
    assert err.strip() == f"Error: {tmp_path / 'empty.xlsx'}:Itäinen - Votes!A1: the sheet is empty; " \
        "expected a header row and rows"  # fmt: skip
    sheets = {name: [list(row) for row in rows] for name, rows in SHEETS.items()}
    sheets["Eteläinen - Votes"] = [[c for c in VOTE_HEADER if c != "age"]]
    write_workbook(tmp_path / "noage.xlsx", sheets)
    code, _, err = run("convert", "omastadi-xlsx", str(tmp_path / "noage.xlsx"), "-o", str(tmp_path / "out"))
    assert code == 1
    assert err.startswith(f"Error: {tmp_path / 'noage.xlsx'}:Eteläinen - Votes!A1: the header has no age")


def test_exports_must_be_utf8(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes(APPROVALS.replace("Murals", "Seinäjoki").encode("cp1252"))
    code, _, err = run("convert", "stanford-approvals", str(tmp_path / "a.csv"), "-o", str(tmp_path / "o"),
                       "--amount", "1")  # fmt: skip
    assert code == 1
    assert err.strip() == (
        f"Error: {tmp_path / 'a.csv'}:1: byte 0xe4 is not UTF-8 text; expected a UTF-8 file (save it as UTF-8)"
    )


def test_omastadi_one_voter_across_budgets_is_seen_by_one_district(omastadi: Path) -> None:
    # user_hash is the same voter in both budgets: uh6 votes in Itäinen and now also in
    # Eteläinen (postal code and age aside), which "one-district" refuses on the second ballot.
    sheets = {name: [list(row) for row in rows] for name, rows in SHEETS.items()}
    sheets["Eteläinen - Votes"].append(
        ["uh6", 0, "h9", 1, "Eteläinen", 100000, None, "203", 1, 0, "suomifi", "00100", "50", "", None, "", ""]
    )
    write_workbook(omastadi / "omastadi.xlsx", sheets)
    text = CYCLE.replace('choose = "home-district"', 'choose = "one-district"')
    (omastadi / "cycle.toml").write_text(text, encoding="utf-8")
    record = tally_cycle(omastadi / "cycle.toml", exclude_invalid=True)
    second = [w for w in record.warnings if "second district" in w.message]
    # The cell is the voter's user_hash (column A) on the Itäinen sheet, row 2.
    assert [w.file for w in second] == ["omastadi.xlsx:Itäinen - Votes!A2"]
    assert "voter 'uh6' votes in a second district, 'Itäinen' (first: 'Eteläinen') (ballot left out)" in (
        second[0].message
    )


def test_a_pabulib_pot_takes_its_own_paper_counts(tmp_path: Path) -> None:
    # The same pot as decidim_cycle.toml, read as plain pabulib: 13, 11, 14 (hand-worked above).
    shutil.copy(FIXTURES / "decidim_keskusta.pb", tmp_path / "k.pb")
    shutil.copy(FIXTURES / "decidim_keskusta_paper.csv", tmp_path / "paper.csv")
    (tmp_path / "cycle.toml").write_text(
        '[cycle]\nname = "x"\n[[pots]]\nname = "K"\namount = "100000"\n'
        'files = { format = "pabulib", ballots = "k.pb", paper_counts = "paper.csv" }\n',
        encoding="utf-8",
    )
    assert funded(tmp_path / "cycle.toml") == {"K": ("13", "11", "14")}
    assert "1 pots, 4 projects, 5 ballots" in validate_cycle(tmp_path / "cycle.toml")


# --- Properties: what a platform writes, the reader reads back -----------------------------


TITLES = st.lists(
    st.text(alphabet="abcdefgh äö-", min_size=1, max_size=8).map(str.strip).filter(bool),
    min_size=1,
    max_size=6,
    unique=True,
)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), titles=TITLES)
def test_stanford_approvals_read_back_what_the_platform_wrote(data: st.DataObject, titles: list[str]) -> None:
    # Written as approvals_individual_csv writes it (header, $cost row, 0/1 rows), with
    # Python's csv quoting titles that need it, as Ruby's CSV does.
    import csv
    import io

    costs = data.draw(st.lists(st.integers(1, 10**7), min_size=len(titles), max_size=len(titles)))
    rows = data.draw(st.lists(st.lists(st.booleans(), min_size=len(titles), max_size=len(titles)), max_size=12))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Voter ID", "Authentication ID", *titles])
    writer.writerow(["", "", *(f"${c}" for c in costs)])
    for k, row in enumerate(rows):
        writer.writerow([str(k + 1), "", *(int(x) for x in row)])
    read = read_pot("stanford-approvals", out.getvalue().encode(), "a.csv", budget=Fraction(10**8))
    election = read.election
    assert [(p.project_id, p.cost) for p in election.projects] == list(zip(titles, costs, strict=True))
    kept = [(str(k + 1), tuple(t for t, x in zip(titles, row, strict=True) if x)) for k, row in enumerate(rows)]
    kept = [(voter, chosen) for voter, chosen in kept if chosen]
    assert list(zip(election.ballots.voter_ids, election.ballots.projects, strict=True)) == kept
    assert bool(read.warnings) == (len(kept) < len(rows))


@settings(max_examples=60, deadline=None)
@given(data=st.data(), titles=TITLES)
def test_decidim_pb_with_paper_counts_scores_online_plus_paper(data: st.DataObject, titles: list[str]) -> None:
    # A Decidim-layout file (order ids, sorted votes) and paper counts: each project's
    # online approvals plus its paper count is what greedy ranks by; checked against a
    # count made here from the drawn orders.
    ids = [str(10 + k) for k in range(len(titles))]
    orders = data.draw(st.lists(st.sets(st.sampled_from(ids), min_size=1), min_size=1, max_size=10))
    paper = data.draw(st.lists(st.integers(0, 50), min_size=len(ids), max_size=len(ids)))
    lines = ["META", "key;value", "description;x", f"num_projects;{len(ids)}", f"num_votes;{len(orders)}"]
    lines += ["budget;1000", "vote_type;approval", "rule;greedy", "PROJECTS", "project_id;name;cost;votes;selected"]
    lines += [f"{i};{t};100;{sum(i in o for o in orders)};0" for i, t in zip(ids, titles, strict=True)]
    lines += ["VOTES", "voter_id;vote"] + [f"{500 + k};{','.join(sorted(o))}" for k, o in enumerate(orders)]
    election = read_pot("decidim-pb", "\n".join(lines).encode(), "d.pb").election
    counts = {i: n for i, n in zip(ids, paper, strict=True) if n}
    with_paper = add_paper_counts(election, counts, {}, "p.csv")
    online = {i: sum(i in items for items in with_paper.ballots.projects) for i in ids}
    assert {p.project_id: online[p.project_id] + (p.extra_approvals or 0) for p in with_paper.projects} == {
        i: sum(i in o for o in orders) + n for i, n in zip(ids, paper, strict=True)
    }


CELL_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12).filter(lambda t: not any(ord(c) < 32 for c in t)),
    st.dates(),
)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_omastadi_reader_never_crashes_on_odd_cells(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    # Any cell of the hand-made workbook replaced by any value a spreadsheet can hold: the
    # reader reads it or refuses it with an error naming the file, never anything else.
    from asukasbudjetti.errors import AsukasbudjettiError

    sheets = {name: [list(row) for row in rows] for name, rows in SHEETS.items()}
    for _ in range(data.draw(st.integers(1, 4))):
        name = data.draw(st.sampled_from(sorted(sheets)))
        row = data.draw(st.integers(0, len(sheets[name]) - 1))
        column = data.draw(st.integers(0, len(sheets[name][row]) - 1))
        sheets[name][row][column] = data.draw(CELL_VALUES)
    path = write_workbook(tmp_path_factory.mktemp("odd") / "odd.xlsx", sheets)
    message = ""
    try:
        rows = read_cycle_rows("omastadi-xlsx", path.read_bytes(), "odd.xlsx")
    except AsukasbudjettiError as exc:
        message = str(exc)
    if message:
        assert message.startswith("odd.xlsx")
    else:
        assert all(isinstance(p.cost, Fraction) for p in rows.projects)


@pytest.mark.parametrize("count", ["²", "١٢"])
def test_paper_counts_in_other_scripts_digits_are_refused_not_crashed_on(tmp_path: Path, count: str) -> None:
    # str.isdigit() says yes to "²" (and int() then raised an internal error); only 0-9 count.
    for name in ("decidim_keskusta.pb", "decidim_cycle.toml"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    (tmp_path / "decidim_keskusta_paper.csv").write_text(f"id;new_paper_ballots\n11;{count}\n", encoding="utf-8")
    with pytest.raises(ProblemsError, match=":2: project '11': paper count"):
        tally_cycle(tmp_path / "decidim_cycle.toml")
    (tmp_path / "paper.csv").write_text(f"project_id,votes\n11,{count}\n", encoding="utf-8")
    (tmp_path / "cycle.toml").write_text(
        '[cycle]\nname = "x"\n[files]\npaper_counts = "paper.csv"\n'
        '[[pots]]\nname = "K"\namount = "100000"\npabulib = "decidim_keskusta.pb"\n',
        encoding="utf-8",
    )
    with pytest.raises(ProblemsError, match=r"paper\.csv:2: row"):
        tally_cycle(tmp_path / "cycle.toml")


def test_a_cycle_names_an_export_with_its_format(omastadi: Path) -> None:
    from asukasbudjetti.errors import InputError

    text = CYCLE.replace('export = "omastadi.xlsx"', 'export = "omastadi.xlsx"\nballots = "b.csv"')
    (omastadi / "cycle.toml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="reads projects and ballots from export"):
        validate_cycle(omastadi / "cycle.toml")
    (omastadi / "cycle.toml").write_text(CYCLE.replace('format = "omastadi-xlsx"\n', ""), encoding="utf-8")
    with pytest.raises(InputError, match="export needs a format"):
        validate_cycle(omastadi / "cycle.toml")
    (omastadi / "cycle.toml").write_text(CYCLE.replace('"Itäinen"', '"Itä"'), encoding="utf-8")
    with pytest.raises(InputError, match=r"pots Itä are not in .*omastadi\.xlsx"):
        validate_cycle(omastadi / "cycle.toml")
    (omastadi / "cycle.toml").write_text(CYCLE.replace('"50000"', '"60000"'), encoding="utf-8")
    with pytest.raises(InputError, match=r"pot 'Itäinen' has amount 60000, but .* says 50000"):
        validate_cycle(omastadi / "cycle.toml")


@pytest.mark.parametrize(
    ("format", "export", "expected"),
    [
        ("stanford-approvals", "stanford_approvals_individual.csv", {"Playground", "Street lights", "Murals"}),
        ("stanford-knapsacks", "stanford_knapsacks_individual.csv", {"Playground", "Bike lanes", "Murals"}),
        ("decidim-pb", "decidim_keskusta.pb", {"11", "12", "14"}),
    ],
)
def test_pabulib_output_reads_in_pabutools(tmp_path: Path, format: str, export: str, expected: set[str]) -> None:
    # pabutools (an independent reader and greedy, a dev extra) on the .pb files convert
    # writes: the same funded projects as worked by hand above.
    election = pytest.importorskip("pabutools.election", reason="pabutools is a dev extra")
    rules = pytest.importorskip("pabutools.rules", reason="pabutools is a dev extra")
    code, _, err = run("convert", format, str(FIXTURES / export), "--to", "pabulib", "-o", str(tmp_path),
                       "--amount", "100000")  # fmt: skip
    assert code == 0, err
    (path,) = tmp_path.glob("*.pb")
    instance, profile = election.parse_pabulib(str(path))
    outcome = rules.greedy_utilitarian_welfare(instance, profile, sat_class=election.Cost_Sat)
    assert {project.name for project in outcome} == expected


def test_a_tokens_pot_takes_its_costs_from_the_approvals_file(tmp_path: Path) -> None:
    # The tokens tally worked above (Bike lanes, Playground, Murals), read from a cycle pot;
    # without the approvals file there are no costs, and the error says where to get them.
    from asukasbudjetti.errors import InputError

    for name in ("stanford_tokens_individual.csv", "stanford_approvals_individual.csv"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    costs = ', costs = "stanford_approvals_individual.csv"'
    pot = (
        '[[pots]]\nname = "T"\namount = "100000"\nballot = { kind = "cumulative" }\n'
        f'files = {{ format = "stanford-tokens", ballots = "stanford_tokens_individual.csv"{costs} }}\n'
    )
    (tmp_path / "cycle.toml").write_text('[cycle]\nname = "t"\n' + pot, encoding="utf-8")
    assert funded(tmp_path / "cycle.toml") == {"T": ("Bike lanes", "Playground", "Murals")}
    (tmp_path / "cycle.toml").write_text('[cycle]\nname = "t"\n' + pot.replace(costs, ""), encoding="utf-8")
    with pytest.raises(InputError, match="tokens_individual has no costs; expected an approvals_individual file"):
        tally_cycle(tmp_path / "cycle.toml")


def test_omastadi_budget_nobody_voted_in(omastadi: Path) -> None:
    # Both sheets of a budget empty (project_data maps no votes): a pot with nothing in it,
    # warned; one empty sheet beside a full one stays an error (test_empty_and_incomplete_sheets).
    sheets = {name: [list(row) for row in rows] for name, rows in SHEETS.items()}
    sheets["Itäinen - Votes"], sheets["Itäinen - Projects"] = [], []
    write_workbook(omastadi / "omastadi.xlsx", sheets)
    record = tally_cycle(omastadi / "cycle.toml", exclude_invalid=True)
    assert {o.pot: (o.funded, o.left) for o in record.outcomes} == {
        "Eteläinen": (("201", "202"), 10000),
        "Itäinen": ((), 50000),
    }
    assert "omastadi.xlsx:Itäinen - Votes!A1" in [w.file for w in record.warnings if w.code == "no-votes"]
