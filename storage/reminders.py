"""Reminders: stored, settled once (sent, cancelled, dropped); the application states they watch."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime

import aiosqlite

from domain.reminders import ApplicationState, Reminder, ReminderStatus
from domain.statuses import ApplicationStatus
from storage.db import Database, from_db_time, opt_db_time, to_db_time

_COLUMNS = (
    "id, kind, subject, sequence, citizen_id, chat_id, due_at, status, payload_json,"
    " created_at, settled_at, reason"
)

# The move into the application's current status (a permit event keeps the status: skipped).
_STATE_SQL = """
SELECT a.id, a.citizen_id, c.chat_id, a.status, a.updated_at, e.id AS event_id,
       e.created_at AS event_at
FROM applications AS a
JOIN citizens AS c ON c.id = a.citizen_id
LEFT JOIN status_events AS e ON e.id = (
    SELECT s.id FROM status_events AS s
    WHERE s.application_id = a.id AND s.to_status = a.status
      AND (s.from_status IS NULL OR s.from_status != s.to_status)
    ORDER BY s.id DESC LIMIT 1)
"""


def reminder_from_row(row: sqlite3.Row) -> Reminder:
    """Build a Reminder from a reminders row."""
    return Reminder(
        id=row["id"],
        kind=row["kind"],
        subject=row["subject"],
        sequence=row["sequence"],
        citizen_id=row["citizen_id"],
        chat_id=row["chat_id"],
        due_at=from_db_time(row["due_at"]),
        status=ReminderStatus(row["status"]),
        payload=json.loads(row["payload_json"]),
        created_at=from_db_time(row["created_at"]),
        settled_at=opt_db_time(row["settled_at"]),
        reason=row["reason"],
    )


def _state_from_row(row: sqlite3.Row) -> ApplicationState:
    return ApplicationState(
        application_id=row["id"],
        citizen_id=row["citizen_id"],
        chat_id=row["chat_id"],
        status=ApplicationStatus(row["status"]),
        updated_at=from_db_time(row["updated_at"]),
        status_event_id=row["event_id"],
        status_event_at=opt_db_time(row["event_at"]),
    )


# A pending reminder, unless its dedupe key is stored already (in any status).
_INSERT = (
    "INSERT INTO reminders (kind, subject, sequence, citizen_id, chat_id, due_at,"
    " status, dedupe_key, payload_json, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)"
    " ON CONFLICT (dedupe_key) DO NOTHING"
)


class ReminderRepository:
    """Reads and writes reminders; every method accepts ``conn=`` to join a transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self, reminder: Reminder, conn: aiosqlite.Connection | None = None
    ) -> Reminder | None:
        """Store a pending reminder; None if its dedupe key is already stored (any status)."""
        async with self.db.writing(conn) as c:
            cursor = await c.execute(
                _INSERT,
                (
                    reminder.kind,
                    reminder.subject,
                    reminder.sequence,
                    reminder.citizen_id,
                    reminder.chat_id,
                    to_db_time(reminder.due_at),
                    reminder.dedupe_key,
                    json.dumps(reminder.payload, ensure_ascii=False),
                    self.db.now_text(),
                ),
            )
            inserted = cursor.rowcount == 1
            row_id = cursor.lastrowid
            await cursor.close()
            if not inserted or row_id is None:
                return None
            return await self._one(c, "id = ?", (row_id,))

    async def add_many(
        self, reminders: Sequence[Reminder], conn: aiosqlite.Connection | None = None
    ) -> list[Reminder]:
        """Store these pending reminders in one statement; return the new ones (a dedupe key
        stored already, in any status, is skipped as by ``add``).

        Reconciliation offers every plan of every open application: one round trip to
        SQLite's thread per plan held the write lock for seconds on a large store.
        """
        if not reminders:
            return []
        async with self.db.writing(conn) as c:
            # The writer holds the lock: every row above this id is one of ours.
            async with c.execute("SELECT COALESCE(MAX(id), 0) FROM reminders") as cur:
                row = await cur.fetchone()
            before = int(row[0]) if row is not None else 0
            now = self.db.now_text()
            await c.executemany(
                _INSERT,
                [
                    (
                        r.kind,
                        r.subject,
                        r.sequence,
                        r.citizen_id,
                        r.chat_id,
                        to_db_time(r.due_at),
                        r.dedupe_key,
                        json.dumps(r.payload, ensure_ascii=False),
                        now,
                    )
                    for r in reminders
                ],
            )
            return await self._many(c, "id > ?", (before,))

    async def get(
        self, reminder_id: int, conn: aiosqlite.Connection | None = None
    ) -> Reminder | None:
        """Return one reminder, if any."""
        async with self.db.reading(conn) as c:
            return await self._one(c, "id = ?", (reminder_id,))

    async def get_by_key(
        self, key: str, conn: aiosqlite.Connection | None = None
    ) -> Reminder | None:
        """Return the reminder with this dedupe key, if any."""
        async with self.db.reading(conn) as c:
            return await self._one(c, "dedupe_key = ?", (key,))

    async def pending(self, conn: aiosqlite.Connection | None = None) -> list[Reminder]:
        """Every pending reminder, earliest due first."""
        async with self.db.reading(conn) as c:
            return await self._many(c, "status = 'pending'", ())

    async def due(self, now: datetime, conn: aiosqlite.Connection | None = None) -> list[Reminder]:
        """Pending reminders due at ``now`` or earlier, earliest first."""
        async with self.db.reading(conn) as c:
            return await self._many(c, "status = 'pending' AND due_at <= ?", (to_db_time(now),))

    async def for_subject(
        self,
        subject: str,
        *,
        children: bool = True,
        conn: aiosqlite.Connection | None = None,
    ) -> list[Reminder]:
        """Every reminder of a subject (and, with children, of ``subject:...``), any status."""
        where, params = _subject_clause(subject, children)
        async with self.db.reading(conn) as c:
            return await self._many(c, where, params)

    async def settle(
        self,
        reminder_id: int,
        status: ReminderStatus,
        at: datetime,
        reason: str | None = None,
        conn: aiosqlite.Connection | None = None,
    ) -> bool:
        """Settle a pending reminder (sent, cancelled, dropped); False if already settled."""
        if status is ReminderStatus.PENDING:
            raise ValueError("settle to sent, cancelled or dropped")
        async with self.db.writing(conn) as c:
            cursor = await c.execute(
                "UPDATE reminders SET status = ?, settled_at = ?, reason = ?"
                " WHERE id = ? AND status = 'pending'",
                (status.value, to_db_time(at), reason, reminder_id),
            )
            changed = cursor.rowcount == 1
            await cursor.close()
        return changed

    async def reschedule(
        self, reminder_id: int, due_at: datetime, conn: aiosqlite.Connection | None = None
    ) -> bool:
        """Move a pending reminder's due time; False if it is no longer pending."""
        async with self.db.writing(conn) as c:
            cursor = await c.execute(
                "UPDATE reminders SET due_at = ? WHERE id = ? AND status = 'pending'",
                (to_db_time(due_at), reminder_id),
            )
            changed = cursor.rowcount == 1
            await cursor.close()
        return changed

    async def cancel_pending(
        self,
        subject: str,
        at: datetime,
        reason: str,
        *,
        children: bool = True,
        kinds: Iterable[str] | None = None,
        conn: aiosqlite.Connection | None = None,
    ) -> list[int]:
        """Cancel a subject's pending reminders (optionally of some kinds); return their ids."""
        where, params = _subject_clause(subject, children)
        where = f"status = 'pending' AND {where}"
        wanted = list(kinds) if kinds is not None else None
        if wanted is not None:
            if not wanted:
                return []
            where += f" AND kind IN ({', '.join('?' for _ in wanted)})"
            params = (*params, *wanted)
        async with self.db.writing(conn) as c:
            async with c.execute(f"SELECT id FROM reminders WHERE {where}", params) as cur:
                ids = [int(row["id"]) for row in await cur.fetchall()]
            for reminder_id in ids:
                await self.settle(reminder_id, ReminderStatus.CANCELLED, at, reason, conn=c)
        return ids

    async def application_states(
        self,
        statuses: Iterable[ApplicationStatus],
        conn: aiosqlite.Connection | None = None,
    ) -> list[ApplicationState]:
        """The states of every application in these statuses (reconciliation's input)."""
        wanted = [str(s) for s in statuses]
        if not wanted:
            return []
        marks = ", ".join("?" for _ in wanted)
        sql = f"{_STATE_SQL} WHERE a.status IN ({marks}) ORDER BY a.id"
        async with self.db.reading(conn) as c, c.execute(sql, wanted) as cur:
            rows = await cur.fetchall()
        return [_state_from_row(row) for row in rows]

    async def application_state(
        self, application_id: int, conn: aiosqlite.Connection | None = None
    ) -> ApplicationState | None:
        """One application's state (any status), or None if it does not exist."""
        async with (
            self.db.reading(conn) as c,
            c.execute(f"{_STATE_SQL} WHERE a.id = ?", (application_id,)) as cur,
        ):
            row = await cur.fetchone()
        return None if row is None else _state_from_row(row)

    async def counts(self) -> dict[str, int]:
        """Reminder counts by status (every status present, zero when none)."""
        counts = {status.value: 0 for status in ReminderStatus}
        sql = "SELECT status, COUNT(*) FROM reminders GROUP BY status"
        async with self.db.read() as c, c.execute(sql) as cur:
            for row in await cur.fetchall():
                counts[row[0]] = int(row[1])
        return counts

    async def _one(
        self, c: aiosqlite.Connection, where: str, params: tuple[object, ...]
    ) -> Reminder | None:
        async with c.execute(f"SELECT {_COLUMNS} FROM reminders WHERE {where}", params) as cur:
            row = await cur.fetchone()
        return None if row is None else reminder_from_row(row)

    async def _many(
        self, c: aiosqlite.Connection, where: str, params: tuple[object, ...]
    ) -> list[Reminder]:
        sql = f"SELECT {_COLUMNS} FROM reminders WHERE {where} ORDER BY due_at, id"
        async with c.execute(sql, params) as cur:
            rows = await cur.fetchall()
        return [reminder_from_row(row) for row in rows]


def _subject_clause(subject: str, children: bool) -> tuple[str, tuple[object, ...]]:
    """Match a subject exactly, or also its children (``subject:...``) without LIKE escaping."""
    if not children:
        return "subject = ?", (subject,)
    prefix = f"{subject}:"
    return "(subject = ? OR substr(subject, 1, ?) = ?)", (subject, len(prefix), prefix)
