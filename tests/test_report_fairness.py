"""The report's fairness section (report --fairness) on hand-solved instances.

Every expected verdict and number is worked out by hand in the comments from the
definitions in asukasbudjetti.analysis.justified and .satisfaction; the sentences
are written by hand in each language.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from asukasbudjetti.cli import main
from asukasbudjetti.errors import InputError
from asukasbudjetti.io.record import write_record
from asukasbudjetti.publish.report import render_report
from asukasbudjetti.tally import tally_file

# Budget 5, five voters. a costs 2; w 2, x 2, y 1. Voters 0 and 1 approve only a; voters 2, 3 and 4
# approve w, x and y. Greedy takes w, x, y (3 votes each) first: 2 + 2 + 1 = 5 is the whole budget,
# and a (2 votes) no longer fits.
# {a} is cohesive for voters 0 and 1: 2 >= n x cost / budget = 5 x 2 / 5 = 2. They are owed
# s({a}) = 2 (money) or 1 project and get nothing: EJR and PJR fail for both measures; up to one
# project (strict) too, since 0 + s(a) = 2 > 2 and 0 + 1 > 1 are false. All eight checks: no.
# Satisfaction by money: 0, 0, 5, 5, 5: average 15 / 5 = 3; 3 of 5 (60 %) have a funded project;
# Gini = sum of |xi - xj| over ordered pairs / (2 n^2 mean) = (2 x 2 x 3 x 5) / (2 x 25 x 3) = 60 / 150 = 0.4.
# By number of projects: 0, 0, 3, 3, 3: average 9 / 5 = 1.8, Gini 0.4 likewise.
GREEDY_FAILS = """META
key;value
budget;5
vote_type;approval
rule;greedy
PROJECTS
project_id;cost
a;2
w;2
x;2
y;1
VOTES
voter_id;vote
v0;a
v1;a
v2;w,x,y
v3;w,x,y
v4;w,x,y
"""

# The same voters of the analysis tests' EJR violation, tallied as the file says (greedy, ties by the
# published order): a, w and x are funded (2 + 1 + 1 = 4). Voters 0 and 1 get a (2 = what {a} owes
# them); voters 2 and 3 get w and x, worth 2, and no set of their projects is owed more: a group of 2
# of 4 voters deserves what costs at most 2 x 4 / 4 = 2. Every check holds.
GREEDY_HOLDS = """META
key;value
budget;4
vote_type;approval
rule;greedy
PROJECTS
project_id;cost
a;2
w;1
x;1
y;1
z;1
VOTES
voter_id;vote
v0;a
v1;a
v2;w,x,y,z
v3;w,x,y,z
"""

CHECKS = (
    "EJR (by money)",
    "EJR (by number of projects)",
    "EJR up to one project (by money)",
    "EJR up to one project (by number of projects)",
    "PJR (by money)",
    "PJR (by number of projects)",
    "PJR up to one project (by money)",
    "PJR up to one project (by number of projects)",
)


def _record(folder: Path, text: str) -> Path:
    (folder / "hand.pb").write_text(text, encoding="utf-8")
    record = folder / "hand.json"
    write_record(record, tally_file(folder / "hand.pb"))
    return record


def test_the_markdown_section_has_the_hand_solved_verdicts_and_witness(tmp_path: Path) -> None:
    record = _record(tmp_path, GREEDY_FAILS)
    before = record.read_bytes()
    text = render_report(record, "md", fairness=True)
    assert record.read_bytes() == before  # the analysis is not in the record
    assert "### Was the outcome fair?" in text
    for name in CHECKS:
        assert f"| {name} | no |" in text
    assert (
        "**EJR (by money)**: 2 voters approve all of a (cost 2); they are enough to deserve it: 2 \\>= 2 voters "
        "(voters x cost / budget); none of them got 2: the best served got 0."
    ) in text
    assert (
        "**PJR (by money)**: 2 voters approve all of a (cost 2); they are enough to deserve it: 2 \\>= 2 voters "
        "(voters x cost / budget); together the funded projects they voted for (nothing) are worth 0, less than "
        "the 2 they are owed."
    ) in text  # Markdown escapes ">" as "\\>"
    assert "| money | 5 | 3 | 3 (60%) | 0.4 |" in text
    assert "| number of projects | 5 | 1.8 | 3 (60%) | 0.4 |" in text
    # Voters by the number of funded projects they voted for: 2 with none, 3 with all three.
    assert "| 0 | 2 |" in text
    assert "| 3 | 3 |" in text
    # Without --fairness, no section.
    assert "Was the outcome fair?" not in render_report(record, "md")


def test_the_html_section_in_finnish_and_swedish(tmp_path: Path) -> None:
    record = _record(tmp_path, GREEDY_FAILS)
    finnish = render_report(record, "html", fairness=True, lang="fi")
    assert '<h3 id="pot-1-fairness">Oliko tulos oikeudenmukainen?</h3>' in finnish
    assert finnish.count('<span class="no">ei</span>') == 8
    assert (
        "<b>EJR (rahana)</b>: 2 äänestäjää kannattaa kaikkia näistä: a (hinta 2); heitä on tarpeeksi ansaitakseen "
        "sen: 2 &gt;= 2 äänestäjää (äänestäjät x hinta / budjetti); kukaan heistä ei saanut 2: eniten saanut sai 0."
    ) in finnish
    # The histogram: an SVG with its name and a table with the same numbers.
    assert re.search(r'<svg [^>]*role="img" aria-label="[^"]*hand.pb: äänestäjät sen mukaan', finnish)
    assert '<td class="num">3</td><td class="num">3</td>' in finnish
    swedish = render_report(record, "html", fairness=True, lang="sv")
    assert '<h3 id="pot-1-fairness">Var resultatet rättvist?</h3>' in swedish
    assert swedish.count('<span class="no">nej</span>') == 8
    assert "<b>EJR (i pengar)</b>: 2 väljare röstar på alla av a (kostnad 2);" in swedish
    # Deterministic bytes: the same page twice.
    assert render_report(record, "html", fairness=True, lang="sv") == swedish


def test_every_check_holds_when_the_group_is_served(tmp_path: Path) -> None:
    record = _record(tmp_path, GREEDY_HOLDS)
    text = render_report(record, "md", fairness=True)
    for name in CHECKS:
        assert f"| {name} | yes |" in text
    assert "the best served got" not in text


def test_the_command_and_its_errors(tmp_path: Path) -> None:
    record = _record(tmp_path, GREEDY_FAILS)
    digest = hashlib.sha256(record.read_bytes()).hexdigest()
    runner = CliRunner()
    done = runner.invoke(main, ["report", str(record), "--fairness", "--lang", "en", "-o", str(tmp_path / "r.html")])
    assert done.exit_code == 0, done.output
    assert "Was the outcome fair?" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert hashlib.sha256(record.read_bytes()).hexdigest() == digest
    # The inputs elsewhere: found with --inputs, missing without.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    moved = elsewhere / "hand.json"
    moved.write_bytes(record.read_bytes())
    missing = runner.invoke(main, ["report", str(moved), "--fairness", "--format", "md"])
    assert missing.exit_code == 1
    assert "hand.pb" in missing.output
    assert "--inputs" in missing.output
    assert "Traceback" not in missing.output
    found = runner.invoke(main, ["report", str(moved), "--fairness", "--format", "md", "--inputs", str(tmp_path)])
    assert found.exit_code == 0
    assert "Was the outcome fair?" in found.output
    # An input changed since the record was made: no analysis of some other outcome.
    (tmp_path / "hand.pb").write_text(GREEDY_FAILS.replace("v4;w,x,y", "v4;a"), encoding="utf-8")
    with pytest.raises(InputError, match="SHA-256 differs"):
        render_report(record, "md", fairness=True)


def test_an_outcome_the_rule_does_not_give_again_is_not_analysed(tmp_path: Path) -> None:
    from asukasbudjetti.analysis.analyse import analyse_record
    from asukasbudjetti.io.record import read_record

    record = read_record(_record(tmp_path, GREEDY_FAILS))
    assert set(analyse_record(record, tmp_path)[record.outcomes[0].pot].rules[0].funded) == {"w", "x", "y"}
    # A record that says a and y were funded (not what greedy gives on these ballots): refused, not analysed.
    other = record.model_copy(update={"outcomes": (record.outcomes[0].model_copy(update={"funded": ("a", "y")}),)})
    with pytest.raises(InputError, match="did not give the record's outcome"):
        analyse_record(other, tmp_path)
