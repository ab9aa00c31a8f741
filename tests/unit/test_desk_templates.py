"""The desk's templates: every text through the catalogue, no Persian written in a template."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from texts.i18n import catalogue_path

TEMPLATES = Path(__file__).resolve().parents[2] / "desk" / "templates"
_MSGID = re.compile(r"""_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\)""")
_PERSIAN_LETTER = re.compile(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")


def template_msgids() -> dict[str, str]:
    """msgid → the template that uses it."""
    found: dict[str, str] = {}
    for path in sorted(TEMPLATES.glob("*.html")):
        for match in _MSGID.finditer(path.read_text(encoding="utf-8")):
            found[match.group(1) or match.group(2)] = path.name
    return found


def test_every_template_text_is_in_the_catalogue() -> None:
    with catalogue_path("fa").open("rb") as po_file:
        catalog = read_po(po_file, locale="fa")
    missing = [
        f"{where}: {msgid!r}"
        for msgid, where in template_msgids().items()
        if catalog.get(msgid) is None
    ]
    assert template_msgids(), "the extraction found no text at all"
    assert missing == []


def test_no_persian_letters_in_templates() -> None:
    # Persian digits in an input's example are allowed; words belong in the catalogue.
    offending = [
        f"{path.name}:{number}"
        for path in sorted(TEMPLATES.glob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _PERSIAN_LETTER.search(re.sub("[۰-۹]", "", line))
    ]
    assert offending == []
