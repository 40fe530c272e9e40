"""Time ``asukasbudjetti tally CYCLE.toml --json`` on a large synthetic budget cycle.

Run from the project root::

    .venv/bin/python benchmarks/bench_cycle.py [--voters N] [--timeout SECONDS]
                                               [--src DIR] [--keep DIR] [--markdown-out FILE]

The cycle is generated in a temporary directory (never in the repository) from a
fixed ``random.Random`` seed, so the same ``--voters`` gives the same files:

* 8 pots: 7 districts (amounts split from a total by population, in whole
  thousands) and 1 citywide pot (a fixed amount); district leftovers move to the
  citywide pot (``to-citywide``, districts first);
* 20-40 projects per pot, costs in whole thousands;
* ``--voters`` voters (default 500,000), each living in one district (chosen in
  proportion to the district populations) and casting two approval ballots: one
  in her district and one in the citywide pot (``citywide-plus-one``), i.e. about
  2 x N ballot rows;
* each ballot approves 1-5 distinct projects of its pot (shorter ballots more
  likely), drawn with skewed (Zipf-like) popularity over a shuffled project order.

Files written: ``cycle.toml``, ``projects.csv`` and ``ballots.csv``. The time to
generate them is reported. Then, for each variant (every pot ``greedy``; every pot
``equalshares``), ``cycle.toml`` is rewritten with that rule and the whole command
``asukasbudjetti tally cycle.toml --json`` (the console script next to
``sys.executable``) is run once in a fresh process: its wall time and its peak RSS
(``os.wait4``) are reported against the targets (under 60 s, under 2 GB). A run that
takes longer than ``--timeout`` seconds (default 600) is killed (with its process
group) and reported as a timeout.

``--src DIR`` times the package found in DIR (put first on ``PYTHONPATH`` of the
tally process), e.g. a clean ``git archive HEAD src`` while ``src/`` is being edited.
``--keep DIR`` writes the files to DIR (outside the repository) and keeps them.

The exit code is always 0.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import csv
import importlib.util
import json
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from benchcommon import code_version, mib, own_peak_rss_kib

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONSOLE_SCRIPT = Path(sys.executable).parent / "asukasbudjetti"
SEED = 20261124
DISTRICTS = ("Keskusta", "Pohjoinen", "Itäinen", "Eteläinen", "Läntinen", "Kaakkoinen", "Luoteinen")
CITYWIDE = "Koko kaupunki"
#: Money split between the districts by population (the citywide amount comes off first).
SPLIT_TOTAL = 4_000_000
CITYWIDE_AMOUNT = 1_200_000
BALLOT_LENGTHS = (1, 2, 3, 4, 5)
BALLOT_LENGTH_WEIGHTS = (30, 25, 20, 15, 10)
#: Popularity of the project at rank r (0-based) in a pot: 1 / (r + 1) ** ZIPF.
ZIPF = 1.1
RULES = ("greedy", "equalshares")
TARGET_SECONDS = 60.0
TARGET_BYTES = 2 * 1024**3


@dataclass(frozen=True)
class PotSpec:
    name: str
    kind: str
    population: int | None
    projects: tuple[tuple[str, int], ...]  # (project id, cost)


@dataclass(frozen=True)
class Generated:
    """What was written, and how long it took."""

    pots: tuple[PotSpec, ...]
    voters: int
    ballot_rows: int
    seconds: float
    ballots_bytes: int


@dataclass
class RunResult:
    rule: str
    seconds: float | None = None
    rss_kib: int | None = None
    timed_out: bool = False
    error: str | None = None
    funded: dict[str, int] = field(default_factory=dict)


def make_pots(rng: random.Random) -> tuple[PotSpec, ...]:
    """The 8 pots with their projects (20-40 each) and costs."""
    pots: list[PotSpec] = []
    for k, name in enumerate((*DISTRICTS, CITYWIDE), start=1):
        citywide = name == CITYWIDE
        prefix = "K" if citywide else f"D{k}"
        count = rng.randint(20, 40)
        low, high = (20, 400) if citywide else (5, 120)
        projects = tuple((f"{prefix}-{j:02d}", rng.randint(low, high) * 1000) for j in range(1, count + 1))
        population = None if citywide else rng.randint(15_000, 60_000)
        pots.append(PotSpec(name, "citywide" if citywide else "district", population, projects))
    return tuple(pots)


def _draw(rng: random.Random, ids: Sequence[str], cum: Sequence[float], k: int) -> list[str]:
    """``k`` distinct ids, each draw weighted by popularity (``cum``: cumulative weights)."""
    chosen = dict.fromkeys(rng.choices(ids, cum_weights=cum, k=k))
    while len(chosen) < k:
        chosen[rng.choices(ids, cum_weights=cum)[0]] = None
    return list(chosen)


def generate(directory: Path, voters: int, seed: int = SEED) -> Generated:
    """Write projects.csv and ballots.csv (streamed, so this process stays small)."""
    start = time.perf_counter()
    rng = random.Random(seed)
    pots = make_pots(rng)
    with (directory / "projects.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("project_id", "pot", "cost", "name"))
        for pot in pots:
            for project_id, cost in pot.projects:
                writer.writerow((project_id, pot.name, cost, f"Project {project_id} ({pot.name})"))
    # Popularity: Zipf-like weights over a shuffled order of each pot's projects.
    popular: list[tuple[list[str], list[float]]] = []
    for pot in pots:
        ids = [project_id for project_id, _ in pot.projects]
        rng.shuffle(ids)
        popular.append((ids, list(accumulate(1 / (r + 1) ** ZIPF for r in range(len(ids))))))
    districts = [k for k, pot in enumerate(pots) if pot.kind == "district"]
    citywide = next(k for k, pot in enumerate(pots) if pot.kind == "citywide")
    home_cum = list(accumulate(pots[k].population or 0 for k in districts))
    length_cum = list(accumulate(BALLOT_LENGTH_WEIGHTS))
    homes = rng.choices(districts, cum_weights=home_cum, k=voters)
    lengths = rng.choices(BALLOT_LENGTHS, cum_weights=length_cum, k=2 * voters)
    rows = 0
    with (directory / "ballots.csv").open("w", encoding="utf-8", newline="", buffering=1 << 20) as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("voter_id", "pot", "projects"))
        for n in range(voters):
            voter = f"v{n + 1:07d}"
            for j, k in enumerate((homes[n], citywide)):
                ids, cum = popular[k]
                writer.writerow((voter, pots[k].name, ",".join(_draw(rng, ids, cum, lengths[2 * n + j]))))
                rows += 1
    seconds = time.perf_counter() - start
    return Generated(
        pots=pots,
        voters=voters,
        ballot_rows=rows,
        seconds=seconds,
        ballots_bytes=(directory / "ballots.csv").stat().st_size,
    )


def cycle_toml(pots: Sequence[PotSpec], rule: str, voters: int) -> str:
    """The cycle file, every pot with ``rule``."""
    lines = [
        f"# Synthetic cycle for benchmarks/bench_cycle.py: {voters} voters, every pot {rule!r}.",
        "",
        "[cycle]",
        f'name = "bench_cycle {voters} voters ({rule})"',
        'currency = "EUR"',
        f"seed = {SEED}",
        "",
        "[split]",
        f'total = "{SPLIT_TOTAL}"',
        'unit = "1000"',
        "",
        "[files]",
        'projects = "projects.csv"',
        'ballots = "ballots.csv"',
        "",
        "[voters]",
        'choose = "citywide-plus-one"',
        "",
        "[leftover]",
        'policy = "to-citywide"',
        'order = "districts-first"',
    ]
    for pot in pots:
        lines += ["", "[[pots]]", f'name = "{pot.name}"', f'kind = "{pot.kind}"']
        if pot.population is not None:
            lines.append(f"population = {pot.population}")
        else:
            lines.append(f'amount = "{CITYWIDE_AMOUNT}"')
        lines += [
            f'rule = "{rule}"',
            f'ballot = {{ kind = "approval", min_projects = 1, max_projects = {max(BALLOT_LENGTHS)} }}',
        ]
    return "\n".join(lines) + "\n"


def run_process(
    command: Sequence[str], timeout: float, env: dict[str, str] | None = None
) -> tuple[float, int | None, str, int | None]:
    """Run a command once: wall time, peak RSS (KiB, if known), stdout (or error), exit code.

    The exit code is ``None`` when the command ran longer than ``timeout`` seconds and
    was killed (the child is its own process group leader, and the whole group is
    killed). As in bench_greedy.py, the RSS is reported only when it is above this
    process's own peak (Linux charges a child the high-water RSS of the address space
    it was spawned from); generating the files is streamed so this process stays small.
    """
    floor = own_peak_rss_kib()
    killed = threading.Event()

    def kill(pid: int) -> None:
        killed.set()
        with contextlib.suppress(ProcessLookupError):  # it finished meanwhile
            os.killpg(pid, signal.SIGKILL)

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, env=env, start_new_session=True)
        timer = threading.Timer(timeout, kill, args=(proc.pid,))
        timer.start()
        rss: int | None = None
        try:
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
        finally:
            timer.cancel()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", errors="replace")
        stderr = err.read().decode("utf-8", errors="replace")
    if killed.is_set():
        return elapsed, rss, f"killed after {timeout:g} s", None
    if proc.returncode != 0:
        stdout = stderr.strip().splitlines()[-1] if stderr.strip() else "(no message)"
    return elapsed, rss, stdout, proc.returncode


def bench_rule(directory: Path, generated: Generated, rule: str, args: argparse.Namespace) -> RunResult:
    """Rewrite cycle.toml with ``rule`` for every pot and time one ``tally`` process."""
    result = RunResult(rule=rule)
    (directory / "cycle.toml").write_text(cycle_toml(generated.pots, rule, generated.voters), encoding="utf-8")
    env = dict(os.environ)
    if args.src is not None:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(args.src), env.get("PYTHONPATH")) if p)
    command = [str(CONSOLE_SCRIPT), "tally", str(directory / "cycle.toml"), "--json"]
    elapsed, rss, stdout, code = run_process(command, args.timeout, env)
    result.seconds, result.rss_kib = elapsed, rss
    if code is None:
        result.timed_out = True
    elif code != 0:
        result.error = f"exit code {code}: {stdout}"
    else:
        record = json.loads(stdout)
        result.funded = {o["pot"]: len(o["funded"]) for o in record["outcomes"]}
    return result


def _met(ok: bool | None) -> str:
    return "—" if ok is None else ("yes" if ok else "**no**")


def markdown_table(generated: Generated, results: Sequence[RunResult], timeout: float) -> str:
    lines = [
        "| rule (every pot) | voters | ballot rows | `tally` wall time (s) | peak RSS (MiB) "
        "| under 60 s | under 2 GB | funded projects |",
        "|---|---:|---:|---:|---:|:---:|:---:|---:|",
    ]
    for r in results:
        if r.timed_out:
            wall = f"> {timeout:g} (timeout)"
        elif r.seconds is None or r.error is not None:
            wall = "error"
        else:
            wall = f"{r.seconds:.1f}"
        fast = None if r.seconds is None or r.error is not None else (not r.timed_out and r.seconds < TARGET_SECONDS)
        small = None if r.rss_kib is None else r.rss_kib * 1024 < TARGET_BYTES
        cells = (
            f"`{r.rule}`",
            f"{generated.voters:,}",
            f"{generated.ballot_rows:,}",
            wall,
            f"≥ {mib(r.rss_kib)} (when killed)" if r.timed_out and r.rss_kib is not None else mib(r.rss_kib),
            _met(fast),
            _met(small),
            str(sum(r.funded.values())) if r.funded else "—",
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary_lines(generated: Generated, results: Sequence[RunResult]) -> list[str]:
    projects = sum(len(p.projects) for p in generated.pots)
    lines = [
        f"generated {generated.voters:,} voters, {len(generated.pots)} pots, {projects} projects "
        f"({', '.join(str(len(p.projects)) for p in generated.pots)} per pot), "
        f"{generated.ballot_rows:,} ballot rows ({generated.ballots_bytes / 1024**2:.1f} MiB ballots.csv) "
        f"in {generated.seconds:.1f} s",
    ]
    for r in results:
        if r.error is not None:
            lines.append(f"`{r.rule}`: {r.error}")
        if r.funded:
            lines.append(f"`{r.rule}`: funded per pot: " + ", ".join(f"{pot} {n}" for pot, n in r.funded.items()))
        if r.rss_kib is None and not r.timed_out:
            lines.append(f"`{r.rule}`: peak RSS not known (not above the benchmark's own)")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--voters", type=int, default=500_000, metavar="N", help="voters in the cycle (default: 500000)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="kill a tally process after this long and report a timeout (default: 600)",
    )
    parser.add_argument(
        "--src",
        type=Path,
        metavar="DIR",
        help="time the asukasbudjetti package in DIR (put first on PYTHONPATH) instead of the installed one",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="write the cycle files to DIR (outside the repository) and keep them",
    )
    parser.add_argument(
        "--markdown-out",
        type=Path,
        metavar="FILE",
        help="also write the table (and summary lines) to FILE",
    )
    args = parser.parse_args(argv)
    if args.voters < 1:
        parser.error("--voters must be at least 1")
    if args.keep is not None and args.keep.resolve().is_relative_to(PROJECT_ROOT):
        parser.error("--keep: the generated files must not be stored in the repository")
    if args.src is not None:
        args.src = args.src.resolve()
        if not (args.src / "asukasbudjetti" / "__init__.py").is_file():
            parser.error(f"--src: {args.src} has no asukasbudjetti package")

    print(f"python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} CPUs")
    print(f"asukasbudjetti code: {code_version(args.src)}")
    # Start from compiled bytecode, as an installed package does (an editable install
    # is compiled on first import, and never cached where PYTHONDONTWRITEBYTECODE is set).
    if args.src is not None:
        package = args.src / "asukasbudjetti"
    else:
        spec = importlib.util.find_spec("asukasbudjetti")
        if spec is None or spec.origin is None:
            print("skipped: asukasbudjetti is not installed")
            return 0
        package = Path(spec.origin).parent
    compileall.compile_dir(str(package), quiet=1)
    print(f"asukasbudjetti bytecode: compiled before timing ({package})")
    if not CONSOLE_SCRIPT.exists():
        print(f"skipped: {CONSOLE_SCRIPT} not found")
        return 0

    with tempfile.TemporaryDirectory(prefix="bench_cycle_") as scratch:
        directory = Path(scratch) if args.keep is None else args.keep
        directory.mkdir(parents=True, exist_ok=True)
        print(f"generating {args.voters:,} voters in {directory} ...", flush=True)
        generated = generate(directory, args.voters)
        print(f"generated in {generated.seconds:.1f} s", flush=True)
        results: list[RunResult] = []
        for rule in RULES:
            print(f"timing `asukasbudjetti tally cycle.toml --json`, every pot {rule!r} ...", flush=True)
            result = bench_rule(directory, generated, rule, args)
            results.append(result)
            status = (
                "timeout"
                if result.timed_out
                else (result.error or f"{result.seconds:.1f} s, {mib(result.rss_kib)} MiB")
            )
            print(f"  {status}", flush=True)

    table = markdown_table(generated, results, args.timeout)
    summary = summary_lines(generated, results)
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
