"""Results in Finnish, Swedish and English: the Helsinki example's report, tally's tables, --json unchanged.

The expected sentences are written by hand from the example's inputs
(examples/helsinki_2025: Eteläinen's budget is its population figure, 1 868 353, as
the split gives every district its population in euros; ETE06 costs 400 000 in
projects.csv), not copied from the output. Finnish and Swedish group digits with
a no-break space (U+00A0), as Babel writes them; :func:`plain` turns it into a
space where a test compares with text typed by hand.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from asukasbudjetti.cli import main
from asukasbudjetti.cycles import tally_cycle
from asukasbudjetti.i18n import LANGS, Texts, check_lang
from asukasbudjetti.io.record import write_record
from asukasbudjetti.publish.presentation import of_input
from asukasbudjetti.publish.report import render_report

ROOT = Path(__file__).resolve().parent.parent
HELSINKI = ROOT / "examples" / "helsinki_2025"
KUMPULA = ROOT / "examples" / "kumpula_2025.pb"


def plain(text: str) -> str:
    """Babel's no-break spaces as plain spaces, for comparing with hand-typed text."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def helsinki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("helsinki") / "helsinki.json"
    write_record(path, tally_cycle(HELSINKI / "cycle.toml"))
    return path


def report(record: Path, lang: str) -> str:
    return render_report(record, "html", lang=lang, inputs_dir=str(HELSINKI))


# --- money and numbers ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "currency", "amount", "expected"),
    [
        ("fi", "EUR", Fraction(1868353), "1 868 353 €"),
        ("sv", "EUR", Fraction(1868353), "1 868 353 €"),
        ("en", "EUR", Fraction(1868353), "€1,868,353"),
        ("fi", "EUR", Fraction("999.8"), "999,80 €"),
        ("en", "EUR", Fraction("1000.5"), "€1,000.50"),
        ("en", "PLN", Fraction(2500), "PLN2,500"),
        ("fi", "PLN", Fraction(2500), "2 500 PLN"),
        ("sv", "CHF", Fraction("12.05"), "12,05 CHF"),
        ("en", "USD", Fraction(7), "$7"),
        # More decimals than cents: all of them, never rounded silently.
        ("fi", "EUR", Fraction("0.125"), "0,125 €"),
        # No finite decimal form: the fraction with its approximation.
        ("fi", "EUR", Fraction(8125, 3), "8125/3 ≈ 2 708,33 €"),
        ("en", None, Fraction(8125, 3), "8125/3 ≈ 2,708.33"),
        ("en", None, Fraction(1200), "1,200"),
    ],
)
def test_money_as_each_language_writes_it(lang: str, currency: str | None, amount: Fraction, expected: str) -> None:
    assert plain(Texts(lang, currency).money(amount)) == expected  # type: ignore[arg-type]


def test_finnish_groups_with_a_no_break_space() -> None:
    assert Texts("fi", "EUR").money(Fraction(1868353)) == "1\u00a0868\u00a0353\u00a0€"


@pytest.mark.parametrize(
    ("lang", "share", "expected"),
    [("fi", Fraction(1, 2), "50 %"), ("sv", Fraction(1, 4), "25 %"), ("en", Fraction(1, 3), "about 33.33%")],
)
def test_percentages(lang: str, share: Fraction, expected: str) -> None:
    assert plain(Texts(lang).percent(share)) == expected  # type: ignore[arg-type]


def test_language_codes_as_inputs_write_them() -> None:
    assert [check_lang(code) for code in ("fi", "FI", "sv-FI", "en_GB", "pl", "", None)] == [
        "fi",
        "fi",
        "sv",
        "en",
        None,
        None,
        None,
    ]


# --- where the language comes from -----------------------------------------------------------------------------


def test_language_and_currency_from_the_inputs(tmp_path: Path) -> None:
    assert of_input(KUMPULA).language == "fi"  # META language;fi
    assert of_input(KUMPULA).currency == "EUR"
    cycle = tmp_path / "cycle.toml"
    cycle.write_text('[cycle]\nname = "Test"\ncurrency = "SEK"\nlanguage = "sv"\n', encoding="utf-8")
    presentation = of_input(cycle)
    assert (presentation.language, presentation.currency, presentation.title) == ("sv", "SEK", "Test")
    assert presentation.texts().lang == "sv"
    assert presentation.texts("en").lang == "en"  # --lang wins
    assert of_input(HELSINKI / "cycle.toml").language is None  # no language key: English
    assert of_input(tmp_path / "missing.pb").texts().lang == "en"


def test_the_cycle_file_accepts_a_language_and_refuses_an_unknown_one(tmp_path: Path) -> None:
    text = (HELSINKI / "cycle.toml").read_text(encoding="utf-8")
    for name in ("projects.csv", "ballots.csv"):
        (tmp_path / name).write_bytes((HELSINKI / name).read_bytes())
    (tmp_path / "cycle.toml").write_text(text.replace('currency = "EUR"', 'currency = "EUR"\nlanguage = "sv"'))
    code, out, err = run("tally", str(tmp_path / "cycle.toml"))
    assert code == 0, err
    assert plain(out).startswith("ballots.csv: område 'Eteläinen', regel greedy, budget 1 868 353 €\n")
    (tmp_path / "cycle.toml").write_text(text.replace('currency = "EUR"', 'currency = "EUR"\nlanguage = "de"'))
    code, _, err = run("tally", str(tmp_path / "cycle.toml"))
    assert code == 1
    assert "language" in err
    assert "Traceback" not in err


# --- the Helsinki example's report ---------------------------------------------------------------------------


def test_helsinki_report_in_finnish(helsinki: Path) -> None:
    page = plain(report(helsinki, "fi"))
    assert '<html lang="fi">' in page
    assert '<h2 id="pot-1-title">Eteläinen</h2>' in page
    assert "<li>budjetti<b>1 868 353 €</b></li>" in page
    assert "<h3>Rahoitetut suunnitelmat</h3>" in page
    assert '<td class="text"><b>ETE06</b> Street trees for Punavuori</td><td class="num">339</td>' in page
    assert '<td class="num">400 000 €</td>' in page
    assert (
        "Suunnitelmat käytiin läpi äänimäärän mukaan, eniten ääniä saanut ensin. Kukin rahoitettiin, jos se mahtui "
        "jäljellä olevaan rahaan; jos ei mahtunut, se ohitettiin ja kokeiltiin seuraavaa."
    ) in page
    assert (
        "Suunnitelma ETE06 ”Street trees for Punavuori” (kustannus 400 000 €) sijoittui 1. sijalle 339 äänellä. "
        "Kun sen vuoro tuli, rahaa oli jäljellä 1 868 353 €, joten se rahoitettiin ja jäljelle jäi 1 468 353 €."
    ) in page
    assert '<h2 id="verification-title">Tarkista tulos itse</h2>' in page


def test_helsinki_report_in_swedish(helsinki: Path) -> None:
    page = plain(report(helsinki, "sv"))
    assert '<html lang="sv">' in page
    assert "<li>budget<b>1 868 353 €</b></li>" in page
    assert "<h3>Finansierade projekt</h3>" in page
    assert (
        "Projekt ETE06 ”Street trees for Punavuori” (kostnad 400 000 €) hamnade på 1:a plats med 339 röster. "
        "När det var dess tur återstod 1 868 353 €, så det finansierades och 1 468 353 € blev kvar."
    ) in page
    assert '<h2 id="verification-title">Kontrollera resultatet själv</h2>' in page


def _numbers(page: str, lang: str) -> list[str]:
    """The table cells' numbers of a report, written the same way whatever the language."""
    cells = re.findall(r'<td class="num">(.*?)</td>', page)
    found = []
    for cell in cells:
        text = re.sub(r"<[^>]+>", "", cell)
        text = text.replace(",", "") if lang == "en" else plain(text).replace(" ", "").replace(",", ".")
        found.append(re.sub(r"[^0-9./~-]", "", text))
    return found


def test_one_record_in_three_languages_gives_the_same_numbers(helsinki: Path) -> None:
    pages = {lang: report(helsinki, lang) for lang in LANGS}
    numbers = {lang: _numbers(page, lang) for lang, page in pages.items()}
    assert len(numbers["en"]) > 100
    assert numbers["fi"] == numbers["en"]
    assert numbers["sv"] == numbers["en"]
    assert "1868353" in numbers["en"]
    assert len({len(page.split("<svg")) for page in pages.values()}) == 1  # the same charts


# --- tally's table and --json ----------------------------------------------------------------------------------


def test_tally_lang_fi_on_a_pabulib_file_and_on_a_cycle() -> None:
    code, out, err = run("tally", str(KUMPULA), "--lang", "fi")
    assert code == 0, err
    lines = plain(out).splitlines()
    assert lines[0] == "kumpula_2025.pb: alue 'Kumpula', sääntö greedy, budjetti 100 000 €"
    assert lines[1].split() == ["sija", "suunnitelma", "pisteet", "äänet", "kustannus", "päätös"]
    assert "  rahoitetut (4):" in lines
    assert "    K6 Bird boxes for the allotments, 9 500,50 €" in lines
    code, out, err = run("tally", str(HELSINKI / "cycle.toml"), "--lang", "fi")
    assert code == 0, err
    lines = plain(out).splitlines()
    assert lines[0] == "ballots.csv: alue 'Eteläinen', sääntö greedy, budjetti 1 868 353 €"
    assert "  käytetty 1 820 000 €, jäljellä 48 353 €" in lines
    assert "kierros 'Helsinki OmaStadi-style 2025-2026 (synthetic ballots)':" in lines


@pytest.mark.parametrize("source", [KUMPULA, HELSINKI / "cycle.toml"])
def test_json_and_the_record_are_the_same_bytes_in_every_language(source: Path, tmp_path: Path) -> None:
    outputs = set()
    records = set()
    for lang in (None, *LANGS):
        options = [] if lang is None else ["--lang", lang]
        code, out, err = run("tally", str(source), "--json", *options)
        assert code == 0, err
        outputs.add(out)
        target = tmp_path / f"{lang}.json"
        code, _, err = run("tally", str(source), "-o", str(target), *options)
        assert code == 0, err
        records.add(target.read_bytes())
    assert len(outputs) == 1
    assert len(records) == 1
    assert records == {outputs.pop().encode("utf-8")}


def test_explain_and_verify_speak_the_language(helsinki: Path, tmp_path: Path) -> None:
    code, out, err = run("explain", str(helsinki), "--project", "ETE06", "--lang", "sv")
    assert code == 0, err
    # No inputs beside this record: no currency, numbers grouped the Swedish way.
    assert plain(out).startswith("Eteläinen: Projekt ETE06 ”Street trees for Punavuori” (kostnad 400 000) hamnade")
    record = tmp_path / "kumpula.json"
    (tmp_path / "kumpula_2025.pb").write_bytes(KUMPULA.read_bytes())
    assert run("tally", str(tmp_path / "kumpula_2025.pb"), "-o", str(record))[0] == 0
    code, out, err = run("verify", str(record))
    assert code == 0, err
    assert out == "tarkistettu: 1 syötetiedosto, 1 alue\n"  # the input beside the record says fi
    assert run("verify", str(record), "--lang", "sv")[1] == "kontrollerat: 1 indatafil, 1 område\n"
    code, out, _ = run("explain", str(record), "--project", "K6")
    assert plain(out).startswith("Suunnitelma K6 ”Bird boxes for the allotments” (kustannus 9 500,50 €)")


def test_compare_in_finnish_and_its_json_in_no_language() -> None:
    code, out, err = run("compare", str(KUMPULA), "--rules", "greedy,equalshares", "--lang", "fi")
    assert code == 0, err
    lines = plain(out).splitlines()
    assert lines[0] == (
        "kumpula_2025.pb: alue 'Kumpula', approval-äänet, budjetti 100 000 €, 12 äänestäjää, siemenluku 0"
    )
    assert "  greedy rahoittaa: K1, K2, K4, K6" in lines
    outputs = {run("compare", str(KUMPULA), "--rules", "greedy", "--json", *lang)[1] for lang in ([], ["--lang", "sv"])}
    assert len(outputs) == 1


def test_a_large_amount_keeps_every_digit() -> None:
    # Beyond Decimal's default 28 digits of precision: still exact, to the cent.
    amount = Fraction(10**40 + 1, 100)
    assert Texts("en", "EUR").money(amount) == "€" + f"{10**38:,}" + ".01"
    assert plain(Texts("fi", "EUR").money(amount)) == f"{10**38:,}".replace(",", " ") + ",01 €"
