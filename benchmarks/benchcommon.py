"""What the benchmarks share: best-of timing, timing a whole process, the code measured."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

try:
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

T = TypeVar("T")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def best_of(repeat: int, function: Callable[[], T]) -> tuple[float, T]:
    """Run ``function`` max(1, ``repeat``) times; return the best wall time and last result."""
    gc.collect()
    start = time.perf_counter()
    result = function()
    best = time.perf_counter() - start
    for _ in range(repeat - 1):
        gc.collect()
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def own_peak_rss_kib() -> int | None:
    """This process's peak RSS in KiB, if the platform tells."""
    if resource is None:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def run_process(command: Sequence[str]) -> tuple[float, int | None, str, int]:
    """Run a command once: wall time, peak RSS (KiB, if known), stdout (or error), exit code.

    Linux charges a child the high-water RSS of the address space it was spawned from
    (subprocess uses vfork), so a child's ``ru_maxrss`` is never below this process's
    own peak. The RSS is reported only when it is above that floor; this is why all
    processes run before anything big is loaded here.
    """
    floor = own_peak_rss_kib()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err)
        rss: int | None = None
        if hasattr(os, "wait4"):
            # wait4 gives this child's own rusage; RUSAGE_CHILDREN is the max over all children.
            _, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            rss = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
            if floor is not None and rss <= floor:
                rss = None
        else:  # pragma: no cover - Windows
            proc.wait()
            elapsed = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", errors="replace")
        stderr = err.read().decode("utf-8", errors="replace")
    if proc.returncode != 0:
        stdout = stderr.strip().splitlines()[-1] if stderr.strip() else "(no message)"
    return elapsed, rss, stdout, proc.returncode


def code_version(src: Path | None = None) -> str:
    """The commit measured, and whether src/ has uncommitted changes (if git is there)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    if src is not None:
        return f"{head} (package from {src}; src/ in the working tree not used)"
    return f"{head}" + (" + uncommitted changes under src/" if dirty else "")


def mib(kib: int | None) -> str:
    return "—" if kib is None else f"{kib / 1024:.0f}"
