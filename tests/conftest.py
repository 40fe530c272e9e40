"""Shared fixtures: the real pabulib sample, when it is there."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PABULIB = ROOT.parent / "shared" / "pabulib"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MISSING_PABULIB = f"the real pabulib sample is not at {PABULIB} (it lives beside the project, never inside it)"
#: The wide set: 1,643 more real elections, packed; unpacked once per machine outside the repository.
WIDE_ARCHIVE = ROOT.parent / "shared" / "pabulib-wide"
WIDE_DIR = Path(tempfile.gettempdir()) / "asukasbudjetti-pabulib-wide"


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


@pytest.fixture(scope="session")
def wide_dir() -> Path:
    """../shared/pabulib-wide unpacked (with its own unpack.sh, which checks every file
    against the manifest and keeps a complete earlier copy) into the system temp dir."""
    unpack = WIDE_ARCHIVE / "unpack.sh"
    if not unpack.is_file():
        pytest.skip(f"the wide pabulib set is not at {WIDE_ARCHIVE} (it lives beside the project)")
    done = subprocess.run(["bash", str(unpack), str(WIDE_DIR)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot unpack {WIDE_ARCHIVE} into {WIDE_DIR}: {done.stderr.strip()[-300:]}")
    return WIDE_DIR
