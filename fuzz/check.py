"""Running one case through the real command line, and the property every case must keep.

The property (the issue's "no traceback on any input"): the command

- exits 0; or 1 with ``Error: ...`` on standard error naming one of the case's files;
  or 2 for a usage error of an option (``Usage:`` / ``Invalid value``);
- raises nothing but ``SystemExit`` out of click (``CliRunner``'s ``result.exception``);
- never says ``internal error`` (the command line's last line of defence caught a bug);
- never prints a traceback;
- leaves an ``-o`` file complete (an HTML page ending in ``</html>``, a JSON record that
  parses) or absent, and no temporary ``.OUT.*`` beside it;
- prints JSON that parses when asked for ``--json`` and it succeeds;
- finishes within the timeout: a ``setitimer`` alarm raises :class:`CaseTimeout`, a
  ``BaseException`` so that the command's ``except Exception`` cannot swallow it.

A run that keeps all that but warns (a numpy overflow, a glyph missing from the font)
is reported too, as kind ``warning``: the test suite runs with ``-W error``, and a user
sees the warning on standard error.
"""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import signal
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, TracebackType

from click.testing import CliRunner, Result

from asukasbudjetti.cli import main
from fuzz.targets import Case

#: Seconds a case may take before it counts as a hang.
DEFAULT_TIMEOUT = 10.0

#: Kinds of crash, for the summary: what went wrong, not where.
KINDS = (
    "exception",  # an exception other than SystemExit escaped click
    "internal-error",  # the CLI's last line of defence reported a bug
    "traceback",  # a traceback in the output
    "exit-code",  # an exit code the property does not allow
    "error-message",  # exit 1 without "Error:" naming the input
    "usage",  # exit 2 without a usage message
    "partial-output",  # an -o file incomplete, missing after success, present after failure, or a temporary left
    "bad-output",  # --json output that does not parse
    "hang",  # the timer ran out
    "warning",  # the command kept the property but warned (a user sees it on standard error)
)


class CaseTimeout(BaseException):
    """The case ran out of time. A BaseException: ``except Exception`` in the command cannot catch it."""


@dataclass(frozen=True)
class Verdict:
    """What one case did, and whether that breaks the property (``kind`` is None when it holds)."""

    kind: str | None
    description: str
    exit_code: int | None
    stdout: str
    stderr: str
    #: Where the crash happened (a traceback), when known.
    traceback: str
    #: The crash without its incidental details, to tell new crashes from repeats.
    signature: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.kind is None


_runner = CliRunner()


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise CaseTimeout


def _innermost(tb: TracebackType | None) -> str:
    """The deepest frame of the package in a traceback, as ``module/file.py:function``."""
    frames = traceback.extract_tb(tb)
    return _innermost_frame(frames)


def _innermost_frame(frames: traceback.StackSummary | list[traceback.FrameSummary]) -> str:
    ours = [frame for frame in frames if f"{os.sep}asukasbudjetti{os.sep}" in frame.filename]
    candidates = ours or list(frames)
    if not candidates:
        return "?"
    chosen = candidates[-1]
    path = chosen.filename.replace(os.sep, "/")
    short = path.split("/asukasbudjetti/", 1)[-1] if "/asukasbudjetti/" in path else path.rsplit("/", 1)[-1]
    return f"{short}:{chosen.name}"


def _loop_site(tb: TracebackType | None) -> str:
    """Where a hang loops, the same from one interruption to the next (the alarm lands
    anywhere inside the loop, the function holding it stays): the rule that never ends (the
    outermost frame in a rule's module) when one is running; else, of the innermost module of the
    package, the outermost function in the run of frames at the bottom of the stack."""
    frames = [frame for frame in traceback.extract_tb(tb) if f"{os.sep}asukasbudjetti{os.sep}" in frame.filename]
    if not frames:
        return _innermost(tb)
    rules = [
        frame
        for frame in frames
        if f"{os.sep}asukasbudjetti{os.sep}rules{os.sep}" in frame.filename
        and not frame.filename.endswith(f"rules{os.sep}__init__.py")  # the registry's wrappers
    ]
    if rules:
        return _innermost_frame(rules[:1])
    k = len(frames) - 1
    while k > 0 and frames[k - 1].filename == frames[-1].filename:
        k -= 1
    return _innermost_frame(frames[: k + 1])


_FRAME_LINE = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<name>.+)$')


def _innermost_in_text(text: str) -> str:
    """Like :func:`_innermost`, from a printed traceback (``--debug``'s)."""
    frames = [
        traceback.FrameSummary(m.group("file"), int(m.group("line")), m.group("name"))
        for m in map(_FRAME_LINE.match, text.splitlines())
        if m
    ]
    return _innermost_frame(frames) if frames else "?"


def _normalized(text: str) -> str:
    """A message without its particulars, for a signature: what comes before its first ``: ``
    (a file name, whatever characters it holds), quoted text, numbers."""
    prefix = "Error: " if text.startswith("Error: ") else ""
    text = prefix + re.sub(r"^.*?: ", "FILE: ", text.removeprefix(prefix), count=1)
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", text)
    return re.sub(r"\d+", "N", text)[:160]


def _invoke(
    args: list[str], timeout: float
) -> tuple[Result | None, TracebackType | None, list[warnings.WarningMessage]]:
    """Run the command with the alarm set; ``(None, traceback, ...)`` when it ran out of time.

    Warnings are recorded, not shown and not raised: the command runs as it would for a user
    (where a warning changes nothing but the output), in a campaign and under pytest's
    ``-W error`` alike; :func:`run_case` then reports them. ResourceWarning (an unclosed file,
    found whenever the collector happens to run) and ImportWarning are left out.
    """
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=ResourceWarning)
        warnings.filterwarnings("ignore", category=ImportWarning)
        try:
            return _runner.invoke(main, args), None, caught
        except CaseTimeout as exc:
            return None, exc.__traceback__, caught
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            # The command disables the cyclic collector for its one run; a fuzz process runs thousands.
            gc.enable()


def run_case(case: Case, timeout: float = DEFAULT_TIMEOUT) -> Verdict:
    """Write the case's files into an empty folder, run its command there, and judge it."""
    folder = Path(tempfile.mkdtemp(prefix="asukasbudjetti-fuzz-"))
    here = os.getcwd()
    try:
        for name, data in case.files.items():
            (folder / name).write_bytes(data)
        os.chdir(folder)
        started = time.perf_counter()
        result, hang, caught = _invoke(list(case.args), timeout)
        seconds = time.perf_counter() - started
        if result is None:
            where = _loop_site(hang)
            return Verdict(
                "hang",
                f"{_command(case)}: no answer after {timeout:g} s (interrupted in {where})",
                None,
                "",
                "",
                "".join(traceback.format_tb(hang)[-8:]),
                f"hang|{case.args[0]}|{where}",
                seconds,
            )
        verdict = judge(case, result, folder, seconds)
        if verdict.kind == "internal-error":
            verdict = _with_debug_traceback(case, verdict, timeout)
        if verdict.ok and caught:
            verdict = _warned(case, verdict, caught[0])
        return verdict
    finally:
        os.chdir(here)
        shutil.rmtree(folder, ignore_errors=True)


def _warned(case: Case, verdict: Verdict, warning: warnings.WarningMessage) -> Verdict:
    """A run that kept the property but warned: a user sees the warning on standard error, and
    a numpy overflow or a missing glyph is a wrong number or a wrong page, silently."""
    category = warning.category.__name__
    where = _innermost_frame([traceback.FrameSummary(warning.filename, warning.lineno, "")]).rstrip(":")
    message = " ".join(str(warning.message).split())[:200]
    return Verdict(
        "warning",
        f"{_command(case)}: {category}: {message} (at {where}:{warning.lineno})",
        verdict.exit_code,
        verdict.stdout,
        verdict.stderr,
        f"{warning.filename}:{warning.lineno}: {category}: {warning.message}",
        f"warning|{category}|{where}",
        verdict.seconds,
    )


def _command(case: Case) -> str:
    """The command and its distinguishing option, for descriptions: ``tally --rule phragmen``."""
    words = [case.args[0]]
    for option in ("--rule", "--lang", "-o"):
        if option in case.args[:-1]:
            words += [option, case.args[case.args.index(option) + 1]]
    if "--exclude-invalid" in case.args:
        words.append("--exclude-invalid")
    return " ".join(words)


def _with_debug_traceback(case: Case, verdict: Verdict, timeout: float) -> Verdict:
    """The same case again with ``--debug``, for the traceback the first run hid on purpose."""
    result, _, _ = _invoke(["--debug", *case.args], timeout)
    if result is None or "Traceback" not in result.stderr:
        return verdict
    text = result.stderr[result.stderr.index("Traceback") :]
    where = _innermost_in_text(text)
    exception = verdict.signature.split("|")[1]
    return Verdict(
        verdict.kind,
        f"{verdict.description} (in {where})",
        verdict.exit_code,
        verdict.stdout,
        verdict.stderr,
        text[-6000:],
        f"internal-error|{exception}|{where}",
        verdict.seconds,
    )


_INTERNAL = re.compile(r"internal error while reading .*?: (?P<type>[A-Za-z_][\w.]*)(?::|;)(?P<rest>.*)")


def judge(case: Case, result: Result, folder: Path, seconds: float) -> Verdict:
    """Whether a finished command kept the property; the first rule it broke, if any."""
    stdout, stderr = result.stdout, result.stderr
    code = result.exit_code
    command = _command(case)

    def crash(kind: str, description: str, signature: str, where: str = "") -> Verdict:
        return Verdict(kind, f"{command}: {description}", code, stdout, stderr, where, f"{kind}|{signature}", seconds)

    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        tb = result.exc_info[2] if result.exc_info else None
        where = _innermost(tb)
        text = "".join(traceback.format_exception(type(exc), exc, tb))[-6000:]
        detail = " ".join(str(exc).split())[:200]
        return crash("exception", f"{type(exc).__name__}: {detail} (in {where})", f"{type(exc).__name__}|{where}", text)
    if "internal error" in stderr:
        line = next((ln for ln in stderr.splitlines() if "internal error" in ln), stderr)
        match = _INTERNAL.search(line)
        exception = match.group("type") if match else "?"
        return crash("internal-error", line.removeprefix("Error: ")[:300], f"{exception}|{_normalized(line)}")
    if "Traceback (most recent call last)" in stdout + stderr:
        where = _innermost_in_text(stdout + stderr)
        return crash("traceback", f"a traceback in the output (in {where})", where)
    output_problem = _output_problem(case, code, folder)
    if output_problem:
        return crash("partial-output", output_problem, _normalized(output_problem))
    first_error = next((ln for ln in stderr.splitlines() if ln.startswith("Error:")), "")
    first_line = next((ln for ln in stderr.splitlines() if ln.strip()), "")
    if code == 0:
        if "--json" in case.args:
            try:
                json.loads(stdout)
            except ValueError as error:
                return crash("bad-output", f"--json printed no JSON: {error}", "json")
    elif code == 1:
        if not first_error:
            return crash("error-message", f"exit 1 without 'Error:': {stderr[-200:]!r}", _normalized(stderr[-200:]))
        if not any(name in stderr for name in case.files):
            shown = first_error if first_line == first_error else f"{first_line} ... {first_error}"
            return crash(
                "error-message",
                f"exit 1, the message names no input file: {shown[:200]!r}",
                _normalized(first_line),
            )
    elif code == 2:
        if "Usage:" not in stderr and "Invalid value" not in stderr:
            return crash("usage", f"exit 2 without a usage message: {stderr[-200:]!r}", _normalized(stderr[-200:]))
    else:
        return crash("exit-code", f"exit code {code}: {stderr[-200:]!r}", str(code))
    return Verdict(None, f"{command}: exit {code}", code, stdout, stderr, "", "", seconds)


def _output_problem(case: Case, code: int, folder: Path) -> str:
    """What is wrong with the ``-o`` file after the run, or ``""``."""
    if case.output is None:
        return ""
    left = sorted(p.name for p in folder.iterdir() if p.name.startswith(f".{case.output}."))
    if left:
        return f"temporary file {left[0]} left behind (exit {code})"
    target = folder / case.output
    if code != 0:
        return f"{case.output} written although the command failed (exit {code})" if target.exists() else ""
    if not target.exists():
        return f"exit 0 but {case.output} was not written"
    data = target.read_bytes()
    if case.output.endswith(".html") and not data.endswith(b"</html>\n"):
        return f"{case.output} does not end with </html>: ...{data[-40:]!r}"
    if case.output.endswith(".json"):
        try:
            json.loads(data)
        except ValueError as error:
            return f"{case.output} is not JSON: {error}"
    if case.output.endswith(".md") and not data.strip():
        return f"{case.output} is empty"
    return ""
