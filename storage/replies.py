"""The reply queue: Bot API calls a handler made, stored with the update's effects, sent after.

A row is written inside the update's transaction, so a reply exists exactly when the effects
it talks about do. It is sent after the commit, in order per lane (chat), and marked sent;
a crash between the platform's answer and the mark repeats that one reply, the only
duplicate window (see README, "How it keeps its promises").
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import aiosqlite

from storage.db import Database

_REMEMBERED_IDS = 4096  # more than the calls in flight and waiting for their marks


@dataclass(frozen=True)
class FilePart:
    """A file sent with a call (sendPhoto, sendDocument), kept until the call is sent."""

    param: str
    name: str
    data: bytes


@dataclass(frozen=True)
class QueuedReply:
    """One stored call waiting to be sent."""

    id: int
    chat_key: int
    update_seq: int
    method: str
    params: dict[str, Any]
    file: FilePart | None

    @property
    def placeholder(self) -> int:
        """The message id the handler was given for a message this call sends."""
        return -self.id


class ReplyQueue:
    """Stored calls of one bot on one platform."""

    def __init__(self, db: Database, *, platform: str, bot_id: int) -> None:
        self.db = db
        self.platform = platform
        self.bot_id = bot_id
        # Platform ids of calls sent lately (the mapping never changes once sent): known here
        # before their "sent" marks commit, and spared a read when a handler asks again.
        self._sent_ids: OrderedDict[int, int] = OrderedDict()

    def note_sent(self, reply_id: int, message_id: int) -> None:
        """Remember the platform's id of a call just sent (its mark may not be stored yet)."""
        self._sent_ids[reply_id] = message_id
        if len(self._sent_ids) > _REMEMBERED_IDS:
            self._sent_ids.popitem(last=False)

    async def add(
        self,
        conn: aiosqlite.Connection,
        *,
        chat_key: int,
        update_seq: int,
        method: str,
        params: dict[str, Any],
        file: FilePart | None,
    ) -> int:
        """Store one call in the update's transaction; return its id."""
        cursor = await conn.execute(
            "INSERT INTO reply_queue (platform, bot_id, chat_key, update_seq, method, params,"
            " file_param, file_name, file_data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self.platform,
                self.bot_id,
                chat_key,
                update_seq,
                method,
                json.dumps(params, ensure_ascii=False),
                file.param if file else None,
                file.name if file else None,
                file.data if file else None,
                self.db.now_text(),
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def unsent_ids(
        self, conn: aiosqlite.Connection, chat_key: int, update_seq: int
    ) -> list[int]:
        """The ids of one update's unsent calls, read in its transaction (what will commit)."""
        async with conn.execute(
            "SELECT id FROM reply_queue WHERE platform = ? AND bot_id = ? AND chat_key = ?"
            " AND sent_at IS NULL AND update_seq = ? ORDER BY id",
            (self.platform, self.bot_id, chat_key, update_seq),
        ) as cursor:
            return [int(row[0]) for row in await cursor.fetchall()]

    async def unsent(self, chat_key: int) -> list[QueuedReply]:
        """This lane's calls not yet sent, oldest first."""
        async with (
            self.db.read() as conn,
            conn.execute(
                "SELECT id, chat_key, update_seq, method, params, file_param, file_name,"
                " file_data FROM reply_queue WHERE platform = ? AND bot_id = ? AND chat_key = ?"
                " AND sent_at IS NULL ORDER BY id",
                (self.platform, self.bot_id, chat_key),
            ) as cursor,
        ):
            rows = await cursor.fetchall()
        return [_reply(row) for row in rows]

    async def lanes_with_unsent(self) -> list[int]:
        """Lanes that still have calls to send (after a crash)."""
        async with (
            self.db.read() as conn,
            conn.execute(
                "SELECT DISTINCT chat_key FROM reply_queue WHERE platform = ? AND bot_id = ?"
                " AND sent_at IS NULL",
                (self.platform, self.bot_id),
            ) as cursor,
        ):
            return [int(row["chat_key"]) for row in await cursor.fetchall()]

    async def mark_done(self, outcomes: list[tuple[int, int | None, str]]) -> None:
        """Record (id, platform message id, outcome) for calls sent or given up, in one commit."""
        if not outcomes:
            return
        now = self.db.now_text()
        # Not fsynced: losing a mark (power cut) only sends that reply again, the one
        # duplicate window there is anyway.
        async with self.db.transaction(durable=False) as conn:
            await conn.executemany(
                "UPDATE reply_queue SET sent_at = ?, message_id = ?, outcome = ?,"
                " file_data = NULL WHERE id = ?",
                [
                    (now, message_id, outcome, reply_id)
                    for reply_id, message_id, outcome in outcomes
                ],
            )

    async def real_message_id(self, placeholder: int) -> int | None:
        """The platform's id of the message a handler knew as ``placeholder`` (< 0), if sent."""
        known = self._sent_ids.get(-placeholder)
        if known is not None:
            return known
        async with (
            self.db.read() as conn,
            conn.execute(
                "SELECT message_id FROM reply_queue WHERE id = ? AND platform = ? AND bot_id = ?",
                (-placeholder, self.platform, self.bot_id),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return None if row is None or row["message_id"] is None else int(row["message_id"])


def _reply(row: Any) -> QueuedReply:
    file = (
        FilePart(row["file_param"], row["file_name"] or "file", bytes(row["file_data"]))
        if row["file_param"] is not None and row["file_data"] is not None
        else None
    )
    return QueuedReply(
        id=int(row["id"]),
        chat_key=int(row["chat_key"]),
        update_seq=int(row["update_seq"]),
        method=str(row["method"]),
        params=json.loads(row["params"]),
        file=file,
    )
