"""`homebiz import-exhibitions FILE`: exhibitions from a CSV file, all rows or none.

The reading and checking are ``services.imports.exhibitions`` (the web desk uses them too).
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from config.settings import Settings
from domain.catalogue import load_catalogue
from services.imports.exhibitions import import_exhibitions, render_result
from storage import Store


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    catalogue = load_catalogue(settings.catalogue_dir)
    settings.ensure_dirs()
    store = await Store.open(settings.database_path)
    try:
        result = await import_exhibitions(store, catalogue, Path(args.file))
    finally:
        await store.close()
    print(render_result(result))
    return 0 if result.ok else 1


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `import-exhibitions` on the `homebiz` parser."""
    parser = sub.add_parser(
        "import-exhibitions", help="add exhibitions from a CSV file (all rows or none)"
    )
    parser.add_argument("file", help="UTF-8 CSV with a header row (English or Persian headers)")


def command(args: argparse.Namespace, settings: Settings) -> int:
    """`homebiz import-exhibitions FILE`."""
    return asyncio.run(_run(args, settings))
