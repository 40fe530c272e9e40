"""Time parse + greedy for asukasbudjetti and for pabutools on two large pabulib files.

Run from the project root::

    .venv/bin/python benchmarks/bench_greedy.py [--repeat N] [--pabutools-repeat N]
                                                [--pabulib DIR] [--markdown-out FILE]

For asukasbudjetti it measures

* the whole command-line process ``asukasbudjetti tally FILE --rule greedy --json``
  (the console script next to ``sys.executable``), wall time, best of ``--repeat``;
* in process: ``load_election`` (read + validate) as *parse*, and
  ``tally_election(election, rule="greedy")`` (compile the profile + run the rule +
  compare with the announced outcome) as *greedy*, each best of ``--repeat``.

For pabutools it measures ``parse_pabulib`` as *parse* and
``greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)`` as *greedy*,
best of ``--pabutools-repeat``. For the "whole process" row it times a fresh
interpreter doing the same (``PABUTOOLS_PROCESS``). It checks that both funded the
same set of projects.

Missing files (or a missing pabutools) are reported and skipped; the exit code is 0.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import platform
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchcommon import best_of, code_version, run_process

from asukasbudjetti.tally import load_election, tally_election

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PABULIB = PROJECT_ROOT.parent / "shared" / "pabulib"
FILES = ("Poland_Warszawa_2026.pb", "Poland_Wroclaw_2020.pb")
CONSOLE_SCRIPT = Path(sys.executable).parent / "asukasbudjetti"
# pabutools has no command line: the nearest thing to our ``tally`` process is a fresh
# interpreter that imports it, parses the file and runs the rule.
PABUTOOLS_PROCESS = """\
import json, sys
from pabutools.election import Cost_Sat, parse_pabulib
from pabutools.rules import greedy_utilitarian_welfare
instance, profile = parse_pabulib(sys.argv[1])
allocation = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
print(json.dumps(sorted(project.name for project in allocation)))
"""


@dataclass
class FileResult:
    """Timings (seconds, best of N) for one file; ``None`` where not measured."""

    name: str
    ours_parse: float | None = None
    ours_greedy: float | None = None
    ours_process: float | None = None
    ours_process_rss_kib: int | None = None
    theirs_parse: float | None = None
    theirs_greedy: float | None = None
    theirs_process: float | None = None
    theirs_process_rss_kib: int | None = None
    ours_funded: frozenset[str] | None = None
    theirs_funded: frozenset[str] | None = None
    ours_process_funded: frozenset[str] | None = None
    theirs_process_funded: frozenset[str] | None = None
    notes: list[str] = field(default_factory=list)


def time_process(
    command: Sequence[str], repeat: int, funded_of: Callable[[str], frozenset[str]]
) -> tuple[float, int | None, frozenset[str]]:
    """Best wall time of ``repeat`` runs, the peak RSS seen (KiB) and the funded set.

    Raises RuntimeError when the command fails.
    """
    best = float("inf")
    peak: int | None = None
    funded: frozenset[str] = frozenset()
    for _ in range(max(1, repeat)):
        elapsed, rss, stdout, code = run_process(command)
        if code != 0:
            raise RuntimeError(f"exit code {code}: {stdout}")
        best = min(best, elapsed)
        if rss is not None:
            peak = rss if peak is None else max(peak, rss)
        funded = funded_of(stdout)
    return best, peak, funded


def _record_funded(stdout: str) -> frozenset[str]:
    return frozenset(json.loads(stdout)["outcomes"][0]["funded"])


def _list_funded(stdout: str) -> frozenset[str]:
    return frozenset(json.loads(stdout))


def bench_processes(path: Path, args: argparse.Namespace, result: FileResult) -> None:
    """Time our ``tally`` command and the pabutools equivalent, each in a fresh process."""
    if not CONSOLE_SCRIPT.exists():
        result.notes.append(f"skipped: the tally process: {CONSOLE_SCRIPT} not found")
    else:
        command = [str(CONSOLE_SCRIPT), "tally", str(path), "--rule", "greedy", "--json"]
        try:
            result.ours_process, result.ours_process_rss_kib, result.ours_process_funded = time_process(
                command, args.repeat, _record_funded
            )
        except RuntimeError as exc:
            result.notes.append(f"skipped: the tally process: {exc}")
    if args.have_pabutools:
        command = [sys.executable, "-c", PABUTOOLS_PROCESS, str(path)]
        try:
            result.theirs_process, result.theirs_process_rss_kib, result.theirs_process_funded = time_process(
                command, args.pabutools_repeat, _list_funded
            )
        except RuntimeError as exc:
            result.notes.append(f"skipped: the pabutools process: {exc}")


def bench_ours(path: Path, repeat: int, result: FileResult) -> None:
    """Time our parse (read + validate) and our greedy (compile + rule), in process."""
    result.ours_parse, loaded = best_of(repeat, lambda: load_election(path))
    election = loaded[0]
    result.ours_greedy, (pot, _) = best_of(repeat, lambda: tally_election(election, rule="greedy"))
    result.ours_funded = frozenset(pot.funded)


def bench_pabutools(path: Path, repeat: int, result: FileResult) -> None:
    """Time pabutools' parse_pabulib and greedy_utilitarian_welfare (Cost_Sat), in process."""
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare

    result.theirs_parse, (instance, profile) = best_of(repeat, lambda: parse_pabulib(str(path)))
    result.theirs_greedy, allocation = best_of(
        repeat, lambda: greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    )
    result.theirs_funded = frozenset(project.name for project in allocation)


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _ratio(theirs: float | None, ours: float | None) -> str:
    if theirs is None or ours is None or ours <= 0:
        return "—"
    return f"{theirs / ours:.1f}×"


def _sum(*values: float | None) -> float | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def markdown_table(results: Sequence[FileResult]) -> str:
    lines = [
        "| file | step | asukasbudjetti (s) | pabutools (s) | ratio (pabutools / ours) |",
        "|---|---|---:|---:|---:|",
    ]
    for r in results:
        ours_total = _sum(r.ours_parse, r.ours_greedy)
        theirs_total = _sum(r.theirs_parse, r.theirs_greedy)
        rows: list[tuple[str, float | None, float | None]] = [
            ("parse", r.ours_parse, r.theirs_parse),
            ("greedy", r.ours_greedy, r.theirs_greedy),
            ("parse+greedy", ours_total, theirs_total),
            # pabutools: a fresh interpreter doing import + parse + greedy (PABUTOOLS_PROCESS).
            ("whole `tally` process", r.ours_process, r.theirs_process),
        ]
        for step, ours, theirs in rows:
            cells = (r.name, step, _seconds(ours), _seconds(theirs), _ratio(theirs, ours))
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary_lines(results: Sequence[FileResult]) -> list[str]:
    lines: list[str] = []
    for r in results:
        if r.ours_funded is not None and r.theirs_funded is not None:
            same = "yes" if r.ours_funded == r.theirs_funded else "no"
            detail = (
                f" ({len(r.ours_funded)} projects)"
                if same == "yes"
                else (
                    f" (only ours: {sorted(r.ours_funded - r.theirs_funded)}, "
                    f"only pabutools: {sorted(r.theirs_funded - r.ours_funded)})"
                )
            )
            lines.append(f"{r.name}: same funded set: {same}{detail}")
        for who, process, in_process in (
            ("tally", r.ours_process_funded, r.ours_funded),
            ("pabutools", r.theirs_process_funded, r.theirs_funded),
        ):
            if process is not None and in_process is not None and process != in_process:
                lines.append(f"{r.name}: the {who} process and {who} in process funded different sets!")
        if r.ours_process_rss_kib is not None:
            lines.append(f"{r.name}: peak RSS of the tally process: {r.ours_process_rss_kib / 1024:.0f} MiB")
        if r.theirs_process_rss_kib is not None:
            lines.append(f"{r.name}: peak RSS of the pabutools process: {r.theirs_process_rss_kib / 1024:.0f} MiB")
        lines.extend(f"{r.name}: {note}" for note in r.notes)
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--pabulib",
        type=Path,
        default=DEFAULT_PABULIB,
        metavar="DIR",
        help=f"folder with the .pb files (default: {DEFAULT_PABULIB})",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        metavar="N",
        help="runs per measurement of ours, best taken (default: 3)",
    )
    parser.add_argument(
        "--pabutools-repeat",
        type=int,
        default=1,
        metavar="N",
        help="runs per measurement of pabutools, best taken (default: 1)",
    )
    parser.add_argument(
        "--markdown-out",
        type=Path,
        metavar="FILE",
        help="also write the table (and summary lines) to FILE",
    )
    args = parser.parse_args(argv)

    print(f"python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} CPUs")
    print(f"asukasbudjetti code: {code_version()}")
    print(f"pabulib folder: {args.pabulib}")
    print(f"repeat: ours best of {args.repeat}, pabutools best of {args.pabutools_repeat}")
    # Both sides start from compiled bytecode, as an installed package does: pip
    # compiled pabutools when installing it, but an editable install of ours is
    # compiled on first import, and never cached where PYTHONDONTWRITEBYTECODE is set.
    import asukasbudjetti

    compileall.compile_dir(str(Path(asukasbudjetti.__file__).parent), quiet=1)
    print("asukasbudjetti bytecode: compiled before timing")
    args.have_pabutools = importlib.util.find_spec("pabutools") is not None
    if not args.have_pabutools:
        print("pabutools not installed")

    paths: list[Path] = []
    for name in FILES:
        path = args.pabulib / name
        if path.is_file():
            paths.append(path)
        else:
            print(f"skipped: {path} not found")
    results = [FileResult(name=path.name) for path in paths]

    # Fresh processes first, while this process is still small (see run_process).
    for path, result in zip(paths, results, strict=True):
        print(f"timing {path.name}: processes ...", flush=True)
        bench_processes(path, args, result)
    # Then ours in process, then pabutools in process: pabutools leaves a large heap
    # behind, which would slow down whatever runs after it.
    for path, result in zip(paths, results, strict=True):
        print(f"timing {path.name}: asukasbudjetti in process ...", flush=True)
        try:
            bench_ours(path, args.repeat, result)
        except Exception as exc:
            result.notes.append(f"skipped: asukasbudjetti in process: {type(exc).__name__}: {exc}")
    if args.have_pabutools:
        for path, result in zip(paths, results, strict=True):
            print(f"timing {path.name}: pabutools in process ...", flush=True)
            try:
                bench_pabutools(path, args.pabutools_repeat, result)
            except Exception as exc:
                result.notes.append(f"skipped: pabutools in process: {type(exc).__name__}: {exc}")

    if not results:
        print("skipped: no file could be timed")
        return 0
    table = markdown_table(results)
    summary = summary_lines(results)
    print()
    print(table)
    print()
    print("\n".join(summary))
    if args.markdown_out is not None:
        args.markdown_out.write_text(table + "\n\n" + "\n".join(f"- {s}" for s in summary) + "\n", encoding="utf-8")
        print(f"wrote {args.markdown_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
