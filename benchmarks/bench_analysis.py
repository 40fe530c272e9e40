"""Decide EJR, EJR-1, PJR and PJR-1 (cost and cardinality) on every approval file of a folder.

Run from the project root::

    .venv/bin/python benchmarks/bench_analysis.py [--pabulib DIR] [--limit SECONDS]
                                                  [--rules greedy,equalshares/add1]
                                                  [--csv-out FILE] [--pabutools-cap N]

For every approval or choose-1 ``.pb`` file, each rule runs once (``tally_election``),
then :func:`asukasbudjetti.analysis.justified.check` decides each property for each
satisfaction measure with a time limit of ``--limit`` seconds (60 by default). One
CSV row per check: the file, its voters, distinct ballots and projects, the rule, the
property, the measure, the verdict, the search nodes and the seconds it took.
A summary at the end says how many checks were decided, how many failed, and the
slowest. pabutools (``is_EJR_approval`` etc.) runs side by side only where it can run
at all: files with at most ``--pabutools-cap`` ballots and projects together (12 by
default: it enumerates 2^voters x 2^projects pairs).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from asukasbudjetti.analysis.justified import PROPERTIES, check
from asukasbudjetti.errors import AsukasbudjettiError
from asukasbudjetti.profile import compile_profile
from asukasbudjetti.tally import load_election, tally_election


def pabutools_time(path: Path, funded: tuple[str, ...], prop: str, kind: str) -> tuple[float, bool] | None:
    try:
        from pabutools.analysis import justifiedrepresentation as jr
        from pabutools.election import Cardinality_Sat, Cost_Sat, parse_pabulib
    except ImportError:
        return None
    instance, profile = parse_pabulib(str(path))
    allocation = [p for p in instance if p.name in set(funded)]
    function = {
        "EJR": jr.is_EJR_approval,
        "EJR-1": jr.is_EJR_one_approval,
        "PJR": jr.is_PJR_approval,
        "PJR-1": jr.is_PJR_one_approval,
    }[prop]
    start = time.perf_counter()
    verdict = function(instance, profile, Cost_Sat if kind == "cost" else Cardinality_Sat, allocation)
    return time.perf_counter() - start, bool(verdict)


def tiny_side_by_side(count: int, voters: int = 8, projects: int = 6, seed: int = 1) -> None:
    """Random tiny approval instances: our check and pabutools' on the same outcome, timed."""
    import random

    from pabutools.analysis import justifiedrepresentation as jr
    from pabutools.election import ApprovalBallot, ApprovalProfile, Cardinality_Sat, Cost_Sat, Instance, Project

    from asukasbudjetti.io import read_pabulib_bytes

    functions = {
        "EJR": jr.is_EJR_approval,
        "EJR-1": jr.is_EJR_one_approval,
        "PJR": jr.is_PJR_approval,
        "PJR-1": jr.is_PJR_one_approval,
    }
    generator = random.Random(seed)
    ours_seconds = theirs_seconds = 0.0
    agree = total = 0
    for _ in range(count):
        costs = [generator.randint(1, 9) for _ in range(projects)]
        budget = generator.randint(1, sum(costs))
        ballots = [generator.sample(range(projects), generator.randint(1, projects)) for _ in range(voters)]
        funded: list[int] = []
        for j in generator.sample(range(projects), projects):
            if sum(costs[k] for k in funded) + costs[j] <= budget and generator.random() < 0.5:
                funded.append(j)
        text = ["META", "key;value", f"budget;{budget}", "vote_type;approval", "PROJECTS", "project_id;cost"]
        text += [f"p{j};{c}" for j, c in enumerate(costs)] + ["VOTES", "voter_id;vote"]
        text += [f"v{i};{','.join(f'p{j}' for j in b)}" for i, b in enumerate(ballots)]
        election = read_pabulib_bytes(("\n".join(text) + "\n").encode(), "tiny.pb").election
        assert election is not None
        profile = compile_profile(election)
        items = [Project(f"p{j}", c) for j, c in enumerate(costs)]
        instance = Instance(items, budget_limit=budget)
        their_profile = ApprovalProfile([ApprovalBallot([items[j] for j in b]) for b in ballots])
        for prop, function in functions.items():
            for kind, sat in (("cost", Cost_Sat), ("cardinality", Cardinality_Sat)):
                start = time.perf_counter()
                ours = check(profile, [f"p{j}" for j in funded], prop, kind, up_to_one="weak")  # type: ignore[arg-type]
                ours_seconds += time.perf_counter() - start
                start = time.perf_counter()
                theirs = bool(function(instance, their_profile, sat, [items[j] for j in funded]))
                theirs_seconds += time.perf_counter() - start
                total += 1
                agree += (ours.verdict.value == "holds") == theirs
    print(
        f"{count} random instances ({voters} voters, {projects} projects), {total} checks: {agree} agree; "
        f"asukasbudjetti {ours_seconds:.2f} s, pabutools {theirs_seconds:.2f} s in all"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pabulib", default=str(Path(__file__).resolve().parent.parent.parent / "shared" / "pabulib"))
    parser.add_argument("--limit", type=float, default=60.0)
    parser.add_argument("--rules", default="greedy,equalshares/add1")
    parser.add_argument("--csv-out", default=None)
    parser.add_argument("--pabutools-cap", type=int, default=12)
    parser.add_argument("--tiny", type=int, default=0)
    args = parser.parse_args()
    if args.tiny:
        tiny_side_by_side(args.tiny)
        return
    rows: list[list[object]] = []
    header = [
        "file",
        "voters",
        "ballots",
        "projects",
        "rule",
        "property",
        "satisfaction",
        "verdict",
        "nodes",
        "seconds",
    ]
    header += ["pabutools_seconds", "pabutools_verdict"]
    stream = open(args.csv_out, "w", newline="") if args.csv_out else sys.stdout  # noqa: SIM115 (open for the whole run)
    out = csv.writer(stream)
    out.writerow(header)
    for path in sorted(Path(args.pabulib).glob("*.pb")):
        try:
            election, _, _ = load_election(path)
        except AsukasbudjettiError:
            continue
        if not election.vote_type.is_approval_like:
            continue
        profile = compile_profile(election)
        for rule in args.rules.split(","):
            try:
                pot, _ = tally_election(election, rule=rule)
            except AsukasbudjettiError:
                continue
            for prop in PROPERTIES:
                for kind in ("cost", "cardinality"):
                    start = time.perf_counter()
                    result = check(profile, pot.funded, prop, kind, time_limit=args.limit)
                    seconds = time.perf_counter() - start
                    theirs: tuple[float, bool] | None = None
                    if profile.voter_count + profile.project_count <= args.pabutools_cap:
                        theirs = pabutools_time(path, pot.funded, prop, kind)
                    row = [
                        path.name,
                        profile.voter_count,
                        len(profile.counts),
                        profile.project_count,
                        rule,
                        prop,
                        kind,
                        result.verdict.value,
                        result.nodes,
                        f"{seconds:.3f}",
                        "" if theirs is None else f"{theirs[0]:.3f}",
                        "" if theirs is None else ("holds" if theirs[1] else "fails"),
                    ]
                    rows.append(row)
                    out.writerow(row)
                    stream.flush()
    decided = [r for r in rows if r[7] != "not decided"]
    slowest = max(rows, key=lambda r: float(str(r[9])), default=None)
    print(
        f"# {len(rows)} checks on {len({r[0] for r in rows})} files: {len(decided)} decided, "
        f"{sum(1 for r in rows if r[7] == 'fails')} fail, "
        f"{len(rows) - len(decided)} not decided within {args.limit:g} s; "
        f"slowest {slowest[9] if slowest else '-'} s ({slowest[0] if slowest else '-'})",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
