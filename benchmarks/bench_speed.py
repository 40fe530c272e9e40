"""The figures issue 13 asks for, each as a whole process, medians of repeated runs.

- ``python -c "import asukasbudjetti"``;
- ``tally Poland_Warszawa_2026.pb --rule greedy`` (the reader and the start-up);
- ``tally ... --margins`` under greedy and under plain Equal Shares (pabutools has no
  margins: ours only);
- ``tally ... --rule equalshares/add1`` on Warszawa 2026 and on Józsefváros 2022, beside
  pabutools' ``method_of_equal_shares`` with ``voter_budget_increment=1`` in a fresh
  process (capped: a run past ``--pabutools-cap`` seconds is reported as such), and
  Warszawa's again on one core (``taskset -c 0``, where there is taskset), as the
  issue asks.

Usage: ``.venv/bin/python benchmarks/bench_speed.py [--pabulib DIR] [--repeat N]
[--markdown-out FILE]``. A missing file is skipped, saying so.
"""

from __future__ import annotations

import argparse
import compileall
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchcommon import PROJECT_ROOT, code_version, run_process

CLI = str(Path(sys.executable).with_name("asukasbudjetti"))
PABUTOOLS_ADD1 = """
import sys
from pabutools.election import parse_pabulib, Cost_Sat
from pabutools.rules import method_of_equal_shares
instance, profile = parse_pabulib(sys.argv[1])
outcome = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, voter_budget_increment=1)
print(sorted(p.name for p in outcome))
"""


def median_process(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        elapsed, _, out, code = run_process(command)
        if code != 0:
            raise SystemExit(f"{' '.join(command)} failed: {out}")
        times.append(elapsed)
    return statistics.median(times)


def capped_process(command: list[str], cap: float) -> str:
    start = time.perf_counter()
    try:
        subprocess.run(command, capture_output=True, timeout=cap, check=True)
    except subprocess.TimeoutExpired:
        return f"> {cap:.0f} s (stopped)"
    except subprocess.CalledProcessError as exc:
        return f"failed: {exc.stderr.decode(errors='replace').strip().splitlines()[-1:]}"
    return f"{time.perf_counter() - start:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pabulib", type=Path, default=PROJECT_ROOT.parent / "shared" / "pabulib")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pabutools-cap", type=float, default=120.0)
    parser.add_argument("--no-pabutools", action="store_true")
    parser.add_argument("--markdown-out", type=Path)
    args = parser.parse_args()
    # This machine sets PYTHONDONTWRITEBYTECODE: without compiled bytecode every process
    # would compile the package's changed modules again (see bench_greedy.py).
    import asukasbudjetti

    compileall.compile_dir(str(Path(asukasbudjetti.__file__).parent), quiet=1)
    warszawa = args.pabulib / "Poland_Warszawa_2026.pb"
    jozsefvaros = args.pabulib / "Hungary_Budapest_2022_VIII_Jozsefvaros.pb"
    rows: list[tuple[str, str, str, str]] = []

    def ours(label: str, command: list[str], repeat: int, pabutools: str = "no such feature") -> None:
        seconds = median_process(command, repeat)
        ratio = ""
        if pabutools.endswith(" s") and not pabutools.startswith(">"):
            ratio = f"{float(pabutools.removesuffix(' s')) / seconds:.1f}×"
        elif pabutools.startswith(">"):
            ratio = f"> {float(pabutools.split()[1]) / seconds:.0f}×"
        rows.append((label, f"{seconds:.2f} s", pabutools, ratio))
        print(f"{label}: {seconds:.2f} s (pabutools: {pabutools})", flush=True)

    ours('python -c "import asukasbudjetti"', [sys.executable, "-c", "import asukasbudjetti"], args.repeat, "-")
    if not warszawa.is_file():
        print(f"skipped: {warszawa} is missing")
    else:
        ours("tally Warszawa 2026 --rule greedy", [CLI, "tally", str(warszawa), "--rule", "greedy"], args.repeat, "-")
        ours(
            "tally Warszawa 2026 --rule greedy --margins",
            [CLI, "tally", str(warszawa), "--rule", "greedy", "--margins"],
            3,
        )
        ours(
            "tally Warszawa 2026 --rule equalshares --margins",
            [CLI, "tally", str(warszawa), "--rule", "equalshares", "--margins"],
            1,
        )
    for name, path in (("Warszawa 2026", warszawa), ("Józsefváros 2022", jozsefvaros)):
        if not path.is_file():
            print(f"skipped: {path} is missing")
            continue
        theirs = "not run"
        if not args.no_pabutools:
            theirs = capped_process([sys.executable, "-c", PABUTOOLS_ADD1, str(path)], args.pabutools_cap)
        command = [CLI, "tally", str(path), "--rule", "equalshares/add1"]
        ours(f"tally {name} --rule equalshares/add1", command, 3, theirs)
        taskset = shutil.which("taskset")
        if path == warszawa and taskset:
            ours("the same on one core (taskset -c 0)", [taskset, "-c", "0", *command], args.repeat, theirs)
    table = [
        f"Commit {code_version()}; medians of whole processes.",
        "",
        "| what | asukasbudjetti | pabutools | ratio (pabutools / ours) |",
        "| --- | ---: | ---: | ---: |",
        *(f"| {label} | {ours_} | {theirs} | {ratio} |" for label, ours_, theirs, ratio in rows),
    ]
    print("\n".join(table))
    if args.markdown_out:
        args.markdown_out.write_text("\n".join(table) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
