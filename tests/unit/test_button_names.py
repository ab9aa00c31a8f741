"""A text that names a button («…») names one that exists.

The real labels are collected from the source: every msgid given to a button (an inline or a
reply keyboard button, a ``Choice``, a ``(label, callback data)`` row entry, a ``*button*``
helper, the main menu's ``MenuItem``), directly or through a module constant. Every «…» in the
catalogue's Persian texts must then be one of those labels (emoji and punctuation aside, so
«پیگیری درخواست» names «🔎 پیگیری درخواست»), or one of the few quoted examples of input below.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from domain.persian import normalize_input
from domain.statuses import ApplicationStatus
from tests.catalogues import parsed_catalogue
from tests.sources import python_files, source_nodes, source_tree
from texts.i18n import _, catalogue_path
from texts.notifications import status_label

SOURCE_DIRS = ("bot", "handlers", "conversations")
GETTEXT = frozenset({"_", "N_"})

# Quoted text that names no button: examples of what a citizen or officer may type.
QUOTED_EXAMPLES = frozenset({"مریم احمدی", "۲۰۰ میلیون", "۲۰۰٬۰۰۰٬۰۰۰", "قالی"})

_QUOTED = re.compile(r"«([^«»]*)»")


def comparable(text: str) -> str:
    """Words only: emoji, arrows and punctuation dropped, spaces folded (ZWNJ kept)."""
    kept = "".join(ch for ch in normalize_input(text) if ch.isalnum() or ch in " \u200c")
    return " ".join(kept.split())


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_gettext(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and _name(node.func) in GETTEXT and bool(node.args)


def _msgids(node: ast.AST) -> Iterator[str]:
    """String literals given to _() or N_() anywhere under a node."""
    for child in ast.walk(node):
        if _is_gettext(child):
            assert isinstance(child, ast.Call)
            first = child.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield first.value


def _names(node: ast.AST) -> Iterator[str]:
    for child in ast.walk(node):
        if isinstance(child, ast.Name | ast.Attribute):
            name = _name(child)
            if name is not None:
                yield name


def _is_button_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = _name(node.func) or ""
    return "button" in name.lower() or name == "Choice"


def _is_row_entry(node: ast.AST) -> bool:
    """A (label, callback data) pair of an inline keyboard row."""
    if not isinstance(node, ast.Tuple) or len(node.elts) != 2:
        return False
    data = node.elts[1]
    is_data = (
        (isinstance(data, ast.Constant) and isinstance(data.value, str))
        or isinstance(data, ast.JoinedStr | ast.BinOp)
        or (_name(data) or "").endswith("DATA")
        or (  # a kind of texts/buttons.py: Kind(...).pack()
            isinstance(data, ast.Call)
            and isinstance(data.func, ast.Attribute)
            and data.func.attr == "pack"
        )
    )
    return is_data and any(True for _ in _msgids(node.elts[0]))


def _button_parts(path: Path) -> Iterator[ast.AST]:
    """The parts of a module that hold button labels."""
    for node in source_nodes(path):
        if _is_button_call(node):
            assert isinstance(node, ast.Call)
            yield from node.args
            yield from (k.value for k in node.keywords if k.arg == "text")
        elif _is_row_entry(node):
            assert isinstance(node, ast.Tuple)
            yield node.elts[0]
        elif isinstance(node, ast.keyword) and node.arg == "contact":  # FormStep(contact=...)
            yield node.value
        elif isinstance(node, ast.ClassDef) and node.name == "MenuItem":
            yield node
        elif isinstance(node, ast.ListComp | ast.GeneratorExp) and any(
            _is_button_call(child) for child in ast.walk(node.elt)
        ):
            yield from (generator.iter for generator in node.generators)


def _constants(tree: ast.Module) -> dict[str, set[str]]:
    """Module-level names bound to msgids (a constant, or a dict/tuple of them)."""
    table: dict[str, set[str]] = {}
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        value = getattr(node, "value", None)
        for target in targets:
            if isinstance(target, ast.Name) and value is not None:
                table.setdefault(target.id, set()).update(_msgids(value))
    return table


@cache  # two tests read them
def button_msgids() -> frozenset[str]:
    """Every msgid the sources show on a button."""
    paths = python_files(*SOURCE_DIRS)
    constants: dict[str, set[str]] = {}
    for path in paths:
        for name, msgids in _constants(source_tree(path)).items():
            constants.setdefault(name, set()).update(msgids)
    found: set[str] = set()
    for path in paths:
        for part in _button_parts(path):
            found.update(_msgids(part))
            for name in _names(part):
                found.update(constants.get(name, ()))
    return frozenset(found)


def _placeholder_values() -> dict[str, list[str]]:
    """What a label's placeholder can stand for, where it stands for a known name."""
    catalogue = parsed_catalogue()
    return {
        "status": [status_label(status) for status in ApplicationStatus],
        "document": [document.name for document in catalogue.documents],
    }


def _label_pattern(msgid: str, values: dict[str, list[str]]) -> re.Pattern[str]:
    """A translated label; a known {placeholder} stands for its names, another for any words."""
    parts = re.split(r"\{([a-z_]+)\}", _(msgid))
    pattern = ""
    for index, part in enumerate(parts):
        if index % 2 == 0:
            pattern += re.escape(comparable(part))
        elif part in values:
            pattern += "(?:" + "|".join(re.escape(comparable(v)) for v in values[part]) + ")"
        else:
            pattern += ".+"
    assert pattern.strip(" .+"), f"{msgid!r} names no words of its own"
    return re.compile(pattern.strip())


def quoted_in_catalogue() -> Iterator[tuple[str, str]]:
    """(msgid, quoted text) for every «…» in a Persian text (placeholders are not names)."""
    with catalogue_path().open("rb") as po_file:
        catalog = read_po(po_file, locale="fa")
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        forms = message.string if isinstance(message.string, list | tuple) else [message.string]
        for form in forms:
            for quoted in _QUOTED.findall(form or ""):
                if "{" not in quoted:
                    yield msgid, quoted


def test_the_collector_sees_the_buttons() -> None:
    labels = button_msgids()
    for msgid in ("↩️ Back", "✖️ Cancel", "📝 Apply and upload documents", "Continue ▶️", "Yes"):
        assert msgid in labels
    assert "Are you an Iranian citizen?" not in labels


def test_every_quoted_button_exists() -> None:
    values = _placeholder_values()
    patterns = [_label_pattern(msgid, values) for msgid in button_msgids()]
    unknown = [
        f"{msgid!r}: «{quoted}»"
        for msgid, quoted in quoted_in_catalogue()
        if quoted not in QUOTED_EXAMPLES
        and not any(p.fullmatch(comparable(quoted)) for p in patterns)
    ]
    assert unknown == []
