"""Exhibitions and booth requests: create, edit, cancel, list upcoming, one request each."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date
from typing import Any

import aiosqlite

from domain.exhibitions import (
    BoothRequest,
    BoothStatus,
    Exhibition,
    ExhibitionDraft,
    ExhibitionStatus,
)
from storage.db import Database, from_db_time, opt_db_date, opt_db_time

_FIELDS = (
    "title",
    "kind",
    "county",
    "venue",
    "starts_on",
    "ends_on",
    "booth_deadline",
    "description",
    "poster_file_id",
)


class DuplicateExhibition(Exception):
    """An exhibition with this title, start date and county already exists."""


class DuplicateBoothRequest(Exception):
    """The citizen already asked for a booth at this exhibition."""


def exhibition_from_row(row: sqlite3.Row) -> Exhibition:
    """Build an Exhibition from an exhibitions row."""
    return Exhibition(
        id=row["id"],
        title=row["title"],
        kind=row["kind"],
        county=row["county"],
        venue=row["venue"],
        starts_on=date.fromisoformat(row["starts_on"]),
        ends_on=date.fromisoformat(row["ends_on"]),
        booth_deadline=opt_db_date(row["booth_deadline"]),
        description=row["description"],
        poster_file_id=row["poster_file_id"],
        status=ExhibitionStatus(row["status"]),
        created_by=row["created_by"],
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
    )


def booth_from_row(row: sqlite3.Row) -> BoothRequest:
    """Build a BoothRequest from a booth_requests row."""
    return BoothRequest(
        id=row["id"],
        exhibition_id=row["exhibition_id"],
        citizen_id=row["citizen_id"],
        status=BoothStatus(row["status"]),
        decided_by=row["decided_by"],
        decided_at=opt_db_time(row["decided_at"]),
        created_at=from_db_time(row["created_at"]),
    )


def _values(draft: ExhibitionDraft) -> list[Any]:
    data = draft.model_dump(mode="json")
    return [data[name] for name in _FIELDS]


class ExhibitionRepository:
    """Reads and writes exhibitions and their booth requests."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(
        self, draft: ExhibitionDraft, created_by: str, conn: aiosqlite.Connection | None = None
    ) -> Exhibition:
        """Store a new exhibition; raise DuplicateExhibition for a repeat."""
        now = self.db.now_text()
        marks = ", ".join("?" for _ in _FIELDS)
        try:
            async with self.db.writing(conn) as c:
                cursor = await c.execute(
                    f"INSERT INTO exhibitions ({', '.join(_FIELDS)}, created_by, created_at,"
                    f" updated_at) VALUES ({marks}, ?, ?, ?)",
                    (*_values(draft), created_by, now, now),
                )
                new_id = cursor.lastrowid
                await cursor.close()
                assert new_id is not None
                found = await self.get(new_id, c)
        except sqlite3.IntegrityError as error:
            if "exhibitions" in str(error) or "UNIQUE" in str(error):
                raise DuplicateExhibition(draft.title) from error
            raise
        assert found is not None
        return found

    async def update(
        self, exhibition_id: int, draft: ExhibitionDraft, conn: aiosqlite.Connection | None = None
    ) -> Exhibition:
        """Replace the editable fields of an exhibition."""
        assignments = ", ".join(f"{name} = ?" for name in _FIELDS)
        try:
            async with self.db.writing(conn) as c:
                await c.execute(
                    f"UPDATE exhibitions SET {assignments}, updated_at = ? WHERE id = ?",
                    (*_values(draft), self.db.now_text(), exhibition_id),
                )
                found = await self.get(exhibition_id, c)
        except sqlite3.IntegrityError as error:
            raise DuplicateExhibition(draft.title) from error
        if found is None:
            raise LookupError(f"no exhibition {exhibition_id}")
        return found

    async def set_status(
        self, exhibition_id: int, status: ExhibitionStatus, conn: aiosqlite.Connection | None = None
    ) -> Exhibition:
        """Cancel (or reinstate) an exhibition."""
        async with self.db.writing(conn) as c:
            await c.execute(
                "UPDATE exhibitions SET status = ?, updated_at = ? WHERE id = ?",
                (status.value, self.db.now_text(), exhibition_id),
            )
            found = await self.get(exhibition_id, c)
        if found is None:
            raise LookupError(f"no exhibition {exhibition_id}")
        return found

    async def get(
        self, exhibition_id: int, conn: aiosqlite.Connection | None = None
    ) -> Exhibition | None:
        """One exhibition by id."""
        async with (
            self.db.reading(conn) as c,
            c.execute("SELECT * FROM exhibitions WHERE id = ?", (exhibition_id,)) as cur,
        ):
            row = await cur.fetchone()
        return None if row is None else exhibition_from_row(row)

    async def upcoming(
        self, today: date, *, include_cancelled: bool = False, limit: int = 200
    ) -> list[Exhibition]:
        """Exhibitions that have not ended by ``today``, by start date."""
        where = "ends_on >= ?" if include_cancelled else "status = 'active' AND ends_on >= ?"
        sql = f"SELECT * FROM exhibitions WHERE {where} ORDER BY starts_on, id LIMIT ?"
        async with self.db.read() as c, c.execute(sql, (today.isoformat(), limit)) as cur:
            rows = await cur.fetchall()
        return [exhibition_from_row(row) for row in rows]

    async def create_many(
        self, drafts: Sequence[ExhibitionDraft], created_by: str, conn: aiosqlite.Connection
    ) -> list[Exhibition]:
        """Create several inside the caller's transaction (an import: all or nothing)."""
        return [await self.create(draft, created_by, conn) for draft in drafts]

    # -- booth requests ---------------------------------------------------------------------

    async def request_booth(
        self, exhibition_id: int, citizen_id: int, conn: aiosqlite.Connection | None = None
    ) -> BoothRequest:
        """Store a booth request; raise DuplicateBoothRequest when one exists."""
        now = self.db.now_text()
        try:
            async with self.db.writing(conn) as c:
                cursor = await c.execute(
                    "INSERT INTO booth_requests (exhibition_id, citizen_id, status, created_at)"
                    " VALUES (?, ?, 'pending', ?)",
                    (exhibition_id, citizen_id, now),
                )
                new_id = cursor.lastrowid
                await cursor.close()
                assert new_id is not None
                found = await self.booth(new_id, c)
        except sqlite3.IntegrityError as error:
            raise DuplicateBoothRequest(f"{exhibition_id}/{citizen_id}") from error
        assert found is not None
        return found

    async def booth(
        self, request_id: int, conn: aiosqlite.Connection | None = None
    ) -> BoothRequest | None:
        """One booth request by id."""
        async with (
            self.db.reading(conn) as c,
            c.execute("SELECT * FROM booth_requests WHERE id = ?", (request_id,)) as cur,
        ):
            row = await cur.fetchone()
        return None if row is None else booth_from_row(row)

    async def booth_for(
        self, exhibition_id: int, citizen_id: int, conn: aiosqlite.Connection | None = None
    ) -> BoothRequest | None:
        """The citizen's request for this exhibition, if any."""
        sql = "SELECT * FROM booth_requests WHERE exhibition_id = ? AND citizen_id = ?"
        async with self.db.reading(conn) as c, c.execute(sql, (exhibition_id, citizen_id)) as cur:
            row = await cur.fetchone()
        return None if row is None else booth_from_row(row)

    async def booths(
        self, status: BoothStatus | None = BoothStatus.PENDING, limit: int = 50
    ) -> list[BoothRequest]:
        """Booth requests (pending by default), oldest first."""
        where, params = ("WHERE status = ?", (status.value, limit)) if status else ("", (limit,))
        sql = f"SELECT * FROM booth_requests {where} ORDER BY id LIMIT ?"
        async with self.db.read() as c, c.execute(sql, params) as cur:
            rows = await cur.fetchall()
        return [booth_from_row(row) for row in rows]

    async def booths_for(
        self, exhibition_id: int, conn: aiosqlite.Connection | None = None
    ) -> list[BoothRequest]:
        """Every booth request of one exhibition, oldest first."""
        sql = "SELECT * FROM booth_requests WHERE exhibition_id = ? ORDER BY id"
        async with self.db.reading(conn) as c, c.execute(sql, (exhibition_id,)) as cur:
            rows = await cur.fetchall()
        return [booth_from_row(row) for row in rows]

    async def count_booths(self, status: BoothStatus = BoothStatus.PENDING) -> int:
        """How many booth requests are in this status."""
        sql = "SELECT COUNT(*) FROM booth_requests WHERE status = ?"
        async with self.db.read() as c, c.execute(sql, (status.value,)) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def decide_booth(
        self,
        request_id: int,
        status: BoothStatus,
        decided_by: str,
        conn: aiosqlite.Connection | None = None,
    ) -> BoothRequest | None:
        """Approve or decline a pending request; None when it was already decided."""
        now = self.db.now_text()
        async with self.db.writing(conn) as c:
            cursor = await c.execute(
                "UPDATE booth_requests SET status = ?, decided_by = ?, decided_at = ?"
                " WHERE id = ? AND status = 'pending'",
                (status.value, decided_by, now, request_id),
            )
            changed = cursor.rowcount == 1
            await cursor.close()
            found = await self.booth(request_id, c) if changed else None
        return found

    async def has_application(
        self, citizen_id: int, conn: aiosqlite.Connection | None = None
    ) -> bool:
        """A submitted (not draft) application or a permit: may ask for a booth."""
        sql = (
            "SELECT 1 FROM applications WHERE citizen_id = ?"
            " AND (status != 'draft' OR permit_number IS NOT NULL) LIMIT 1"
        )
        async with self.db.reading(conn) as c, c.execute(sql, (citizen_id,)) as cur:
            return await cur.fetchone() is not None

    async def citizen_county(
        self, citizen_id: int, conn: aiosqlite.Connection | None = None
    ) -> str | None:
        """The citizen's county: first subscribed county, else the latest application's."""
        async with self.db.reading(conn) as c:
            sql = "SELECT county FROM subscription_counties WHERE citizen_id = ? LIMIT 1"
            async with c.execute(sql, (citizen_id,)) as cur:
                row = await cur.fetchone()
            if row is not None:
                return str(row[0])
            sql = (
                "SELECT county FROM applications WHERE citizen_id = ? AND county IS NOT NULL"
                " ORDER BY updated_at DESC, id DESC LIMIT 1"
            )
            async with c.execute(sql, (citizen_id,)) as cur:
                row = await cur.fetchone()
        return None if row is None else str(row[0])
