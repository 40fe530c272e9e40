"""``python -m fuzz``: run the fuzz targets, print their figures, keep each crash as a fixture.

Examples::

    .venv/bin/python -m fuzz --cases 2000                    # every target, 2000 cases each
    .venv/bin/python -m fuzz --cases 100000 --jobs 2 --seed 1
    .venv/bin/python -m fuzz --target record --cases 500 --timeout 5
    .venv/bin/python -m fuzz --cases 100000 --jobs 2 --seed 1 --start 25000   # resume
    .venv/bin/python -m fuzz --replay tests/fixtures/fuzz/pabulib/0123456789ab

The same ``--seed`` (and ``--cases``) makes the same cases; ``--start N`` skips the
batches before case N, which is how an interrupted campaign resumes.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from fuzz.campaign import BATCH, FIXTURE_ROOT, KEEP, Campaign, load_fixture, run_campaign, summary, summary_json
from fuzz.check import DEFAULT_TIMEOUT, run_case
from fuzz.targets import TARGETS


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m fuzz",
        description="Fuzz every reader of asukasbudjetti through its command line; keep each crash as a fixture.",
    )
    parser.add_argument("--cases", type=int, default=1000, help="cases per target (default: 1000)")
    parser.add_argument("--seed", type=int, default=0, help="the campaign's seed: the same seed, the same cases")
    parser.add_argument(
        "--target",
        action="append",
        choices=sorted(TARGETS),
        help="a target to run (repeatable; default: all): "
        + "; ".join(f"{t.name}: {t.summary}" for t in TARGETS.values()),
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds per case before it is a hang (default: {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default: 1)")
    parser.add_argument(
        "--start", type=int, default=0, help=f"first case to run, rounded down to a batch of {BATCH} (to resume)"
    )
    parser.add_argument("--keep", type=int, default=KEEP, help=f"fixtures kept per distinct crash (default: {KEEP})")
    parser.add_argument("--fixtures", type=Path, default=FIXTURE_ROOT, help="where crash fixtures go")
    parser.add_argument("--memory-mb", type=int, default=4096, help="address space per worker, 0 for no limit")
    parser.add_argument("--summary", type=Path, help="also write the figures and crashes as JSON here")
    parser.add_argument(
        "--replay", nargs="+", type=Path, metavar="FIXTURE", help="replay fixture folders and say what they do now"
    )
    return parser


def _replay(folders: list[Path], timeout: float) -> int:
    failed = 0
    for folder in folders:
        case, description = load_fixture(folder)
        verdict = run_case(case, timeout)
        state = "still broken" if not verdict.ok else "fixed"
        failed += not verdict.ok
        print(f"{folder}: {state}: {verdict.description}")
        print(f"  was: {description['kind']}: {description['description']}")
        if verdict.stderr:
            print("  stderr: " + verdict.stderr.strip().replace("\n", "\n          ")[-2000:])
        if verdict.traceback:
            print(verdict.traceback)
    return 1 if failed else 0


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    if options.replay:
        return _replay(options.replay, options.timeout)
    targets = options.target or list(TARGETS)
    campaign = Campaign(options.seed, options.timeout, keep=options.keep, root=options.fixtures)
    campaign.say = lambda text: print(text, flush=True)
    signal.signal(signal.SIGTERM, _stop)
    started = time.monotonic()
    print(
        f"fuzzing {', '.join(targets)}: {options.cases} cases each from case {options.start // BATCH * BATCH}, "
        f"seed {options.seed}, {options.jobs} job(s), timeout {options.timeout:g} s",
        flush=True,
    )
    interrupted = False
    units: list[tuple[str, int]] = []
    try:
        units = run_campaign(
            campaign, targets, options.cases, jobs=options.jobs, start=options.start, memory_mb=options.memory_mb
        )
    except KeyboardInterrupt:
        interrupted = True
        from fuzz.campaign import plan

        units = plan(targets, options.cases, options.start)
    wall = time.monotonic() - started
    print(summary(campaign, targets, wall), flush=True)
    if options.summary:
        options.summary.write_text(json.dumps(summary_json(campaign, targets, wall), indent=2) + "\n", encoding="utf-8")
    if interrupted:
        resume = campaign.resume_from(units)
        again = " ".join(_without_start(list(argv if argv is not None else sys.argv[1:])))
        print(f"interrupted; resume with: .venv/bin/python -m fuzz {again} --start {resume}")
        return 130
    return 1 if campaign.signatures else 0


def _without_start(argv: list[str]) -> list[str]:
    out: list[str] = []
    skip = False
    for item in argv:
        if skip:
            skip = False
            continue
        if item == "--start":
            skip = True
            continue
        if item.startswith("--start="):
            continue
        out.append(item)
    return out


if __name__ == "__main__":
    sys.exit(main())
