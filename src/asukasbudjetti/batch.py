"""Tallying a folder of ``.pb`` files with several rules: one typed row per (file, rule).

A batch never stops at a bad file: a file that cannot be read or validated, and a
rule that refuses a file (an unknown declared rule, a vote type it has no
definition for), become rows whose ``error`` says why, on one line. Only errors
raised on purpose (:class:`~asukasbudjetti.errors.AsukasbudjettiError`) are
caught; anything else is a bug and stops the batch.

Rows come back in file order (sorted by path inside the folder), then in the order
the rules were given, whatever the number of worker processes; every column but
``seconds`` is the same from run to run. Nothing here prints or parses options:
the ``batch`` command in :mod:`asukasbudjetti.cli` is a thin layer over
:func:`find_elections`, :func:`parse_rule_names`, :func:`run_batch` and
:func:`render_csv`.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from concurrent.futures import Future

from asukasbudjetti.errors import AsukasbudjettiError, InputError, ProblemsError, RuleError, UnknownRuleError
from asukasbudjetti.money import format_money
from asukasbudjetti.rules import RULES, rule_names
from asukasbudjetti.rules.ties import DEFAULT_SEED
from asukasbudjetti.tally import OFFICIAL, load_election, tally_election

#: The CSV columns, in order.
COLUMNS = (
    "file",
    "rule",
    "vote_type",
    "voters",
    "projects",
    "budget",
    "funded",
    "funded_count",
    "spent",
    "left",
    "seconds",
    "error",
)


class BatchRow(BaseModel):
    """One file tallied with one rule, or why it could not be.

    ``file`` is the path inside the batch folder (``/``-separated); ``rule`` the name
    as requested (``official`` stays ``official``). The election's columns are empty
    when the file could not be read, the outcome's when the rule did not run.
    ``seconds`` is the wall time of reading and validating the file (measured once
    per file) plus that rule's tally: what ``tally FILE --rule RULE`` would spend.
    """

    model_config = ConfigDict(frozen=True)

    file: str
    rule: str
    vote_type: str = ""
    voters: int | None = None
    projects: int | None = None
    budget: str = ""
    funded: tuple[str, ...] | None = None
    spent: str = ""
    left: str = ""
    seconds: float
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    def cells(self) -> tuple[str, ...]:
        """The row as CSV text, in :data:`COLUMNS` order."""
        return (
            self.file,
            self.rule,
            self.vote_type,
            "" if self.voters is None else str(self.voters),
            "" if self.projects is None else str(self.projects),
            self.budget,
            "" if self.funded is None else " ".join(self.funded),
            "" if self.funded is None else str(len(self.funded)),
            self.spent,
            self.left,
            f"{self.seconds:.3f}",
            self.error,
        )


def find_elections(folder: str | os.PathLike[str], *, recursive: bool = False) -> list[Path]:
    """The ``.pb`` files in ``folder`` (and its subfolders when ``recursive``), sorted by path.

    The paths start with ``folder`` as given, so messages cite files the way the
    user named them. Raises :class:`~asukasbudjetti.errors.InputError` when there is
    none.
    """
    root = Path(folder)
    pattern = "**/*.pb" if recursive else "*.pb"
    files = sorted((path for path in root.glob(pattern) if path.is_file()), key=lambda p: _name(p, root))
    if not files:
        where = " or its subfolders" if recursive else ""
        raise InputError(f"{root}: no .pb files in the folder{where}; expected pabulib files named *.pb")
    return files


def parse_rule_names(text: str) -> tuple[str, ...]:
    """The rule names of ``--rules``, comma-separated; ``official`` is one of them.

    Raises :class:`~asukasbudjetti.errors.UnknownRuleError` (listing the known
    names) for a name that is not a rule, and
    :class:`~asukasbudjetti.errors.RuleError` for an empty or repeated name.
    """
    names = tuple(name.strip() for name in text.split(","))
    if "" in names:
        raise RuleError(f"{text!r}: expected rule names separated by commas, e.g. greedy,official")
    for name in names:
        if name != OFFICIAL and name not in RULES:
            raise UnknownRuleError(name, [OFFICIAL, *rule_names()])
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise RuleError(f"{text!r}: {', '.join(repeated)} listed more than once; expected each rule once")
    return names


class FileTimeoutError(Exception):
    """A file took longer than ``--timeout-per-file`` (raised by an interval timer)."""


def _expire(signum: int, frame: object) -> None:
    raise FileTimeoutError


def tally_file_rules(
    path: Path, name: str, rules: Sequence[str], *, seed: int = DEFAULT_SEED, timeout: float | None = None
) -> list[BatchRow]:
    """Read ``path`` once and tally it with each rule: one row per rule, in order.

    With ``timeout`` (seconds), a file that takes longer becomes rows whose error
    says so (the rules not reached included); the batch goes on with the next file.
    """
    if timeout is None or not hasattr(signal, "setitimer"):
        return _tally_file_rules(path, name, rules, seed=seed)
    start = time.perf_counter()
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return _tally_file_rules(path, name, rules, seed=seed)
    except FileTimeoutError:
        seconds = time.perf_counter() - start
        error = f"{name}: stopped after {timeout:g} s (--timeout-per-file); no result"
        return [BatchRow(file=name, rule=rule, seconds=seconds, error=error) for rule in rules]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _tally_file_rules(path: Path, name: str, rules: Sequence[str], *, seed: int) -> list[BatchRow]:
    start = time.perf_counter()
    try:
        election, _, _ = load_election(path)
    except AsukasbudjettiError as exc:
        load_seconds = time.perf_counter() - start
        return [BatchRow(file=name, rule=rule, seconds=load_seconds, error=one_line(exc)) for rule in rules]
    load_seconds = time.perf_counter() - start
    about = BatchRow(
        file=name,
        rule="",
        vote_type=election.vote_type.value,
        voters=len(election.ballots),
        projects=len(election.projects),
        budget=format_money(election.budget),
        seconds=0.0,
    )
    rows: list[BatchRow] = []
    for rule in rules:
        start = time.perf_counter()
        try:
            pot, _ = tally_election(election, rule=rule, seed=seed)
        except AsukasbudjettiError as exc:
            seconds = load_seconds + time.perf_counter() - start
            rows.append(about.model_copy(update={"rule": rule, "seconds": seconds, "error": one_line(exc)}))
            continue
        seconds = load_seconds + time.perf_counter() - start
        outcome = pot
        rows.append(
            about.model_copy(
                update={
                    "rule": rule,
                    "funded": outcome.funded,
                    "spent": format_money(outcome.spent),
                    "left": format_money(outcome.left),
                    "seconds": seconds,
                }
            )
        )
    return rows


def run_batch(
    folder: str | os.PathLike[str],
    files: Sequence[Path],
    rules: Sequence[str],
    *,
    seed: int = DEFAULT_SEED,
    jobs: int = 1,
    timeout: float | None = None,
    on_file_done: Callable[[list[BatchRow]], None] | None = None,
) -> list[BatchRow]:
    """Tally each of ``files`` (inside ``folder``) with each of ``rules``.

    ``jobs`` > 1 reads and tallies files in that many worker processes (and a
    worker runs no pool of its own: one level of parallelism); the rows are the
    same, in the same order (files as given, then rules as given). ``timeout``
    bounds each file's time (see :func:`tally_file_rules`). ``on_file_done`` is
    called in this process with each finished file's rows, as they come, e.g. to
    move a progress bar and keep what is done.
    """
    root = Path(folder)
    names = [_name(path, root) for path in files]
    rules = tuple(rules)
    done = on_file_done if on_file_done is not None else _nothing
    if jobs <= 1 or len(files) <= 1:
        rows: list[BatchRow] = []
        for path, name in zip(files, names, strict=True):
            file_rows = tally_file_rules(path, name, rules, seed=seed, timeout=timeout)
            rows.extend(file_rows)
            done(file_rows)
        return rows
    by_file: list[list[BatchRow]] = [[] for _ in files]
    # Largest files first, so that a big city does not start last and finish alone.
    order = sorted(range(len(files)), key=lambda k: -_size(files[k]))
    # Imported here: the process pool machinery costs every other command start-up time.
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with ProcessPoolExecutor(max_workers=min(jobs, len(files))) as pool:
        futures: dict[Future[list[BatchRow]], int] = {
            pool.submit(tally_file_rules, files[k], names[k], rules, seed=seed, timeout=timeout): k for k in order
        }
        try:
            for future in as_completed(futures):
                by_file[futures[future]] = future.result()
                done(by_file[futures[future]])
        except BaseException:
            # A bug in a worker, or Ctrl-C: do not tally the files still waiting.
            pool.shutdown(cancel_futures=True)
            raise
    return [row for file_rows in by_file for row in file_rows]


def render_csv(rows: Sequence[BatchRow]) -> str:
    """The CSV text: a header of :data:`COLUMNS`, then one line per row (``\\n`` line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(row.cells() for row in rows)
    return buffer.getvalue()


def summarize(rows: Sequence[BatchRow], files: int, rules: int) -> str:
    """One line: ``N files x M rules: K ok, E errors``."""
    errors = sum(1 for row in rows if not row.ok)
    return (
        f"{files} file{'s' if files != 1 else ''} x {rules} rule{'s' if rules != 1 else ''}: "
        f"{len(rows) - errors} ok, {errors} error{'s' if errors != 1 else ''}"
    )


def one_line(exc: AsukasbudjettiError) -> str:
    """The error's message on one line; of a file's problems, the first and a count of the rest."""
    if isinstance(exc, ProblemsError) and exc.problems:
        text = _flatten(str(exc.problems[0]))
        more = len(exc.problems) - 1
        return text + (f" (and {more} more problem{'s' if more != 1 else ''})" if more else "")
    return _flatten(str(exc))


def _flatten(text: str) -> str:
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def _name(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # the worker reports it as unreadable


def _nothing(rows: list[BatchRow]) -> None:
    pass


__all__ = [
    "COLUMNS",
    "BatchRow",
    "find_elections",
    "one_line",
    "parse_rule_names",
    "render_csv",
    "run_batch",
    "summarize",
    "tally_file_rules",
]
