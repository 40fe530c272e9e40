"""The Python examples in the documentation run, and print what the documentation shows.

docs/api.md: every ```python block runs, in order, in one namespace, from the
repository root; each prints exactly the ```text block that follows it (separated
only by blank lines), and a block with no such text block prints nothing.

README.md: the "As a library" block runs and prints what its final ``# `` comment
lines show.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
API = ROOT / "docs" / "api.md"
README = ROOT / "README.md"

#: Every function docs/api.md promises an example of: each must be called in a python block.
DOCUMENTED = (
    "tally_file(",
    "load_election(",
    "tally_election(",
    "tally_cycle(",
    "validate_cycle(",
    ".dumps(",
    "write_record(",
    "read_record(",
    "read_record_file(",
    "canonical_json(",
    "write_atomically(",
    "verify_record(",
    "explain(",
    "compare_file(",
    "compare_cycle(",
    "compare_election(",
    "render_comparison(",
    "comparison_json(",
    "compute_margins(",
    "tally_file_with_margins(",
    "render_report(",
    "render_html(",
    "render_markdown(",
)


@dataclass(frozen=True)
class Block:
    """A fenced block: its info string, its text, and the line of its opening fence."""

    info: str
    text: str
    line: int
    #: Whether only blank lines separate it from the block before it.
    follows: bool


def fenced_blocks(markdown: str) -> list[Block]:
    """Every fenced (```) block of a Markdown text, in order."""
    blocks: list[Block] = []
    lines = markdown.splitlines(keepends=True)
    index, gap_is_blank = 0, False
    while index < len(lines):
        line = lines[index]
        if not line.startswith("```"):
            gap_is_blank = gap_is_blank and not line.strip()
            index += 1
            continue
        start = index
        body: list[str] = []
        index += 1
        while index < len(lines) and lines[index].rstrip("\n") != "```":
            body.append(lines[index])
            index += 1
        assert index < len(lines), f"line {start + 1}: a fenced block is not closed"
        blocks.append(Block(info=line[3:].strip(), text="".join(body), line=start + 1, follows=gap_is_blank))
        index += 1
        gap_is_blank = True
    return blocks


def examples(markdown: str) -> list[tuple[Block, str | None]]:
    """Each python block with the text block that follows it, if any."""
    blocks = fenced_blocks(markdown)
    found: list[tuple[Block, str | None]] = []
    for position, block in enumerate(blocks):
        if block.info != "python":
            continue
        after = blocks[position + 1] if position + 1 < len(blocks) else None
        shown = after.text if after is not None and after.info == "text" and after.follows else None
        found.append((block, shown))
    return found


def run(code: str, where: str, namespace: dict[str, object]) -> str:
    """Run ``code`` in ``namespace`` and return what it printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, where, "exec"), namespace)
    return printed.getvalue()


def test_api_examples_run_and_print_what_the_page_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    found = examples(API.read_text(encoding="utf-8"))
    assert found, "docs/api.md has no python blocks"
    namespace: dict[str, object] = {"__name__": "docs_api"}
    for block, shown in found:
        where = f"docs/api.md:{block.line}"
        printed = run(block.text, where, namespace)
        if shown is None:
            assert printed == "", f"{where}: the block prints, but no ```text block after it shows what:\n{printed}"
        else:
            assert printed == shown, f"{where}: the block prints something else than the ```text block after it"


def test_api_page_has_an_example_of_every_function() -> None:
    code = "".join(block.text for block, _ in examples(API.read_text(encoding="utf-8")))
    missing = [name for name in DOCUMENTED if name not in code]
    assert not missing, f"docs/api.md has no example calling {', '.join(missing)}"


def test_fenced_blocks_pair_python_with_the_text_block_right_after_it() -> None:
    markdown = (
        "```python\nprint(1)\n```\n\n```text\n1\n```\n"
        "```python\nx = 2\n```\nprose\n```text\nnot this one\n```\n"
        "```\nsignature()\n```\n```python\nprint(x)\n```\n```text\n2\n```\n"
    )
    pairs = [(block.text, shown) for block, shown in examples(markdown)]
    assert pairs == [("print(1)\n", "1\n"), ("x = 2\n", None), ("print(x)\n", "2\n")]


def readme_library_block() -> str:
    """The python block of the README's "As a library" section."""
    section = README.read_text(encoding="utf-8").split("\n## As a library\n", 1)[1].split("\n## ", 1)[0]
    blocks = [block for block in fenced_blocks(section) if block.info == "python"]
    assert len(blocks) == 1, "the README's 'As a library' section should have one python block"
    return blocks[0].text


def test_readme_library_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code = readme_library_block()
    lines = code.splitlines()
    shown: list[str] = []
    while lines and lines[-1].startswith("# "):
        shown.insert(0, lines.pop()[2:])
    printed = run(code, "README.md (As a library)", {"__name__": "readme"})
    assert shown, "the README's example should end with the output it prints, as '# ' comments"
    assert printed.splitlines() == shown
