"""The package's layout shows the data flow: each folder is one stage, and imports only point down.

files -> model -> validation -> compiled profile -> rule -> outcome -> record -> analysis -> audit/publish -> CLI.
docs/architecture.md draws it; this test walks every import in src/ (those inside
functions too) and fails on an import circle or on an arrow pointing up.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "asukasbudjetti"

#: Each stage, lowest first, and the modules (or folders) it holds. A module may import
#: its own stage and the stages below it, never a stage above.
STAGES: list[tuple[str, tuple[str, ...]]] = [
    ("foundation", ("version", "errors", "money", "problems", "i18n")),
    ("model", ("model",)),
    ("io", ("io",)),
    ("validation", ("validation",)),
    ("profile", ("profile",)),
    ("rules", ("rules",)),
    ("running", ("tally", "cycles", "batch")),
    ("analysis", ("analysis",)),
    ("audit", ("audit",)),
    ("publish", ("publish",)),
    ("cli", ("cli",)),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def stage_of(module: str) -> int:
    if module == "asukasbudjetti":
        return len(STAGES)  # the package's front door re-exports every stage
    first = module.split(".")[1]
    for rank, (_, members) in enumerate(STAGES):
        if first in members:
            return rank
    raise AssertionError(f"{module} belongs to no stage: add it to STAGES and to docs/architecture.md")


def imports_of(module: str) -> set[str]:
    """The package's modules that ``module`` imports, anywhere in its body."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for name in names:
            # "from asukasbudjetti.model import Election" names a module or an object in one.
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name.startswith("asukasbudjetti") and name != module and name in MODULES:
                found.add(name)
    return found


GRAPH = {module: imports_of(module) for module in MODULES}


def test_every_module_has_a_stage() -> None:
    for module in MODULES:
        stage_of(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str) -> None:
    upward = [
        f"{module} ({STAGES[stage_of(module)][0]}) imports {target} ({STAGES[stage_of(target)][0]})"
        for target in sorted(GRAPH[module])
        if stage_of(target) > stage_of(module) and not target.startswith(module + ".")
    ]
    assert not upward, "; ".join(upward)


def test_nothing_imports_the_package_front_door() -> None:
    assert not [
        module for module, targets in GRAPH.items() if "asukasbudjetti" in targets and module != "asukasbudjetti"
    ]


def test_no_import_circle() -> None:
    # A package's __init__ importing its own submodules is how packages re-export; a
    # submodule importing its package's __init__ back would close a circle, so keep both.
    seen: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        seen[module] = 1
        path.append(module)
        for target in sorted(GRAPH[module]):
            if seen.get(target) == 1:
                circle = [*path[path.index(target) :], target]
                raise AssertionError("import circle: " + " -> ".join(circle))
            if target not in seen:
                visit(target)
        path.pop()
        seen[module] = 2

    for module in sorted(MODULES):
        if module not in seen:
            visit(module)


def test_the_walker_sees_a_circle_and_an_upward_arrow() -> None:
    # The walker itself can fail: tally (running) importing audit.margins, as it once
    # did inside tally_file, would be caught both ways.
    assert stage_of("asukasbudjetti.audit.margins") > stage_of("asukasbudjetti.tally")
    assert "asukasbudjetti.tally" in GRAPH["asukasbudjetti.audit.margins"]
