"""Officers stored in the database (beside OFFICER_IDS from settings); adds and removals audited."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import aiosqlite
from pydantic import BaseModel, ConfigDict

from domain.models import UtcDatetime
from storage.audit import AuditLog
from storage.db import Database, from_db_time, opt_db_time

_COLUMNS = "id, user_id, platform, name, is_admin, added_by, added_at, removed_at"


class Officer(BaseModel):
    """One officer account; a removed officer keeps its row (removed_at set)."""

    model_config = ConfigDict(extra="forbid")

    id: int
    user_id: int
    platform: str
    name: str | None = None
    is_admin: bool = False
    added_by: str
    added_at: UtcDatetime
    removed_at: UtcDatetime | None = None


def officer_from_row(row: sqlite3.Row) -> Officer:
    """Build an Officer from an officers row."""
    return Officer(
        id=row["id"],
        user_id=row["user_id"],
        platform=row["platform"],
        name=row["name"],
        is_admin=bool(row["is_admin"]),
        added_by=row["added_by"],
        added_at=from_db_time(row["added_at"]),
        removed_at=opt_db_time(row["removed_at"]),
    )


class OfficerRepository:
    """Adds, removes and looks up officers; every change goes to the audit log."""

    def __init__(self, db: Database) -> None:
        self.db = db
        # Set once at start-up (``configure``): the bot's platform and OFFICER_IDS, the roster
        # services.officers uses when its caller passes none (services.officers.store_roster).
        # Set once at start-up (``configure``): the bot's platform and OFFICER_IDS, so the
        # store alone says who is an officer now (services.officers.require_officer).
        self.platform: str | None = None
        self.configured: frozenset[int] = frozenset()

    def configure(self, platform: str, configured: Iterable[int]) -> None:
        """The bot's platform and the officers its settings name (OFFICER_IDS)."""
        self.platform = platform
        self.configured = frozenset(configured)

    async def is_officer_now(self, user_id: int) -> bool:
        """In OFFICER_IDS, or an officer an admin added (not removed) on the bot's platform.

        Before ``configure`` (a script with no settings) a row on any platform counts.
        """
        if user_id in self.configured:
            return True
        where = "user_id = ? AND removed_at IS NULL"
        params: tuple[object, ...] = (user_id,)
        if self.platform is not None:
            where += " AND platform = ?"
            params = (user_id, self.platform)
        async with (
            self.db.read() as c,
            c.execute(f"SELECT 1 FROM officers WHERE {where} LIMIT 1", params) as cur,
        ):
            return await cur.fetchone() is not None

    async def officer_user_ids(self) -> list[int]:
        """Everyone who is an officer now: OFFICER_IDS and the officers added in the bot."""
        added = {officer.user_id for officer in await self.list_active(self.platform)}
        return sorted(self.configured | added)

    async def admin_user_ids(self) -> list[int]:
        """Every admin now: OFFICER_IDS and the added officers marked admin."""
        added = {o.user_id for o in await self.list_active(self.platform) if o.is_admin}
        return sorted(self.configured | added)

    async def add(
        self,
        platform: str,
        user_id: int,
        added_by: str,
        *,
        name: str | None = None,
        is_admin: bool = False,
        conn: aiosqlite.Connection | None = None,
    ) -> Officer:
        """Make this account an officer (updating name/admin if already one); return it."""
        async with self.db.writing(conn) as c:
            before = await self._active(c, platform, user_id)
            if before is None:
                await c.execute(
                    "INSERT INTO officers (user_id, platform, name, is_admin, added_by, added_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (user_id, platform, name, int(is_admin), added_by, self.db.now_text()),
                )
            else:
                await c.execute(
                    "UPDATE officers SET name = COALESCE(?, name), is_admin = ? WHERE id = ?",
                    (name, int(is_admin), before.id),
                )
            after = await self._active(c, platform, user_id)
            assert after is not None
            await AuditLog(self.db).record(
                added_by,
                "officer_add",
                f"officer:{platform}:{user_id}",
                before=None if before is None else before.model_dump(mode="json"),
                after=after.model_dump(mode="json"),
                conn=c,
            )
        return after

    async def remove(
        self, platform: str, user_id: int, removed_by: str, conn: aiosqlite.Connection | None = None
    ) -> bool:
        """End this account's officer role; return False if it was not an officer."""
        async with self.db.writing(conn) as c:
            before = await self._active(c, platform, user_id)
            if before is None:
                return False
            await c.execute(
                "UPDATE officers SET removed_at = ? WHERE id = ?", (self.db.now_text(), before.id)
            )
            await AuditLog(self.db).record(
                removed_by,
                "officer_remove",
                f"officer:{platform}:{user_id}",
                before=before.model_dump(mode="json"),
                conn=c,
            )
        return True

    async def get(
        self, platform: str, user_id: int, conn: aiosqlite.Connection | None = None
    ) -> Officer | None:
        """The active officer for this account, if any."""
        async with self.db.reading(conn) as c:
            return await self._active(c, platform, user_id)

    async def is_officer(self, platform: str, user_id: int) -> bool:
        """Whether this account is an active officer in the database."""
        return await self.get(platform, user_id) is not None

    async def list_active(self, platform: str | None = None) -> list[Officer]:
        """Active officers, oldest first (of one platform, when given)."""
        where, params = ("AND platform = ?", (platform,)) if platform else ("", ())
        sql = f"SELECT {_COLUMNS} FROM officers WHERE removed_at IS NULL {where} ORDER BY id"
        async with self.db.read() as c, c.execute(sql, params) as cur:
            rows = await cur.fetchall()
        return [officer_from_row(row) for row in rows]

    async def _active(self, c: aiosqlite.Connection, platform: str, user_id: int) -> Officer | None:
        sql = (
            f"SELECT {_COLUMNS} FROM officers"
            " WHERE platform = ? AND user_id = ? AND removed_at IS NULL"
        )
        async with c.execute(sql, (platform, user_id)) as cur:
            row = await cur.fetchone()
        return None if row is None else officer_from_row(row)
