"""Applying a checked bank report: chunk after chunk, the lock left free in between.

``finish_import`` takes an import record (``storage.bank_imports``) from wherever it stands to
done or rolled back: it applies the rows in short write transactions (the next chunk is worked
out while the lock is free), rolls back if an application moved meanwhile, then writes the
citizens' notifications. ``resume_imports`` does the same for every import a crash left open.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from pydantic import BaseModel, ConfigDict

from domain.catalogue import Catalogue
from domain.models import Application
from domain.notifications import QuietHours
from storage import Store
from storage.bank_imports import (
    BankImport,
    BankImportRepository,
    ChunkOutcome,
    Conflict,
    ImportStatus,
)
from storage.status_changes import Renderer
from texts.notifications import make_renderer

LOGGER = logging.getLogger(__name__)

# Rows per write transaction: a tenth of a second or so of the write lock each.
CHUNK_ROWS = 500
# Between two transactions the lock is left free about as long as it was held, at least
# MIN_PAUSE and at most MAX_PAUSE: a little over the 100 ms at which SQLite's busy handler
# looks again, so a writer waiting in another process gets in during every pause.
MIN_PAUSE, MAX_PAUSE = 0.01, 0.11
# Rows per notification transaction, in chunks.
NOTIFY_CHUNKS = 4
# A chunk whose applications moved between its reads and its transaction is read again.
MAX_RETRIES = 20

OnChunk = Callable[[int], Awaitable[None]]
"""Called after each committed chunk with the rows applied so far (progress, tests)."""


async def finish_import(
    imports: BankImportRepository,
    import_id: int,
    render: Renderer,
    *,
    quiet_hours: QuietHours | None,
    chunk_rows: int,
    on_chunk: OnChunk | None = None,
    known: dict[int, Application] | None = None,
) -> tuple[ImportStatus, list[Conflict]]:
    """Take an import from wherever it stands to done or rolled back, chunk by chunk."""
    conflicts: list[Conflict] = []
    status = await _status(imports, import_id)
    if status is ImportStatus.APPLYING:
        conflicts = await _apply(imports, import_id, render, chunk_rows, on_chunk, known)
        status = await _status(imports, import_id)
    while status is ImportStatus.ROLLING_BACK:
        await imports.roll_back_chunk(import_id, chunk_rows)
        await _let_others_write(imports)
        status = await _status(imports, import_id)
    after_row = 0
    while status is ImportStatus.NOTIFYING:
        # A notification is one short INSERT: larger chunks, still short transactions.
        last = await imports.notify_chunk(
            import_id, NOTIFY_CHUNKS * chunk_rows, after_row=after_row, quiet_hours=quiet_hours
        )
        after_row = last if last is not None else after_row
        await _let_others_write(imports)
        status = await _status(imports, import_id)
    return status, conflicts


async def _apply(
    imports: BankImportRepository,
    import_id: int,
    render: Renderer,
    chunk_rows: int,
    on_chunk: OnChunk | None,
    known: dict[int, Application] | None,
) -> list[Conflict]:
    """Apply chunk after chunk; the next one is worked out while the lock is left free."""
    applied = retries = 0
    chunk = await imports.prepare_chunk(import_id, chunk_rows, render, known)
    while True:
        outcome = chunk if isinstance(chunk, ChunkOutcome) else await imports.write_chunk(chunk)
        if outcome.done or outcome.conflicts:
            return outcome.conflicts
        if outcome.retry:  # an application moved after it was read: read it again
            known = None
            retries += 1
            if retries > MAX_RETRIES:
                raise RuntimeError(f"bank import {import_id}: applications keep changing")
        elif outcome.applied:
            retries = 0
            applied += outcome.applied
            if on_chunk is not None:
                await on_chunk(applied)
        elif await _status(imports, import_id) is not ImportStatus.APPLYING:
            return []  # another run took it further
        _paused, chunk = await asyncio.gather(
            _let_others_write(imports),
            imports.prepare_chunk(import_id, chunk_rows, render, known),
        )


async def _let_others_write(imports: BankImportRepository) -> None:
    """Leave the write lock free about as long as the last chunk held it.

    Another process waiting for the lock (the bot) sleeps in SQLite's busy handler and looks
    again every few tens of milliseconds; were the next chunk to start at once, it could keep
    missing the moment the lock is free, however short each chunk is.
    """
    held = imports.write_seconds[-1] if imports.write_seconds else 0.0
    await asyncio.sleep(min(max(held, MIN_PAUSE), MAX_PAUSE))


async def _status(imports: BankImportRepository, import_id: int) -> ImportStatus:
    record = await imports.get(import_id)
    assert record is not None
    return record.status


class ResumedImport(BaseModel):
    """An import a crash had interrupted, finished by this run."""

    model_config = ConfigDict(frozen=True)

    file_name: str
    file_sha256: str
    rows: int
    applied: bool


async def resume_imports(
    store: Store,
    catalogue: Catalogue,
    *,
    quiet_hours: QuietHours | None = None,
    wake: Callable[[], None] | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> list[ResumedImport]:
    """Finish every import a crash left half-done: apply the rest (or finish its roll-back).

    Safe while another process works on the same import: each chunk checks the import's state
    and its rows inside its own transaction, so nothing is applied or notified twice.
    """
    imports = BankImportRepository(store.db)
    finished: list[ResumedImport] = []
    for record in await imports.open_imports():
        LOGGER.warning("finishing the interrupted bank report import %d", record.id)
        status, _conflicts = await finish_import(
            imports,
            record.id,
            renderer_for(catalogue),
            quiet_hours=quiet_hours,
            chunk_rows=chunk_rows,
        )
        finished.append(_resumed(record, status))
    if any(f.applied for f in finished) and wake is not None:
        wake()
    return finished


def _resumed(record: BankImport, status: ImportStatus) -> ResumedImport:
    return ResumedImport(
        file_name=record.file_name,
        file_sha256=record.file_sha256,
        rows=record.rows_total,
        applied=status is ImportStatus.DONE,
    )


def _renderer(catalogue: Catalogue) -> Renderer:
    return make_renderer(lambda code: _document_name(catalogue, code))


def renderer_for(catalogue: Catalogue) -> Renderer:
    """The citizens' notifications, documents named from the catalogue."""
    return make_renderer(lambda code: _document_name(catalogue, code))


def _document_name(catalogue: Catalogue, code: str) -> str:
    document = catalogue.document(code)
    return document.name if document else code
