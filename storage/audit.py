"""The audit log: every officer and system action with the state before and after."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import aiosqlite

from domain.models import AuditEntry
from storage.db import Database, from_db_time


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def _load(value: str | None) -> Any:
    return None if value is None else json.loads(value)


def audit_from_row(row: sqlite3.Row) -> AuditEntry:
    """Build an AuditEntry from an audit_log row."""
    return AuditEntry(
        id=row["id"],
        actor=row["actor"],
        action=row["action"],
        subject=row["subject"],
        before=_load(row["before_json"]),
        after=_load(row["after_json"]),
        created_at=from_db_time(row["created_at"]),
    )


class AuditLog:
    """Appends to and reads the audit log."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(
        self,
        actor: str,
        action: str,
        subject: str | None = None,
        before: Any = None,
        after: Any = None,
        conn: aiosqlite.Connection | None = None,
    ) -> AuditEntry:
        """Append an entry; before/after are JSON values (dates etc. stored as text)."""
        created = self.db.now_text()
        before_json, after_json = _dump(before), _dump(after)
        async with self.db.writing(conn) as c:
            cursor = await c.execute(
                "INSERT INTO audit_log (actor, action, subject, before_json, after_json,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (actor, action, subject, before_json, after_json, created),
            )
            entry_id = cursor.lastrowid
        assert entry_id is not None
        return AuditEntry(
            id=entry_id,
            actor=actor,
            action=action,
            subject=subject,
            before=_load(before_json),
            after=_load(after_json),
            created_at=from_db_time(created),
        )

    async def list(
        self,
        subject: str | None = None,
        limit: int = 100,
        conn: aiosqlite.Connection | None = None,
    ) -> list[AuditEntry]:
        """Return the newest entries first, optionally for one subject."""
        where, params = ("WHERE subject = ?", (subject, limit)) if subject else ("", (limit,))
        async with (
            self.db.reading(conn) as c,
            c.execute(f"SELECT * FROM audit_log {where} ORDER BY id DESC LIMIT ?", params) as cur,
        ):
            rows = await cur.fetchall()
        return [audit_from_row(row) for row in rows]
