"""`homebiz import-bank-report FILE [--dry-run]`: mark the applications a bank paid, all or none.

The check and the apply are ``services.imports.bank_import`` (the web desk uses them too); this
module is the command: it finishes interrupted imports first, then prints the result in Persian.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from config.settings import Settings
from domain.catalogue import load_catalogue
from services.imports.bank_import import (
    ImportResult,
    _digest,
    import_bank_report,
    render_import_result,
    render_resumed,
)
from services.imports.bank_import_run import resume_imports
from storage import Store


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    catalogue = load_catalogue(settings.catalogue_dir)
    settings.ensure_dirs()
    path = Path(args.file)
    store = await Store.open(settings.database_path)
    quiet_hours = settings.quiet_hours
    result: ImportResult | None = None
    try:
        resumed = (
            [] if args.dry_run else await resume_imports(store, catalogue, quiet_hours=quiet_hours)
        )
        digest = await asyncio.to_thread(_digest, path)
        again = [r for r in resumed if r.file_sha256 == digest]
        if not again:  # the officer ran the interrupted file again: finishing it was the answer
            result = await import_bank_report(
                store,
                catalogue,
                path,
                dry_run=args.dry_run,
                tz=settings.zone,
                quiet_hours=quiet_hours,
            )
    finally:
        await store.close()
    for done in resumed:
        print(render_resumed(done))
    if result is None:
        return 0 if all(r.applied for r in again) else 1
    print(render_import_result(result))
    return 0 if result.ok else 1


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `import-bank-report` on the `homebiz` parser."""
    parser = sub.add_parser(
        "import-bank-report",
        help="mark applications paid from an agent bank's report (CSV or XLSX), all or none",
    )
    parser.add_argument("file", help="the bank's report, .csv (UTF-8) or .xlsx")
    parser.add_argument(
        "--dry-run", action="store_true", help="show what would change and change nothing"
    )


def command(args: argparse.Namespace, settings: Settings) -> int:
    """`homebiz import-bank-report FILE [--dry-run]`."""
    return asyncio.run(_run(args, settings))
