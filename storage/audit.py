"""The audit log: every officer and system action with the state before and after."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

import aiosqlite
from pydantic import BaseModel, ConfigDict, Field

from domain.models import AuditEntry
from storage.db import Database, from_db_time, to_db_time


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


class AuditQuery(BaseModel):
    """Which audit entries, newest first: by actor (``officer:<id>``), action, subject
    (``application:<id>``) and a [since, until) span of stored UTC times."""

    model_config = ConfigDict(frozen=True)

    actor: str | None = None
    action: str | None = None
    subject: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    page: int = Field(default=1, ge=1)
    per_page: int = Field(default=50, ge=1, le=200)


async def search_audit(db: Database, query: AuditQuery) -> tuple[list[AuditEntry], int, int]:
    """One page of matching entries, newest first; with the total and the page (the last one
    when asked past the end). Each filter has its index (migration 0016, and 0001's subject)."""
    where: list[str] = []
    params: list[object] = []
    for column, value in (
        ("actor", query.actor),
        ("action", query.action),
        ("subject", query.subject),
    ):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if query.since is not None:
        where.append("created_at >= ?")
        params.append(to_db_time(query.since))
    if query.until is not None:
        where.append("created_at < ?")
        params.append(to_db_time(query.until))
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    async with db.read() as c:
        async with c.execute(f"SELECT COUNT(*) FROM audit_log {clause}", params) as cur:
            found = await cur.fetchone()
        total = int(found[0]) if found else 0
        page = min(query.page, max(1, -(-total // query.per_page)))
        async with c.execute(
            f"SELECT * FROM audit_log {clause} ORDER BY id DESC LIMIT ? OFFSET ?",
            [*params, query.per_page, (page - 1) * query.per_page],
        ) as cur:
            rows = await cur.fetchall()
    return [audit_from_row(row) for row in rows], total, page


async def audit_actions(db: Database) -> list[str]:
    """Every action the log holds, for the filter's list (a walk of the action index)."""
    async with (
        db.read() as c,
        c.execute(
            "SELECT DISTINCT action FROM audit_log INDEXED BY audit_log_action ORDER BY action"
        ) as cur,
    ):
        return [str(row[0]) for row in await cur.fetchall()]
