"""Every crash the fuzzer found, replayed: each kept input must keep the property now.

``python -m fuzz`` writes each crashing input to ``tests/fixtures/fuzz/<target>/<hash>/``
(the files, and ``case.json`` with the command line and what happened); this test runs
each of them again through the real command line with the checks of :mod:`fuzz.check`.
A fixed crash stays fixed. With no fixtures yet there is one skipped test saying so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fuzz.campaign import FIXTURE_ROOT, fixture_folders, load_fixture
from fuzz.check import run_case


def _fixtures() -> list[object]:
    folders = fixture_folders()
    if not folders:
        reason = f"no fuzz fixtures under {FIXTURE_ROOT} yet (python -m fuzz writes one for each crash it finds)"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="no-fuzz-fixtures")]
    return [pytest.param(folder, id=f"{folder.parent.name}/{folder.name}") for folder in folders]


@pytest.mark.parametrize("folder", _fixtures())
def test_fuzz_fixture_keeps_the_property(folder: Path) -> None:
    case, found = load_fixture(folder)
    verdict = run_case(case)
    assert verdict.ok, (
        f"{verdict.kind}: {verdict.description}\n"
        f"found as {found['kind']}: {found['description']}\n"
        f"replay: {found['replay']}\n"
        f"{verdict.stderr[-1500:]}"
    )
