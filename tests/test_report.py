"""The report command: one self-contained HTML page (or a Markdown summary) from a record alone."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from asukasbudjetti import __version__
from asukasbudjetti.cli import main
from asukasbudjetti.cycles import tally_cycle
from asukasbudjetti.errors import InputError
from asukasbudjetti.i18n import Texts
from asukasbudjetti.io.record import read_record, read_record_file, write_record
from asukasbudjetti.model.record import Record
from asukasbudjetti.publish.report import render_html, render_markdown, render_report
from asukasbudjetti.tally import tally_file

ROOT = Path(__file__).resolve().parent.parent
#: How a report writes numbers when nothing says its language or currency.
ENGLISH = Texts("en")
GOOD = ROOT / "tests" / "fixtures" / "good"
ARTIFACTS = ROOT / "tests" / "artifacts"

#: URLs a report may contain: none. A report is one file that fetches nothing.
ALLOWED_URLS: tuple[str, ...] = ()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def saved(record: Record, target: Path) -> Path:
    write_record(target, record)
    return target


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("records")
    return {
        "greedy": saved(tally_file(ROOT / "examples" / "kumpula_2025.pb"), folder / "kumpula.json"),
        "mes": saved(tally_file(GOOD / "approval.pb", rule="equalshares"), folder / "approval_mes.json"),
        "cycle": saved(tally_cycle(ROOT / "examples" / "seinajoki_2023" / "cycle.toml"), folder / "seinajoki.json"),
        # --rule greedy: ties settled by lower cost (official settles them by the published order).
        "tie": saved(tally_file(GOOD / "tie_cost.pb", rule="greedy"), folder / "tie_cost.json"),
    }


def read_with_sha256(path: Path) -> tuple[Record, str]:
    raw, record = read_record_file(path)
    return record, hashlib.sha256(raw).hexdigest()


def html_of(path: Path) -> str:
    record, sha256 = read_with_sha256(path)
    return render_html(record, record_name=path.name, record_sha256=sha256)


class _Links(HTMLParser):
    """Every tag, and every attribute that could make a browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.references: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("href", "src", "srcset", "action", "poster", "data", "xlink:href") and value is not None:
                self.references.append(value)
            if name == "id" and value is not None:
                self.ids.append(value)


def links(text: str) -> _Links:
    parser = _Links()
    parser.feed(text)
    parser.close()
    return parser


# --- content -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["greedy", "mes", "cycle", "tie"])
def test_html_names_every_funded_project_of_every_pot(records: dict[str, Path], kind: str) -> None:
    record = read_record(records[kind])
    page = html_of(records[kind])
    funded = [project for outcome in record.outcomes for project in outcome.funded]
    assert funded
    for project in funded:
        assert f"<b>{project}</b>" in page
    for outcome in record.outcomes:
        assert outcome.pot in page
        for amount in (outcome.budget, outcome.spent, outcome.left):
            # No inputs beside the record: English, amounts as numbers grouped by thousands.
            assert ENGLISH.money(amount) in page


def test_html_shows_the_project_names_a_record_carries_escaped(records: dict[str, Path]) -> None:
    # A name the record carries is shown, escaped (a name is text from a city's
    # export, not markup).
    record = read_record(records["greedy"])
    names = {"K1": "Skatepark; lighting & benches", "K2": "Community garden", "K4": "<script>x</script>", "K6": "$5"}
    record = record.model_copy(update={"outcomes": (record.outcomes[0].model_copy(update={"names": names}),)})
    page = render_html(record, record_name="kumpula.json")
    assert "<b>K1</b> Skatepark; lighting &amp; benches" in page
    assert "<b>K2</b> Community garden" in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    assert "<script" not in page
    markdown = render_markdown(record, record_name="kumpula.json")
    assert "**K2** Community garden" in markdown
    assert r"\<script\>" in markdown


def test_html_per_pot_charts_budget_bar_and_steps(records: dict[str, Path]) -> None:
    page = html_of(records["greedy"])
    assert page.count("<svg") == 2  # the budget bar and the projects by support
    assert 'aria-label="Kumpula: projects by votes, funded ones in green"' in page
    assert 'aria-label="Kumpula: budget 100,000, spent 99,500.50, left 499.50"' in page
    assert "99.5%" in page
    # The greedy walk with its decisions and reasons (the step table; under the
    # explanations when asukasbudjetti.explain can read the record).
    assert "did not fit by 15,000" in page
    assert "did not fit in the money left" in page
    assert "This is the outcome the input file announces." in page
    cycle = html_of(records["cycle"])
    assert cycle.count("<svg") == 2 * 5
    assert "Money left over, moved" in cycle
    assert "Koko kaupunki" in cycle


def test_html_shows_the_equal_shares_rounds(records: dict[str, Path]) -> None:
    page = html_of(records["mes"])
    assert "<h3>Equal Shares rounds</h3>" in page
    assert "effective votes in round 1" in page
    # Round 2: P2 for 1000.1, cap per voter 250.025 shown rounded, exact value kept in the title.
    assert '<span title="250.025">~250.02</span>' in page
    assert "600.02" in page  # the endowment


def test_html_shows_ties(records: dict[str, Path]) -> None:
    page = html_of(records["tie"])
    assert "2 ties, 1 of them decisive" in page
    assert "lower cost" in page


def test_html_verification_data(records: dict[str, Path]) -> None:
    path = records["cycle"]
    record, sha256 = read_with_sha256(path)
    page = html_of(path)
    assert "<code>asukasbudjetti verify seinajoki.json</code>" in page
    assert sha256 in page
    for item in record.inputs:
        assert item.file in page
        assert item.sha256 in page
    for outcome in record.outcomes:
        for key in type(outcome.params).model_fields:
            assert f"<code>{key}</code>" in page
    for key in type(record.invocation).model_fields:
        assert f"<code>{key}</code>" in page
    assert f"asukasbudjetti {__version__}" in page
    greedy = html_of(records["greedy"])
    assert "<code>seed</code></td><td><code>0</code>" in greedy


# --- self-contained, phone-ready, reproducible --------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["greedy", "mes", "cycle", "tie"])
def test_html_is_self_contained(records: dict[str, Path], kind: str) -> None:
    page = html_of(records[kind])
    found = re.findall(r"https?://[^\s\"'<>)]*", page)
    assert [url for url in found if url not in ALLOWED_URLS] == []
    assert "<script" not in page.lower()
    assert "<link" not in page.lower()
    assert "@import" not in page
    parsed = links(page)
    # The only references are to places in the page itself.
    assert all(reference.startswith("#") for reference in parsed.references), parsed.references
    assert len(parsed.ids) == len(set(parsed.ids)), "ids repeat across the inline charts"
    for reference in parsed.references:
        assert reference[1:] in parsed.ids, reference
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "<style>" in page
    assert "@media" in page


def test_two_reports_of_one_record_are_byte_identical(records: dict[str, Path], tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        target = tmp_path / f"report{seed}.html"
        # Separate processes with different hash seeds: nothing may depend on a process.
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "asukasbudjetti.cli", "report", str(records["cycle"]), "-o", str(target)],
            check=True,
            env=env,
            timeout=120,
        )
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    assert html_of(records["cycle"]).encode("utf-8") == outputs[0]


def test_other_commands_do_not_import_matplotlib() -> None:
    code = (
        "import sys, asukasbudjetti.cli, asukasbudjetti.publish.report; "
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# --- Markdown ------------------------------------------------------------------------------------------------------


def test_markdown_summary(records: dict[str, Path]) -> None:
    path = records["cycle"]
    record, sha256 = read_with_sha256(path)
    text = render_markdown(record, record_name=path.name, record_sha256=sha256)
    assert text.startswith("# Seinäjoki-style asukasbudjetti 2023-2024 (example)\n")
    for outcome in record.outcomes:
        assert f"## {outcome.pot}\n" in text
        assert f"- Spent: {ENGLISH.money(outcome.spent)} (" in text
        assert f"- Left: {ENGLISH.money(outcome.left)} (" in text
        for project in outcome.funded:
            assert f"**{project}**" in text
    assert "- 8,000 from Pohjoinen to Koko kaupunki" in text
    for item in record.inputs:
        assert f"`{item.sha256}`" in text
    assert sha256 in text
    assert "asukasbudjetti verify seinajoki.json" in text
    assert '`tie_breaking="lower cost, then lottery"`' in text
    greedy = render_markdown(read_record(records["greedy"]), record_name="kumpula.json")
    assert (
        "1. **K1** Skatepark; lighting and benches (cost 45,000)\n2. **K2** Community garden (cost 30,000)\n"
        "3. **K4** Library reading corner (cost 15,000)\n4. **K6** Bird boxes for the allotments (cost 9,500.50)"
    ) in greedy
    assert "Matches the outcome the input file announces." in greedy
    assert "seed: 0" in greedy


def test_markdown_lists_ties(records: dict[str, Path]) -> None:
    text = render_markdown(read_record(records["tie"]), record_name="tie_cost.json")
    assert "- step 1: T1, T2, settled by lower cost (decisive)" in text
    assert "- step 3: T3, T4, settled by lower cost (not decisive)" in text


# --- the command ---------------------------------------------------------------------------------------------------


def test_report_command_writes_html_and_markdown(records: dict[str, Path], tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    code, out, err = run("report", str(records["greedy"]), "-o", str(page))
    assert code == 0, err
    assert out == ""
    assert page.read_text(encoding="utf-8") == html_of(records["greedy"])
    summary = tmp_path / "summary.md"
    code, _, err = run("report", str(records["greedy"]), "-o", str(summary))  # .md: Markdown by default
    assert code == 0, err
    assert summary.read_text(encoding="utf-8").startswith("# Residents' budget results: Kumpula\n")
    code, out, _ = run("report", str(records["greedy"]), "--format", "md")
    assert code == 0
    assert out == summary.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "summary.md"]  # no temporary files left


def test_report_command_refuses_what_is_not_a_record(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"outcomes": 3}', encoding="utf-8")
    code, _, err = run("report", str(bad), "-o", str(tmp_path / "out.html"))
    assert code == 1
    assert f"{bad}: not a result record" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out.html").exists()
    code, _, err = run("report", str(tmp_path / "missing.json"))
    assert code == 1
    assert "cannot read the record" in err
    code, _, err = run("report", str(bad), "--format", "pdf")
    assert code == 2


def test_report_names_the_file_and_fields_of_a_malformed_record(records: dict[str, Path], tmp_path: Path) -> None:
    data = json.loads(records["greedy"].read_text(encoding="utf-8"))
    data["outcomes"][0]["steps"][1]["cost"] = 30000  # a JSON number, not exact money text
    del data["outcomes"][0]["spent"]
    bad = tmp_path / "malformed.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match=r"outcomes\[0\]\.spent: missing") as raised:
        render_report(bad)
    message = str(raised.value)
    assert message.startswith(f"{bad}: not a result record this version reads: ")
    assert "outcomes[0].steps[1].cost: " in message
    code, out, err = run("report", str(bad), "--format", "md")
    assert code == 1
    assert out == ""
    assert message in err
    assert "Traceback" not in err


# --- in a browser --------------------------------------------------------------------------------------------------


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def test_report_opens_in_headless_chromium_on_a_phone_sized_window(records: dict[str, Path], tmp_path: Path) -> None:
    chromium = _chromium()
    if chromium is None:
        pytest.skip("no Chromium installed (Debian: apt-get install chromium); the report's browser test is skipped")
    page = tmp_path / "report.html"
    page.write_text(html_of(records["cycle"]), encoding="utf-8")
    shot = tmp_path / "report.png"
    result = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=412,900",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.is_file()
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 1000
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report.png").write_bytes(data)
    # No script error and no failed load on the page (Chromium's own start-up noise,
    # such as D-Bus, names no page).
    log = result.stdout + result.stderr
    problems = [
        line
        for line in log.splitlines()
        if "Uncaught" in line or ("Failed to load" in line and ("report.html" in line or "file://" in line))
    ]
    assert problems == []
    assert "CONSOLE" not in log


def test_html_shows_how_far_each_unfunded_project_was(tmp_path: Path) -> None:
    # As in test_margins_cli: two more supporters, or a cost of at most 999.80, fund P3 (Outdoor gym).
    from asukasbudjetti.audit.margins import tally_file_with_margins

    record = tally_file_with_margins(GOOD / "approval.pb", rule="greedy")
    page = render_html(record, record_name="approval.json")
    assert "<h3>How far the unfunded projects were</h3>" in page
    assert '<td class="text"><b>P3</b> Outdoor gym</td><td class="num">2</td><td class="num">999.80</td>' in page
    finnish = render_html(record, record_name="approval.json", texts=Texts("fi", "EUR"))
    assert "<h3>Kuinka lähellä rahoitusta rahoittamatta jääneet olivat</h3>" in finnish
    assert '<td class="num">999,80\u00a0€</td>' in finnish
