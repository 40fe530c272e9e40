"""Mutations of an input file: bytes, lines, encodings, and structure-aware value swaps.

The byte and line mutations take a ``random.Random`` seeded per case (they need
positions, not clever values); the structure-aware ones also take ``draw``, a
hypothesis ``data.draw``, for the value they put in (see :mod:`fuzz.strategies`).
Every mutation returns new bytes and a short note of what it did, which goes into
the fixture's ``case.json`` so that a crash can be read without a hex editor.

A structure-aware mutation of a file that no longer parses (an earlier mutation
broke it) falls back to a byte mutation rather than failing: the file is still fuzzed.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Sequence
from random import Random
from typing import Any, TypeVar

from hypothesis import strategies as st

from fuzz import strategies

T = TypeVar("T")

#: hypothesis ``data.draw``: a value from a strategy.
Draw = Callable[[st.SearchStrategy[Any]], Any]

#: A mutated file and a few words about what was done to it.
Mutated = tuple[bytes, str]

#: Files are kept well below anything that would make one case slow for its size alone.
MAX_SIZE = 256 * 1024

#: Byte sequences that are never valid UTF-8: a stray continuation byte, a lead byte
#: with no continuation, an overlong slash, an encoded surrogate, bytes above U+10FFFF.
INVALID_UTF8 = (b"\xff", b"\xfe", b"\x80", b"\xc3", b"\xe2\x82", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80")


def _cap(data: bytes) -> bytes:
    return data[:MAX_SIZE]


def _span(rng: Random, data: bytes) -> tuple[int, int]:
    """A random range of ``data``, mostly short."""
    if not data:
        return 0, 0
    start = rng.randrange(len(data))
    length = min(len(data) - start, rng.choice((1, 1, 2, 4, 8, 16, 64, 1024)))
    return start, start + length


# --- bytes ---------------------------------------------------------------------------


def flip_bit(rng: Random, data: bytes) -> Mutated:
    if not data:
        return b"\x00", "flip: empty file got a NUL"
    at = rng.randrange(len(data))
    bit = 1 << rng.randrange(8)
    return data[:at] + bytes([data[at] ^ bit]) + data[at + 1 :], f"flip bit {bit:#04x} at byte {at}"


def insert_bytes(rng: Random, data: bytes) -> Mutated:
    at = rng.randrange(len(data) + 1)
    chunk = rng.choice(
        (
            bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))),
            rng.choice((b";", b",", b'"', b"\n", b"\r", b"\t", b" ", b"\x00", b"=", b"[", b"]", b"{", b"}", b"#")),
            rng.choice((b"9" * rng.randint(20, 400), b"-", b"1e999", b"NaN", b"\xc3\xa4")),
        )
    )
    return _cap(data[:at] + chunk + data[at:]), f"insert {chunk[:16]!r} at byte {at}"


def delete_range(rng: Random, data: bytes) -> Mutated:
    start, end = _span(rng, data)
    return data[:start] + data[end:], f"delete bytes {start}-{end}"


def duplicate_range(rng: Random, data: bytes) -> Mutated:
    start, end = _span(rng, data)
    times = rng.choice((1, 1, 2, 10))
    return _cap(data[:end] + data[start:end] * times + data[end:]), f"duplicate bytes {start}-{end} x{times}"


def truncate(rng: Random, data: bytes) -> Mutated:
    at = rng.randrange(len(data) + 1)
    return data[:at], f"truncate at byte {at}"


def splice(rng: Random, data: bytes, others: Sequence[bytes]) -> Mutated:
    """The head of this file and the tail of another seed of the same kind."""
    other = rng.choice(list(others)) if others else data
    left = rng.randrange(len(data) + 1)
    right = rng.randrange(len(other) + 1)
    return _cap(data[:left] + other[right:]), f"splice at byte {left} with another seed's tail from byte {right}"


def insert_invalid_utf8(rng: Random, data: bytes) -> Mutated:
    at = rng.randrange(len(data) + 1)
    bad = rng.choice(INVALID_UTF8)
    return data[:at] + bad + data[at:], f"insert invalid UTF-8 {bad!r} at byte {at}"


BYTE_MUTATIONS: tuple[Callable[[Random, bytes], Mutated], ...] = (
    flip_bit,
    insert_bytes,
    delete_range,
    duplicate_range,
    truncate,
    insert_invalid_utf8,
)


def mutate_bytes(rng: Random, data: bytes, others: Sequence[bytes]) -> Mutated:
    """One byte-level mutation, splicing with ``others`` sometimes."""
    if rng.random() < 0.1:
        return splice(rng, data, others)
    return rng.choice(BYTE_MUTATIONS)(rng, data)


# --- encodings and line ends ---------------------------------------------------------


def reencode(rng: Random, data: bytes) -> Mutated:
    """The same text in another encoding, with or without a BOM, or with other line ends."""
    text = data.decode("utf-8", errors="replace")
    choice = rng.randrange(8)
    if choice == 0:
        return text.encode("cp1252", errors="replace"), "re-encode as Windows-1252"
    if choice == 1:
        return text.encode("utf-16"), "re-encode as UTF-16 with BOM"
    if choice == 2:
        return text.encode(rng.choice(("utf-16-le", "utf-16-be"))), "re-encode as UTF-16 without BOM"
    if choice == 3:
        return codecs.BOM_UTF8 + data, "add a UTF-8 BOM"
    if choice == 4:
        if data.startswith(codecs.BOM_UTF8):
            return data[3:], "remove the BOM"
        return codecs.BOM_UTF8 * 2 + data, "a BOM twice"
    if choice == 5:
        return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"), "CRLF line ends"
    if choice == 6:
        return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r"), "CR line ends"
    return text.encode("latin-1", errors="replace"), "re-encode as Latin-1"


# --- lines ---------------------------------------------------------------------------


def mutate_lines(rng: Random, data: bytes, others: Sequence[bytes]) -> Mutated:
    """Delete, duplicate, swap, cut a line, or bring in a line from another seed."""
    lines = data.splitlines(keepends=True)
    if not lines:
        return insert_bytes(rng, data)
    i = rng.randrange(len(lines))
    choice = rng.randrange(6)
    if choice == 0:
        del lines[i]
        note = f"delete line {i + 1}"
    elif choice == 1:
        times = rng.choice((1, 1, 3, 50))
        lines[i:i] = [lines[i]] * times
        note = f"duplicate line {i + 1} x{times}"
    elif choice == 2:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        note = f"swap lines {i + 1} and {j + 1}"
    elif choice == 3:
        cut = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:cut]
        note = f"cut line {i + 1} at column {cut}"
    elif choice == 4:
        end = lines[i][len(lines[i].rstrip(b"\r\n")) :]
        lines[i] = lines[i].rstrip(b"\r\n") + rng.choice((b";", b",", b";;", b",,", b" ", b'"')) + end
        note = f"append a separator to line {i + 1}"
    else:
        source = rng.choice(list(others)) if others else data
        other_lines = source.splitlines(keepends=True) or [b"\n"]
        line = rng.choice(other_lines)
        lines.insert(i, line if line.endswith((b"\n", b"\r")) else line + b"\n")
        note = f"insert another seed's line before line {i + 1}"
    return _cap(b"".join(lines)), note


# --- structure: TOML -----------------------------------------------------------------

_KEY_VALUE = re.compile(r"(?P<key>[A-Za-z0-9_\-]+|\"[^\"\n]*\")\s*=\s*")
_TABLE = re.compile(r"^\s*\[\[?[^\]\n]*\]\]?\s*(#.*)?$")


def _value_end(line: str, start: int) -> int:
    """Where the TOML value starting at ``start`` ends: at a comma or brace outside quotes and
    brackets, a comment, or the end of the line (a good guess, not a parser)."""
    depth = 0
    quote = ""
    k = start
    while k < len(line):
        ch = line[k]
        if quote:
            if ch == "\\" and quote == '"':
                k += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            if depth == 0:
                return k
            depth -= 1
        elif ch in ",#" and depth == 0:
            return k
        k += 1
    return len(line.rstrip("\r\n"))


def _decoded(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def mutate_toml(rng: Random, draw: Draw, data: bytes) -> Mutated:
    """Replace a value or a key of a ``key = value`` (inline tables too), rename or repeat a
    table header, or add a key with a drawn value after a header."""
    text = _decoded(data)
    if text is None:
        return mutate_bytes(rng, data, ())
    lines = text.splitlines(keepends=True)
    spots = [
        (i, m) for i, line in enumerate(lines) if not line.lstrip().startswith("#") for m in _KEY_VALUE.finditer(line)
    ]
    tables = [i for i, line in enumerate(lines) if _TABLE.match(line)]
    choice = rng.randrange(10)
    if spots and choice < 6:
        i, m = rng.choice(spots)
        line = lines[i]
        value_start = m.end()
        value = draw(strategies.toml_values)
        lines[i] = line[:value_start] + value + line[_value_end(line, value_start) :]
        note = f"line {i + 1}: {m.group('key')} = {value[:60]}"
    elif spots and choice < 8:
        i, m = rng.choice(spots)
        key = draw(strategies.toml_keys)
        lines[i] = lines[i][: m.start("key")] + key + lines[i][m.end("key") :]
        note = f"line {i + 1}: key {m.group('key')} -> {key[:40]}"
    elif tables and choice < 9:
        i = rng.choice(tables)
        if rng.random() < 0.5:
            name = draw(strategies.toml_keys)
            brackets = rng.choice((("[", "]"), ("[[", "]]")))
            lines[i] = f"{brackets[0]}{name}{brackets[1]}\n"
            note = f"line {i + 1}: table renamed to {lines[i].strip()[:40]}"
        else:
            lines.insert(rng.randrange(len(lines) + 1), lines[i] if lines[i].endswith("\n") else lines[i] + "\n")
            note = f"repeat the table header of line {i + 1}"
    else:
        at = rng.choice(tables) + 1 if tables else 0
        key = draw(strategies.toml_keys)
        value = draw(strategies.toml_values)
        lines.insert(at, f"{key} = {value}\n")
        note = f"add {key[:30]} = {value[:40]} at line {at + 1}"
    return _cap("".join(lines).encode("utf-8")), note


# --- structure: CSV and .pb ----------------------------------------------------------


def _line_end(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def mutate_csv(rng: Random, draw: Draw, data: bytes, *, delimiter: str = ",") -> Mutated:
    """Replace a cell, a header name, drop or add a cell, or repeat a row (a CSV of the cycle)."""
    text = _decoded(data)
    if text is None:
        return mutate_bytes(rng, data, ())
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        return mutate_lines(rng, data, ())
    if not rows:
        return mutate_bytes(rng, data, ())
    r = rng.randrange(len(rows))
    row = rows[r]
    choice = rng.randrange(10)
    if choice < 6 or not row:
        c = rng.randrange(len(row) + 1) if row else 0
        value = draw(strategies.csv_cells)
        if c < len(row):
            row[c] = value
        else:
            row.append(value)
        note = f"row {r + 1} cell {c + 1} = {value[:60]!r}"
    elif choice < 7:
        c = rng.randrange(len(rows[0]) or 1)
        name = draw(st.one_of(st.sampled_from(strategies.CYCLE_KEYS), strategies.plain_text))
        if rows[0]:
            rows[0][c] = name
        note = f"header column {c + 1} = {name[:40]!r}"
    elif choice < 8:
        del row[rng.randrange(len(row))]
        note = f"row {r + 1}: drop a cell"
    elif choice < 9:
        times = rng.choice((1, 2, 100))
        rows[r + 1 : r + 1] = [list(row)] * times
        note = f"repeat row {r + 1} x{times}"
    else:
        words = [cell for line in rows for cell in line] or [""]
        row[rng.randrange(len(row))] = rng.choice(words)
        note = f"row {r + 1}: a cell takes another cell's value"
    out = io.StringIO()
    quoted = rng.random() < 0.9
    writer = csv.writer(
        out,
        delimiter=delimiter,
        lineterminator=_line_end(text),
        quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE,
        escapechar=None if quoted else "\\",
    )
    try:
        writer.writerows(rows)
    except csv.Error:
        return mutate_lines(rng, data, ())
    return _cap(out.getvalue().encode("utf-8")), note + ("" if quoted else " (written unquoted)")


def mutate_pb(rng: Random, draw: Draw, data: bytes) -> Mutated:
    """A ``.pb`` file's field replaced by a drawn one (a cell value, a META key, a list of the
    file's own ids), or a META line added with a known key."""
    text = _decoded(data)
    if text is None:
        return mutate_bytes(rng, data, ())
    lines = text.splitlines(keepends=True)
    if not lines:
        return mutate_bytes(rng, data, ())
    vocabulary = sorted({field for line in lines for field in line.rstrip("\r\n").split(";") if field})[:500]
    if rng.random() < 0.2:
        at = next((i + 2 for i, line in enumerate(lines) if line.strip().upper() == "META"), 0)
        at = min(at, len(lines))
        key = draw(st.sampled_from(strategies.PB_META_KEYS))
        value = draw(strategies.pb_fields(vocabulary))
        lines.insert(at, f"{key};{value}{_line_end(text)}")
        note = f"insert META {key};{value[:40]!r} at line {at + 1}"
        return _cap("".join(lines).encode("utf-8")), note
    rows = _pb_rows(lines)
    section = rng.choice(sorted(rows)) if rows and rng.random() < 0.7 else ""
    i = rng.choice(rows[section]) if section else rng.randrange(len(lines))
    body = lines[i].rstrip("\r\n")
    end = lines[i][len(body) :]
    try:
        fields = next(csv.reader([body], delimiter=";"), [])
    except csv.Error:
        fields = body.split(";")
    if section == "META" and len(fields) > 1 and rng.random() < 0.8:
        c = 1  # the value: budget, vote_type, min_length, ... are what the rules read
    else:
        c = rng.randrange(len(fields) + 1) if fields else 0
    # A number where the file had one (a cost, a budget, points) gets past the parser more often.
    numeric = c < len(fields) and fields[c].replace(".", "", 1).replace(",", "").isdigit()
    value = draw(strategies.number_text if numeric and rng.random() < 0.6 else strategies.pb_fields(vocabulary))
    if c < len(fields):
        fields[c] = value
    else:
        fields.append(value)
    out = io.StringIO()
    if rng.random() < 0.8:
        csv.writer(out, delimiter=";", lineterminator="").writerow(fields)
        new = out.getvalue()
    else:
        new = ";".join(fields)
    lines[i] = new + (end or _line_end(text))
    return _cap("".join(lines).encode("utf-8")), f"line {i + 1} field {c + 1} = {value[:60]!r}"


def _pb_rows(lines: Sequence[str]) -> dict[str, list[int]]:
    """The data rows (not the header) of each section of a ``.pb`` file, as line indices."""
    rows: dict[str, list[int]] = {}
    section = ""
    header_next = False
    for i, line in enumerate(lines):
        marker = line.strip().strip(";").upper()
        if marker in ("META", "PROJECTS", "VOTES"):
            section, header_next = marker, True
            continue
        if section and header_next:
            header_next = False
        elif section:
            rows.setdefault(section, []).append(i)
    return rows


# --- structure: JSON records ---------------------------------------------------------


def _paths(value: object, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every path into a JSON value (the root is ``()``)."""
    found: list[tuple[str | int, ...]] = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for k, item in enumerate(value):
            found += _paths(item, (*prefix, k))
    return found


def _get(value: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


def _wrong_type(rng: Random, value: object) -> object:
    """A value of another JSON type that still looks like it: "5" for 5, 5 for "5", a list for an object."""
    if isinstance(value, bool):
        return rng.choice((str(value).lower(), int(value), None))
    if isinstance(value, int | float):
        return rng.choice((str(value), [value], {"value": value}, float(value) if isinstance(value, int) else 0))
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return rng.choice(([value], {"text": value}, len(value), True))
    if isinstance(value, dict):
        return rng.choice((list(value.values()), list(value.keys()), json.dumps(value)))
    if isinstance(value, list):
        return rng.choice(({str(k): item for k, item in enumerate(value)}, value[0] if value else "", len(value)))
    return rng.choice((0, "", [], {}))


def _nest(value: object, depth: int) -> object:
    for _ in range(depth):
        value = [value]
    return value


def _strings(value: object) -> list[str]:
    """Every string of a JSON value, keys too: the ids, rule names and decisions a record uses."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [*value.keys(), *(text for item in value.values() for text in _strings(item))]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _same_type(rng: Random, draw: Draw, document: object, value: object) -> object:
    """A value of the same JSON type that the record does not expect there: another id, an
    amount of money at an edge, a flipped flag, a list reordered, emptied or with a repeat."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return draw(strategies.edge_integers)
    if isinstance(value, float):
        return draw(st.floats())
    if isinstance(value, str):
        choice = rng.randrange(4)
        if choice == 0:
            return rng.choice(_strings(document) or [""])
        if choice == 1:
            return draw(strategies.number_text)
        if choice == 2:
            return draw(strategies.plain_text)
        return value + rng.choice(("0", ".5", " ", "x", value))
    if isinstance(value, list):
        items = list(value)
        choice = rng.randrange(4)
        if choice == 0:
            rng.shuffle(items)
        elif choice == 1:
            items = items[: rng.randrange(len(items) + 1)]
        elif choice == 2 and items:
            items.insert(rng.randrange(len(items) + 1), rng.choice(items))
        else:
            items.reverse()
        return items
    if isinstance(value, dict):
        keys = list(value)
        if keys and rng.random() < 0.5:
            keys = keys[: rng.randrange(len(keys))]
        return {key: value[key] for key in reversed(keys)}
    return draw(strategies.json_values)


def mutate_json(rng: Random, draw: Draw, data: bytes) -> Mutated:
    """Change a value of a record: mostly to one of the same type the record does not expect
    (so that it still reads, and the reader's users meet it), else to a drawn value, one of the
    wrong type, null, or a deep nesting; or delete a key or item, or add one. Written back
    compact, as records are."""
    try:
        document = json.loads(data)
        return _mutate_document(rng, draw, document)
    except (ValueError, RecursionError):
        # Not JSON, or nested deeper than these recursive helpers go (an earlier mutation did it).
        return mutate_bytes(rng, data, ())


def _mutate_document(rng: Random, draw: Draw, document: Any) -> Mutated:
    path = rng.choice(_paths(document))
    choice = rng.randrange(20)
    nested_depth = 0
    if choice < 8:
        new: object = _same_type(rng, draw, document, _get(document, path))
        note = f"{list(path)} = odd value {json.dumps(new, ensure_ascii=False)[:60]}"
    elif choice < 10:
        new = draw(strategies.json_values)
        note = f"{list(path)} = drawn {json.dumps(new, ensure_ascii=False)[:60]}"
    elif choice < 12:
        new = _wrong_type(rng, _get(document, path))
        note = f"{list(path)} = wrong type {json.dumps(new, ensure_ascii=False)[:60]}"
    elif choice < 13:
        new = None
        note = f"{list(path)} = null"
    elif choice < 14:
        nested_depth = draw(strategies.nesting_depths)
        new = _nest(_get(document, path), min(nested_depth, 50))
        note = f"{list(path)} nested {nested_depth} deep"
    else:
        parent = _get(document, path[:-1]) if path else None
        if isinstance(parent, dict) and choice < 17:
            del parent[path[-1]]
            return _dump(document), f"delete key {list(path)}"
        if isinstance(parent, list) and choice < 17:
            del parent[int(path[-1])]
            return _dump(document), f"delete item {list(path)}"
        container = _get(document, path)
        if isinstance(container, dict):
            key = draw(st.one_of(st.sampled_from(strategies.RECORD_KEYS), strategies.plain_text))
            container[key] = draw(strategies.json_values)
            return _dump(document), f"extra key {key[:30]!r} in {list(path)}"
        if isinstance(container, list):
            container.append(draw(strategies.json_values) if rng.random() < 0.5 else (container[0] if container else 1))
            return _dump(document), f"extra item in {list(path)}"
        new = _same_type(rng, draw, document, container)
        note = f"{list(path)} = odd value {json.dumps(new, ensure_ascii=False)[:60]}"
    if not path:
        document = new
    else:
        _get(document, path[:-1])[path[-1]] = new
    text = _dump(document)
    if nested_depth > 50:
        # json.dumps itself recurses: write the deep part as text.
        text = _dump_deep(document, path, nested_depth - 50)
    return text, note


def _dump(document: object) -> bytes:
    """Compact JSON as records are written; ``\\ud800``-style escapes where a lone surrogate
    (from a ``\\u`` escape in the input) has no UTF-8."""
    try:
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(document, ensure_ascii=True, separators=(",", ":")).encode("utf-8")


def _dump_deep(document: object, path: tuple[str | int, ...], extra: int) -> bytes:
    """The document with ``extra`` more brackets around the value at ``path`` (deeper than json.dumps can go)."""
    marker = "@@fuzz-nest@@"
    inner = _get(document, path)
    if path:
        _get(document, path[:-1])[path[-1]] = marker
        text = _dump(document).decode("utf-8")
        deep = "[" * extra + _dump(inner).decode() + "]" * extra
        replaced = text.replace(json.dumps(marker), deep)
        return _cap(replaced.encode("utf-8"))
    return _cap(("[" * extra + _dump(inner).decode() + "]" * extra).encode("utf-8"))
