"""The web desk's sign-in links and sessions (migration 0018); only hashes of secrets are kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database, from_db_time, opt_db_time, to_db_time


@dataclass(frozen=True)
class DeskLink:
    """A sign-in link given to an officer."""

    token_hash: str
    platform: str
    user_id: int
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True)
class DeskSession:
    """A signed-in officer's session."""

    id: int
    platform: str
    user_id: int
    created_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None


class DeskRepository:
    """Links and sessions of the officers' web desk."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add_link(
        self,
        token_hash: str,
        platform: str,
        user_id: int,
        expires_at: datetime,
        conn: aiosqlite.Connection | None = None,
    ) -> None:
        """Remember a new link by its hash."""
        async with self.db.writing(conn) as c:
            await c.execute(
                "INSERT INTO desk_links (token_hash, platform, user_id, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (token_hash, platform, user_id, self.db.now_text(), to_db_time(expires_at)),
            )

    async def link(
        self, token_hash: str, conn: aiosqlite.Connection | None = None
    ) -> DeskLink | None:
        """The link with this hash, used or not."""
        async with (
            self.db.reading(conn) as c,
            c.execute("SELECT * FROM desk_links WHERE token_hash = ?", (token_hash,)) as cur,
        ):
            row = await cur.fetchone()
        if row is None:
            return None
        return DeskLink(
            token_hash=row["token_hash"],
            platform=row["platform"],
            user_id=int(row["user_id"]),
            expires_at=from_db_time(row["expires_at"]),
            used_at=opt_db_time(row["used_at"]),
        )

    async def use_link(self, token_hash: str, conn: aiosqlite.Connection | None = None) -> bool:
        """Mark the link used; False when it was used already (two tabs racing)."""
        async with self.db.writing(conn) as c:
            cursor = await c.execute(
                "UPDATE desk_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL",
                (self.db.now_text(), token_hash),
            )
            return cursor.rowcount == 1

    async def add_session(
        self,
        token_hash: str,
        platform: str,
        user_id: int,
        conn: aiosqlite.Connection | None = None,
    ) -> int:
        """Open a session; its row id."""
        now = self.db.now_text()
        async with self.db.writing(conn) as c:
            cursor = await c.execute(
                "INSERT INTO desk_sessions (token_hash, platform, user_id, created_at,"
                " last_seen_at) VALUES (?, ?, ?, ?, ?)",
                (token_hash, platform, user_id, now, now),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    async def session(
        self, token_hash: str, conn: aiosqlite.Connection | None = None
    ) -> DeskSession | None:
        """The session with this hash, open or ended."""
        async with (
            self.db.reading(conn) as c,
            c.execute("SELECT * FROM desk_sessions WHERE token_hash = ?", (token_hash,)) as cur,
        ):
            row = await cur.fetchone()
        if row is None:
            return None
        return DeskSession(
            id=int(row["id"]),
            platform=row["platform"],
            user_id=int(row["user_id"]),
            created_at=from_db_time(row["created_at"]),
            last_seen_at=from_db_time(row["last_seen_at"]),
            ended_at=opt_db_time(row["ended_at"]),
        )

    async def touch(self, session_id: int, conn: aiosqlite.Connection | None = None) -> None:
        """The officer did something now (the idle time counts from here)."""
        async with self.db.writing(conn) as c:
            await c.execute(
                "UPDATE desk_sessions SET last_seen_at = ? WHERE id = ?",
                (self.db.now_text(), session_id),
            )

    async def end(
        self, session_id: int, reason: str, conn: aiosqlite.Connection | None = None
    ) -> None:
        """End one session (no-op when it has ended already)."""
        async with self.db.writing(conn) as c:
            await c.execute(
                "UPDATE desk_sessions SET ended_at = ?, end_reason = ?"
                " WHERE id = ? AND ended_at IS NULL",
                (self.db.now_text(), reason, session_id),
            )

    async def end_all(
        self, platform: str, user_id: int, reason: str, conn: aiosqlite.Connection | None = None
    ) -> int:
        """End every open session of this officer; how many there were."""
        async with self.db.writing(conn) as c:
            cursor = await c.execute(
                "UPDATE desk_sessions SET ended_at = ?, end_reason = ?"
                " WHERE platform = ? AND user_id = ? AND ended_at IS NULL",
                (self.db.now_text(), reason, platform, user_id),
            )
            return cursor.rowcount
