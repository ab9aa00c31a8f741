"""Documents: uploaded files per application and kind, with their replacement history."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

import aiosqlite

from domain.models import Document
from domain.statuses import DocumentStatus
from storage.db import Database, from_db_time, to_db_time


def document_from_row(row: sqlite3.Row) -> Document:
    """Build a Document from a documents row."""
    return Document(
        id=row["id"],
        application_id=row["application_id"],
        kind=row["kind"],
        status=DocumentStatus(row["status"]),
        stored_name=row["stored_name"],
        sha256=row["sha256"],
        mime_type=row["mime_type"],
        size_bytes=row["size_bytes"],
        platform_file_id=row["platform_file_id"],
        reason=row["reason"],
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
    )


@dataclass(frozen=True)
class ApplicationDocuments:
    """An application's documents: the latest per kind and every upload, oldest first."""

    latest: dict[str, Document] = field(default_factory=dict)
    history: list[Document] = field(default_factory=list)


class DocumentRepository:
    """Reads and writes documents."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, document: Document, conn: aiosqlite.Connection | None = None) -> Document:
        """Store a new upload; return it with id and times set."""
        created = document.created_at or self.db.now()
        async with self.db.writing(conn) as c:
            cursor = await c.execute(
                "INSERT INTO documents (application_id, kind, status, stored_name, sha256,"
                " mime_type, size_bytes, platform_file_id, reason, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    document.application_id,
                    document.kind,
                    str(document.status),
                    document.stored_name,
                    document.sha256,
                    document.mime_type,
                    document.size_bytes,
                    document.platform_file_id,
                    document.reason,
                    to_db_time(created),
                    to_db_time(document.updated_at or created),
                ),
            )
            doc_id = cursor.lastrowid
            assert doc_id is not None
            found = await self._one(c, doc_id)
        assert found is not None
        return found

    async def get(
        self, document_id: int, conn: aiosqlite.Connection | None = None
    ) -> Document | None:
        """Return the document with this id, if any."""
        async with self.db.reading(conn) as c:
            return await self._one(c, document_id)

    async def list_for_application(
        self, application_id: int, conn: aiosqlite.Connection | None = None
    ) -> ApplicationDocuments:
        """Return the latest upload per kind and the full history."""
        async with (
            self.db.reading(conn) as c,
            c.execute(
                "SELECT * FROM documents WHERE application_id = ? ORDER BY id", (application_id,)
            ) as cur,
        ):
            rows = await cur.fetchall()
        history = [document_from_row(row) for row in rows]
        # The newest upload not replaced; if every upload was replaced, the newest one.
        latest: dict[str, Document] = {}
        for doc in history:
            if doc.status is not DocumentStatus.REPLACED:
                latest[doc.kind] = doc
        for doc in reversed(history):
            latest.setdefault(doc.kind, doc)
        return ApplicationDocuments(latest=latest, history=history)

    async def mark_replaced(
        self, document_id: int, conn: aiosqlite.Connection | None = None
    ) -> Document:
        """Mark an upload as replaced by a newer one of its kind."""
        return await self.set_status(document_id, DocumentStatus.REPLACED, conn=conn)

    async def replace(
        self, old_document_id: int, new: Document, conn: aiosqlite.Connection | None = None
    ) -> Document:
        """Mark the old upload replaced and store the new one, in one transaction."""
        async with self.db.writing(conn) as c:
            await self.mark_replaced(old_document_id, conn=c)
            return await self.add(new, conn=c)

    async def set_status(
        self,
        document_id: int,
        status: DocumentStatus,
        reason: str | None = None,
        conn: aiosqlite.Connection | None = None,
    ) -> Document:
        """Set a document's status and the reason (e.g. what to correct); return it."""
        async with self.db.writing(conn) as c:
            await c.execute(
                "UPDATE documents SET status = ?, reason = ?, updated_at = ? WHERE id = ?",
                (str(status), reason, self.db.now_text(), document_id),
            )
            found = await self._one(c, document_id)
        if found is None:
            raise LookupError(f"no document {document_id}")
        return found

    async def _one(self, c: aiosqlite.Connection, document_id: int) -> Document | None:
        async with c.execute("SELECT * FROM documents WHERE id = ?", (document_id,)) as cur:
            row = await cur.fetchone()
        return None if row is None else document_from_row(row)
