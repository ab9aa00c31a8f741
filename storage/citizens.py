"""Citizens: one row per platform account, with the contact details they gave."""

from __future__ import annotations

import sqlite3

import aiosqlite

from domain.models import Citizen
from storage.db import Database, from_db_time

_COLUMNS = "id, platform, user_id, chat_id, phone, full_name, national_code, created_at, updated_at"


def citizen_from_row(row: sqlite3.Row) -> Citizen:
    """Build a Citizen from a citizens row."""
    return Citizen(
        id=row["id"],
        platform=row["platform"],
        user_id=row["user_id"],
        chat_id=row["chat_id"],
        phone=row["phone"],
        full_name=row["full_name"],
        national_code=row["national_code"],
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
    )


class CitizenRepository:
    """Reads and writes citizens."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get_or_create(
        self,
        platform: str,
        user_id: int,
        chat_id: int,
        conn: aiosqlite.Connection | None = None,
    ) -> Citizen:
        """Return the citizen for this account, creating it (or updating its chat) as needed."""
        if conn is None:  # the common case (known citizen, same chat) needs no write
            known = await self.get_by_platform_user(platform, user_id)
            if known is not None and known.chat_id == chat_id:
                return known
        now = self.db.now_text()
        async with self.db.writing(conn) as c:
            await c.execute(
                "INSERT INTO citizens (platform, user_id, chat_id, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (platform, user_id) DO UPDATE SET"
                "   chat_id = excluded.chat_id, updated_at = excluded.updated_at"
                " WHERE citizens.chat_id != excluded.chat_id",
                (platform, user_id, chat_id, now, now),
            )
            found = await self._one(c, "platform = ? AND user_id = ?", (platform, user_id))
        assert found is not None  # just inserted or already there
        return found

    async def get(
        self, citizen_id: int, conn: aiosqlite.Connection | None = None
    ) -> Citizen | None:
        """Return the citizen with this id, if any."""
        async with self.db.reading(conn) as c:
            return await self._one(c, "id = ?", (citizen_id,))

    async def get_by_platform_user(
        self, platform: str, user_id: int, conn: aiosqlite.Connection | None = None
    ) -> Citizen | None:
        """Return the citizen for a platform account, if known."""
        async with self.db.reading(conn) as c:
            return await self._one(c, "platform = ? AND user_id = ?", (platform, user_id))

    async def update_contact(
        self,
        citizen_id: int,
        *,
        phone: str | None = None,
        full_name: str | None = None,
        national_code: str | None = None,
        conn: aiosqlite.Connection | None = None,
    ) -> Citizen:
        """Set the given contact fields (None leaves a field unchanged); return the citizen."""
        changes = {
            name: value
            for name, value in (
                ("phone", phone),
                ("full_name", full_name),
                ("national_code", national_code),
            )
            if value is not None
        }
        async with self.db.writing(conn) as c:
            if changes:
                assignments = ", ".join(f"{name} = ?" for name in changes)
                await c.execute(
                    f"UPDATE citizens SET {assignments}, updated_at = ? WHERE id = ?",
                    (*changes.values(), self.db.now_text(), citizen_id),
                )
            found = await self._one(c, "id = ?", (citizen_id,))
        if found is None:
            raise LookupError(f"no citizen {citizen_id}")
        return found

    async def find_by_national_code(
        self, national_code: str, conn: aiosqlite.Connection | None = None
    ) -> list[Citizen]:
        """Return every account that gave this national code (one person, several phones)."""
        async with self.db.reading(conn) as c:
            return await self._many(c, "national_code = ?", (national_code,))

    async def find_by_phone(
        self, phone: str, conn: aiosqlite.Connection | None = None
    ) -> list[Citizen]:
        """Return every account that gave this (canonical) phone number."""
        async with self.db.reading(conn) as c:
            return await self._many(c, "phone = ?", (phone,))

    async def _one(
        self, c: aiosqlite.Connection, where: str, params: tuple[object, ...]
    ) -> Citizen | None:
        async with c.execute(f"SELECT {_COLUMNS} FROM citizens WHERE {where}", params) as cur:
            row = await cur.fetchone()
        return None if row is None else citizen_from_row(row)

    async def _many(
        self, c: aiosqlite.Connection, where: str, params: tuple[object, ...]
    ) -> list[Citizen]:
        sql = f"SELECT {_COLUMNS} FROM citizens WHERE {where} ORDER BY id"
        async with c.execute(sql, params) as cur:
            rows = await cur.fetchall()
        return [citizen_from_row(row) for row in rows]
