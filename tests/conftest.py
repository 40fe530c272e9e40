"""Shared fixtures: the real pabulib sample, when it is there."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PABULIB = ROOT.parent / "shared" / "pabulib"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MISSING_PABULIB = f"the real pabulib sample is not at {PABULIB} (it lives beside the project, never inside it)"


def pabulib_files() -> list[Path]:
    """Every .pb file of the sample, sorted; empty when the folder is missing."""
    if not PABULIB.is_dir():
        return []
    return sorted(PABULIB.glob("*.pb"))


def pabulib_params() -> list[object]:
    """pytest parameters over the sample, or one skipped parameter saying why."""
    files = pabulib_files()
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason=MISSING_PABULIB), id="no-pabulib")]
    return [pytest.param(path, id=path.stem[:60]) for path in files]


@pytest.fixture
def pabulib_dir() -> Path:
    if not PABULIB.is_dir():
        pytest.skip(MISSING_PABULIB)
    return PABULIB
