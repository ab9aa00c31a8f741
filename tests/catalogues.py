"""Catalogues parsed once per test session: parsing data/ takes ~0.2 s of CPU a time.

A Catalogue is read-only, so bots in different tests (and forked bot processes) may share one.
"""

from __future__ import annotations

from pathlib import Path

from domain.catalogue import DEFAULT_DATA_DIR, Catalogue, load_catalogue

_CATALOGUES: dict[tuple[Path, tuple[tuple[str, int, int], ...]], Catalogue] = {}


def parsed_catalogue(folder: Path = DEFAULT_DATA_DIR) -> Catalogue:
    """The catalogue of ``folder``, parsed once per session (again if a file there changed)."""
    files = tuple(
        (entry.name, entry.stat().st_mtime_ns, entry.stat().st_size)
        for entry in sorted(folder.iterdir())
        if entry.is_file()
    )
    key = (folder.resolve(), files)
    if key not in _CATALOGUES:
        _CATALOGUES[key] = load_catalogue(folder)
    return _CATALOGUES[key]
