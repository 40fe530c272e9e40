"""One way in for text: every file the package reads is decoded here.

Files must be UTF-8 (a byte order mark, as Windows editors and spreadsheets write
it, is allowed and dropped). A file in another encoding (Windows-1252 from an
editor on Windows, say, with "Seinäjoki" in it) is refused with the file, the
line and the offending byte, e.g.
``cycle.toml:3: byte 0xe4 is not UTF-8 text; expected a UTF-8 file (save it as UTF-8)``,
never decoded by guessing.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path

from asukasbudjetti.errors import InputError

#: What a file that is not UTF-8 should have been.
UTF8_EXPECTED = "a UTF-8 file (save it as UTF-8)"


class NotUtf8Error(InputError):
    """A file's bytes are not UTF-8 text; ``line`` is where the first bad byte is (from 1)."""

    def __init__(self, source: str, line: int, byte: int) -> None:
        self.source = source
        self.line = line
        self.byte = byte
        super().__init__(f"{source}:{line}: {not_utf8_message(byte)}; expected {UTF8_EXPECTED}")


def not_utf8_message(byte: int) -> str:
    """The problem, without file and line: ``byte 0xe4 is not UTF-8 text``."""
    return f"byte {byte:#04x} is not UTF-8 text"


def line_of(raw: bytes, offset: int) -> int:
    """The line (from 1) that byte ``offset`` of ``raw`` is on; CR, LF and CRLF all end a line."""
    before = raw[:offset]
    return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1


def decode_text(raw: bytes, source: str) -> str:
    """``raw`` as text: UTF-8, its byte order mark dropped.

    Raises :class:`NotUtf8Error` (an :class:`~asukasbudjetti.errors.InputError`)
    naming ``source``, the line and the byte when it is not UTF-8.
    """
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotUtf8Error(source, line_of(raw, exc.start), raw[exc.start]) from None


def read_bytes(path: str | os.PathLike[str], source: str | None = None, *, what: str = "the file") -> bytes:
    """A file's bytes; an :class:`~asukasbudjetti.errors.InputError` naming it (and ``what`` it
    should have been) when it cannot be read."""
    name = str(path) if source is None else source
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{name}: cannot read {what}: {exc.strerror or exc}") from exc


def read_text(path: str | os.PathLike[str], source: str | None = None) -> str:
    """A file's text (see :func:`decode_text`), ``source`` naming it in messages (default: the path)."""
    name = str(path) if source is None else source
    return decode_text(read_bytes(path, name), name)
