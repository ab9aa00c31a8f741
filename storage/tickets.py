"""Tickets and their messages; every method accepts ``conn=`` to join a transaction.

Message texts are the citizen's and officers' own words: stored here, never logged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import aiosqlite

from domain.tickets import (
    Attachment,
    AttachmentKind,
    Author,
    Ticket,
    TicketMessage,
    TicketSource,
    TicketStatus,
)
from storage.db import Database, from_db_time, opt_db_time, to_db_time

_TICKET_COLUMNS = (
    "id, citizen_id, chat_id, citizen_name, status, source, assignee, opened_at, waiting_since,"
    " waiting_message_id, first_reply_at, last_activity_at, closed_at, rating, rated_at,"
    " assignee_platform"
)
_MESSAGE_COLUMNS = (
    "id, ticket_id, author, officer_id, officer_name, internal, text, file_kind, file_id,"
    " stored_name, sha256, mime_type, size_bytes, canned_code, created_at, file_platform"
)
# The columns a service may change after the ticket is opened.
_SETTABLE = frozenset(
    {
        "status",
        "assignee",
        "assignee_platform",
        "waiting_since",
        "waiting_message_id",
        "first_reply_at",
        "last_activity_at",
        "closed_at",
        "rating",
        "rated_at",
    }
)


def ticket_from_row(row: sqlite3.Row) -> Ticket:
    """Build a Ticket from a tickets row."""
    return Ticket(
        id=row["id"],
        citizen_id=row["citizen_id"],
        chat_id=row["chat_id"],
        citizen_name=row["citizen_name"],
        status=TicketStatus(row["status"]),
        source=TicketSource(row["source"]),
        assignee=row["assignee"],
        assignee_platform=row["assignee_platform"],
        opened_at=from_db_time(row["opened_at"]),
        waiting_since=opt_db_time(row["waiting_since"]),
        waiting_message_id=row["waiting_message_id"],
        first_reply_at=opt_db_time(row["first_reply_at"]),
        last_activity_at=from_db_time(row["last_activity_at"]),
        closed_at=opt_db_time(row["closed_at"]),
        rating=row["rating"],
        rated_at=opt_db_time(row["rated_at"]),
    )


def message_from_row(row: sqlite3.Row) -> TicketMessage:
    """Build a TicketMessage from a ticket_messages row."""
    attachment = None
    if row["file_kind"] is not None:
        attachment = Attachment(
            kind=AttachmentKind(row["file_kind"]),
            file_id=row["file_id"],
            platform=row["file_platform"],
            stored_name=row["stored_name"],
            sha256=row["sha256"],
            mime_type=row["mime_type"],
            size_bytes=row["size_bytes"],
        )
    return TicketMessage(
        id=row["id"],
        ticket_id=row["ticket_id"],
        author=Author(row["author"]),
        officer_id=row["officer_id"],
        officer_name=row["officer_name"],
        internal=bool(row["internal"]),
        text=row["text"],
        attachment=attachment,
        canned_code=row["canned_code"],
        created_at=from_db_time(row["created_at"]),
    )


def _db_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_db_time(value)
    if isinstance(value, TicketStatus):
        return value.value
    return value


class TicketRepository:
    """Reads and writes tickets, their messages and their linked applications."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def open(
        self,
        citizen_id: int,
        chat_id: int,
        *,
        citizen_name: str | None,
        source: TicketSource,
        conn: aiosqlite.Connection | None = None,
    ) -> Ticket:
        """A new open ticket (the caller made sure the citizen has no other open one)."""
        now = self.db.now_text()
        async with self.db.writing(conn) as c:
            cursor = await c.execute(
                "INSERT INTO tickets (citizen_id, chat_id, citizen_name, status, source,"
                " opened_at, last_activity_at) VALUES (?, ?, ?, 'open', ?, ?, ?)",
                (citizen_id, chat_id, citizen_name, source.value, now, now),
            )
            ticket_id = cursor.lastrowid
            await cursor.close()
            assert ticket_id is not None
            found = await self._one(c, "id = ?", (ticket_id,))
        assert found is not None
        return found

    async def get(self, ticket_id: int, conn: aiosqlite.Connection | None = None) -> Ticket | None:
        """One ticket, if any."""
        async with self.db.reading(conn) as c:
            return await self._one(c, "id = ?", (ticket_id,))

    async def open_for_citizen(
        self, citizen_id: int, conn: aiosqlite.Connection | None = None
    ) -> Ticket | None:
        """The citizen's open ticket, if any (there is at most one)."""
        async with self.db.reading(conn) as c:
            return await self._one(c, "citizen_id = ? AND status = 'open'", (citizen_id,))

    async def latest_for_citizen(
        self, citizen_id: int, conn: aiosqlite.Connection | None = None
    ) -> Ticket | None:
        """The citizen's newest ticket, open or closed."""
        async with self.db.reading(conn) as c:
            found = await self._many(c, "citizen_id = ? ORDER BY id DESC LIMIT 1", (citizen_id,))
        return found[0] if found else None

    async def update(
        self, ticket_id: int, conn: aiosqlite.Connection | None = None, **fields: Any
    ) -> Ticket:
        """Change some columns of a ticket; return it as it is now."""
        unknown = set(fields) - _SETTABLE
        if unknown:
            raise ValueError(f"not settable: {sorted(unknown)}")
        assignments = ", ".join(f"{name} = ?" for name in fields)
        values = [_db_value(value) for value in fields.values()]
        async with self.db.writing(conn) as c:
            if fields:
                await c.execute(
                    f"UPDATE tickets SET {assignments} WHERE id = ?", (*values, ticket_id)
                )
            found = await self._one(c, "id = ?", (ticket_id,))
        if found is None:
            raise LookupError(f"no ticket {ticket_id}")
        return found

    async def add_message(
        self, message: TicketMessage, conn: aiosqlite.Connection | None = None
    ) -> TicketMessage:
        """Store a message; return it with its id and time."""
        file = message.attachment
        now = self.db.now_text()
        async with self.db.writing(conn) as c:
            cursor = await c.execute(
                "INSERT INTO ticket_messages (ticket_id, author, officer_id, officer_name,"
                " internal, text, file_kind, file_id, stored_name, sha256, mime_type,"
                " size_bytes, canned_code, created_at, file_platform)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    message.ticket_id,
                    message.author.value,
                    message.officer_id,
                    message.officer_name,
                    int(message.internal),
                    message.text,
                    None if file is None else file.kind.value,
                    None if file is None else file.file_id,
                    None if file is None else file.stored_name,
                    None if file is None else file.sha256,
                    None if file is None else file.mime_type,
                    None if file is None else file.size_bytes,
                    message.canned_code,
                    now,
                    None if file is None else file.platform,
                ),
            )
            message_id = cursor.lastrowid
            await cursor.close()
        return message.model_copy(update={"id": message_id, "created_at": from_db_time(now)})

    async def messages(
        self,
        ticket_id: int,
        *,
        with_notes: bool,
        conn: aiosqlite.Connection | None = None,
    ) -> list[TicketMessage]:
        """A ticket's messages, oldest first; internal notes only ``with_notes`` (officers)."""
        where = "ticket_id = ?" + ("" if with_notes else " AND internal = 0")
        sql = f"SELECT {_MESSAGE_COLUMNS} FROM ticket_messages WHERE {where} ORDER BY id"
        async with self.db.reading(conn) as c, c.execute(sql, (ticket_id,)) as cur:
            rows = await cur.fetchall()
        return [message_from_row(row) for row in rows]

    async def link_applications(
        self,
        ticket_id: int,
        application_ids: Iterable[int],
        conn: aiosqlite.Connection | None = None,
    ) -> None:
        """Link applications to a ticket (once each)."""
        async with self.db.writing(conn) as c:
            await c.executemany(
                "INSERT OR IGNORE INTO ticket_applications (ticket_id, application_id)"
                " VALUES (?, ?)",
                [(ticket_id, app_id) for app_id in application_ids],
            )

    async def application_ids(
        self, ticket_id: int, conn: aiosqlite.Connection | None = None
    ) -> list[int]:
        """The applications linked to a ticket, oldest first."""
        sql = (
            "SELECT application_id FROM ticket_applications WHERE ticket_id = ?"
            " ORDER BY application_id"
        )
        async with self.db.reading(conn) as c, c.execute(sql, (ticket_id,)) as cur:
            return [int(row[0]) for row in await cur.fetchall()]

    async def list_open(self, conn: aiosqlite.Connection | None = None) -> list[Ticket]:
        """Every open ticket: the longest-waiting first, then the answered ones, oldest first."""
        where = (
            "status = 'open' ORDER BY waiting_since IS NULL, waiting_since, last_activity_at, id"
        )
        async with self.db.reading(conn) as c:
            return await self._many(c, where, ())

    async def list_closed(
        self, limit: int = 20, conn: aiosqlite.Connection | None = None
    ) -> list[Ticket]:
        """The most recently closed tickets."""
        async with self.db.reading(conn) as c:
            return await self._many(
                c, "status = 'closed' ORDER BY closed_at DESC, id DESC LIMIT ?", (limit,)
            )

    async def waiting(self, conn: aiosqlite.Connection | None = None) -> list[Ticket]:
        """Open tickets whose citizen waits for an officer (service levels' input)."""
        async with self.db.reading(conn) as c:
            return await self._many(
                c, "status = 'open' AND waiting_message_id IS NOT NULL ORDER BY id", ()
            )

    async def opened_between(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[Ticket]:
        """Tickets opened in [since, until) (either bound may be open)."""
        clauses, params = ["1 = 1"], []
        if since is not None:
            clauses.append("opened_at >= ?")
            params.append(to_db_time(since))
        if until is not None:
            clauses.append("opened_at < ?")
            params.append(to_db_time(until))
        async with self.db.read() as c:
            return await self._many(c, " AND ".join(clauses) + " ORDER BY id", tuple(params))

    async def _one(
        self, c: aiosqlite.Connection, where: str, params: tuple[object, ...]
    ) -> Ticket | None:
        sql = f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE {where}"
        async with c.execute(sql, params) as cur:
            row = await cur.fetchone()
        return None if row is None else ticket_from_row(row)

    async def _many(
        self, c: aiosqlite.Connection, where: str, params: tuple[object, ...]
    ) -> list[Ticket]:
        async with c.execute(f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE {where}", params) as cur:
            rows = await cur.fetchall()
        return [ticket_from_row(row) for row in rows]
