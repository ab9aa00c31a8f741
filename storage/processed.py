"""Processed updates: so an update delivered twice (after a restart) is handled once."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage.db import Database, to_db_time

DEFAULT_PLATFORM = "telegram"


class ProcessedUpdates:
    """Remembers which update ids were handled, per platform (update ids are per bot)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def is_processed(
        self,
        update_id: int,
        conn: aiosqlite.Connection | None = None,
        *,
        platform: str = DEFAULT_PLATFORM,
    ) -> bool:
        """Tell whether this update was already marked processed."""
        async with (
            self.db.reading(conn) as c,
            c.execute(
                "SELECT 1 FROM processed_updates WHERE platform = ? AND update_id = ?",
                (platform, update_id),
            ) as cur,
        ):
            return await cur.fetchone() is not None

    async def mark_processed(
        self,
        update_id: int,
        conn: aiosqlite.Connection | None = None,
        *,
        platform: str = DEFAULT_PLATFORM,
    ) -> bool:
        """Mark the update processed; False if it already was (an atomic check-and-set)."""
        async with self.db.writing(conn) as c:
            cursor = await c.execute(
                "INSERT OR IGNORE INTO processed_updates (platform, update_id, processed_at)"
                " VALUES (?, ?, ?)",
                (platform, update_id, self.db.now_text()),
            )
            return cursor.rowcount == 1

    async def processed_among(
        self, update_ids: list[int], *, platform: str = DEFAULT_PLATFORM
    ) -> set[int]:
        """Which of these update ids were already handled (one query for a whole batch)."""
        if not update_ids:
            return set()
        marks = ",".join("?" * len(update_ids))
        async with (
            self.db.reading() as c,
            c.execute(
                f"SELECT update_id FROM processed_updates WHERE platform = ?"
                f" AND update_id IN ({marks})",
                (platform, *update_ids),
            ) as cur,
        ):
            return {int(row["update_id"]) for row in await cur.fetchall()}

    async def mark_many(
        self,
        update_ids: list[int],
        conn: aiosqlite.Connection | None = None,
        *,
        platform: str = DEFAULT_PLATFORM,
    ) -> None:
        """Mark a batch of updates processed (in the caller's transaction when given)."""
        now = self.db.now_text()
        async with self.db.writing(conn) as c:
            await c.executemany(
                "INSERT OR IGNORE INTO processed_updates (platform, update_id, processed_at)"
                " VALUES (?, ?, ?)",
                [(platform, update_id, now) for update_id in update_ids],
            )

    async def prune(self, older_than: datetime, conn: aiosqlite.Connection | None = None) -> int:
        """Forget updates processed before this time (all platforms); return how many."""
        async with self.db.writing(conn) as c:
            cursor = await c.execute(
                "DELETE FROM processed_updates WHERE processed_at < ?", (to_db_time(older_than),)
            )
            return cursor.rowcount
