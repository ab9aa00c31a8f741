"""The project's Python sources, parsed once per test process for the tests that read them.

Several unit tests look for calls or keywords in the sources (gettext calls, button labels,
``parse_mode``); parsing and walking the ~200 modules costs ~0.5 s of CPU each time, so each
module is parsed and walked once and the trees are shared. A tree is only read, never changed.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def python_files(*folders: str) -> list[Path]:
    """Every module under these top-level folders, folder by folder, each sorted by path."""
    return [path for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))]


@cache
def source_tree(path: Path) -> ast.Module:
    """The module's syntax tree (parsed once)."""
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@cache
def source_nodes(path: Path) -> tuple[ast.AST, ...]:
    """Every node of the module's tree, in ``ast.walk`` order (walked once)."""
    return tuple(ast.walk(source_tree(path)))
