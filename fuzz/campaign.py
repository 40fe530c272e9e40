"""Batches of cases, the campaign over worker processes, and the fixtures crashes become.

**Reproducibility.** A target's cases come in batches of :data:`BATCH` cases. Batch
``b`` of target ``t`` under ``--seed s`` is one hypothesis run (``@given(st.data())``,
seeded from ``(s, t, b)``, no database) in which each case also gets a
``random.Random`` seeded from ``(s, t, b)`` and a number drawn from hypothesis (every
choice must come from hypothesis, which checks that a choice prefix it replays leads
to the same draws). Hypothesis gets no feedback from the
cases (every failure is caught inside the function), so the same seed gives the same
cases whatever the number of workers or the order batches finish in; and case ``k``
can be made again without running the ones before it (:func:`regenerate`).

**Workers.** Each worker process runs whole batches. The alarm of :mod:`fuzz.check`
ends a slow case, but not one stuck in C code (a huge power of ten, say): each worker
writes the case it is on and when it started into shared memory, and the parent kills
a worker whose case has run far past the timeout, makes that case again for its
fixture, and gives the rest of the batch to a new worker.

**Fixtures.** Every crash is counted; the first :data:`KEEP` inputs of each crash
signature (kind and place, see :class:`fuzz.check.Verdict`) are written to
``tests/fixtures/fuzz/<target>/<hash>/``: the files, and ``case.json`` with the
arguments, what happened, and how the case was found. tests/test_fuzz_regressions.py
replays them.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import multiprocessing
import queue
import shlex
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from random import Random
from typing import Any

import hypothesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from fuzz.check import DEFAULT_TIMEOUT, Verdict, run_case
from fuzz.targets import ROOT, TARGETS, Case

#: Cases per batch: the unit of work, of reproduction and of resumption.
BATCH = 250

#: Fixtures kept per crash signature (all crashes are counted).
KEEP = 3

FIXTURE_ROOT = ROOT / "tests" / "fixtures" / "fuzz"


@dataclass(frozen=True)
class Crash:
    """A case that broke the property, and where it came from."""

    case: Case
    verdict: Verdict
    seed: int
    batch: int
    index: int


@dataclass
class BatchStats:
    """What one batch did."""

    target: str
    batch: int
    cases: int = 0
    seconds: float = 0.0
    crashes: list[Crash] = field(default_factory=list)


def _derive(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("/".join(map(str, parts)).encode()).digest()[:8], "big")


def _cases(target: str, seed: int, batch: int, size: int) -> Callable[[Callable[[int, Case], None]], None]:
    """A function that makes the batch's cases in order and hands each to ``visit(index, case)``."""
    generate = TARGETS[target].generate

    def run(visit: Callable[[int, Case], None]) -> None:
        counter = itertools.count()

        @hypothesis.seed(_derive("hypothesis", seed, target, batch))
        @settings(
            max_examples=size,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.generate],
        )
        @given(st.data())
        def one(data: st.DataObject) -> None:
            index = next(counter)
            # Every choice must come from hypothesis (it replays choice prefixes and checks that
            # they lead to the same draws): the case's random positions come from a drawn number.
            drawn = data.draw(st.integers(min_value=0, max_value=2**64 - 1))
            rng = Random(_derive("case", seed, target, batch, drawn))
            case = generate(rng, data.draw)
            visit(index, case)

        one()

    return run


def run_batch(
    target: str,
    seed: int,
    batch: int,
    size: int = BATCH,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    skip_through: int = -1,
    on_case: Callable[[int], None] | None = None,
    on_crash: Callable[[Crash], None] | None = None,
) -> BatchStats:
    """Run batch ``batch`` of ``target`` (cases after ``skip_through`` only) in this process."""
    stats = BatchStats(target, batch)
    started = time.perf_counter()

    def visit(index: int, case: Case) -> None:
        if index <= skip_through:
            return
        if on_case is not None:
            on_case(index)
        verdict = run_case(case, timeout)
        stats.cases += 1
        if not verdict.ok:
            crash = Crash(case, verdict, seed, batch, index)
            stats.crashes.append(crash)
            if on_crash is not None:
                on_crash(crash)

    _cases(target, seed, batch, size)(visit)
    stats.seconds = time.perf_counter() - started
    return stats


class _Found(BaseException):
    """Stops the generation once the wanted case is made (a BaseException: hypothesis re-raises it)."""

    def __init__(self, case: Case) -> None:
        self.case = case


def regenerate(target: str, seed: int, batch: int, index: int, size: int = BATCH) -> Case | None:
    """Case ``index`` of a batch, made again without running any case."""

    def visit(k: int, case: Case) -> None:
        if k == index:
            raise _Found(case)

    try:
        _cases(target, seed, batch, size)(visit)
    except _Found as found:
        return found.case
    return None


# --- fixtures ------------------------------------------------------------------------


def shown(path: Path) -> str:
    """A path as the project's commands use it: relative to the repository when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def case_hash(case: Case) -> str:
    """A short name for a case: its arguments and its files."""
    digest = hashlib.sha256(json.dumps(list(case.args)).encode())
    for name in sorted(case.files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(case.files[name]).digest())
    return digest.hexdigest()[:12]


def write_fixture(crash: Crash, root: Path = FIXTURE_ROOT) -> Path:
    """Write a crash's files and its ``case.json``; the folder it went to."""
    case, verdict = crash.case, crash.verdict
    folder = root / case.target / case_hash(case)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in case.files.items():
        (folder / name).write_bytes(data)
    description = {
        "target": case.target,
        "args": list(case.args),
        "files": sorted(case.files),
        "output": case.output,
        "made_by": case.note,
        "kind": verdict.kind,
        "description": verdict.description,
        "signature": verdict.signature,
        "exit_code": verdict.exit_code,
        "stderr": verdict.stderr[-3000:],
        "stdout": verdict.stdout[:1000],
        "traceback": verdict.traceback,
        "found_by": {
            "seed": crash.seed,
            "target": case.target,
            "batch": crash.batch,
            "index": crash.index,
            "cases_from": crash.batch * BATCH,
        },
        "replay": f".venv/bin/python -m fuzz --replay {shown(folder)}",
        "shell": "in a copy of this folder: " + shlex.join(["asukasbudjetti", *case.args]),
    }
    try:
        text = json.dumps(description, indent=2, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a \\u escape: keep it escaped
        text = json.dumps(description, indent=2).encode("utf-8")
    (folder / "case.json").write_bytes(text + b"\n")
    return folder


def fixture_folders(root: Path = FIXTURE_ROOT) -> list[Path]:
    """Every fixture folder (one holding a case.json), sorted."""
    if not root.is_dir():
        return []
    return sorted(path.parent for path in root.glob("*/*/case.json"))


def load_fixture(folder: Path) -> tuple[Case, dict[str, Any]]:
    """A fixture's case, and its ``case.json``."""
    description = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    files = {name: (folder / name).read_bytes() for name in description["files"]}
    case = Case(
        description["target"],
        files,
        tuple(description["args"]),
        description.get("output"),
        description.get("made_by", ""),
    )
    return case, description


# --- the campaign --------------------------------------------------------------------


@dataclass
class TargetTotals:
    """A target's figures so far."""

    cases: int = 0
    seconds: float = 0.0
    crashes: int = 0
    done_batches: set[int] = field(default_factory=set)


@dataclass
class Campaign:
    """The state of a run over several targets: totals, crash signatures seen, fixtures written."""

    seed: int
    timeout: float
    keep: int = KEEP
    root: Path = FIXTURE_ROOT
    totals: dict[str, TargetTotals] = field(default_factory=dict)
    signatures: dict[str, int] = field(default_factory=dict)
    kept: dict[str, list[Path]] = field(default_factory=dict)
    first: dict[str, Crash] = field(default_factory=dict)
    say: Callable[[str], None] = print

    def __post_init__(self) -> None:
        for folder in fixture_folders(self.root):
            try:
                signature = json.loads((folder / "case.json").read_text(encoding="utf-8"))["signature"]
            except (ValueError, KeyError, OSError):
                continue
            self.kept.setdefault(signature, []).append(folder)

    def record(self, crash: Crash) -> None:
        """Count a crash; keep its input as a fixture while its signature has fewer than ``keep``."""
        signature = crash.verdict.signature
        self.totals.setdefault(crash.case.target, TargetTotals()).crashes += 1
        count = self.signatures.get(signature, 0) + 1
        self.signatures[signature] = count
        self.first.setdefault(signature, crash)
        kept = self.kept.setdefault(signature, [])
        if len(kept) < self.keep:
            folder = write_fixture(crash, self.root)
            if folder not in kept:
                kept.append(folder)
            if count == 1:
                self.say(
                    f"CRASH [{crash.case.target}] {crash.verdict.kind}: {crash.verdict.description}\n"
                    f"      fixture {shown(folder)}"
                )

    def finish_batch(self, stats: BatchStats) -> None:
        totals = self.totals.setdefault(stats.target, TargetTotals())
        totals.cases += stats.cases
        totals.seconds += stats.seconds
        totals.done_batches.add(stats.batch)

    def resume_from(self, units: list[tuple[str, int]]) -> int:
        """The first case of the earliest batch not finished (for ``--start``)."""
        pending = [
            batch for target, batch in units if batch not in self.totals.get(target, TargetTotals()).done_batches
        ]
        return min(pending) * BATCH if pending else -1


def plan(targets: list[str], cases: int, start: int) -> list[tuple[str, int]]:
    """The batches to run, the targets taking turns, so that all progress together."""
    first = start // BATCH
    last = -(-cases // BATCH)
    return [(target, batch) for batch in range(first, last) for target in targets]


def _batch_size(batch: int, cases: int) -> int:
    return min(BATCH, cases - batch * BATCH)


# Shared memory per worker: the case it is on, when that case started (ms, monotonic),
# and how many cases of its batch it has started.
_INDEX, _STARTED, _DONE = 0, 1, 2

#: A batch whose worker had to be replaced this many times is given up (and said so).
MAX_RESTARTS = 5

#: A task for a worker: (unit number, target, batch, last case already run).
Task = tuple[int, str, int, int]


def _worker(
    tasks: Connection, results: Any, progress: Any, seed: int, cases: int, timeout: float, memory_mb: int
) -> None:
    """A worker process: run each batch it is sent, report crashes as they happen and the batch at its end.

    The address space is capped so that a case asking for a huge array fails with
    MemoryError (a crash like any other) instead of taking the machine down.
    """
    if memory_mb > 0:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        task = tasks.recv()
        if task is None:
            return
        unit, target, batch, skip_through = task
        progress[_DONE] = 0

        def on_case(index: int) -> None:
            progress[_INDEX] = index
            progress[_STARTED] = int(time.monotonic() * 1000)
            progress[_DONE] += 1

        try:
            stats = run_batch(
                target,
                seed,
                batch,
                _batch_size(batch, cases),
                timeout=timeout,
                skip_through=skip_through,
                on_case=on_case,
                on_crash=lambda crash: results.put(("crash", crash)),
            )
        except Exception:  # a bug of the harness, not of the command: say so, go on
            progress[_STARTED] = 0
            results.put(("failed", unit, traceback.format_exc()))
            continue
        progress[_STARTED] = 0
        stats.crashes = []  # already sent one by one
        results.put(("done", unit, stats))


@dataclass
class _Slot:
    process: Any
    tasks: Connection
    progress: Any
    task: Task | None = None


def run_campaign(
    campaign: Campaign,
    targets: list[str],
    cases: int,
    *,
    jobs: int = 1,
    start: int = 0,
    memory_mb: int = 4096,
    report_every: float = 60.0,
) -> list[tuple[str, int]]:
    """Run ``cases`` cases of each target (from case ``start``) over ``jobs`` worker processes.

    Returns the planned batches (for :meth:`Campaign.resume_from` after an interruption).
    """
    units = plan(targets, cases, start)
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    waiting: Iterator[Task] = iter((unit, target, batch, -1) for unit, (target, batch) in enumerate(units))
    retry: list[Task] = []
    restarts: dict[int, int] = {}
    slots: list[_Slot] = []

    def spawn() -> _Slot:
        ours, theirs = context.Pipe()
        progress = context.Array("q", 3, lock=False)
        process = context.Process(
            target=_worker,
            args=(theirs, results, progress, campaign.seed, cases, campaign.timeout, memory_mb),
            daemon=True,
        )
        process.start()
        return _Slot(process, ours, progress)

    def assign(slot: _Slot) -> None:
        slot.task = retry.pop() if retry else next(waiting, None)
        slot.progress[_STARTED] = 0
        slot.tasks.send(slot.task)  # None: no more work, the worker ends

    def finished(unit: int) -> _Slot:
        return next(slot for slot in slots if slot.task is not None and slot.task[0] == unit)

    try:
        slots = [spawn() for _ in range(max(1, jobs))]
        for slot in slots:
            assign(slot)
        last_report = time.monotonic()
        while any(slot.task is not None for slot in slots):
            try:
                message = results.get(timeout=1.0)
            except queue.Empty:  # time to look at the workers
                message = None
            if message is not None and message[0] == "crash":
                campaign.record(message[1])
            elif message is not None and message[0] == "done":
                campaign.finish_batch(message[2])
                assign(finished(message[1]))
            elif message is not None:
                slot = finished(message[1])
                assert slot.task is not None
                target, batch = slot.task[1], slot.task[2]
                campaign.say(f"HARNESS ERROR in {target} batch {batch} (the batch is skipped):\n{message[2]}")
                totals = campaign.totals.setdefault(target, TargetTotals())
                totals.cases += int(slot.progress[_DONE])
                totals.done_batches.add(batch)  # reported, not to be run again on a resume
                assign(slot)
            now = time.monotonic()
            for k, slot in enumerate(slots):
                if slot.task is None:
                    continue
                started = slot.progress[_STARTED]
                stuck = (
                    bool(started) and now * 1000 - started > (campaign.timeout + timeout_grace(campaign.timeout)) * 1000
                )
                if stuck or not slot.process.is_alive():
                    task = _replace_worker(campaign, slot, cases, stuck=stuck)
                    slots[k] = spawn()
                    restarts[task[0]] = restarts.get(task[0], 0) + 1
                    if restarts[task[0]] <= MAX_RESTARTS:
                        retry.append(task)
                    else:
                        campaign.totals.setdefault(task[1], TargetTotals()).done_batches.add(task[2])
                        campaign.say(
                            f"giving up {task[1]} batch {task[2]}: its worker was replaced {MAX_RESTARTS} times"
                        )
                    assign(slots[k])
            if now - last_report > report_every:
                last_report = now
                campaign.say(progress_line(campaign, targets))
    finally:
        for slot in slots:
            if slot.process.is_alive():
                slot.process.kill()
            slot.process.join(timeout=5)
    return units


def timeout_grace(timeout: float) -> float:
    """How long past the timeout a case may run before its worker is killed (at least 10 s)."""
    return max(10.0, timeout * 2)


def _replace_worker(campaign: Campaign, slot: _Slot, cases: int, *, stuck: bool) -> Task:
    """Kill a stuck worker (or bury a dead one), record its case as a crash, and return
    the task for the rest of its batch."""
    assert slot.task is not None
    unit, target, batch, skip_through = slot.task
    index = int(slot.progress[_INDEX]) if slot.progress[_STARTED] else -1
    if slot.process.is_alive():
        slot.process.kill()
    slot.process.join(timeout=5)
    code = slot.process.exitcode
    campaign.totals.setdefault(target, TargetTotals()).cases += int(slot.progress[_DONE])
    if index < 0:
        return slot.task
    try:
        case = regenerate(target, campaign.seed, batch, index, _batch_size(batch, cases))
    except Exception:  # a bug of the harness: say so, and go on without the fixture
        campaign.say(f"HARNESS ERROR making {target} batch {batch} case {index} again:\n{traceback.format_exc()}")
        case = None
    if case is not None:
        what = "stuck past the timer (in C code?): worker killed" if stuck else f"the worker died (exit code {code})"
        verdict = Verdict(
            "hang" if stuck else "exception",
            f"{case.args[0]}: {what}",
            None,
            "",
            "",
            "",
            f"{'hang' if stuck else 'died'}|{case.args[0]}|{code}",
            0.0,
        )
        campaign.record(Crash(case, verdict, campaign.seed, batch, index))
    # The cases before this one are not run again.
    return (unit, target, batch, max(index, skip_through))


def progress_line(campaign: Campaign, targets: list[str]) -> str:
    parts = []
    for target in targets:
        totals = campaign.totals.get(target, TargetTotals())
        parts.append(f"{target} {totals.cases} cases/{totals.crashes} crashes")
    return "progress: " + ", ".join(parts) + f"; {len(campaign.signatures)} distinct crashes"


def summary(campaign: Campaign, targets: list[str], wall: float) -> str:
    """Per target: cases run, seconds, crashes found; then each distinct crash."""
    lines = [f"{'target':<10} {'cases':>8} {'seconds':>9} {'crashes':>8}"]
    for target in targets:
        totals = campaign.totals.get(target, TargetTotals())
        lines.append(f"{target:<10} {totals.cases:>8} {totals.seconds:>9.1f} {totals.crashes:>8}")
    lines.append(f"wall time {wall:.1f} s; {len(campaign.signatures)} distinct crashes")
    for signature, count in sorted(campaign.signatures.items(), key=lambda item: -item[1]):
        crash = campaign.first[signature]
        where = ", ".join(shown(p) for p in campaign.kept.get(signature, [])[:1])
        lines.append(f"  {count:>6} x [{crash.case.target}] {crash.verdict.kind}: {crash.verdict.description[:220]}")
        lines.append(f"           fixture {where}")
    return "\n".join(lines)


def summary_json(campaign: Campaign, targets: list[str], wall: float) -> dict[str, Any]:
    return {
        "seed": campaign.seed,
        "wall_seconds": round(wall, 1),
        "targets": {
            target: {
                "cases": campaign.totals.get(target, TargetTotals()).cases,
                "seconds": round(campaign.totals.get(target, TargetTotals()).seconds, 1),
                "crashes": campaign.totals.get(target, TargetTotals()).crashes,
            }
            for target in targets
        },
        "crashes": [
            {
                "count": count,
                "target": campaign.first[signature].case.target,
                "kind": campaign.first[signature].verdict.kind,
                "description": campaign.first[signature].verdict.description,
                "signature": signature,
                "fixtures": [shown(p) for p in campaign.kept.get(signature, [])],
            }
            for signature, count in sorted(campaign.signatures.items(), key=lambda item: -item[1])
        ],
    }
