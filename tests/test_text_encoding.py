"""One way in for text: every reader refuses a Windows-1252 file naming the file, line and byte.

A city official who saves cycle.toml from a Windows editor in Windows-1252, with
"Seinäjoki" in it, must get ``FILE:LINE: byte 0xe4 is not UTF-8 text; expected a
UTF-8 file (save it as UTF-8)`` and exit code 1 from ``tally`` and ``validate``,
never a traceback. 0xe4 is "ä" in Windows-1252 (and Latin-1); in UTF-8 it would be
the two bytes 0xc3 0xa4.
"""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from asukasbudjetti.cli import main
from asukasbudjetti.errors import InputError
from asukasbudjetti.io.text import decode_text

ROOT = Path(__file__).resolve().parent.parent
SEINAJOKI = ROOT / "examples" / "seinajoki_2023"
EXPECTED = "is not UTF-8 text; expected a UTF-8 file (save it as UTF-8)"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def refused(result: Result, where: str, byte: int = 0xE4) -> None:
    assert result.exit_code == 1, result.output
    assert f"{where}: byte {byte:#04x} {EXPECTED}" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def cp1252(path: Path, *, line: int, replace: tuple[str, str]) -> None:
    """Re-save ``path`` in Windows-1252 with ``replace`` applied on ``line`` (from 1), so
    that the line holds an "ä"."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    old, new = replace
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_bytes("".join(lines).encode("cp1252"))


@pytest.fixture
def cycle(tmp_path: Path) -> Path:
    folder = tmp_path / "seinajoki"
    shutil.copytree(SEINAJOKI, folder)
    return folder


def test_windows_1252_cycle_file(cycle: Path) -> None:
    # Line 1 is the comment "# Seinäjoki-style ...": its "ä" is the first non-UTF-8 byte.
    text = (cycle / "cycle.toml").read_text(encoding="utf-8")
    (cycle / "cycle.toml").write_bytes(text.encode("cp1252"))
    for command in ("tally", "validate"):
        refused(invoke(command, str(cycle / "cycle.toml")), f"{cycle / 'cycle.toml'}:1")
    refused(invoke("tally", str(cycle / "cycle.toml"), "--exclude-invalid"), f"{cycle / 'cycle.toml'}:1")


def test_windows_1252_projects_csv(cycle: Path) -> None:
    # Line 3 is P2's row; its name becomes "Benches by the river Seinäjoki".
    cp1252(cycle / "projects.csv", line=3, replace=("river", "river Seinäjoki"))
    for command in ("tally", "validate"):
        refused(invoke(command, str(cycle / "cycle.toml")), f"{cycle / 'projects.csv'}:3")


def test_windows_1252_ballots_csv(cycle: Path) -> None:
    # Line 2 is voter a1's row; the voter id becomes "ä1".
    cp1252(cycle / "ballots.csv", line=2, replace=("a1", "ä1"))
    for command in ("tally", "validate"):
        refused(invoke(command, str(cycle / "cycle.toml")), f"{cycle / 'ballots.csv'}:2")


def test_windows_1252_paper_counts(cycle: Path) -> None:
    toml = cycle / "cycle.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            'ballots = "ballots.csv"\n', 'ballots = "ballots.csv"\npaper_counts = "paper.csv"\n'
        ),
        encoding="utf-8",
    )
    # Line 3 holds the "ä" (a comment-like project id is enough: decoding comes first).
    (cycle / "paper.csv").write_bytes("project_id,votes\nP1,2\nPä,1\n".encode("cp1252"))
    for command in ("tally", "validate"):
        refused(invoke(command, str(toml)), f"{cycle / 'paper.csv'}:3")


def test_windows_1252_pabulib_file(tmp_path: Path) -> None:
    source = (ROOT / "examples" / "kumpula_2025.pb").read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, start=1) if line.startswith("description;"))
    lines[number - 1] = "description;Kumpula, Helsingfors och Käpylä\n"
    target = tmp_path / "kumpula.pb"
    target.write_bytes("".join(lines).encode("cp1252"))
    refused(invoke("tally", str(target)), f"{target}:{number}")
    refused(invoke("validate", str(target)), f"{target}:{number}")


def test_windows_1252_record(tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    assert invoke("tally", str(ROOT / "examples" / "kumpula_2025.pb"), "-o", str(record)).exit_code == 0
    # The record is one line: a name with "ä" in Windows-1252 is on line 1.
    text = record.read_text(encoding="utf-8").replace('"pot":"', '"pot":"Käpylä ', 1)
    record.write_bytes(text.encode("cp1252"))
    for command in ("verify", "explain", "report"):
        refused(invoke(command, str(record)), f"{record}:1")


def test_the_byte_order_mark_is_allowed_everywhere(cycle: Path, tmp_path: Path) -> None:
    for name in ("cycle.toml", "projects.csv", "ballots.csv"):
        path = cycle / name
        path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())
    assert invoke("validate", str(cycle / "cycle.toml")).exit_code == 0
    pb = tmp_path / "kumpula.pb"
    pb.write_bytes(codecs.BOM_UTF8 + (ROOT / "examples" / "kumpula_2025.pb").read_bytes())
    assert invoke("tally", str(pb)).exit_code == 0


def test_decode_text_counts_lines_as_the_readers_do() -> None:
    # CR, LF and CRLF each end one line: the bad byte is on line 4.
    with pytest.raises(InputError, match=r"^x\.csv:4: byte 0xff is not UTF-8 text; expected a UTF-8 file"):
        decode_text(b"a\r\nb\rc\n\xff\n", "x.csv")
    assert decode_text(codecs.BOM_UTF8 + "ä\n".encode(), "x") == "ä\n"


@pytest.mark.parametrize("key", ["projects", "ballots"])
def test_a_cycle_naming_a_missing_file_says_where(cycle: Path, key: str) -> None:
    toml = cycle / "cycle.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(f'{key} = "{key}.csv"', f'{key} = "{key}.cs v"'), encoding="utf-8"
    )
    for command in ("tally", "validate"):
        result = invoke(command, str(toml))
        assert result.exit_code == 1
        assert f"{toml}: {key} = '{key}.cs v' names no readable file ({cycle / (key + '.cs v')})" in result.stderr
        assert "Traceback" not in result.stderr
