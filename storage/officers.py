"""Officers stored in the database (beside OFFICER_IDS from settings); adds and removals audited."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import aiosqlite
from pydantic import BaseModel, ConfigDict

from domain.accounts import Account
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
        # Set once at start-up (``configure``): the accounts OFFICER_IDS names (admins) and
        # the platform of an officer actor that names none (``officer:<id>``, older rows).
        self.configured: frozenset[Account] = frozenset()
        self.default_platform: str | None = None

    def configure(self, configured: Iterable[Account], default_platform: str) -> None:
        """The officers the settings name (OFFICER_IDS) and the first bot's platform."""
        self.configured = frozenset(configured)
        self.default_platform = default_platform

    async def is_officer_now(self, account: Account) -> bool:
        """In OFFICER_IDS, or an officer an admin added (not removed), on that account."""
        return account in self.configured or await self.is_officer(*account)

    async def is_admin_now(self, account: Account) -> bool:
        """In OFFICER_IDS, or an added officer marked admin."""
        if account in self.configured:
            return True
        officer = await self.get(*account)
        return officer is not None and officer.is_admin

    async def officer_accounts(self, conn: aiosqlite.Connection | None = None) -> list[Account]:
        """Everyone who is an officer now, on every platform: OFFICER_IDS and the added ones."""
        added = {Account(o.platform, o.user_id) for o in await self.list_active(conn=conn)}
        return sorted(self.configured | added)

    async def admin_accounts(self, conn: aiosqlite.Connection | None = None) -> list[Account]:
        """Every admin now: OFFICER_IDS and the added officers marked admin."""
        active = await self.list_active(conn=conn)
        added = {Account(o.platform, o.user_id) for o in active if o.is_admin}
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

    async def list_active(
        self, platform: str | None = None, conn: aiosqlite.Connection | None = None
    ) -> list[Officer]:
        """Active officers, oldest first (of one platform, when given)."""
        where, params = ("AND platform = ?", (platform,)) if platform else ("", ())
        sql = f"SELECT {_COLUMNS} FROM officers WHERE removed_at IS NULL {where} ORDER BY id"
        async with self.db.reading(conn) as c, c.execute(sql, params) as cur:
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
