"""Reading and writing result records (:class:`~asukasbudjetti.model.record.Record`).

One call writes a record (:func:`write_record`, atomically; the text itself is
:meth:`Record.dumps`) and one reads it (:func:`read_record`), giving a typed
``Record`` or an :class:`~asukasbudjetti.errors.InputError` that names the file and,
for a record of the wrong shape, the path of each wrong field
(``outcomes[0].steps[2].cost: ...``).
"""

from __future__ import annotations

import json
import os

from pydantic import ValidationError

from asukasbudjetti.errors import InputError
from asukasbudjetti.io.files import write_atomically
from asukasbudjetti.io.text import decode_text, read_bytes
from asukasbudjetti.model.record import SCHEMA_VERSION, Record
from asukasbudjetti.version import __version__

#: How many wrong fields a message names before it gives only a count of the rest.
SHOWN_FIELDS = 5


def write_record(path: str | os.PathLike[str], record: Record) -> None:
    """Write ``record``'s canonical text to ``path`` (a temporary file, then a rename)."""
    write_atomically(path, record.dumps())


def read_record(path: str | os.PathLike[str]) -> Record:
    """The record in the file at ``path``; see :func:`read_record_file`."""
    return read_record_file(path)[1]


def read_record_file(path: str | os.PathLike[str]) -> tuple[bytes, Record]:
    """The bytes of the record file at ``path`` and the record they hold.

    Raises :class:`~asukasbudjetti.errors.InputError` naming the file when it cannot
    be read, is not UTF-8 JSON, or is not a record of this version's layout.
    """
    source = str(path)
    raw = read_bytes(path, source, what="the record")
    return raw, parse_record(raw, source)


def parse_record(raw: bytes, source: str) -> Record:
    """The record ``raw`` holds (``source`` names it in messages)."""
    text = decode_text(raw, source)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{source}: not a result record: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    except RecursionError:
        raise InputError(f"{source}: not a result record: JSON nested too deeply") from None
    if not isinstance(data, dict):
        raise InputError(f"{source}: not a result record: expected a JSON object, found {type(data).__name__}")
    if not isinstance(data.get("outcomes"), list):
        raise InputError(
            f"{source}: not a result record (no 'outcomes' list); "
            "expected a record from 'asukasbudjetti tally --json' or '-o'"
        )
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise InputError(f"{source}: record schema_version {version!r}; this version reads {SCHEMA_VERSION}")
    try:
        # Strict: a number where text belongs (money, ids) is refused, never converted.
        return Record.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # A list whose item failed is also reported as too short (its failed items
        # are left out before the length check): only the item's own error says why.
        errors = [
            error
            for error in errors
            if error["type"] != "too_short"
            or not any(other["loc"][: len(error["loc"])] == error["loc"] and other is not error for other in errors)
        ]
        problems = [
            f"{field_path(error['loc'])}: {'missing' if error['type'] == 'missing' else error['msg']}"
            for error in errors[:SHOWN_FIELDS]
        ]
        if len(errors) > SHOWN_FIELDS:
            problems.append(f"... and {len(errors) - SHOWN_FIELDS} more")
        generator = data.get("generator")
        made_by = generator.get("version") if isinstance(generator, dict) else None
        other = f" (made by version {made_by}, this is {__version__})" if made_by not in (None, __version__) else ""
        raise InputError(f"{source}: not a result record this version reads{other}: {'; '.join(problems)}") from None


def field_path(location: tuple[int | str, ...]) -> str:
    """A pydantic error location as a path into the JSON: ``outcomes[0].steps[2].cost``."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in ("pabulib", "cycle") and text == "invocation":
            continue  # the union's branch name, not a key of the record
        else:
            text += f".{part}" if text else str(part)
    return text or "record"
