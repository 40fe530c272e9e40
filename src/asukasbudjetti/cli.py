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
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

# These imports build tens of thousands of objects (click, numpy, pydantic's models) and
# free almost none: the cyclic collector, run again and again meanwhile, would find
# nothing (several milliseconds of every command). It waits, and is left as it was.
_collecting = gc.isenabled()
gc.disable()
try:
    import click

    from asukasbudjetti.errors import AsukasbudjettiError, OutputError, ProblemsError, format_problems
    from asukasbudjetti.io.files import write_atomically
    from asukasbudjetti.model.record import Diagnosis, Record
    from asukasbudjetti.money import parse_money
    from asukasbudjetti.rules import RULES
    from asukasbudjetti.rules.ties import DEFAULT_SEED
    from asukasbudjetti.tally import OFFICIAL, load_election, tally_file_and_election
    from asukasbudjetti.version import __version__
finally:
    if _collecting:
        gc.enable()

if TYPE_CHECKING:
    from asukasbudjetti.audit.diagnose import AuditRow
    from asukasbudjetti.batch import BatchRow

F = TypeVar("F", bound=Callable[..., Any])

#: What the console script leaves for the end of the process to free (None outside it:
#: a library user's or a test's process keeps running). A large city's election is
#: hundreds of thousands of small objects that would take tens of milliseconds to free
#: one by one, just before :func:`run` ends the process without freeing anything.
_left_for_exit: list[object] | None = None


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
                import traceback  # only here: a command that succeeds never pays for it

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


def _tally_file(file: str, **arguments: Any) -> Record:
    """:func:`~asukasbudjetti.tally.tally_file`, its election left for the process's end under :func:`run`."""
    record, election = tally_file_and_election(file, **arguments)
    if _left_for_exit is not None:
        _left_for_exit.append(election)
    return record


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


#: The language of a command's text: fi, sv or en; by default the input's (cycle [cycle] language,
#: pabulib META language), else English. Never changes a record or --json output.
_lang_option = click.option(
    "--lang",
    type=click.Choice(["fi", "sv", "en"]),
    default=None,
    help="Language of the text: fi, sv or en [default: the input's language, else en].",
)


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
@_lang_option
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
    lang: str | None,
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
        run: Callable[..., Record] = _tally_file
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
        from asukasbudjetti.publish.presentation import of_input
        from asukasbudjetti.publish.text import render_tally

        click.echo(render_tally(record, of_input(file).texts(lang)))


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
    from asukasbudjetti.batch import find_elections, parse_rule_names, render_csv, run_batch, summarize

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

        from asukasbudjetti.batch import render_csv

        self.files, self.partial, self.done = files, partial, 0
        self.clock = time.monotonic
        self.start = self.last = self.clock()
        self.worst: tuple[float, str] = (0.0, "")
        #: click's progress bar, when standard error is a terminal.
        self.bar: Any = None
        self.stream = partial.open("w", encoding="utf-8", newline="")
        self.stream.write(render_csv([]))

    def add(self, rows: list[BatchRow]) -> None:
        from asukasbudjetti.batch import render_csv

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
    from asukasbudjetti.batch import find_elections

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
@_lang_option
@_friendly
def verify(record: str, inputs_dir: str | None, lang: str | None) -> None:
    """Run the tally RECORD records again; exit 0 only if it gives RECORD byte for byte.

    Checks every input's size and SHA-256 first; any difference is listed on
    standard error (exit 1).
    """
    from asukasbudjetti.audit.verify import verify_record
    from asukasbudjetti.publish.text import render_verified

    report = verify_record(record, inputs_dir)
    if not report.ok:
        plural = "s" if report.count != 1 else ""
        raise click.ClickException(
            f"{record}: not verified, {report.count} difference{plural}:\n  " + "\n  ".join(report.differences)
        )
    click.echo(render_verified(report.inputs, report.pots, _record_texts(record, inputs_dir, lang)))


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
@_lang_option
@_friendly
def compare(file: str, rules_text: str, seed: int | None, as_json: bool, lang: str | None) -> None:
    """Compare rules on FILE (a .pb file, or every pot of a cycle .toml): funded projects,
    money spent, and how many funded projects the voters approved under each."""
    from asukasbudjetti.audit.compare import check_rule_names, compare_file, comparison_json, render_comparison

    try:
        rules = check_rule_names([name.strip() for name in rules_text.split(",")])
    except AsukasbudjettiError as exc:
        raise click.BadParameter(str(exc), param_hint="--rules") from None
    report = compare_file(file, rules, seed=seed)
    if as_json:
        click.echo(comparison_json(report), nl=False)
    else:
        from asukasbudjetti.publish.presentation import of_input

        click.echo(render_comparison(report, of_input(file).texts(lang)))


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--rule",
    "rules",
    multiple=True,
    metavar="R",
    help="A rule whose outcome to analyse (repeat for several side by side): 'official' (the file's or each "
    "pot's rule, the record's outcome) or any registered rule [default: official].",
)
@click.option(
    "--groups",
    "groupings",
    multiple=True,
    metavar="ATTR[:BANDS]",
    help="Measure per group of residents by a ballot attribute, e.g. sex, district, or age:13-17,18-29,30-64,65- "
    "(repeatable).",
)
@click.option("--seed", type=int, default=None, help="Lottery seed for ties [default: 0; a cycle: each pot's seed].")
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Seconds each proportionality check may search before it says 'not decided'.",
)
@click.option(
    "--checks/--no-checks",
    default=True,
    show_default=True,
    help="Run the proportionality checks; --no-checks gives the satisfaction measures (and groups) only.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the analysis as one JSON object, exact numbers as text.")
@_lang_option
@_friendly
def analyse(
    file: str,
    rules: tuple[str, ...],
    groupings: tuple[str, ...],
    seed: int | None,
    time_limit: float,
    checks: bool,
    as_json: bool,
    lang: str | None,
) -> None:
    """Was the outcome fair? Check EJR and PJR (with witnesses), priceability, the core and Pareto
    optimality (small instances), and measure the voters' satisfaction, overall and per group."""
    from asukasbudjetti.analysis.analyse import analyse_file, analysis_json, check_rules
    from asukasbudjetti.analysis.groups import parse_grouping
    from asukasbudjetti.analysis.render import render_analysis

    try:
        names = check_rules([name.strip() for name in rules])
    except AsukasbudjettiError as exc:
        raise click.BadParameter(str(exc), param_hint="--rule") from None
    try:
        parsed = [parse_grouping(text) for text in groupings]
    except AsukasbudjettiError as exc:
        raise click.BadParameter(str(exc), param_hint="--groups") from None
    result = analyse_file(file, names, groupings=parsed, seed=seed, time_limit=time_limit, checks=checks)
    if as_json:
        click.echo(analysis_json(result), nl=False)
    else:
        from asukasbudjetti.publish.presentation import of_input

        click.echo(render_analysis(result, of_input(file).texts(lang)), nl=False)


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
@click.option(
    "--inputs",
    "inputs_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder holding the record's inputs, read for the language, currency and title "
    "(default: the record's own folder).",
)
@click.option(
    "--fairness",
    is_flag=True,
    help="Add a fairness section per pot: EJR and PJR with their witnesses, and the voters' satisfaction, "
    "computed again from the record's inputs (beside it or in --inputs) for the record's rule. "
    "The record is not changed.",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="With --fairness: seconds each check may search before it says 'not decided'.",
)
@_lang_option
@_friendly
def report(
    record: str,
    fmt: str | None,
    output: str | None,
    inputs_dir: str | None,
    fairness: bool,
    time_limit: float,
    lang: str | None,
) -> None:
    """Write a report of RECORD (a result record) for the public, from the record alone
    (and, for its language, currency and title, the inputs beside it; with --fairness, the
    fairness analysis of its outcome, from those inputs)."""
    from asukasbudjetti.publish.report import render_report

    if fmt is None:
        fmt = "md" if output is not None and output.lower().endswith(".md") else "html"
    text = render_report(record, fmt, lang=lang, inputs_dir=inputs_dir, fairness=fairness, time_limit=time_limit)
    if output is not None:
        write_atomically(output, text)
    else:
        click.echo(text, nl=False)


@main.command()
@click.argument("record", type=click.Path(dir_okay=False))
@click.option("--project", default=None, metavar="ID", help="Explain only this project.")
@_lang_option
@_friendly
def explain(record: str, project: str | None, lang: str | None) -> None:
    """Say in plain words why each project of RECORD (a result record) was funded or not, from the record alone."""
    from asukasbudjetti.audit.explain import explain as explain_record
    from asukasbudjetti.io.record import read_record

    loaded = read_record(record)
    paragraphs = explain_record(loaded, project=project, lang=_record_texts(record, None, lang, loaded))
    click.echo("\n\n".join(paragraphs))


def _record_texts(record: str, inputs_dir: str | None, lang: str | None, loaded: Record | None = None) -> Any:
    """The texts for a command on a record: ``lang``, else the language of its inputs (when they are
    beside it), else English; money in the inputs' currency when they say one."""
    from asukasbudjetti.io.record import read_record
    from asukasbudjetti.publish.presentation import of_record

    return of_record(loaded or read_record(record), record, inputs_dir).texts(lang)


@main.command()
@click.argument("format", metavar="FORMAT")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="The folder to write.")
@click.option(
    "--to",
    "target",
    type=click.Choice(["cycle", "pabulib"]),
    default=None,
    help="A cycle folder (cycle.toml and CSVs; the default) or one pabulib .pb per pot (the default for FORMAT cycle).",
)
@click.option("--amount", "amounts", multiple=True, help="POT=AMOUNT: a pot's budget the export does not state.")
@click.option(
    "--paper", "paper", multiple=True, help="POT=FILE: the pot's paper counts (Decidim's id;new_paper_ballots)."
)
@click.option("--costs", default=None, type=click.Path(dir_okay=False), help="stanford-tokens: an approvals file.")
@click.option("--lang", default=None, help="decidim-projects: the locale of the titles.")
@_friendly
def convert(
    format: str,
    inputs: tuple[str, ...],
    output: str,
    target: str | None,
    amounts: tuple[str, ...],
    paper: tuple[str, ...],
    costs: str | None,
    lang: str | None,
) -> None:
    """Convert platform exports to a cycle folder or pabulib files (docs/importers.md).

    \b
    FORMAT, one file per pot: pabulib, decidim-pb, stanford-approvals,
      stanford-knapsacks, stanford-tokens, stanford-ranking;
    one file per cycle: omastadi-xlsx, decidim-projects, consul-investments;
    cycle: a cycle file, written as one .pb per pot (for pabulib, pabutools,
      equalshares.net).

    Whatever the export loses is printed as a warning.
    """
    from asukasbudjetti.cycles import pot_elections
    from asukasbudjetti.io.importers import rows_elections
    from asukasbudjetti.io.importers.convert import cycle_files, import_inputs, pabulib_files, write_files

    if format == "cycle":
        if len(inputs) != 1 or target == "cycle":
            raise click.UsageError("FORMAT cycle takes one cycle file and writes pabulib files (--to pabulib)")
        # Paper counts go to PROJECTS extra_approvals, names to name: pabulib's columns for them.
        elections = {
            pot: election.model_copy(
                update={
                    "projects_header": ("project_id", "cost", "name")
                    + (("extra_approvals",) if any(p.extra_approvals is not None for p in election.projects) else ())
                }
            )
            for pot, election in pot_elections(inputs[0]).items()
        }
        write_files(Path(output), pabulib_files(elections))
        click.echo(f"{len(elections)} pabulib file{'s' if len(elections) != 1 else ''} in {output}")
        return
    rows, pot_amounts = import_inputs(format, inputs, amounts=amounts, paper=paper, costs=costs, lang=lang)
    for found in rows.warnings:
        click.echo(str(found), err=True)
    if target == "pabulib":
        files = pabulib_files(rows_elections(rows, pot_amounts))
    else:
        files = cycle_files(rows, pot_amounts, f"{format} export {Path(inputs[0]).name}", frozenset(RULES))
    write_files(Path(output), files)
    click.echo(
        f"{len(rows.budgets)} pot{'s' if len(rows.budgets) != 1 else ''}, {len(rows.projects)} projects, "
        f"{len(rows.ballots)} ballots written to {output}"
    )


def run() -> None:  # pragma: no cover  (the console script; tests call main)
    """The ``asukasbudjetti`` console script: ``main``, then a quick exit.

    Every output is complete (files written and renamed, streams flushed) before
    the process ends, so it skips freeing a large election object by object at
    interpreter shutdown, a few tens of milliseconds on a large city.
    """
    global _left_for_exit
    _left_for_exit = []
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
