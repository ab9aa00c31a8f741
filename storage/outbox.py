"""The outbox: notifications written with the change they announce, delivered by the sender."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

import aiosqlite

from domain.notifications import (
    AttemptOutcome,
    OutboxAttachment,
    OutboxAttempt,
    OutboxMessage,
    OutboxStatus,
    QuietHours,
)
from storage.db import Database, from_db_time, opt_db_time, to_db_time

_COLUMNS = (
    "id, chat_id, citizen_id, kind, text, reply_markup_json, urgent, dedupe_key, not_before,"
    " status, attempts, last_error, sent_message_id, created_at, updated_at, sent_at,"
    " attachment_json, platform"
)
_OPEN = ("pending", "sending")

# claim_due: with fewer due rows than this, sorting them all is cheaper than an id-order scan.
_FEW_DUE = 256
_COUNT_DUE = (
    "SELECT COUNT(*) FROM (SELECT 1 FROM outbox INDEXED BY outbox_pending_due"
    " WHERE status = 'pending' AND not_before <= ? LIMIT ?)"
)
# Both plans select the same rows: due pending rows, oldest first, per-chat order kept.
_MINE = "   AND (o.platform = ? OR (o.platform IS NULL AND ?))"
_CLAIM_WHERE = (
    " WHERE o.status = 'pending' AND o.not_before <= ?"
    # this sender's platform (NULL: the first bot's, which passes 1 as the second value)
    f"{_MINE}"
    # a chat whose lane is busy is left alone until the lane finishes
    "   AND NOT EXISTS (SELECT 1 FROM outbox AS s INDEXED BY outbox_chat_sending"
    "     WHERE s.chat_id = o.chat_id AND s.platform IS o.platform AND s.status = 'sending')"
    # an earlier row of this chat waiting for its retry goes first
    "   AND NOT EXISTS (SELECT 1 FROM outbox AS e INDEXED BY outbox_chat_retrying"
    "     WHERE e.chat_id = o.chat_id AND e.platform IS o.platform AND e.id < o.id"
    "       AND e.status = 'pending' AND e.attempts > 0)"
    " ORDER BY o.id LIMIT ?"
)
_CLAIM_FEW = f"SELECT {_COLUMNS} FROM outbox AS o INDEXED BY outbox_pending_due{_CLAIM_WHERE}"
_CLAIM_MANY = f"SELECT {_COLUMNS} FROM outbox AS o INDEXED BY outbox_pending_order{_CLAIM_WHERE}"


def message_from_row(row: sqlite3.Row) -> OutboxMessage:
    """Build an OutboxMessage from an outbox row."""
    markup = row["reply_markup_json"]
    attachment = row["attachment_json"]
    return OutboxMessage(
        id=row["id"],
        chat_id=row["chat_id"],
        citizen_id=row["citizen_id"],
        platform=row["platform"],
        kind=row["kind"],
        text=row["text"],
        reply_markup=None if markup is None else json.loads(markup),
        attachment=(
            None if attachment is None else OutboxAttachment.model_validate_json(attachment)
        ),
        urgent=bool(row["urgent"]),
        dedupe_key=row["dedupe_key"],
        not_before=from_db_time(row["not_before"]),
        status=OutboxStatus(row["status"]),
        attempts=row["attempts"],
        last_error=row["last_error"],
        sent_message_id=row["sent_message_id"],
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
        sent_at=opt_db_time(row["sent_at"]),
    )


class OutboxRepository:
    """Enqueue, claim and settle outbox rows; every write is its own short transaction."""

    def __init__(self, db: Database, quiet_hours: QuietHours | None = None) -> None:
        self.db = db
        self.quiet_hours = quiet_hours or QuietHours()

    async def enqueue(
        self, message: OutboxMessage, conn: aiosqlite.Connection | None = None
    ) -> int | None:
        """Insert a message (inside the caller's transaction when given); return its id.

        A message whose dedupe_key is already stored is ignored and None is returned, so the
        same notification can never be enqueued twice. Non-urgent messages are held until the
        end of quiet hours.
        """
        now = self.db.now()
        wanted = message.not_before or now
        not_before = wanted if message.urgent else self.quiet_hours.next_allowed(wanted)
        markup = None if message.reply_markup is None else json.dumps(message.reply_markup)
        attachment = None if message.attachment is None else message.attachment.model_dump_json()
        stamp = to_db_time(now)
        async with self.db.writing(conn) as c:
            cursor = await c.execute(
                "INSERT INTO outbox (chat_id, citizen_id, kind, text, reply_markup_json, urgent,"
                " dedupe_key, not_before, status, attempts, created_at, updated_at,"
                " attachment_json, platform)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)"
                " ON CONFLICT (dedupe_key) DO NOTHING",
                (
                    message.chat_id,
                    message.citizen_id,
                    message.kind,
                    message.text,
                    markup,
                    int(message.urgent),
                    message.dedupe_key,
                    to_db_time(not_before),
                    stamp,
                    stamp,
                    attachment,
                    message.platform,
                ),
            )
            inserted = cursor.rowcount == 1
            row_id = cursor.lastrowid
            await cursor.close()
        return row_id if inserted else None

    async def claim_due(
        self, now: datetime, limit: int, *, platform: str | None = None, primary: bool = True
    ) -> list[OutboxMessage]:
        """Mark up to ``limit`` due pending rows as sending and return them, oldest first.

        ``platform``: only rows for that platform's bot (and, when ``primary``, rows naming
        none); None: every row (one bot).

        Per-chat order: a row is not claimed while an earlier row of its chat is being sent
        or is waiting for a retry (an unsent row held only by quiet hours does not block an
        urgent one).
        """
        if limit <= 0:
            return []
        due = to_db_time(now)
        async with self.db.transaction() as c:
            # Few due rows (quiet hours hold the rest): read them by due time and sort them.
            # Many (a broadcast backlog): read pending rows oldest first and stop at `limit`.
            async with c.execute(_COUNT_DUE, (due, _FEW_DUE)) as cursor:
                probe = await cursor.fetchone()
            few = probe is not None and int(probe[0]) < _FEW_DUE
            sql = _CLAIM_FEW if few else _CLAIM_MANY
            params: tuple[object, ...] = (due, platform, int(primary), limit)
            if platform is None:
                sql, params = sql.replace(_MINE, ""), (due, limit)
            async with c.execute(sql, params) as cursor:
                rows = await cursor.fetchall()
            if not rows:
                return []
            ids = [row["id"] for row in rows]
            marks = ", ".join("?" for _ in ids)
            await c.execute(
                f"UPDATE outbox SET status = 'sending', updated_at = ? WHERE id IN ({marks})",
                (self.db.now_text(), *ids),
            )
        return [
            message_from_row(row).model_copy(update={"status": OutboxStatus.SENDING})
            for row in rows
        ]

    async def mark_sent(self, outbox_id: int, message_id: int | None) -> None:
        """The platform accepted the message: record its id; the row is never sent again."""
        now = self.db.now_text()
        async with self.db.transaction() as c:
            await c.execute(
                "UPDATE outbox SET status = 'sent', attempts = attempts + 1, last_error = NULL,"
                " sent_message_id = ?, sent_at = ?, updated_at = ? WHERE id = ?",
                (message_id, now, now, outbox_id),
            )
            await self._attempt(c, outbox_id, now, AttemptOutcome.SENT)

    async def mark_retry(
        self,
        outbox_id: int,
        error: str,
        next_attempt_at: datetime,
        *,
        outcome: AttemptOutcome = AttemptOutcome.RETRY,
        error_code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """A transient failure: back to pending, due again at ``next_attempt_at``."""
        now = self.db.now_text()
        async with self.db.transaction() as c:
            await c.execute(
                "UPDATE outbox SET status = 'pending', attempts = attempts + 1, last_error = ?,"
                " not_before = ?, updated_at = ? WHERE id = ?",
                (error, to_db_time(next_attempt_at), now, outbox_id),
            )
            await self._attempt(c, outbox_id, now, outcome, error_code, error, retry_after)

    async def mark_undeliverable(
        self, outbox_id: int, error: str, *, error_code: str | None = None
    ) -> None:
        """The chat cannot receive messages (blocked, deactivated, not found): never retried."""
        await self._settle(outbox_id, OutboxStatus.UNDELIVERABLE, error, error_code)

    async def mark_failed(
        self, outbox_id: int, error: str, *, error_code: str | None = None
    ) -> None:
        """Give up on a row (the request is wrong, or retries ran out); an officer may requeue."""
        await self._settle(outbox_id, OutboxStatus.FAILED, error, error_code)

    async def release(self, outbox_ids: list[int]) -> None:
        """Put claimed rows back to pending untouched (the sender stopped before trying them)."""
        if not outbox_ids:
            return
        marks = ", ".join("?" for _ in outbox_ids)
        async with self.db.transaction() as c:
            await c.execute(
                f"UPDATE outbox SET status = 'pending', updated_at = ?"
                f" WHERE status = 'sending' AND id IN ({marks})",
                (self.db.now_text(), *outbox_ids),
            )

    async def recover_sending(self, *, platform: str | None = None, primary: bool = True) -> int:
        """At start-up: rows a dead process left 'sending' go back to pending; return how many.

        ``platform`` and ``primary`` as in ``claim_due``: a sender recovers only its own rows.
        """
        sql = "UPDATE outbox SET status = 'pending', updated_at = ? WHERE status = 'sending'"
        params: tuple[object, ...] = (self.db.now_text(),)
        if platform is not None:
            sql += " AND (platform = ? OR (platform IS NULL AND ?))"
            params = (*params, platform, int(primary))
        async with self.db.transaction() as c:
            cursor = await c.execute(sql, params)
            count = cursor.rowcount
            await cursor.close()
        return count

    async def requeue(self, outbox_id: int) -> bool:
        """Send a failed or undeliverable row again (an officer's decision)."""
        now = self.db.now_text()
        async with self.db.transaction() as c:
            cursor = await c.execute(
                "UPDATE outbox SET status = 'pending', not_before = ?, updated_at = ?"
                " WHERE id = ? AND status IN ('failed', 'undeliverable')",
                (now, now, outbox_id),
            )
            changed = cursor.rowcount == 1
            await cursor.close()
        return changed

    async def record_attempt(self, attempt: OutboxAttempt) -> None:
        """Store one attempt on its own (the mark_* methods already record theirs)."""
        async with self.db.transaction() as c:
            await self._attempt(
                c,
                attempt.outbox_id,
                to_db_time(attempt.at),
                attempt.outcome,
                attempt.error_code,
                attempt.error,
                attempt.retry_after,
            )

    async def get(self, outbox_id: int) -> OutboxMessage | None:
        """Return one row, if any."""
        async with (
            self.db.read() as c,
            c.execute(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", (outbox_id,)) as cur,
        ):
            row = await cur.fetchone()
        return None if row is None else message_from_row(row)

    async def get_by_dedupe_key(self, dedupe_key: str) -> OutboxMessage | None:
        """Return the row enqueued under this key, if any."""
        async with self.db.read() as c:
            sql = f"SELECT {_COLUMNS} FROM outbox WHERE dedupe_key = ?"
            async with c.execute(sql, (dedupe_key,)) as cur:
                row = await cur.fetchone()
        return None if row is None else message_from_row(row)

    async def attempts(self, outbox_id: int) -> list[OutboxAttempt]:
        """Every attempt at one row, oldest first."""
        async with (
            self.db.read() as c,
            c.execute(
                "SELECT id, outbox_id, at, outcome, error_code, error, retry_after"
                " FROM outbox_attempts WHERE outbox_id = ? ORDER BY id",
                (outbox_id,),
            ) as cur,
        ):
            rows = await cur.fetchall()
        return [
            OutboxAttempt(
                id=r["id"],
                outbox_id=r["outbox_id"],
                at=from_db_time(r["at"]),
                outcome=AttemptOutcome(r["outcome"]),
                error_code=r["error_code"],
                error=r["error"],
                retry_after=r["retry_after"],
            )
            for r in rows
        ]

    async def pending_count(self) -> int:
        """Rows not yet settled (pending or sending)."""
        async with (
            self.db.read() as c,
            c.execute("SELECT COUNT(*) FROM outbox WHERE status IN (?, ?)", _OPEN) as cur,
        ):
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def next_due(
        self, *, platform: str | None = None, primary: bool = True
    ) -> datetime | None:
        """When the earliest pending row becomes due, if any (lets the sender sleep long);
        ``platform`` and ``primary`` as in ``claim_due``."""
        sql = "SELECT MIN(not_before) FROM outbox WHERE status = 'pending'"
        params: tuple[object, ...] = ()
        if platform is not None:
            sql += " AND (platform = ? OR (platform IS NULL AND ?))"
            params = (platform, int(primary))
        async with self.db.read() as c, c.execute(sql, params) as cur:
            row = await cur.fetchone()
        return None if row is None or row[0] is None else from_db_time(row[0])

    async def stats(self) -> dict[str, int]:
        """Row counts by status (every status present, zero when none)."""
        counts = {status.value: 0 for status in OutboxStatus}
        sql = "SELECT status, COUNT(*) FROM outbox GROUP BY status"
        async with self.db.read() as c, c.execute(sql) as cur:
            for row in await cur.fetchall():
                counts[row[0]] = int(row[1])
        return counts

    async def _settle(
        self, outbox_id: int, status: OutboxStatus, error: str, error_code: str | None
    ) -> None:
        now = self.db.now_text()
        async with self.db.transaction() as c:
            await c.execute(
                "UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ?,"
                " updated_at = ? WHERE id = ?",
                (status.value, error, now, outbox_id),
            )
            await self._attempt(c, outbox_id, now, AttemptOutcome(status.value), error_code, error)

    @staticmethod
    async def _attempt(
        c: aiosqlite.Connection,
        outbox_id: int,
        at: str,
        outcome: AttemptOutcome,
        error_code: str | None = None,
        error: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        await c.execute(
            "INSERT INTO outbox_attempts (outbox_id, at, outcome, error_code, error, retry_after)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (outbox_id, at, outcome.value, error_code, error, retry_after),
        )
