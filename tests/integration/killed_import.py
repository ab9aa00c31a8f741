"""A bank import killed mid-way (SIGKILL, by itself), run in a process of its own: forked from
the CLI tests' fork server (tests/integration/cli_runner.py), whose `bot.cli` already imported
everything this needs, instead of a new interpreter importing it all again."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import date
from pathlib import Path

from domain.catalogue import load_catalogue
from domain.notifications import QuietHours
from services.imports.bank_import import import_bank_report
from storage import Store


def import_then_die(database: str, report: str, after_rows: int, chunk: int) -> None:
    """Apply ``report`` to ``database`` in chunks; die once ``after_rows`` rows are applied."""

    async def main() -> None:
        store = await Store.open(Path(database))

        async def after_chunk(applied: int) -> None:
            if applied >= after_rows:
                os.kill(os.getpid(), signal.SIGKILL)  # a crash: nothing is cleaned up

        await import_bank_report(
            store,
            load_catalogue(),
            Path(report),
            today=date(2026, 1, 10),
            quiet_hours=QuietHours(start_hour=0, end_hour=0),
            chunk_rows=chunk,
            on_chunk=after_chunk,
        )

    asyncio.run(main())
