"""The Persian catalogue: complete, not fuzzy, placeholders kept, no stray English, no repeats."""

from __future__ import annotations

import ast
import re
import string
from collections import Counter
from functools import cache

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from tests.sources import ROOT, python_files, source_nodes
from texts.i18n import catalogue_path, translations

PO_PATH = catalogue_path("fa")
SOURCE_DIRS = (
    "bot",
    "conversations",
    "handlers",
    "office",
    "services",
    "storage",
    "texts",
    "config",
    "domain",
    "desk",
)
GETTEXT_NAMES = frozenset({"_", "N_", "gettext", "ngettext"})

# Latin words a citizen may see: file types, commands and messenger names. Keep this list short.
ALLOWED_LATIN_TOKENS = (
    # Commands are typed as they are, on a Persian keyboard too.
    "/start",
    "/cancel",
    "/help",
    "/stop",
    "/quit",
    "/contact",
    "/file",
    "/menu",
    "/status",
    "/apply",
    "/check",
    "/officers",
    "/officer",
    "/announce",
    "/exhibitions_admin",
    # File formats an officer saves a spreadsheet as (office command-line texts only).
    "UTF-8",
    "CSV",
    ".csv",
    ".xlsx",
    "PDF",
    "JPG",
    "JPEG",
    "PNG",
    "Bale",
    "Telegram",
)
_LATIN = re.compile(r"[A-Za-z]")


@cache  # read once for the module's tests, which only read it
def _catalog() -> Catalog:
    with PO_PATH.open("rb") as po_file:
        return read_po(po_file, locale="fa")


@cache
def _messages() -> tuple[Message, ...]:
    return tuple(message for message in _catalog() if message.id)


def _forms(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def _literal_text(text: str) -> str:
    """What remains of a text once its {placeholders} are taken out."""
    return "".join(literal for literal, _, _, _ in string.Formatter().parse(text))


def _label(message: Message) -> str:
    return repr(_forms(message.id)[0])


def test_catalogue_compiles() -> None:
    translations.cache_clear()
    assert translations("fa") is not None


def test_every_entry_is_translated() -> None:
    untranslated = [
        _label(message)
        for message in _messages()
        if not _forms(message.string) or not all(form.strip() for form in _forms(message.string))
    ]
    assert untranslated == []


def test_no_entry_is_fuzzy() -> None:
    assert [_label(message) for message in _messages() if message.fuzzy] == []


def test_placeholders_match_between_msgid_and_msgstr() -> None:
    mismatched: list[str] = []
    for message in _messages():
        ids = _forms(message.id)
        allowed = [_placeholders(msgid) for msgid in ids]
        for form in _forms(message.string):
            if not form:
                continue  # reported by test_every_entry_is_translated
            got = _placeholders(form)
            # A plural form may follow either the singular or the plural msgid.
            if got not in allowed:
                mismatched.append(
                    f"{_label(message)}: {sorted(got)} vs {[sorted(a) for a in allowed]}"
                )
    assert mismatched == []


def test_placeholders_are_named() -> None:
    positional = [
        _label(message)
        for message in _messages()
        for text in _forms(message.id) + _forms(message.string)
        if any(name == "" or name.isdigit() for name in _placeholders(text))
    ]
    assert positional == []


def test_no_stray_latin_words_in_translations() -> None:
    stray: list[str] = []
    for message in _messages():
        for form in _forms(message.string):
            text = _literal_text(form)
            for token in ALLOWED_LATIN_TOKENS:
                text = text.replace(token, "")
            if _LATIN.search(text):
                stray.append(f"{_label(message)} -> {form!r}")
    assert stray == []


def _raw_msgids(po_text: str) -> list[tuple[str | None, str]]:
    """(msgctxt, msgid) of every active entry, read from the raw file (Babel merges repeats)."""
    entries: list[tuple[str | None, str]] = []
    context: str | None = None
    current: str | None = None
    field: str | None = None
    value = ""

    def close_field() -> None:
        nonlocal context, current
        if field == "msgctxt":
            context = value
        elif field == "msgid":
            current = value

    for raw_line in po_text.splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            value += ast.literal_eval(line)
            continue
        close_field()
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgstr", "msgstr[0]") and current is not None:
            entries.append((context, current))
            context, current = None, None
        field, value = keyword, ast.literal_eval(rest) if rest else ""
    return [entry for entry in entries if entry[1]]


def test_no_duplicate_msgids() -> None:
    counts = Counter(_raw_msgids(PO_PATH.read_text(encoding="utf-8")))
    assert [entry for entry, count in counts.items() if count > 1] == []


def test_raw_reader_sees_every_entry() -> None:
    # Guards the duplicate check itself: it must find as many entries as Babel does.
    assert len(_raw_msgids(PO_PATH.read_text(encoding="utf-8"))) == len(_messages())


@cache  # two tests read them
def _gettext_calls() -> tuple[tuple[str, int, ast.Call], ...]:
    calls: list[tuple[str, int, ast.Call]] = []
    for path in python_files(*SOURCE_DIRS):
        for node in source_nodes(path):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in GETTEXT_NAMES:
                calls.append((str(path.relative_to(ROOT)), node.lineno, node))
    return tuple(calls)


def _literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _is_plural_call(call: ast.Call) -> bool:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return name == "ngettext"


def test_every_msgid_in_the_sources_is_in_the_catalogue() -> None:
    catalog = _catalog()
    missing: list[str] = []
    for where, line, call in _gettext_calls():
        msgid = _literal(call.args[0])
        if msgid is None or not msgid:
            continue
        message = catalog.get(msgid)
        if message is None:
            missing.append(f"{where}:{line}: {msgid!r}")
        elif (
            len(call.args) >= 2 and _literal(call.args[1]) is not None and not message.pluralizable
        ):
            missing.append(f"{where}:{line}: {msgid!r} needs a plural entry")
    assert missing == []


def test_no_f_strings_as_msgids() -> None:
    # Translate first, .format() after: an f-string msgid can never match the catalogue.
    offending = [
        f"{where}:{line}"
        for where, line, call in _gettext_calls()
        if isinstance(call.args[0], ast.JoinedStr)
    ]
    assert offending == []


@pytest.mark.parametrize("msgid", ["Farvardin", "Esfand", "{amount} toman"])
def test_known_entries_translate(msgid: str) -> None:
    translated = translations("fa").gettext(msgid)
    assert translated != msgid
