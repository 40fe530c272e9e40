"""The message catalogs: complete in Finnish and Swedish, up to date with the code, compiled, plurals right.

Babel's extraction runs here in-process, as docs/translations.md runs it on the
command line (babel.cfg, keywords N_ and NP_): a message in the code or a template
that no catalog has, or a catalog message the code no longer uses, fails; so does a
.mo file that is not the compilation of its .po.
"""

from __future__ import annotations

import io
import re
from configparser import RawConfigParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from asukasbudjetti.i18n import DOMAIN, LANGS, LOCALE_DIR, Texts

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "NP_": (1, 2),
}


def _po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _catalog(lang: str):  # type: ignore[no-untyped-def]
    with _po_path(lang).open("rb") as stream:
        return read_po(stream, locale=lang)


def _method_map() -> list[tuple[str, str]]:
    config = RawConfigParser()
    config.read(ROOT / "babel.cfg", encoding="utf-8")
    return [(section.partition(":")[2].strip(), section.partition(":")[0].strip()) for section in config.sections()]


def _extracted() -> set[str | tuple[str, str]]:
    found: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=_method_map(), keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


def _ids(lang: str) -> set[str | tuple[str, str]]:
    return {m.id if isinstance(m.id, str) else (m.id[0], m.id[1]) for m in _catalog(lang) if m.id}


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def test_extraction_finds_every_message_in_the_catalogs_and_no_other() -> None:
    extracted = _extracted()
    assert len(extracted) > 200  # the walk over the sources did find the messages
    for lang in LANGS:
        ids = _ids(lang)
        assert sorted(map(str, extracted - ids)) == [], f"{lang}: new messages; run the update (docs/translations.md)"
        assert sorted(map(str, ids - extracted)) == [], f"{lang}: messages the code no longer uses"


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated_with_the_same_placeholders(lang: str) -> None:
    for message in _catalog(lang):
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert all(strings), f"{lang}: untranslated: {message.id!r}"
        for string in strings:
            # A plural's singular may leave out the count ("1 vote" -> "ääni") but never add a name.
            assert _placeholders(string) <= set().union(*map(_placeholders, ids)), (lang, message.id, string)
        if isinstance(message.id, str):
            assert _placeholders(strings[0]) == _placeholders(message.id), (lang, message.id, strings[0])


@pytest.mark.parametrize("lang", LANGS)
def test_the_shipped_mo_is_compiled_from_the_po(lang: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(lang))
    shipped = (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo").read_bytes()
    assert shipped == compiled.getvalue(), f"{lang}: the .mo is stale; run pybabel compile (docs/translations.md)"


@pytest.mark.parametrize("lang", LANGS)
def test_plural_forms_header_is_that_of_the_language(lang: str) -> None:
    # Finnish, Swedish and English all have two forms: one for exactly 1, one for the rest.
    assert _catalog(lang).plural_forms == "nplurals=2; plural=(n != 1);"


@pytest.mark.parametrize(
    ("lang", "one", "two"),
    [
        ("en", "1 vote", "2 votes"),
        ("fi", "1 ääni", "2 ääntä"),
        ("sv", "1 röst", "2 röster"),
    ],
)
def test_plurals_for_one_and_two_by_hand(lang: str, one: str, two: str) -> None:
    t = Texts(lang)  # type: ignore[arg-type]
    # The score phrase counts votes: "a score of 3 (1 vote)".
    message = ("a score of {score} ({votes} vote)", "a score of {score} ({votes} votes)")
    said_one = t.ngettext(*message, 1, score=3, votes=1)
    said_two = t.ngettext(*message, 2, score=3, votes=2)
    assert said_one.endswith(f"({one})")
    assert said_two.endswith(f"({two})")


@pytest.mark.parametrize(
    ("lang", "one", "two"),
    [
        ("en", "1 project", "2 projects"),
        ("fi", "1 suunnitelma", "2 suunnitelmaa"),
        ("sv", "1 projekt", "2 projekt"),
    ],
)
def test_project_counts_for_one_and_two(lang: str, one: str, two: str) -> None:
    t = Texts(lang)  # type: ignore[arg-type]
    assert t.ngettext("{count} project", "{count} projects", 1, count=1) == one
    assert t.ngettext("{count} project", "{count} projects", 2, count=2) == two


@pytest.mark.parametrize("lang", LANGS)
def test_every_plural_message_takes_its_forms_for_one_and_two(lang: str) -> None:
    t = Texts(lang)  # type: ignore[arg-type]
    for message in _catalog(lang):
        if isinstance(message.id, tuple):
            assert t.ngettext(message.id[0], message.id[1], 1) == message.string[0]
            assert t.ngettext(message.id[0], message.id[1], 2) == message.string[1]
