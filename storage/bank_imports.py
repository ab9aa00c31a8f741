"""A checked bank report applied in short write transactions, resumable after a crash.

The whole file is checked first (in a read snapshot, by the caller); then ``start`` stores the
plan, one row per payment, in ``bank_imports`` / ``bank_import_rows``. ``apply_chunk`` works
out the next pending rows outside the write lock (``status_changes.prepare_changes``: the same
application update, status event and audit entry as one officer's move) and writes them in one
short transaction that also marks them applied: a chunk applied twice changes nothing. When
every row is applied the import is past the point of no return; ``notify_chunk`` then writes
the citizens' notifications (outbox, deduplicated by status event) and the import is done. The
bot's writes go on between chunks: no transaction holds the write lock for long.

If an application changed after the check (an officer moved it meanwhile), the import is rolled
back, also in chunks: every applied row is put back as it was and its event and audit entry
are removed. Nobody was notified yet, since notifications are written only once every row
stands. A crash leaves the import ``applying``, ``rolling_back`` or ``notifying``;
``open_imports`` lists it and the same steps finish it.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

import aiosqlite

from domain.models import Application
from domain.notifications import QuietHours
from domain.statuses import ApplicationStatus
from storage.applications import ApplicationRepository
from storage.db import Database, to_db_time
from storage.status_changes import (
    PlannedChange,
    PreparedChange,
    Renderer,
    changed_since,
    enqueue_notifications,
    prepare_changes,
    snapshot,
    write_changes,
)


class ImportStatus(StrEnum):
    APPLYING = "applying"
    ROLLING_BACK = "rolling_back"
    NOTIFYING = "notifying"
    DONE = "done"
    ROLLED_BACK = "rolled_back"


OPEN_STATUSES = (ImportStatus.APPLYING, ImportStatus.ROLLING_BACK, ImportStatus.NOTIFYING)


@dataclass(frozen=True)
class PlannedPayment:
    """One checked row: this application, as it was checked, is to be marked paid."""

    row: int
    application: Application
    amount_rials: int
    paid_on: date


@dataclass(frozen=True)
class BankImport:
    """One import record."""

    id: int
    file_name: str
    file_sha256: str
    actor: str
    status: ImportStatus
    rows_total: int


@dataclass(frozen=True)
class Conflict:
    """A row whose application is no longer as it was when the file was checked."""

    row: int
    application_id: int


@dataclass(frozen=True)
class ChunkOutcome:
    """What one apply_chunk call did (see there)."""

    applied: int = 0
    done: bool = False
    retry: bool = False
    conflicts: list[Conflict] = field(default_factory=list)


@dataclass(frozen=True)
class PreparedChunk:
    """The next rows of an import, worked out and ready for ``write_chunk``."""

    import_id: int
    rows: list[int]
    changes: list[PreparedChange]
    replaced: list[str]  # each row's application as the payment found it (JSON)


def _state(app: Application) -> dict[str, Any]:
    """An application as the import found it, all a roll-back restores."""
    return {**snapshot(app), "updated_at": to_db_time(app.updated_at)}


# What the check verified; the import applies a row only while these still hold.
_CHECKED = ("status", "bank")


def _checked(app: Application) -> dict[str, Any]:
    """An application as the check saw it: what must still hold when its row is applied."""
    current = snapshot(app)
    return {key: current[key] for key in _CHECKED}


def _still_as_checked(app: Application, checked: dict[str, Any]) -> bool:
    current = snapshot(app)
    return all(current[key] == checked[key] for key in _CHECKED)


class BankImportRepository:
    """The import records and their chunked application."""

    def __init__(self, db: Database) -> None:
        self.db = db
        # How long each write transaction of this repository held the write lock (seconds).
        self.write_seconds: list[float] = []

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self.db.transaction() as c:
            started = time.perf_counter()  # BEGIN IMMEDIATE returned: the lock is ours
            yield c
        self.write_seconds.append(time.perf_counter() - started)  # committed: released

    async def start(
        self, file_name: str, file_sha256: str, actor: str, payments: list[PlannedPayment]
    ) -> int:
        """Store the checked plan (one short transaction); return the import's id."""
        now = self.db.now_text()
        rows = [
            (
                p.row,
                p.application.id,
                p.amount_rials,
                p.paid_on.isoformat(),
                json.dumps(_checked(p.application), ensure_ascii=False),
            )
            for p in payments
        ]
        async with self._writing() as c:
            cursor = await c.execute(
                "INSERT INTO bank_imports (file_name, file_sha256, actor, status, rows_total,"
                " created_at, updated_at) VALUES (?, ?, ?, 'applying', ?, ?, ?)",
                (file_name, file_sha256, actor, len(payments), now, now),
            )
            import_id = cursor.lastrowid
            assert import_id is not None
            await c.executemany(
                "INSERT INTO bank_import_rows (import_id, row, application_id, amount_rials,"
                " paid_on, before_json) VALUES (?, ?, ?, ?, ?, ?)",
                [(import_id, *row) for row in rows],
            )
        return import_id

    async def get(self, import_id: int) -> BankImport | None:
        """One import record."""
        async with (
            self.db.read() as c,
            c.execute("SELECT * FROM bank_imports WHERE id = ?", (import_id,)) as cur,
        ):
            row = await cur.fetchone()
        return None if row is None else _record(row)

    async def open_imports(self) -> list[BankImport]:
        """Imports a crash left half-done, oldest first."""
        marks = ", ".join("?" for _ in OPEN_STATUSES)
        async with (
            self.db.read() as c,
            c.execute(
                f"SELECT * FROM bank_imports WHERE status IN ({marks}) ORDER BY id",
                tuple(s.value for s in OPEN_STATUSES),
            ) as cur,
        ):
            rows = await cur.fetchall()
        return [_record(row) for row in rows]

    async def apply_chunk(
        self,
        import_id: int,
        limit: int,
        render: Renderer,
        known: Mapping[int, Application] | None = None,
    ) -> ChunkOutcome:
        """Apply the next ``limit`` pending rows in one short transaction (prepare, then write).

        ``done``: no row was pending (the import moves on to notifying). ``conflicts``:
        applications are no longer as checked; nothing of this chunk was written and the import
        is now rolling back. ``retry``: something moved between the reads and the transaction;
        read again and try again.
        """
        chunk = await self.prepare_chunk(import_id, limit, render, known)
        return chunk if isinstance(chunk, ChunkOutcome) else await self.write_chunk(chunk)

    async def prepare_chunk(
        self,
        import_id: int,
        limit: int,
        render: Renderer,
        known: Mapping[int, Application] | None = None,
    ) -> PreparedChunk | ChunkOutcome:
        """Read and work out the next ``limit`` pending rows, outside the write lock.

        ``known``: the applications as the check read them, so the first run reads nothing
        again (``write_chunk`` checks, in its transaction, that they have not moved since).
        """
        async with self.db.read() as c:
            if await self._status(c, import_id) is not ImportStatus.APPLYING:
                return ChunkOutcome(done=True)
            actor = await self._actor(c, import_id)
            async with c.execute(
                "SELECT row, application_id, amount_rials, paid_on, before_json"
                " FROM bank_import_rows WHERE import_id = ? AND applied_at IS NULL"
                " ORDER BY row LIMIT ?",
                (import_id, limit),
            ) as cur:
                pending = list(await cur.fetchall())
            ids = [int(r["application_id"]) for r in pending]
            apps = {i: known[i] for i in ids if known is not None and i in known}
            missing = [i for i in ids if i not in apps]
            if missing:  # in the same snapshot as the pending rows: not yet paid by them
                apps.update(await ApplicationRepository(self.db).get_many(missing, conn=c))
        if not pending:
            await self._finish_applying(import_id)
            return ChunkOutcome(done=True)
        conflicts = [
            Conflict(row=r["row"], application_id=r["application_id"])
            for r in pending
            if r["application_id"] not in apps
            or not _still_as_checked(apps[r["application_id"]], json.loads(r["before_json"]))
        ]
        if conflicts:
            await self._start_rolling_back(import_id)
            return ChunkOutcome(conflicts=conflicts)
        changes = [
            PlannedChange(
                before=apps[r["application_id"]],
                to_status=ApplicationStatus.PAID,
                details={"amount_rials": r["amount_rials"], "paid_on": r["paid_on"]},
            )
            for r in pending
        ]
        # Checking, rendering and serialising run in a thread: the event loop (the bot's, when
        # the import runs inside it) goes on meanwhile.
        prepared = await asyncio.to_thread(prepare_changes, self.db, changes, actor, render=render)
        return PreparedChunk(
            import_id=import_id,
            rows=[int(r["row"]) for r in pending],
            changes=prepared,
            # before_json becomes what the payment replaced: a roll-back restores exactly that.
            replaced=[json.dumps(_state(apps[i]), ensure_ascii=False) for i in ids],
        )

    async def write_chunk(self, chunk: PreparedChunk) -> ChunkOutcome:
        """Write a prepared chunk in one short transaction, unless something moved meanwhile."""
        import_id, rows = chunk.import_id, chunk.rows
        async with self._writing() as c:
            if await self._status(c, import_id) is not ImportStatus.APPLYING:
                return ChunkOutcome()  # another run moved the import on: look again
            marks = ", ".join("?" for _ in rows)
            async with c.execute(
                "SELECT COUNT(*) FROM bank_import_rows WHERE import_id = ?"
                f" AND applied_at IS NULL AND row IN ({marks})",
                (import_id, *rows),
            ) as cur:
                still = await cur.fetchone()
            if still is None or still[0] != len(rows):  # another run applied some of them
                return ChunkOutcome(retry=True)
            if await changed_since(c, [p.before for p in chunk.changes]):
                return ChunkOutcome(retry=True)
            applied = await write_changes(c, chunk.changes)
            now = self.db.now_text()
            await c.executemany(
                "UPDATE bank_import_rows SET applied_at = ?, status_event_id = ?, audit_id = ?,"
                " notify_text = ?, before_json = ? WHERE import_id = ? AND row = ?",
                [
                    (now, done.event.id, done.audit_id, done.text, before, import_id, row)
                    for row, done, before in zip(rows, applied, chunk.replaced, strict=True)
                ],
            )
            await self._touch(c, import_id)
        return ChunkOutcome(applied=len(applied))

    async def _finish_applying(self, import_id: int) -> None:
        async with self._writing() as c:
            if await self._status(c, import_id) is not ImportStatus.APPLYING:
                return
            async with c.execute(
                "SELECT 1 FROM bank_import_rows WHERE import_id = ? AND applied_at IS NULL LIMIT 1",
                (import_id,),
            ) as cur:
                if await cur.fetchone() is None:
                    await self._set_status(c, import_id, ImportStatus.NOTIFYING)

    async def _start_rolling_back(self, import_id: int) -> None:
        async with self._writing() as c:
            if await self._status(c, import_id) is ImportStatus.APPLYING:
                await self._set_status(c, import_id, ImportStatus.ROLLING_BACK)

    async def roll_back_chunk(self, import_id: int, limit: int) -> int:
        """Put back up to ``limit`` applied rows in one transaction; return how many.

        0: none was left applied (the import is now ``rolled_back``).
        """
        async with self._writing() as c:
            if await self._status(c, import_id) is not ImportStatus.ROLLING_BACK:
                return 0
            async with c.execute(
                "SELECT row, application_id, before_json, status_event_id, audit_id"
                " FROM bank_import_rows WHERE import_id = ? AND applied_at IS NOT NULL"
                " ORDER BY row LIMIT ?",
                (import_id, limit),
            ) as cur:
                applied = list(await cur.fetchall())
            if not applied:
                await self._set_status(c, import_id, ImportStatus.ROLLED_BACK, finished=True)
                return 0
            restore = []
            for r in applied:
                checked = json.loads(r["before_json"])
                restore.append(
                    (
                        checked["status"],
                        checked["paid_rials"],
                        checked["paid_on"],
                        checked["updated_at"],
                        r["application_id"],
                    )
                )
            # Only what the payment set (paid is closed: nobody moved the application since).
            await c.executemany(
                "UPDATE applications SET status = ?, paid_rials = ?, paid_on = ?, updated_at = ?"
                " WHERE id = ? AND status = 'paid'",
                restore,
            )
            await c.executemany(
                "UPDATE bank_import_rows SET applied_at = NULL, status_event_id = NULL,"
                " audit_id = NULL, notify_text = NULL WHERE import_id = ? AND row = ?",
                [(import_id, r["row"]) for r in applied],
            )
            await c.executemany(
                "DELETE FROM status_events WHERE id = ?",
                [(r["status_event_id"],) for r in applied if r["status_event_id"] is not None],
            )
            await c.executemany(
                "DELETE FROM audit_log WHERE id = ?",
                [(r["audit_id"],) for r in applied if r["audit_id"] is not None],
            )
            await self._touch(c, import_id)
        return len(applied)

    async def notify_chunk(
        self,
        import_id: int,
        limit: int,
        *,
        after_row: int = 0,
        quiet_hours: QuietHours | None = None,
    ) -> int | None:
        """Write the outbox rows of up to ``limit`` applied rows after ``after_row``.

        Returns the last row written, or None when there was none left (the import is now
        ``done``). Writing a row's notification twice writes it once (its dedupe key).
        """
        async with self._writing() as c:
            if await self._status(c, import_id) is not ImportStatus.NOTIFYING:
                return None
            async with c.execute(
                "SELECT r.row, r.status_event_id, a.citizen_id, r.notify_text"
                " FROM bank_import_rows AS r JOIN applications AS a ON a.id = r.application_id"
                " WHERE r.import_id = ? AND r.row > ? ORDER BY r.row LIMIT ?",
                (import_id, after_row, limit),
            ) as cur:
                rows = list(await cur.fetchall())
            if not rows:
                await self._set_status(c, import_id, ImportStatus.DONE, finished=True)
                return None
            await enqueue_notifications(
                self.db,
                c,
                [
                    (r["status_event_id"], r["citizen_id"], r["notify_text"])
                    for r in rows
                    if r["notify_text"] is not None
                ],
                quiet_hours=quiet_hours,
            )
            await self._touch(c, import_id)
        return int(rows[-1]["row"])

    async def _status(self, c: aiosqlite.Connection, import_id: int) -> ImportStatus | None:
        async with c.execute("SELECT status FROM bank_imports WHERE id = ?", (import_id,)) as cur:
            row = await cur.fetchone()
        return None if row is None else ImportStatus(row["status"])

    async def _actor(self, c: aiosqlite.Connection, import_id: int) -> str:
        async with c.execute("SELECT actor FROM bank_imports WHERE id = ?", (import_id,)) as cur:
            row = await cur.fetchone()
        assert row is not None
        return str(row["actor"])

    async def _set_status(
        self,
        c: aiosqlite.Connection,
        import_id: int,
        status: ImportStatus,
        *,
        finished: bool = False,
    ) -> None:
        now = self.db.now_text()
        await c.execute(
            "UPDATE bank_imports SET status = ?, updated_at = ?,"
            " finished_at = CASE WHEN ? THEN ? ELSE finished_at END WHERE id = ?",
            (status.value, now, finished, now, import_id),
        )

    async def _touch(self, c: aiosqlite.Connection, import_id: int) -> None:
        await c.execute(
            "UPDATE bank_imports SET updated_at = ? WHERE id = ?", (self.db.now_text(), import_id)
        )


def _record(row: Any) -> BankImport:
    return BankImport(
        id=row["id"],
        file_name=row["file_name"],
        file_sha256=row["file_sha256"],
        actor=row["actor"],
        status=ImportStatus(row["status"]),
        rows_total=row["rows_total"],
    )
