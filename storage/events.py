"""Status events: the timeline of an application (who moved it, when and why)."""

from __future__ import annotations

import json
import sqlite3

import aiosqlite

from domain.models import StatusEvent
from domain.statuses import ApplicationStatus
from storage.db import Database, from_db_time, to_db_time


def event_from_row(row: sqlite3.Row) -> StatusEvent:
    """Build a StatusEvent from a status_events row."""
    from_status = row["from_status"]
    return StatusEvent(
        id=row["id"],
        application_id=row["application_id"],
        from_status=None if from_status is None else ApplicationStatus(from_status),
        to_status=ApplicationStatus(row["to_status"]),
        actor=row["actor"],
        reason=row["reason"],
        details=json.loads(row["details_json"]),
        created_at=from_db_time(row["created_at"]),
    )


class StatusEventRepository:
    """Appends to and reads application timelines."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self, event: StatusEvent, conn: aiosqlite.Connection | None = None
    ) -> StatusEvent:
        """Append an event; return it with id and time set."""
        created = to_db_time(event.created_at or self.db.now())
        async with self.db.writing(conn) as c:
            cursor = await c.execute(
                "INSERT INTO status_events (application_id, from_status, to_status, actor,"
                " reason, details_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    event.application_id,
                    None if event.from_status is None else str(event.from_status),
                    str(event.to_status),
                    event.actor,
                    event.reason,
                    json.dumps(event.details, ensure_ascii=False),
                    created,
                ),
            )
            event_id = cursor.lastrowid
        return event.model_copy(update={"id": event_id, "created_at": from_db_time(created)})

    async def timeline(
        self, application_id: int, conn: aiosqlite.Connection | None = None
    ) -> list[StatusEvent]:
        """Return the application's events, oldest first."""
        async with (
            self.db.reading(conn) as c,
            c.execute(
                "SELECT * FROM status_events WHERE application_id = ? ORDER BY id",
                (application_id,),
            ) as cur,
        ):
            rows = await cur.fetchall()
        return [event_from_row(row) for row in rows]
