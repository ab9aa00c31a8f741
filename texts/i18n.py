"""Persian texts: the gettext catalogue in locales/fa, compiled by Babel in memory at first use.

Source msgids are English; every text a citizen sees is looked up here, then formatted:
``_("Step {step} of {total}").format(step=..., total=...)``.
"""

from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "bot"
LANGUAGE = "fa"


def catalogue_path(language: str = LANGUAGE) -> Path:
    """Where the editable .po file of a language lives."""
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=4)
def translations(language: str = LANGUAGE) -> gettext.GNUTranslations:
    """Compile the .po catalogue once per process; a stale .mo can never be served."""
    with catalogue_path(language).open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _(msgid: str) -> str:
    """Translate one message into Persian."""
    return translations().gettext(msgid)


def ngettext(singular: str, plural: str, count: int) -> str:
    """Translate a message that depends on a count."""
    return translations().ngettext(singular, plural, count)


def N_(msgid: str) -> str:
    """Mark a msgid for extraction without translating it yet (for constants)."""
    return msgid
