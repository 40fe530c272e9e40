"""How a result is presented: its language, currency and title, from the input files.

None of this enters the record (a record is the same bytes whatever the language).
``tally`` reads it from the file it tallies; ``explain`` and ``report`` from the
record's inputs when they lie beside it (or in ``--inputs``), as ``verify`` finds
them: the cycle file's ``[cycle]`` ``language``, ``currency`` and ``name``, or a
pabulib file's META ``language``, ``currency`` and its place and year. A file that
is missing or unreadable only means no default: English, and amounts without a
currency.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from asukasbudjetti.i18n import Lang, Texts, check_lang
from asukasbudjetti.model.record import CycleInvocation, Record

#: The META keys a title is made of, in order.
_TITLE_KEYS = ("unit", "subunit", "instance")


class Presentation(BaseModel):
    """What the inputs say about presenting the result."""

    model_config = ConfigDict(frozen=True)

    language: Lang | None = None
    currency: str | None = None
    title: str | None = None

    def texts(self, lang: str | None = None) -> Texts:
        """The texts of ``lang`` when given, else of the input's language, else English."""
        return Texts(check_lang(lang) or self.language or "en", self.currency)


def of_input(path: str | os.PathLike[str]) -> Presentation:
    """What a cycle file (``.toml``) or a pabulib file says about presenting its result."""
    path = Path(path)
    if path.suffix.lower() == ".toml":
        import tomllib  # only here: a pabulib tally's text needs no TOML parser

        try:
            with path.open("rb") as stream:
                cycle = tomllib.load(stream).get("cycle", {})
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            return Presentation()
        if not isinstance(cycle, dict):
            return Presentation()
        return Presentation(
            language=check_lang(_text(cycle.get("language"))),
            currency=_text(cycle.get("currency")) or "EUR",  # the cycle file's own default
            title=_text(cycle.get("name")),
        )
    try:
        meta = _meta(path)
    except (OSError, UnicodeDecodeError):
        return Presentation()
    title = meta.get("description") or " ".join(meta[key] for key in _TITLE_KEYS if meta.get(key)) or None
    return Presentation(language=check_lang(meta.get("language")), currency=meta.get("currency") or None, title=title)


def of_record(record: Record, record_path: str | os.PathLike[str], inputs_dir: str | None = None) -> Presentation:
    """What the record's inputs say, found by name in ``inputs_dir`` (default: the record's folder)."""
    folder = Path(inputs_dir) if inputs_dir is not None else Path(record_path).parent
    names = [digest.file for digest in record.inputs]
    if isinstance(record.invocation, CycleInvocation):
        names = [name for name in names if name.lower().endswith(".toml")]
    for name in names:
        candidate = folder / name
        try:
            found = candidate.is_file()
        except OSError:  # a name no file system holds (too long, say): no such input here
            continue
        if found:
            return of_input(candidate)
    return Presentation()


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _meta(path: Path) -> dict[str, str]:
    """A pabulib file's META section, read leniently (only for presentation; the tally validates it)."""
    meta: dict[str, str] = {}
    with path.open(encoding="utf-8-sig", errors="replace") as stream:
        in_meta = False
        for line in stream:
            text = line.strip()
            upper = text.rstrip(";").strip().upper()
            if upper == "META":
                in_meta = True
                continue
            if upper in ("PROJECTS", "VOTES"):
                break
            if in_meta and ";" in text:
                key, _, value = text.partition(";")
                if key.strip().lower() != "key":
                    meta[key.strip().lower()] = value.strip()
    return meta
