"""Time several rules in asukasbudjetti and in pabutools, side by side, on two large pabulib files.

Run from the project root::

    .venv/bin/python benchmarks/bench_rules.py [--repeat N] [--pabutools-repeat N]
                                               [--pabutools-timeout SECONDS]
                                               [--skip-pabutools RULE,...] [--rules RULE,...]
                                               [--pabulib DIR] [--markdown-out FILE]

Rules (our registry name -> pabutools call, always on ``parse_pabulib``'s instance and profile):

* ``greedy`` -> ``greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)``
* ``equalshares`` -> ``method_of_equal_shares(instance, profile, sat_class=Cost_Sat)``
* ``phragmen`` -> ``sequential_phragmen(instance, profile)``
* ``max-welfare`` -> ``max_additive_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)``
* ``equalshares/add1`` -> ``method_of_equal_shares(instance, profile, sat_class=Cost_Sat,
  voter_budget_increment=1)``

A rule that is not in ``asukasbudjetti.rules.RULES`` is skipped (on both sides) with a
``skipped: ... not registered`` line.

For asukasbudjetti, per file and rule:

* the whole command-line process ``asukasbudjetti tally FILE --rule R --json`` (the
  console script next to ``sys.executable``), wall time, best of ``--repeat``, and its
  peak RSS (``os.wait4``);
* in process: ``load_election`` once per file as *parse* (best of ``--repeat``), then
  ``tally_election(election, rule=R)`` (compile the profile + run the rule + compare
  with the announced outcome), best of ``--repeat``.

For pabutools, per file, a worker interpreter (this script with ``--pabutools-worker``)
times ``parse_pabulib`` once, then for each rule forks a child that runs the rule on the
already parsed instance and profile and times it; a child that has not finished after
``--pabutools-timeout`` seconds is killed and the rule is reported as a timeout. Each
rule is best of ``--pabutools-repeat`` (a fresh fork per run). Where both finished, the
script reports whether both funded the same set of project ids.

Missing files (or a missing pabutools) are reported and skipped; the exit code is 0.
"""

from __future__ import annotations

import argparse
import compileall
import gc
import importlib.util
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from benchcommon import best_of, code_version, mib, run_process

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PABULIB = PROJECT_ROOT.parent / "shared" / "pabulib"
FILES = ("Poland_Warszawa_2026.pb", "Poland_Wroclaw_2020.pb")
CONSOLE_SCRIPT = Path(sys.executable).parent / "asukasbudjetti"
#: Our registry name -> how the pabutools call is shown in the output.
RULES: dict[str, str] = {
    "greedy": "greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)",
    "equalshares": "method_of_equal_shares(instance, profile, sat_class=Cost_Sat)",
    "phragmen": "sequential_phragmen(instance, profile)",
    "max-welfare": "max_additive_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)",
    "equalshares/add1": "method_of_equal_shares(instance, profile, sat_class=Cost_Sat, voter_budget_increment=1)",
}

#: Documented ways in which pabutools' definition differs from ours (shown when the sets differ).
KNOWN_DIFFERENCES: dict[str, str] = {
    "phragmen": ("pabutools stops at the first project that does not fit, ours drops it and goes on (docs/rules.md)"),
}


@dataclass
class TheirRule:
    """pabutools' result for one rule: a time, a timeout, a skip or an error."""

    seconds: float | None = None
    funded: frozenset[str] | None = None
    timed_out: bool = False
    #: Why there is no time (skipped by option, error in pabutools); None otherwise.
    missing: str | None = None


@dataclass
class RuleResult:
    """Timings (seconds, best of N) for one rule on one file; ``None`` where not measured."""

    rule: str
    ours_process: float | None = None
    ours_process_rss_kib: int | None = None
    ours_process_funded: frozenset[str] | None = None
    ours_rule: float | None = None
    ours_funded: frozenset[str] | None = None
    theirs: TheirRule = field(default_factory=TheirRule)


@dataclass
class FileResult:
    """Everything measured on one file."""

    name: str
    rules: list[RuleResult]
    ours_parse: float | None = None
    theirs_parse: float | None = None
    notes: list[str] = field(default_factory=list)


# --- pabutools (worker process) ---------------------------------------------------------


def _pabutools_call(rule: str) -> Callable[[Any, Any], Any]:
    """The pabutools call for one of :data:`RULES` (pabutools is imported here only)."""
    from pabutools.election import Cost_Sat
    from pabutools.rules import (
        greedy_utilitarian_welfare,
        max_additive_utilitarian_welfare,
        method_of_equal_shares,
        sequential_phragmen,
    )

    calls: dict[str, Callable[[Any, Any], Any]] = {
        "greedy": lambda i, p: greedy_utilitarian_welfare(i, p, sat_class=Cost_Sat),
        "equalshares": lambda i, p: method_of_equal_shares(i, p, sat_class=Cost_Sat),
        "phragmen": lambda i, p: sequential_phragmen(i, p),
        "max-welfare": lambda i, p: max_additive_utilitarian_welfare(i, p, sat_class=Cost_Sat),
        "equalshares/add1": lambda i, p: method_of_equal_shares(i, p, sat_class=Cost_Sat, voter_budget_increment=1),
    }
    return calls[rule]


def _run_one(call: Callable[[Any, Any], Any], instance: Any, profile: Any, conn: Connection) -> None:
    """In a forked child: run the rule once, send ("ok", seconds, funded ids) or ("error", text)."""
    try:
        gc.collect()
        start = time.perf_counter()
        allocation = call(instance, profile)
        elapsed = time.perf_counter() - start
        conn.send(("ok", elapsed, sorted(str(project.name) for project in allocation)))
    except BaseException as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _run_forked(
    call: Callable[[Any, Any], Any], instance: Any, profile: Any, timeout: float
) -> tuple[str, float | None, list[str] | str | None]:
    """Run the rule once in a forked child; ("ok", s, ids), ("timeout", None, None) or ("error", None, text)."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_run_one, args=(call, instance, profile, send), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(timeout):
            child.kill()
            child.join()
            return "timeout", None, None
        try:
            message = receive.recv()
        except EOFError:
            child.join()
            return "error", None, f"the child process died (exit code {child.exitcode})"
        child.join()
    finally:
        receive.close()
    if message[0] == "ok":
        return "ok", float(message[1]), list(message[2])
    return "error", None, str(message[1])


def pabutools_worker(path: Path, rules: Sequence[str], repeat: int, timeout: float) -> dict[str, Any]:
    """Parse once (timed), then time each rule in forked children; a JSON-ready report."""
    from pabutools.election import parse_pabulib

    parse_seconds, (instance, profile) = best_of(1, lambda: parse_pabulib(str(path)))
    # The parsed election is never freed here: keep the collector from walking it (and
    # from touching its pages in each forked child, which would copy them).
    gc.collect()
    gc.freeze()
    report: dict[str, Any] = {"parse": parse_seconds, "rules": {}}
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    for rule in rules:
        print(f"  pabutools {rule} on {path.name} ...", file=sys.stderr, flush=True)
        call = _pabutools_call(rule)
        best: float | None = None
        funded: list[str] | None = None
        entry: dict[str, Any] = {}
        for _ in range(max(1, repeat)):
            if can_fork:
                status, seconds, detail = _run_forked(call, instance, profile, timeout)
            else:  # pragma: no cover - no fork (Windows): in process, without a timeout
                try:
                    seconds, allocation = best_of(1, lambda c=call: c(instance, profile))  # type: ignore[misc]
                    status, detail = "ok", sorted(str(p.name) for p in allocation)
                except Exception as exc:
                    status, seconds, detail = "error", None, f"{type(exc).__name__}: {exc}"
            if status == "timeout":
                entry = {"timeout": True}
                break
            if status == "error":
                entry = {"error": detail}
                break
            assert seconds is not None
            assert isinstance(detail, list)
            best = seconds if best is None else min(best, seconds)
            funded = detail
        else:
            entry = {"seconds": best, "funded": funded}
        report["rules"][rule] = entry
    return report


def bench_pabutools(path: Path, args: argparse.Namespace, result: FileResult) -> None:
    """Run the pabutools worker for one file and fill in its results."""
    rules = [r.rule for r in result.rules if r.rule not in args.skip_pabutools]
    for r in result.rules:
        if r.rule in args.skip_pabutools:
            r.theirs.missing = "skipped (--skip-pabutools)"
    if not rules:
        return
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--pabutools-worker",
        str(path),
        "--rules",
        ",".join(rules),
        "--pabutools-repeat",
        str(args.pabutools_repeat),
        "--pabutools-timeout",
        str(args.pabutools_timeout),
    ]
    # stderr (progress lines) goes straight to ours.
    proc = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        result.notes.append(f"skipped: pabutools: the worker failed with exit code {proc.returncode}")
        for r in result.rules:
            if r.theirs.missing is None:
                r.theirs.missing = "worker failed"
        return
    # The report is the worker's last line (in case pabutools printed something before).
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    result.theirs_parse = float(report["parse"])
    for r in result.rules:
        entry = report["rules"].get(r.rule)
        if entry is None:
            continue
        if entry.get("timeout"):
            r.theirs.timed_out = True
        elif "error" in entry:
            r.theirs.missing = "error"
            result.notes.append(f"pabutools {r.rule}: {entry['error']}")
        else:
            r.theirs.seconds = float(entry["seconds"])
            r.theirs.funded = frozenset(entry["funded"])


# --- asukasbudjetti -----------------------------------------------------------------------


def bench_our_processes(path: Path, repeat: int, result: FileResult) -> None:
    """Time ``asukasbudjetti tally FILE --rule R --json`` for each rule, best of ``repeat``."""
    if not CONSOLE_SCRIPT.exists():
        result.notes.append(f"skipped: the tally process: {CONSOLE_SCRIPT} not found")
        return
    for r in result.rules:
        command = [str(CONSOLE_SCRIPT), "tally", str(path), "--rule", r.rule, "--json"]
        best = float("inf")
        for _ in range(max(1, repeat)):
            elapsed, rss, stdout, code = run_process(command)
            if code != 0:
                result.notes.append(f"skipped: the tally process for {r.rule}: exit code {code}: {stdout}")
                break
            best = min(best, elapsed)
            if rss is not None:
                r.ours_process_rss_kib = rss if r.ours_process_rss_kib is None else max(r.ours_process_rss_kib, rss)
            r.ours_process_funded = frozenset(json.loads(stdout)["outcomes"][0]["funded"])
        else:
            r.ours_process = best


def bench_ours(path: Path, repeat: int, result: FileResult) -> None:
    """Time our parse (read + validate) once per file and each rule (compile + rule), in process."""
    from asukasbudjetti.tally import load_election, tally_election

    try:
        result.ours_parse, loaded = best_of(repeat, lambda: load_election(path))
    except Exception as exc:
        result.notes.append(f"skipped: asukasbudjetti in process: {type(exc).__name__}: {exc}")
        return
    election = loaded[0]
    for r in result.rules:
        print(f"  asukasbudjetti {r.rule} on {path.name} ...", flush=True)
        try:
            r.ours_rule, (pot, _) = best_of(repeat, lambda rule=r.rule: tally_election(election, rule=rule))  # type: ignore[misc]
        except Exception as exc:
            result.notes.append(f"asukasbudjetti {r.rule} in process: {type(exc).__name__}: {exc}")
            continue
        r.ours_funded = frozenset(pot.funded)


# --- report -------------------------------------------------------------------------------


def _load() -> str:
    """The 1/5/15-minute load averages, where known: other work on the machine skews the times."""
    if not hasattr(os, "getloadavg"):
        return ""
    one, five, fifteen = os.getloadavg()
    return f" (load average {one:.2f} {five:.2f} {fifteen:.2f})"


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _ratio(theirs: float | None, ours: float | None, *, at_least: bool = False) -> str:
    if theirs is None or ours is None or ours <= 0:
        return "—"
    return ("> " if at_least else "") + f"{theirs / ours:.1f}×"


def _sum(*values: float | None) -> float | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def markdown_table(results: Sequence[FileResult], timeout: float) -> str:
    lines = [
        "| file | step | ours: `tally` process (s) | ours in process (s) | pabutools in process (s) "
        "| ratio (pabutools / ours) | ratio with parse (pabutools / ours) | `tally` peak RSS (MiB) "
        "| same funded set |",
        "|---|---|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for f in results:
        cells = [
            f.name,
            "parse",
            "—",
            _seconds(f.ours_parse),
            _seconds(f.theirs_parse),
            _ratio(f.theirs_parse, f.ours_parse),
            "—",
            "—",
            "—",
        ]
        lines.append("| " + " | ".join(cells) + " |")
        for r in f.rules:
            theirs = r.theirs
            ours_with_parse = _sum(f.ours_parse, r.ours_rule)
            if theirs.timed_out:
                theirs_cell = f"> {timeout:g} s (timeout)"
                ratio = _ratio(timeout, r.ours_rule, at_least=True)
                ratio_with_parse = _ratio(_sum(f.theirs_parse, timeout), ours_with_parse, at_least=True)
                same = "—"
            elif theirs.seconds is None:
                theirs_cell = theirs.missing or "—"
                ratio = ratio_with_parse = same = "—"
            else:
                theirs_cell = _seconds(theirs.seconds)
                ratio = _ratio(theirs.seconds, r.ours_rule)
                ratio_with_parse = _ratio(_sum(f.theirs_parse, theirs.seconds), ours_with_parse)
                if r.ours_funded is None or theirs.funded is None:
                    same = "—"
                else:
                    same = "yes" if r.ours_funded == theirs.funded else "no"
            cells = [
                f.name,
                f"`{r.rule}`",
                _seconds(r.ours_process),
                _seconds(r.ours_rule),
                theirs_cell,
                ratio,
                ratio_with_parse,
                mib(r.ours_process_rss_kib),
                same,
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary_lines(results: Sequence[FileResult], skipped: Sequence[str]) -> list[str]:
    lines = [f"skipped: {rule}: not registered in asukasbudjetti.rules.RULES" for rule in skipped]
    for f in results:
        for r in f.rules:
            ours, theirs = r.ours_funded, r.theirs.funded
            if ours is not None and theirs is not None:
                if ours == theirs:
                    lines.append(f"{f.name} {r.rule}: same funded set ({len(ours)} projects)")
                else:
                    lines.append(
                        f"{f.name} {r.rule}: different funded sets: only ours: {sorted(ours - theirs)}, "
                        f"only pabutools: {sorted(theirs - ours)}"
                        + (f"; known difference: {KNOWN_DIFFERENCES[r.rule]}" if r.rule in KNOWN_DIFFERENCES else "")
                    )
            if r.ours_process_funded is not None and ours is not None and r.ours_process_funded != ours:
                lines.append(f"{f.name} {r.rule}: the tally process and tally in process funded different sets!")
        lines.extend(f"{f.name}: {note}" for note in f.notes)
    return lines


def _rule_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in RULES]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown rule(s) {', '.join(unknown)}; known: {', '.join(RULES)}")
    return names


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--pabulib",
        type=Path,
        default=DEFAULT_PABULIB,
        metavar="DIR",
        help=f"folder with the .pb files (default: {DEFAULT_PABULIB})",
    )
    parser.add_argument(
        "--rules",
        type=_rule_list,
        default=list(RULES),
        metavar="RULE,...",
        help=f"rules to time (default: all of {', '.join(RULES)})",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, metavar="N", help="runs per measurement of ours, best taken (default: 3)"
    )
    parser.add_argument(
        "--pabutools-repeat",
        type=int,
        default=1,
        metavar="N",
        help="runs per pabutools rule, best taken (default: 1)",
    )
    parser.add_argument(
        "--pabutools-timeout",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="kill a pabutools rule run after this long and report a timeout (default: 120)",
    )
    parser.add_argument(
        "--skip-pabutools",
        type=_rule_list,
        default=[],
        metavar="RULE,...",
        help="rules not to run in pabutools",
    )
    parser.add_argument(
        "--markdown-out", type=Path, metavar="FILE", help="also write the table (and summary lines) to FILE"
    )
    parser.add_argument("--pabutools-worker", type=Path, metavar="FILE", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.pabutools_worker is not None:
        report = pabutools_worker(args.pabutools_worker, args.rules, args.pabutools_repeat, args.pabutools_timeout)
        print(json.dumps(report))
        return 0

    print(f"python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} CPUs")
    print(f"asukasbudjetti code: {code_version()}")
    print(f"machine load at start:{_load() or ' unknown'}")
    print(f"pabulib folder: {args.pabulib}")
    print(
        f"repeat: ours best of {args.repeat}, pabutools best of {args.pabutools_repeat}, "
        f"pabutools timeout {args.pabutools_timeout:g} s"
    )
    # Both sides start from compiled bytecode, as an installed package does (see
    # bench_greedy.py: an editable install is otherwise recompiled at every start where
    # PYTHONDONTWRITEBYTECODE is set).
    import asukasbudjetti
    from asukasbudjetti.rules import RULES as REGISTERED

    compileall.compile_dir(str(Path(asukasbudjetti.__file__).parent), quiet=1)
    print("asukasbudjetti bytecode: compiled before timing")
    have_pabutools = importlib.util.find_spec("pabutools") is not None
    if not have_pabutools:
        print("pabutools not installed")

    rules = [rule for rule in args.rules if rule in REGISTERED]
    skipped = [rule for rule in args.rules if rule not in REGISTERED]
    for rule in skipped:
        print(f"skipped: {rule}: not registered in asukasbudjetti.rules.RULES")
    for rule in rules:
        print(f"rule {rule}: pabutools {RULES[rule]}")

    paths: list[Path] = []
    for name in FILES:
        path = args.pabulib / name
        if path.is_file():
            paths.append(path)
        else:
            print(f"skipped: {path} not found")
    results = [FileResult(name=path.name, rules=[RuleResult(rule=rule) for rule in rules]) for path in paths]
    if not results or not rules:
        print("skipped: nothing to time")
        return 0

    started = time.perf_counter()
    # Fresh processes first, while this process is still small (see run_process).
    for path, result in zip(paths, results, strict=True):
        print(f"timing {path.name}: tally processes ...", flush=True)
        bench_our_processes(path, args.repeat, result)
    for path, result in zip(paths, results, strict=True):
        print(f"timing {path.name}: asukasbudjetti in process ...", flush=True)
        bench_ours(path, args.repeat, result)
    if have_pabutools:
        # One worker interpreter per file: pabutools' large heap goes away with it.
        for path, result in zip(paths, results, strict=True):
            print(f"timing {path.name}: pabutools (worker process, forked per rule) ...", flush=True)
            bench_pabutools(path, args, result)
    else:
        for result in results:
            for r in result.rules:
                r.theirs.missing = "not installed"
    print(f"total benchmark time: {time.perf_counter() - started:.0f} s{_load()}")

    table = markdown_table(results, args.pabutools_timeout)
    summary = summary_lines(results, skipped)
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
