"""The inbox: every update received, stored before it is acknowledged, handled from here.

An update is identified by (platform, bot id, update id) *and* its content: a re-delivery
after a crash repeats both, while an update id the platform reuses (Telegram after a quiet
week, an emulator after a restart) comes with other content and is a new update. Handled
rows are kept for a day, as long as a platform may deliver an update again, then pruned.

The content is the JSON as the platform sent it (its digest over sorted keys). Rows stored
before that were digested over PTB's ``to_dict()`` of the parsed update, which adds fields
the platform never sent: an update seen again whose digest matches none stored under its
id is also compared by that former digest (``Received.former``), so one delivered before an
upgrade and again after it is still recognised.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiosqlite

from storage.db import Database, to_db_time


@dataclass(frozen=True)
class Received:
    """One update as the platform sent it, with the lane (chat) it belongs to."""

    update_id: int
    chat_key: int
    payload: dict[str, Any]
    # The parsed update as received (a telegram.Update), handed on so that it is not parsed
    # again from the payload; None for rows read back from the store.
    update: object = field(default=None, compare=False, repr=False)
    # The payload as stored before the JSON was kept as received (PTB's to_dict), asked for
    # only when this update id was seen before; None: the payload is that already.
    former: Callable[[], dict[str, Any]] | None = field(default=None, compare=False, repr=False)

    @property
    def canonical(self) -> str:
        return _canonical(self.payload)

    def former_digest(self) -> str | None:
        """The digest this update had when stored by the former way, if it differs."""
        return None if self.former is None else _digest(_canonical(self.former()))


def _canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class InboxRow:
    """A stored update waiting to be handled."""

    seq: int
    update_id: int
    chat_key: int
    payload: dict[str, Any]
    update: object = field(default=None, compare=False, repr=False)  # see Received.update


class Inbox:
    """Stored updates of one bot on one platform."""

    def __init__(self, db: Database, *, platform: str, bot_id: int) -> None:
        self.db = db
        self.platform = platform
        self.bot_id = bot_id

    async def store(self, updates: Sequence[Received]) -> list[InboxRow]:
        """Store a batch in one commit; return the rows that are new (re-deliveries skipped)."""
        if not updates:
            return []
        now = self.db.now_text()
        fresh: list[InboxRow] = []
        # Serialised and digested before the write lock is taken: others wait for it.
        prepared = [(update, update.canonical) for update in updates]
        digests = [_digest(text) for _, text in prepared]
        async with self.db.transaction() as conn:
            known = await self._known_digests(conn, [u.update_id for u in updates])
            for (update, text), digest in zip(prepared, digests, strict=True):
                seen = known.get(update.update_id)
                if seen and (digest in seen or update.former_digest() in seen):
                    continue  # delivered again: already stored (and maybe handled)
                known.setdefault(update.update_id, set()).add(digest)
                cursor = await conn.execute(
                    "INSERT INTO inbox_updates (platform, bot_id, update_id, digest, chat_key,"
                    " payload, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        self.platform,
                        self.bot_id,
                        update.update_id,
                        digest,
                        update.chat_key,
                        text,
                        now,
                    ),
                )
                seq = cursor.lastrowid
                assert seq is not None
                fresh.append(
                    InboxRow(seq, update.update_id, update.chat_key, update.payload, update.update)
                )
        return fresh

    async def _known_digests(
        self, conn: aiosqlite.Connection, update_ids: list[int]
    ) -> dict[int, set[str]]:
        marks = ",".join("?" * len(update_ids))
        async with conn.execute(
            "SELECT update_id, digest FROM inbox_updates WHERE platform = ? AND bot_id = ?"
            f" AND update_id IN ({marks})",
            (self.platform, self.bot_id, *update_ids),
        ) as cursor:
            rows = await cursor.fetchall()
        known: dict[int, set[str]] = {}
        for row in rows:
            known.setdefault(int(row["update_id"]), set()).add(str(row["digest"]))
        return known

    async def pending(self) -> list[InboxRow]:
        """Stored updates not yet handled, in arrival order (after a crash: handle these first)."""
        async with (
            self.db.read() as conn,
            conn.execute(
                "SELECT seq, update_id, chat_key, payload FROM inbox_updates"
                " WHERE platform = ? AND bot_id = ? AND handled_at IS NULL ORDER BY seq",
                (self.platform, self.bot_id),
            ) as cursor,
        ):
            rows = await cursor.fetchall()
        return [
            InboxRow(
                int(r["seq"]), int(r["update_id"]), int(r["chat_key"]), json.loads(r["payload"])
            )
            for r in rows
        ]

    async def mark_handled(self, seq: int, conn: aiosqlite.Connection, *, failed: bool) -> None:
        """Record the update as handled, inside the transaction that holds its effects."""
        await conn.execute(
            "UPDATE inbox_updates SET handled_at = ?, outcome = ? WHERE seq = ?",
            (self.db.now_text(), "failed" if failed else "handled", seq),
        )

    async def is_handled(self, seq: int) -> bool:
        """Whether this stored update was handled (tests, diagnostics)."""
        async with (
            self.db.read() as conn,
            conn.execute("SELECT handled_at FROM inbox_updates WHERE seq = ?", (seq,)) as cursor,
        ):
            row = await cursor.fetchone()
        return row is not None and row["handled_at"] is not None

    async def prune(self, handled_before: datetime) -> int:
        """Forget updates handled before this time (a platform re-delivers for a day at most)."""
        async with self.db.transaction(durable=False) as conn:
            cursor = await conn.execute(
                "DELETE FROM inbox_updates WHERE handled_at IS NOT NULL AND handled_at < ?",
                (to_db_time(handled_before),),
            )
            return cursor.rowcount
