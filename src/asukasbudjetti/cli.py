"""The ``asukasbudjetti`` command: a thin layer over the library.

Every error raised on purpose becomes ``Error: ...`` on standard error and exit
code 1, with no traceback; outputs are written to a temporary file and renamed,
so a failure leaves nothing half-written. Any other exception is a bug: it still
ends with one line, ``Error: internal error while reading FILE: ...; please report
it with the file``, and exit code 2; ``asukasbudjetti --debug COMMAND`` shows its
traceback instead.
"""

from __future__ import annotations

import gc
import os
import sys
import traceback
from collections.abc import Callable
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from asukasbudjetti.batch import BatchRow, find_elections, parse_rule_names, render_csv, run_batch, summarize
from asukasbudjetti.errors import AsukasbudjettiError, OutputError, ProblemsError, format_problems
from asukasbudjetti.io.files import write_atomically
from asukasbudjetti.model.outcome import Decision, Outcome
from asukasbudjetti.model.record import Diagnosis, Record
from asukasbudjetti.money import format_money, parse_money
from asukasbudjetti.rules import RULES
from asukasbudjetti.rules.ties import DEFAULT_SEED
from asukasbudjetti.tally import OFFICIAL, load_election, tally_file
from asukasbudjetti.version import __version__

if TYPE_CHECKING:
    from asukasbudjetti.audit.diagnose import AuditRow

F = TypeVar("F", bound=Callable[..., Any])


#: The arguments that name a command's input, in the order they are looked for.
_INPUT_ARGUMENTS = ("file", "record", "folder", "files", "path")


class InternalError(click.ClickException):
    """An exception nobody raised on purpose: a bug, reported in one line with exit code 2."""

    exit_code = 2


def _friendly(function: F) -> F:
    """Turn our errors into click's ``Error: ...`` / exit 1, and any other exception into
    one line naming the input / exit 2 (its traceback only with ``--debug``)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except AsukasbudjettiError as exc:
            raise click.ClickException(str(exc)) from None
        except click.ClickException:
            raise
        except Exception as exc:
            context = click.get_current_context()
            if context.find_root().params.get("debug"):
                click.echo(traceback.format_exc(), err=True, nl=False)
            named = next((kwargs[name] for name in _INPUT_ARGUMENTS if kwargs.get(name)), None)
            where = ", ".join(named) if isinstance(named, tuple) else str(named or "the input")
            detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
            raise InternalError(
                f"internal error while reading {where}: {detail}; please report it with the file"
            ) from None

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    return wrapper  # type: ignore[return-value]  # same signature as function


@click.group()
@click.version_option(__version__, prog_name="asukasbudjetti")
@click.option("--debug", is_flag=True, help="On an internal error, show its traceback.")
def main(debug: bool) -> None:
    """Tally participatory budgeting ballots exactly, and explain the result."""
    # One command per process, over data with no reference cycles: the cyclic
    # collector would only re-walk the ballots (tens of milliseconds on a large city).
    gc.disable()


def _parse_exclusive(groups: tuple[str, ...]) -> list[list[str]]:
    parsed: list[list[str]] = []
    for text in groups:
        ids = [item.strip() for item in text.split(",")]
        if len(ids) < 2 or "" in ids:
            raise click.BadParameter(
                f"{text!r}: expected two or more project ids separated by commas, e.g. 12,17",
                param_hint="--exclusive",
            )
        parsed.append(ids)
    return parsed


def _check_rule(rule: str) -> str:
    """--rule: ``official`` or a registered rule, else a usage error naming the option."""
    if rule != OFFICIAL and rule not in RULES:
        raise click.BadParameter(
            f"{rule!r} is not a rule; choose official or one of: {', '.join(sorted(RULES))}", param_hint="--rule"
        )
    return rule


def _check_threshold(text: str | None) -> str | None:
    """--threshold: an exact amount, else a usage error naming the option."""
    if text is not None:
        try:
            parse_money(text)
        except AsukasbudjettiError as exc:
            raise click.BadParameter(str(exc), param_hint="--threshold") from None
    return text


def _parse_params(texts: tuple[str, ...]) -> list[tuple[str, str]]:
    parsed: list[tuple[str, str]] = []
    for text in texts:
        name, sep, value = text.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise click.BadParameter(f"{text!r}: expected NAME=VALUE, e.g. utilities=cardinality", param_hint="--param")
        parsed.append((name.strip(), value.strip()))
    return parsed


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--rule",
    default=OFFICIAL,
    show_default=True,
    help="'official' runs the file's META rule; or one of: " + ", ".join(sorted(RULES)),
)
@click.option(
    "--exclusive",
    multiple=True,
    metavar="IDS",
    help="Mutually exclusive projects, as ID,ID,... (repeatable).",
)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Lottery seed for ties.")
@click.option("--threshold", default=None, help="Minimum score a project needs (overrides META).")
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A rule parameter, e.g. utilities=cardinality or add1_start=exact (repeatable).",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--margins",
    is_flag=True,
    help="For each unfunded project, how far it was from funding (re-tallies; for small elections).",
)
@click.option(
    "--exclude-invalid",
    is_flag=True,
    help="Cycle files: leave out ballots that break the cycle's rules (each is listed) instead of stopping.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result record as JSON.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the record (JSON) here.")
@_friendly
def tally(
    file: str,
    rule: str,
    exclusive: tuple[str, ...],
    seed: int,
    threshold: str | None,
    params: tuple[str, ...],
    strict: bool,
    margins: bool,
    exclude_invalid: bool,
    as_json: bool,
    output: str | None,
) -> None:
    """Tally FILE (a pabulib .pb file, or a budget cycle .toml) and print the funded projects.

    With --rule official, an outcome that differs from the announced one gets a
    diagnosis: the smallest changes that reproduce it (see `asukasbudjetti audit`).
    """
    if file.endswith(".toml"):
        # A cycle file says each pot's rule and parameters itself.
        from asukasbudjetti.cycles import tally_cycle

        record = tally_cycle(file, exclude_invalid=exclude_invalid)
    else:
        # Margins, and the diagnosis of a differing official outcome, are found above
        # the tally, by re-running the rule on changed elections.
        run: Callable[..., Record] = tally_file
        if rule == OFFICIAL:
            from asukasbudjetti.audit.diagnose import tally_file_with_diagnosis

            run = partial(tally_file_with_diagnosis, margins=margins)
        elif margins:
            from asukasbudjetti.audit.margins import tally_file_with_margins

            run = tally_file_with_margins
        record = run(
            file,
            rule=_check_rule(rule),
            seed=seed,
            exclusive=_parse_exclusive(exclusive),
            threshold=_check_threshold(threshold),
            params=_parse_params(params),
            strict=strict,
        )
    text = record.dumps()
    if output is not None:
        write_atomically(output, text)
    if as_json:
        click.echo(text, nl=False)
    else:
        click.echo(_table(record))


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@_friendly
def validate(files: tuple[str, ...], strict: bool) -> None:
    """Check FILES (pabulib .pb files); exit 1 if any has an error."""
    failed = 0
    for file in files:
        if file.endswith(".toml"):
            from asukasbudjetti.cycles import validate_cycle

            try:
                summary = validate_cycle(file)
            except ProblemsError as exc:
                failed += 1
                click.echo(format_problems(exc.problems), err=True)
                continue
            except AsukasbudjettiError as exc:
                failed += 1
                click.echo(str(exc), err=True)
                continue
            click.echo(f"{file}: valid ({summary})")
            continue
        try:
            election, warnings, _ = load_election(file, strict=strict)
        except ProblemsError as exc:
            failed += 1
            click.echo(format_problems(exc.problems), err=True)
            continue
        except AsukasbudjettiError as exc:
            failed += 1
            click.echo(str(exc), err=True)
            continue
        for warning in warnings[:20]:
            click.echo(str(warning), err=True)
        if len(warnings) > 20:
            click.echo(f"... and {len(warnings) - 20} more warnings", err=True)
        click.echo(
            f"{file}: valid ({len(election.ballots)} ballots, {len(election.projects)} projects"
            f"{f', {len(warnings)} warnings' if warnings else ''})"
        )
    if failed:
        raise click.ClickException(f"{failed} of {len(files)} file{'s' if len(files) != 1 else ''} invalid")


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--rules",
    "rules_text",
    default=OFFICIAL,
    show_default=True,
    metavar="R1,R2,...",
    help="Rules to run on every file, comma-separated: 'official' (the file's META rule) or any of: "
    + ", ".join(sorted(RULES)),
)
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Worker processes.")
@click.option("--recursive", is_flag=True, help="Also tally the .pb files in subfolders.")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Lottery seed for ties.")
@click.option(
    "--timeout-per-file",
    "timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Give up on a file after this many seconds (its rows say so); default: no limit.",
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Write the CSV here.")
@_friendly
def batch(
    folder: str, rules_text: str, jobs: int, recursive: bool, seed: int, timeout: float | None, output: str
) -> None:
    """Tally every .pb file in FOLDER with each rule; write one CSV row per file and rule.

    A file or rule that fails is a row with its error, not the end of the batch.
    Rows are kept as each file finishes (in OUTPUT.partial, until the batch is done),
    so an interrupted batch loses nothing it finished.
    """
    # Unlike the one-file commands, a batch reads many elections in one process:
    # let the cyclic collector free what each leaves behind.
    gc.enable()
    try:
        rules = parse_rule_names(rules_text)
    except AsukasbudjettiError as exc:
        raise click.BadParameter(str(exc), param_hint="--rules") from None
    files = find_elections(folder, recursive=recursive)
    target_folder = Path(output).parent
    if not target_folder.is_dir():
        raise OutputError(f"{output}: cannot write the file: the folder {target_folder} does not exist")
    progress = _BatchProgress(len(files), Path(output + ".partial"))
    try:
        if sys.stderr.isatty():
            bar: Any = click.progressbar(
                length=len(files), label="Tallying", file=sys.stderr, item_show_func=lambda _: progress.slowest()
            )
            with bar:
                progress.bar = bar
                rows = run_batch(folder, files, rules, seed=seed, jobs=jobs, timeout=timeout, on_file_done=progress.add)
        else:
            rows = run_batch(folder, files, rules, seed=seed, jobs=jobs, timeout=timeout, on_file_done=progress.add)
    except KeyboardInterrupt:
        progress.close()
        raise click.ClickException(
            f"interrupted: {progress.done} of {len(files)} files done; their rows are in {progress.partial}"
        ) from None
    progress.close()
    write_atomically(output, render_csv(rows))
    progress.partial.unlink(missing_ok=True)
    click.echo(summarize(rows, len(files), len(rules)), err=True)


class _BatchProgress:
    """A batch's progress: rows kept in a partial CSV as files finish, the slowest file so far,
    shown in the progress bar, or (when standard error is not a terminal) in a line every
    30 seconds."""

    def __init__(self, files: int, partial: Path) -> None:
        import time

        self.files, self.partial, self.done = files, partial, 0
        self.clock = time.monotonic
        self.start = self.last = self.clock()
        self.worst: tuple[float, str] = (0.0, "")
        #: click's progress bar, when standard error is a terminal.
        self.bar: Any = None
        self.stream = partial.open("w", encoding="utf-8", newline="")
        self.stream.write(render_csv([]))

    def add(self, rows: list[BatchRow]) -> None:
        self.done += 1
        if rows:
            self.stream.write(render_csv(rows).partition("\n")[2])
            self.stream.flush()
            seconds = max(row.seconds for row in rows)
            if seconds > self.worst[0]:
                self.worst = (seconds, rows[0].file)
        if self.bar is not None:
            self.bar.update(1)
            return
        now = self.clock()
        if now - self.last >= 30:  # a short batch prints only its summary
            self.last = now
            click.echo(f"batch: {self.done}/{self.files} files, {now - self.start:.0f} s; {self.slowest()}", err=True)

    def slowest(self) -> str:
        seconds, name = self.worst
        return f"slowest {name} ({seconds:.1f} s)" if name else ""

    def close(self) -> None:
        self.stream.close()


@main.command()
@click.argument("path", type=click.Path(exists=True))
@click.option("--recursive", is_flag=True, help="Also audit the .pb files in subfolders.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write one CSV row per file here.")
@_friendly
def audit(path: str, recursive: bool, output: str | None) -> None:
    """Tally PATH (a .pb file, or every .pb file in a folder) with the rule it declares; say whether
    it reproduces the announced outcome and, if not, the smallest changes that would.

    For a folder, a file that fails is a row (or a line) with its error, not the end of the run.
    """
    import time

    from asukasbudjetti.audit.diagnose import audit_files, audit_row, render_audit_csv, tally_file_with_diagnosis

    if Path(path).is_dir():
        gc.enable()  # many elections in one process, as in batch
        files = find_elections(path, recursive=recursive)
        if output is not None:
            _check_output_folder(output)
        if sys.stderr.isatty():
            with click.progressbar(length=len(files), label="Auditing", file=sys.stderr) as bar:
                rows = audit_files(path, files, on_file_done=lambda: bar.update(1))
        else:
            rows = audit_files(path, files)
    else:
        if output is not None:
            _check_output_folder(output)
        start = time.perf_counter()
        record = tally_file_with_diagnosis(path)
        rows = [audit_row(record, Path(path).name, time.perf_counter() - start)]
    if output is not None:
        write_atomically(output, render_audit_csv(rows, _diagnosis_text))
    else:
        click.echo("\n".join(line for row in rows for line in _audit_lines(row)))
    if len(rows) > 1 or output is not None:
        click.echo(_audit_summary(rows), err=True)


def _check_output_folder(output: str) -> None:
    target_folder = Path(output).parent
    if not target_folder.is_dir():
        raise OutputError(f"{output}: cannot write the file: the folder {target_folder} does not exist")


def _diagnosis_text(diagnosis: Diagnosis) -> str:
    from asukasbudjetti.audit.explain.render import render_diagnosis

    return " ".join(render_diagnosis(diagnosis))


def _audit_lines(row: AuditRow) -> list[str]:
    """One file's audit as text: the rule and the verdict, then the diagnosis' sentences."""
    from asukasbudjetti.audit.explain.render import render_diagnosis

    if row.error:
        return [f"{row.file}: error: {row.error}"]
    if row.reproduced == "not announced":
        return [f"{row.file}: rule {row.rule}: no announced outcome (no selected column)"]
    if row.reproduced == "yes":
        return [f"{row.file}: rule {row.rule}: reproduced"]
    differences = []
    if row.missing:
        differences.append(f"announced but not funded here: {', '.join(row.missing)}")
    if row.extra:
        differences.append(f"funded here but not announced: {', '.join(row.extra)}")
    lines = [f"{row.file}: rule {row.rule}: differs ({'; '.join(differences)})"]
    if row.diagnosis is not None:
        lines.extend(f"  {sentence}" for sentence in render_diagnosis(row.diagnosis))
    return lines


def _audit_summary(rows: list[AuditRow]) -> str:
    """One line: how many files reproduce, differ (and of those, how many are explained), fail."""
    reproduced = sum(1 for row in rows if row.reproduced == "yes")
    differ = [row for row in rows if row.reproduced == "no"]
    explained = sum(1 for row in differ if row.diagnosis is not None and row.diagnosis.explanations)
    errors = sum(1 for row in rows if row.error)
    unannounced = sum(1 for row in rows if row.reproduced == "not announced")
    return (
        f"{len(rows)} file{'s' if len(rows) != 1 else ''}: {reproduced} reproduced, {len(differ)} differ "
        f"({explained} explained), {unannounced} without an announced outcome, "
        f"{errors} error{'s' if errors != 1 else ''}"
    )


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the schema here.")
@click.option("--record", "of_record", is_flag=True, help="The schema of the result record instead of the cycle file.")
@_friendly
def schema(output: str | None, of_record: bool) -> None:
    """Print the JSON Schema of the budget cycle file (for editors' completion and checks),
    or with --record that of the result record (generated from its model)."""
    from asukasbudjetti.model.schemas import cycle_schema_text, record_schema_text

    text = record_schema_text() if of_record else cycle_schema_text()
    if output is not None:
        write_atomically(output, text)
    else:
        click.echo(text, nl=False)


@main.command()
@click.argument("record", type=click.Path(dir_okay=False))
@click.option(
    "--inputs",
    "inputs_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder holding the record's input files (default: the record's own folder).",
)
@_friendly
def verify(record: str, inputs_dir: str | None) -> None:
    """Run the tally RECORD records again; exit 0 only if it gives RECORD byte for byte.

    Checks every input's size and SHA-256 first; any difference is listed on
    standard error (exit 1).
    """
    from asukasbudjetti.audit.verify import verify_record

    report = verify_record(record, inputs_dir)
    if not report.ok:
        plural = "s" if report.count != 1 else ""
        raise click.ClickException(
            f"{record}: not verified, {report.count} difference{plural}:\n  " + "\n  ".join(report.differences)
        )
    click.echo(
        f"verified: {report.inputs} input{'s' if report.inputs != 1 else ''}, "
        f"{report.pots} pot{'s' if report.pots != 1 else ''}"
    )


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--rules",
    "rules_text",
    required=True,
    metavar="R1,R2,...",
    help="Rules to compare, comma-separated: 'official' (the file's or each pot's rule) or any of: "
    + ", ".join(sorted(RULES)),
)
@click.option("--seed", type=int, default=None, help="Lottery seed for ties [default: 0; a cycle: each pot's seed].")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as one JSON object, exact numbers as text.")
@_friendly
def compare(file: str, rules_text: str, seed: int | None, as_json: bool) -> None:
    """Compare rules on FILE (a .pb file, or every pot of a cycle .toml): funded projects,
    money spent, and how many funded projects the voters approved under each."""
    from asukasbudjetti.audit.compare import check_rule_names, compare_file, comparison_json, render_comparison

    try:
        rules = check_rule_names([name.strip() for name in rules_text.split(",")])
    except AsukasbudjettiError as exc:
        raise click.BadParameter(str(exc), param_hint="--rules") from None
    report = compare_file(file, rules, seed=seed)
    click.echo(comparison_json(report) if as_json else render_comparison(report), nl=not as_json)


@main.command()
@click.argument("record", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "md"]),
    default=None,
    help="html: one self-contained page with charts; md: a Markdown summary. "
    "Default: md when the output ends in .md, else html.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report here (default: print it).")
@_friendly
def report(record: str, fmt: str | None, output: str | None) -> None:
    """Write a report of RECORD (a result record) for the public, from the record alone."""
    from asukasbudjetti.publish.report import render_report

    if fmt is None:
        fmt = "md" if output is not None and output.lower().endswith(".md") else "html"
    text = render_report(record, fmt)
    if output is not None:
        write_atomically(output, text)
    else:
        click.echo(text, nl=False)


@main.command()
@click.argument("record", type=click.Path(dir_okay=False))
@click.option("--project", default=None, metavar="ID", help="Explain only this project.")
@click.option("--lang", type=click.Choice(["en", "fi"]), default="en", show_default=True, help="Language of the text.")
@_friendly
def explain(record: str, project: str | None, lang: str) -> None:
    """Say in plain words why each project of RECORD (a result record) was funded or not, from the record alone."""
    from asukasbudjetti.audit.explain import explain as explain_record
    from asukasbudjetti.io.record import read_record

    paragraphs = explain_record(read_record(record), project=project, lang="fi" if lang == "fi" else "en")
    click.echo("\n\n".join(paragraphs))


_MARK = {
    Decision.FUNDED: "funded",
    Decision.RESERVE_FUNDED: "funded (reserve)",
    Decision.DID_NOT_FIT: "did not fit",
    Decision.STOPPED: "did not fit: stop",
    Decision.NOT_REACHED: "not reached",
    Decision.BELOW_THRESHOLD: "below threshold",
    Decision.WITHDRAWN: "withdrawn",
    Decision.EXCLUDED: "excluded",
}


def _approximate(value: Fraction) -> str:
    """An exact value for the eye: two decimals, marked as rounded when it is."""
    rounded = round(value, 2)
    text = format_money(abs(rounded))
    whole, _, cents = text.partition(".")
    shown = f"{'-' if rounded < 0 else ''}{whole}.{cents.ljust(2, '0')}"
    return shown if rounded == value else f"~{shown}"


def _aligned(rows: list[tuple[str, ...]], right: set[int]) -> list[str]:
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    return [
        "  "
        + "  ".join(
            cell.rjust(width) if k in right else cell.ljust(width)
            for k, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]


def _trace_rows(outcome: Outcome) -> list[str]:
    """The rule's steps as a table: greedy walk, MES rounds or Phragmén rounds."""
    if outcome.steps:
        rows: list[tuple[str, ...]] = [("rank", "project", "score", "votes", "cost", "decision")]
        rows += [
            (str(s.rank), s.project_id, str(s.score), str(s.votes), format_money(s.cost), _MARK[s.decision])
            for s in outcome.steps
        ]
        return _aligned(rows, {0, 2, 3, 4})
    lines: list[str] = []
    if outcome.mes_rounds:
        if outcome.endowment is not None:
            lines.append(f"  endowment per voter: {_approximate(outcome.endowment)}")
        rows = [("round", "project", "cost", "q (cap per voter)", "effective votes")]
        rows += [
            (str(r.round), r.project_id, format_money(r.cost), _approximate(r.q), _approximate(r.effective_vote_count))
            for r in outcome.mes_rounds
        ]
        lines += _aligned(rows, {0, 2, 3, 4})
        if outcome.completion:
            adopted = [step for step in outcome.completion if step.accepted]
            lines.append(
                f"  completion: {len(outcome.completion)} endowments recorded; "
                f"adopted {_approximate(adopted[-1].endowment) if adopted else '-'}"
            )
    if outcome.phragmen_rounds:
        rows = [("round", "project", "cost", "supporters", "load")]
        rows += [
            (str(r.round), r.project_id, format_money(r.cost), str(r.supporters), _approximate(r.load))
            for r in outcome.phragmen_rounds
        ]
        lines += _aligned(rows, {0, 2, 3, 4})
    if outcome.optimum is not None:
        lines.append(
            f"  optimum: {outcome.optimum.objective} welfare {_approximate(outcome.optimum.value)} "
            f"({outcome.optimum.method})"
        )
    if outcome.comparison is not None:
        c = outcome.comparison
        lines.append(
            f"  comparison ({c.measure}): {c.prefer_rule} voters prefer the rule, {c.prefer_greedy} prefer greedy; "
            f"chosen: {c.chosen}"
        )
    if outcome.ineligible:
        lines.append(f"  left out by the eligibility filter: {', '.join(outcome.ineligible)}")
    return lines


def _table(record: Record) -> str:
    lines: list[str] = []
    for pot in record.outcomes:
        outcome = pot
        lines.append(f"{pot.source}: pot {pot.pot!r}, rule {outcome.rule}, budget {format_money(outcome.budget)}")
        lines.extend(_trace_rows(outcome))
        lines.append(f"  funded: {', '.join(outcome.funded) if outcome.funded else '(none)'}")
        lines.append(f"  spent {format_money(outcome.spent)}, left {format_money(outcome.left)}")
        if outcome.reserve is not None:
            reserve = outcome.reserve
            lines.append(
                f"  reserve: project {reserve.project_id} costs {format_money(reserve.cost)}; "
                f"{format_money(reserve.from_pot)} from the pot, {format_money(reserve.from_reserve)} from the reserve"
            )
        for tie in outcome.ties:
            if tie.decisive:
                lines.append(
                    f"  tie at step {tie.step}: {', '.join(tie.projects)} settled by {', then '.join(tie.settled_by)}"
                )
        if pot.announced is not None:
            announced = pot.announced
            verdict = "matches" if announced.matches else "DIFFERS from"
            lines.append(f"  {verdict} the announced outcome ({', '.join(announced.funded) or 'none'})")
            if announced.missing:
                lines.append(f"    announced but not funded here: {', '.join(announced.missing)}")
            if announced.extra:
                lines.append(f"    funded here but not announced: {', '.join(announced.extra)}")
            if announced.outside_money:
                lines.append(
                    "  paid from money outside the file (not reproducible from the ballots): "
                    + ", ".join(announced.outside_money)
                )
        if pot.diagnosis is not None:
            from asukasbudjetti.audit.explain.render import render_diagnosis

            lines.append("  diagnosis:")
            lines.extend(f"    {sentence}" for sentence in render_diagnosis(pot.diagnosis))
    if record.cycle is not None:
        lines.append(f"cycle {record.cycle.name!r}:")
        for pot in record.outcomes:
            lines.append(
                f"  {pot.pot}: budget {format_money(pot.budget)}, spent {format_money(pot.spent)}, "
                f"left {format_money(pot.left)}, {len(pot.funded)} funded"
            )
        for move in record.cycle.leftover_moves:
            lines.append(f"  leftover: {format_money(move.amount)} from {move.source} to {move.target}")
    warnings = record.warnings
    if warnings:
        lines.append(f"warnings ({len(warnings)}):")
        lines.extend(f"  {w.message}" for w in warnings[:20])
        if len(warnings) > 20:
            lines.append(f"  ... and {len(warnings) - 20} more")
    return "\n".join(lines)


def run() -> None:  # pragma: no cover  (the console script; tests call main)
    """The ``asukasbudjetti`` console script: ``main``, then a quick exit.

    Every output is complete (files written and renamed, streams flushed) before
    the process ends, so it skips freeing a large election object by object at
    interpreter shutdown, a few tens of milliseconds on a large city.
    """
    try:
        main()
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        if isinstance(stop.code, str):
            sys.stderr.write(stop.code + "\n")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
