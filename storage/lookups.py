"""Failed tracking-code lookups per account, so repeated guesses are slowed down."""

from __future__ import annotations

from datetime import datetime, timedelta

import aiosqlite

from storage.db import Database, from_db_time, to_db_time

MAX_FAILURES = 3
WINDOW = timedelta(minutes=15)


class LookupThrottle:
    """Counts recent failures of one account; after MAX_FAILURES in WINDOW it says wait."""

    def __init__(
        self, db: Database, max_failures: int = MAX_FAILURES, window: timedelta = WINDOW
    ) -> None:
        self.db = db
        self.max_failures = max_failures
        self.window = window

    async def record_failure(
        self,
        platform: str,
        user_id: int,
        conn: aiosqlite.Connection | None = None,
        *,
        now: datetime | None = None,
    ) -> None:
        """Remember one failed lookup (wrong national code or unknown code: the same)."""
        at = to_db_time(now) if now is not None else self.db.now_text()
        async with self.db.writing(conn) as c:
            await c.execute(
                "INSERT INTO lookup_failures (platform, user_id, at) VALUES (?, ?, ?)",
                (platform, user_id, at),
            )

    async def blocked_until(
        self, platform: str, user_id: int, *, now: datetime | None = None
    ) -> datetime | None:
        """When this account may try again (at ``now``, the database's clock if not given),
        or None if it may try now."""
        since = to_db_time((now if now is not None else self.db.now()) - self.window)
        async with (
            self.db.read() as c,
            c.execute(
                "SELECT at FROM lookup_failures WHERE platform = ? AND user_id = ? AND at > ?"
                " ORDER BY at DESC LIMIT ?",
                (platform, user_id, since, self.max_failures),
            ) as cur,
        ):
            rows = list(await cur.fetchall())
        if len(rows) < self.max_failures:
            return None
        # The oldest of the last MAX_FAILURES leaves the window first.
        return from_db_time(rows[-1]["at"]) + self.window

    async def failures(self, platform: str, user_id: int) -> int:
        """All failures ever recorded for this account (for tests and reports)."""
        async with (
            self.db.read() as c,
            c.execute(
                "SELECT COUNT(*) FROM lookup_failures WHERE platform = ? AND user_id = ?",
                (platform, user_id),
            ) as cur,
        ):
            row = await cur.fetchone()
        return int(row[0]) if row else 0
