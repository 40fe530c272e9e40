"""Checking a result record: run its tally again and compare, byte for byte.

A record holds everything needed to run its tally again: the invocation (rule,
seed, parameters, or the cycle file) and the name, size and SHA-256 of every
input (a pot with a ``diagnosis`` is diagnosed again). :func:`verify_record`
finds the inputs, checks their digests, runs the tally again and renders the
record anew; the record is verified only when the new text is byte-identical to
the file. Otherwise the report lists the differences, as paths into the JSON
(``outcomes[0].funded: record says [...] but the tally gives [...]``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from asukasbudjetti.audit.diagnose import tally_file_with_diagnosis
from asukasbudjetti.audit.margins import tally_file_with_margins
from asukasbudjetti.errors import SHOWN_PROBLEMS, AsukasbudjettiError, InputError
from asukasbudjetti.io.record import read_record_file
from asukasbudjetti.model.record import CycleInvocation, InputDigest, PabulibInvocation, Record
from asukasbudjetti.tally import tally_file

#: The longest value a difference shows in full; longer ones are cut with "...".
SHOWN_VALUE = 100


class VerifyReport(BaseModel):
    """What :func:`verify_record` found.

    ``differences`` lists at most ``SHOWN_PROBLEMS`` (20) of them, then a line
    counting the rest; ``count`` is the number of all of them.
    """

    model_config = ConfigDict(frozen=True)

    ok: bool
    differences: list[str]
    count: int = 0
    #: How many inputs and pots (outcomes) the record has.
    inputs: int = 0
    pots: int = 0


def verify_record(
    record_path: str | os.PathLike[str], inputs_dir: str | os.PathLike[str] | None = None
) -> VerifyReport:
    """Run the tally that ``record_path`` records again and compare the records.

    The inputs are looked up by name in ``inputs_dir`` (default: the record's own
    folder); a cycle's other files, relative to its cycle file, as the tally reads
    them. Raises :class:`~asukasbudjetti.errors.InputError` when the record cannot
    be read as a record; every other finding is a difference in the report.
    """
    source = str(record_path)
    raw, record = _read_record(source)
    folder = Path(record_path).parent if inputs_dir is None else Path(inputs_dir)
    if not folder.is_dir():
        raise InputError(f"{folder}: the inputs folder does not exist")
    found = _find_inputs(record, folder)
    if found.differences:
        return _report(found.differences, record)
    try:
        diagnosed = any(pot.diagnosis is not None for pot in record.outcomes)
        fresh = _run_again(record.invocation, found.paths, diagnosed=diagnosed)
    except AsukasbudjettiError as exc:
        return _report([f"invocation: running the tally again fails: {exc}"], record)
    text = fresh.dumps()
    if text.encode("utf-8") == raw:
        return VerifyReport(ok=True, differences=[], count=0, inputs=len(record.inputs), pots=len(record.outcomes))
    differences = list(_differences(_tree(record), _tree(fresh), ""))
    if not differences:
        differences = [
            "the record's text is not canonical (same content, different bytes: re-indented, keys reordered, "
            "or line endings changed?); asukasbudjetti writes compact JSON with sorted keys"
        ]
    return _report(differences, record)


def _read_record(source: str) -> tuple[bytes, Record]:
    raw, record = read_record_file(source)
    for digest in record.inputs:
        name = digest.file
        if name in ("", ".", "..") or Path(name).name != name or "\\" in name:
            raise InputError(f"{source}: not a result record: input name {name!r} is not a plain file name")
    return raw, record


def _tree(record: Record) -> Any:
    """The record as the JSON tree its text holds, for naming the differences by path."""
    return json.loads(record.dumps())


class _Found(BaseModel):
    paths: list[Path]
    differences: list[str]


def _find_inputs(head: Record, folder: Path) -> _Found:
    """Each recorded input's path, and how the files there differ from the record."""
    paths: list[Path] = []
    differences: list[str] = []
    first = folder / head.inputs[0].file
    differences.extend(_check(head.inputs[0], first))
    paths.append(first)
    if isinstance(head.invocation, CycleInvocation):
        named = _cycle_paths(first) if not differences else []
        for index, digest in enumerate(head.inputs[1:], start=1):
            path = _named_path(digest.file, index, named, first.parent)
            differences.extend(_check(digest, path))
            paths.append(path)
    else:
        for digest in head.inputs[1:]:
            path = folder / digest.file
            differences.extend(_check(digest, path))
            paths.append(path)
    return _Found(paths=paths, differences=differences)


def _check(digest: InputDigest, path: Path) -> list[str]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return [f"input {digest.file} is missing from {path.parent}"]
    except OSError as exc:
        return [f"input {digest.file}: cannot read {path}: {exc.strerror or exc}"]
    sha256 = hashlib.sha256(raw).hexdigest()
    if sha256 != digest.sha256:
        return [
            f"input {digest.file} changed: sha256 {sha256} (size {len(raw)}) "
            f"expected {digest.sha256} (size {digest.size})"
        ]
    if len(raw) != digest.size:  # pragma: no cover  (the same SHA-256 with another size)
        return [f"input {digest.file} changed: size {len(raw)} expected {digest.size}"]
    return []


def _cycle_paths(cycle_path: Path) -> list[Path]:
    """The files a cycle file names, in the order its record lists them (the cycle file first)."""
    from asukasbudjetti.cycles import load_cycle

    try:
        config = load_cycle(cycle_path).config
    except AsukasbudjettiError:
        return []  # running the tally again will say why
    base = cycle_path.parent
    paths = [cycle_path]
    files = config.files
    if files.projects is not None and files.ballots is not None:
        paths += [base / files.projects, base / files.ballots]
    if files.paper_counts is not None:
        paths.append(base / files.paper_counts)
    paths += [base / pot.pabulib for pot in config.pots if pot.pabulib is not None]
    return paths


def _named_path(name: str, index: int, named: list[Path], base: Path) -> Path:
    """Where the cycle file says the recorded input ``name`` (at ``index``) is."""
    if index < len(named) and named[index].name == name:
        return named[index]
    return next((path for path in named if path.name == name), base / name)


def _run_again(invocation: PabulibInvocation | CycleInvocation, paths: list[Path], *, diagnosed: bool) -> Record:
    """The tally the invocation records; with the diagnosis when the record has one (``tally --rule official``
    adds it to a differing outcome, the library's ``tally_file`` does not)."""
    if isinstance(invocation, CycleInvocation):
        from asukasbudjetti.cycles import tally_cycle

        return tally_cycle(paths[0], exclude_invalid=invocation.exclude_invalid)
    run: Callable[..., Record] = tally_file_with_margins if invocation.margins else tally_file
    if diagnosed:
        run = partial(tally_file_with_diagnosis, margins=invocation.margins)
    return run(
        paths[0],
        rule=invocation.rule,
        seed=invocation.seed,
        exclusive=invocation.exclusive,
        threshold=invocation.threshold,
        params=invocation.params,
        strict=invocation.strict,
    )


def _report(differences: list[str], head: Record) -> VerifyReport:
    shown = differences[:SHOWN_PROBLEMS]
    hidden = len(differences) - SHOWN_PROBLEMS
    if hidden > 0:
        shown.append(f"... and {hidden} more difference{'s' if hidden != 1 else ''}")
    return VerifyReport(
        ok=False, differences=shown, count=len(differences), inputs=len(head.inputs), pots=len(head.outcomes)
    )


def _differences(stored: Any, fresh: Any, path: str) -> list[str]:
    """Readable differences between the stored record (``stored``) and the new one, walking both trees."""
    if path == "generator.version" and stored != fresh:
        made_by = stored if isinstance(stored, str) else _show(stored)
        return [f"generator.version: record made by {made_by}, this is {fresh}"]
    if isinstance(stored, dict) and isinstance(fresh, dict):
        found: list[str] = []
        for key in [*fresh, *(k for k in stored if k not in fresh)]:
            where = f"{path}.{key}" if path else str(key)
            if key not in stored:
                found.append(f"{where}: not in the record, but the tally gives {_show(fresh[key])}")
            elif key not in fresh:
                found.append(f"{where}: record says {_show(stored[key])} but the tally gives nothing")
            else:
                found.extend(_differences(stored[key], fresh[key], where))
        return found
    if isinstance(stored, list) and isinstance(fresh, list) and _has_objects(stored) and _has_objects(fresh):
        found = []
        if len(stored) != len(fresh):
            found.append(f"{path}: record has {len(stored)} entries but the tally gives {len(fresh)}")
        for index, (old, new) in enumerate(zip(stored, fresh, strict=False)):
            found.extend(_differences(old, new, f"{path}[{index}]"))
        for index in range(len(fresh), len(stored)):
            found.append(f"{path}[{index}]: record says {_show(stored[index])} but the tally gives nothing")
        for index in range(len(stored), len(fresh)):
            found.append(f"{path}[{index}]: not in the record, but the tally gives {_show(fresh[index])}")
        return found
    if stored == fresh and type(stored) is type(fresh):
        return []
    return [f"{path}: record says {_show(stored)} but the tally gives {_show(fresh)}"]


def _has_objects(items: list[Any]) -> bool:
    return any(isinstance(item, dict) for item in items)


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text if len(text) <= SHOWN_VALUE else text[: SHOWN_VALUE - 3] + "..."
