"""Broadcasts: the announcement row, its recipients enqueued in batches, progress counts.

Recipients are enqueued in citizen-id order, ``batch_size`` at a time, each batch in one
transaction with the broadcast's resume point (``enqueued_upto``), so after a crash enqueuing
continues after the last committed batch; the dedupe key ``broadcast:<id>:<citizen>`` makes
a repeated batch harmless anyway.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

import aiosqlite

from domain.exhibitions import (
    Broadcast,
    BroadcastFilter,
    BroadcastProgress,
    BroadcastStatus,
    broadcast_dedupe_key,
)
from domain.notifications import OutboxKind
from storage.db import Database, from_db_time, opt_db_time, to_db_time
from storage.subscriptions import MATCH_SQL

BATCH_SIZE = 1000


def broadcast_from_row(row: sqlite3.Row) -> Broadcast:
    """Build a Broadcast from a broadcasts row."""
    return Broadcast(
        id=row["id"],
        officer=row["officer"],
        text=row["text"],
        filter=BroadcastFilter.model_validate_json(row["filter_json"]),
        exhibition_id=row["exhibition_id"],
        status=BroadcastStatus(row["status"]),
        enqueued_upto=row["enqueued_upto"],
        enqueue_done=bool(row["enqueue_done"]),
        total=row["total"],
        progress_chat_id=row["progress_chat_id"],
        progress_message_id=row["progress_message_id"],
        created_at=from_db_time(row["created_at"]),
        finished_at=opt_db_time(row["finished_at"]),
    )


class BroadcastRepository:
    """Creates broadcasts, enqueues their recipients and counts their progress."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(
        self,
        officer: str,
        text: str,
        flt: BroadcastFilter,
        *,
        exhibition_id: int | None = None,
        progress: tuple[int, int] | None = None,
        conn: aiosqlite.Connection | None = None,
    ) -> Broadcast:
        """Store a new running broadcast (the runner enqueues its recipients).

        ``progress`` is the (chat id, message id) of the officer's progress message.
        """
        chat_id, message_id = progress or (None, None)
        async with self.db.writing(conn) as c:
            cursor = await c.execute(
                "INSERT INTO broadcasts (officer, text, filter_json, exhibition_id, status,"
                " progress_chat_id, progress_message_id, created_at)"
                " VALUES (?, ?, ?, ?, 'running', ?, ?, ?)",
                (
                    officer,
                    text,
                    flt.model_dump_json(),
                    exhibition_id,
                    chat_id,
                    message_id,
                    self.db.now_text(),
                ),
            )
            new_id = cursor.lastrowid
            await cursor.close()
            assert new_id is not None
            found = await self.get(new_id, c)
        assert found is not None
        return found

    async def get(
        self, broadcast_id: int, conn: aiosqlite.Connection | None = None
    ) -> Broadcast | None:
        """One broadcast by id."""
        async with (
            self.db.reading(conn) as c,
            c.execute("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,)) as cur,
        ):
            row = await cur.fetchone()
        return None if row is None else broadcast_from_row(row)

    async def running(self) -> list[Broadcast]:
        """Broadcasts not finished yet (resumed at start-up)."""
        sql = "SELECT * FROM broadcasts WHERE status = 'running' ORDER BY id"
        async with self.db.read() as c, c.execute(sql) as cur:
            rows = await cur.fetchall()
        return [broadcast_from_row(row) for row in rows]

    async def set_progress_message(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        """Remember the officer's progress message, so a restarted runner keeps editing it."""
        async with self.db.transaction() as c:
            await c.execute(
                "UPDATE broadcasts SET progress_chat_id = ?, progress_message_id = ? WHERE id = ?",
                (chat_id, message_id, broadcast_id),
            )

    async def enqueue_batch(
        self,
        broadcast: Broadcast,
        *,
        reply_markup: dict[str, Any] | None,
        not_before: datetime,
        batch_size: int = BATCH_SIZE,
    ) -> int:
        """Enqueue the next batch of recipients in one transaction; return how many.

        Fewer than ``batch_size`` means enqueuing is done: the broadcast's total is fixed.
        """
        markup = None if reply_markup is None else json.dumps(reply_markup)
        stamp, due = self.db.now_text(), to_db_time(not_before)
        kind = OutboxKind.BROADCAST.value
        async with self.db.transaction() as c:
            async with c.execute("SELECT * FROM broadcasts WHERE id = ?", (broadcast.id,)) as cur:
                row = await cur.fetchone()
            if row is None or row["enqueue_done"]:
                return 0
            upto = int(row["enqueued_upto"])
            params = {**broadcast.filter.model_dump(), "upto": upto, "limit": batch_size}
            sql = (
                "SELECT s.citizen_id, c.chat_id FROM subscriptions s"
                " JOIN citizens c ON c.id = s.citizen_id"
                f" WHERE s.citizen_id > :upto AND {MATCH_SQL}"
                " ORDER BY s.citizen_id LIMIT :limit"
            )
            async with c.execute(sql, params) as cur:
                recipients = [(int(r[0]), int(r[1])) for r in await cur.fetchall()]
            await c.executemany(
                "INSERT INTO outbox (chat_id, citizen_id, kind, text, reply_markup_json, urgent,"
                " dedupe_key, not_before, status, attempts, created_at, updated_at, broadcast_id)"
                " VALUES (?, ?, ?, ?, ?, 0, ?, ?, 'pending', 0, ?, ?, ?)"
                " ON CONFLICT (dedupe_key) DO NOTHING",
                [
                    (
                        chat_id,
                        citizen_id,
                        kind,
                        broadcast.text,
                        markup,
                        broadcast_dedupe_key(broadcast.id, citizen_id),
                        due,
                        stamp,
                        stamp,
                        broadcast.id,
                    )
                    for citizen_id, chat_id in recipients
                ],
            )
            last = recipients[-1][0] if recipients else upto
            done = len(recipients) < batch_size
            total = await self._count(c, broadcast.id) if done else None
            await c.execute(
                "UPDATE broadcasts SET enqueued_upto = ?, enqueue_done = ?, total = ? WHERE id = ?",
                (last, int(done), total, broadcast.id),
            )
        return len(recipients)

    async def progress(self, broadcast_id: int) -> BroadcastProgress:
        """Counts of the broadcast's outbox rows by outcome (one indexed query)."""
        sql = "SELECT status, COUNT(*) FROM outbox WHERE broadcast_id = ? GROUP BY status"
        counts: dict[str, int] = {}
        async with self.db.read() as c, c.execute(sql, (broadcast_id,)) as cur:
            for status, count in await cur.fetchall():
                counts[str(status)] = int(count)
        return BroadcastProgress(
            total=sum(counts.values()),
            sent=counts.get("sent", 0),
            blocked=counts.get("undeliverable", 0),
            failed=counts.get("failed", 0),
        )

    async def finish(
        self,
        broadcast_id: int,
        *,
        report_chat_id: int | None,
        report_text: str,
        platform: str | None = None,
        conn: aiosqlite.Connection | None = None,
    ) -> bool:
        """Mark done and enqueue the officer's report in the same transaction (sent once);
        ``platform`` is the officer's (None: the first bot's)."""
        now = self.db.now_text()
        async with self.db.writing(conn) as c:
            cursor = await c.execute(
                "UPDATE broadcasts SET status = 'done', finished_at = ?"
                " WHERE id = ? AND status = 'running'",
                (now, broadcast_id),
            )
            changed = cursor.rowcount == 1
            await cursor.close()
            if changed and report_chat_id is not None:
                await c.execute(
                    "INSERT INTO outbox (chat_id, kind, text, urgent, dedupe_key, not_before,"
                    " status, attempts, created_at, updated_at, platform)"
                    " VALUES (?, ?, ?, 1, ?, ?, 'pending', 0, ?, ?, ?)"
                    " ON CONFLICT (dedupe_key) DO NOTHING",
                    (
                        report_chat_id,
                        OutboxKind.OFFICER_ALERT.value,
                        report_text,
                        f"broadcast_report:{broadcast_id}",
                        now,
                        now,
                        now,
                        platform,
                    ),
                )
        return changed

    @staticmethod
    async def _count(c: aiosqlite.Connection, broadcast_id: int) -> int:
        sql = "SELECT COUNT(*) FROM outbox WHERE broadcast_id = ?"
        async with c.execute(sql, (broadcast_id,)) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0
