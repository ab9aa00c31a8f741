"""Documents: a citizen's upload (new or a replacement) and an officer's acceptance.

There is ONE replacement path, ``upload``, for a draft's documents step and for the documents
an officer asked to correct:
- an upload an officer has accepted is never replaced (DocumentAccepted, nothing stored);
- a draft takes any document; a filed application only the documents a correction request
  still waits for (NotRequested otherwise), and each replacement is audited;
- the last requested document moves the application back to review (the citizen's move)
  and tells the officers, in the same transaction.
The file itself is checked and written (fsynced) by the caller before ``upload``: a crash in
between leaves at most an orphan file.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite

from domain.accounts import Account, officer_account
from domain.models import Application, Document, StatusEvent
from domain.notifications import OutboxKind, OutboxMessage
from domain.statuses import CLOSED_STATUSES, ApplicationStatus, DocumentStatus
from services import officers
from services.actors import Actor
from services.errors import NotAllowed
from services.officers import require_officer
from storage import Store, status_changes
from storage.files import FILES_FOLDER, StoredFile
from storage.status_changes import ReminderSync

LOGGER = logging.getLogger(__name__)

# Documents an officer may still accept: the ones not accepted (and not superseded).
ACCEPTABLE = frozenset({DocumentStatus.RECEIVED, DocumentStatus.NEEDS_CORRECTION})


class DocumentAccepted(Exception):
    """An officer has accepted the current upload of this kind: it can no longer be replaced."""


class NotRequested(Exception):
    """Nothing is asked of this document now (the application is filed and no correction
    request waits for it)."""


@dataclass(frozen=True)
class FileRef:
    """A checked file already written under DATA_DIR/files."""

    stored_name: str
    sha256: str
    mime_type: str
    size_bytes: int
    platform_file_id: str | None = None

    @classmethod
    def of(cls, stored: StoredFile, platform_file_id: str | None) -> FileRef:
        """The reference of a file ``storage.files.store_file`` wrote."""
        return cls(
            stored_name=stored.stored_name,
            sha256=stored.sha256,
            mime_type=stored.mime_type,
            size_bytes=stored.size_bytes,
            platform_file_id=platform_file_id,
        )


@dataclass(frozen=True)
class Corrections:
    """What the last correction request still waits for: code → the officer's reason, and
    the requested documents an officer has accepted since (nothing more to send for them)."""

    pending: dict[str, str] = field(default_factory=dict)
    accepted: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class OfficerAlert:
    """«Corrected documents arrived»: to each officer told with ``reply_markup`` (the card's
    button), and to the officers' chat (a group, when set) without it."""

    text: str
    reply_markup: dict[str, Any] | None = None
    officers_chat_id: int | None = None


@dataclass(frozen=True)
class Upload:
    """What an upload stored: the document, the application after it, what is still to send
    for the correction request, and the move back to review when it was the last one."""

    document: Document
    application: Application
    remaining: list[str]
    back_to_review: StatusEvent | None = None


def accepting_open(app: Application) -> bool:
    """Officers review documents of filed applications that are still open."""
    return app.status is not ApplicationStatus.DRAFT and app.status not in CLOSED_STATUSES


def corrections_of(
    app: Application, timeline: list[StatusEvent], latest: Mapping[str, Document]
) -> Corrections:
    """The open correction request of an application, from its timeline and documents.

    A requested document is pending until an upload newer than the request arrives; one an
    officer accepted since is no longer pending.
    """
    if app.status is not ApplicationStatus.NEEDS_CORRECTION:
        return Corrections()
    request = next(
        (e for e in reversed(timeline) if e.to_status is ApplicationStatus.NEEDS_CORRECTION), None
    )
    if request is None or request.created_at is None:
        return Corrections()
    pending: dict[str, str] = {}
    accepted: set[str] = set()
    for code in request.details.get("documents", []):
        doc = latest.get(code)
        if doc is not None and doc.created_at is not None and doc.created_at > request.created_at:
            continue
        if doc is not None and doc.status is DocumentStatus.ACCEPTED:
            accepted.add(code)
            continue
        pending[code] = (doc.reason if doc is not None else None) or request.reason or ""
    return Corrections(pending, accepted)


async def _owned(store: Store, actor: Actor, application_id: int) -> Application:
    """The application, if it is this citizen's; NotAllowed otherwise (missing ones too)."""
    app = None
    if actor.kind == "citizen":
        app = await store.applications.get(application_id)
    if app is None or str(app.citizen_id) != str(actor.id):
        raise NotAllowed(f"{actor} does not own application {application_id}")
    return app


async def latest_own(store: Store, actor: Actor, application_id: int) -> dict[str, Document]:
    """The latest upload of each kind of the citizen's own application."""
    async with store.db.read():
        await _owned(store, actor, application_id)
        return (await store.documents.list_for_application(application_id)).latest


async def upload(
    store: Store,
    actor: Actor,
    application_id: int,
    kind: str,
    file: FileRef,
    *,
    answers: dict[str, Any] | None = None,
    step: str | None = None,
    alert: OfficerAlert | None = None,
    reminders: ReminderSync | None = None,
) -> Upload:
    """Store a citizen's checked file as the document of this kind, replacing the previous one.

    A draft also stores ``answers`` and ``step`` (its form) in the same transaction. For a
    correction, the last requested document moves the application back to review and
    ``alert`` goes to the officer who asked (every officer if that one has left).
    Raises NotAllowed (not the owner), DocumentAccepted or NotRequested; nothing is written then.
    """
    async with store.db.transaction() as conn:
        app = await _owned(store, actor, application_id)
        documents = await store.documents.list_for_application(application_id, conn=conn)
        old = documents.latest.get(kind)
        if old is not None and old.status is DocumentStatus.ACCEPTED:
            raise DocumentAccepted(kind)  # accepted (perhaps while the file was downloading)
        remaining: list[str] = []
        correcting = app.status is not ApplicationStatus.DRAFT
        if correcting:
            timeline = await store.status_events.timeline(application_id, conn=conn)
            pending = corrections_of(app, timeline, documents.latest).pending
            if kind not in pending:
                raise NotRequested(kind)
            remaining = [code for code in pending if code != kind]
        new = Document(
            application_id=application_id,
            kind=kind,
            stored_name=file.stored_name,
            sha256=file.sha256,
            mime_type=file.mime_type,
            size_bytes=file.size_bytes,
            platform_file_id=file.platform_file_id,
        )
        if old is not None and old.id is not None and old.status is not DocumentStatus.REPLACED:
            stored = await store.documents.replace(old.id, new, conn=conn)
        else:
            stored = await store.documents.add(new, conn=conn)
        if not correcting:
            if answers is not None:
                fields: dict[str, Any] = {"answers": answers, "step": step}
                app = await store.applications.update_fields(application_id, conn=conn, **fields)
            return Upload(stored, app, remaining)
        await store.audit.record(
            str(actor),
            "document_replaced",
            f"application:{application_id}",
            after={"kind": kind},
            conn=conn,
        )
        LOGGER.info("Application %s: document %s replaced by its citizen", application_id, kind)
        if remaining:
            return Upload(stored, app, remaining)
        event = await _back_to_review(store, actor, app, alert, reminders, conn)
        after = await store.applications.get(application_id, conn=conn)
        assert after is not None
        return Upload(stored, after, remaining, event)


async def _back_to_review(
    store: Store,
    actor: Actor,
    app: Application,
    alert: OfficerAlert | None,
    reminders: ReminderSync | None,
    conn: aiosqlite.Connection,
) -> StatusEvent:
    """Every requested document is in: back to review, and the officers are told."""
    officers = await _officers_to_tell(store, app.id, conn)
    event = await status_changes.change_status(
        store,
        app.id,
        ApplicationStatus.UNDER_REVIEW,
        str(actor),
        reminders=reminders,
        conn=conn,
    )
    if alert is not None:
        chats: list[tuple[int, str | None, dict[str, Any] | None]] = [
            (officer.user_id, officer.platform, alert.reply_markup) for officer in officers
        ]
        if alert.officers_chat_id is not None:  # on the first bot's platform
            chats.append((alert.officers_chat_id, None, None))
        for chat_id, platform, markup in chats:
            # A private chat's id is the user's id; the officer's own platform delivers it.
            await store.outbox.enqueue(
                OutboxMessage(
                    chat_id=chat_id,
                    platform=platform,
                    kind=OutboxKind.OFFICER_ALERT.value,
                    text=alert.text,
                    reply_markup=markup,
                    dedupe_key=f"resubmitted:{event.id}:{chat_id}",
                ),
                conn=conn,
            )
    return event


async def _officers_to_tell(
    store: Store, application_id: int, conn: aiosqlite.Connection
) -> list[Account]:
    """The officer who asked for the correction, while still an officer; otherwise every
    officer (OFFICER_IDS included)."""
    timeline = await store.status_events.timeline(application_id, conn=conn)
    asked = next(
        (e for e in reversed(timeline) if e.to_status is ApplicationStatus.NEEDS_CORRECTION), None
    )
    default = store.officers.default_platform
    asker = officer_account(asked.actor, default) if asked is not None else None
    if asker is not None and await officers.is_officer(store, asker):
        return [asker]
    return await officers.officer_accounts(store)


async def read_stored(data_dir: Path, doc: Document) -> bytes:
    """The bytes of a stored upload (under DATA_DIR/files); OSError if it is gone."""
    return await asyncio.to_thread((data_dir / FILES_FOLDER / doc.stored_name).read_bytes)


async def acceptable(store: Store, actor: Actor, application_id: int) -> list[Document]:
    """The latest documents an officer may still accept (none for drafts or closed files)."""
    await require_officer(store, actor)
    async with store.db.read():
        app = await store.applications.get(application_id)
        if app is None or not accepting_open(app):
            return []
        latest = (await store.documents.list_for_application(application_id)).latest
    return [doc for doc in latest.values() if doc.status in ACCEPTABLE]


async def accept(
    store: Store, actor: Actor, application_id: int, document_ids: Iterable[int]
) -> list[Document]:
    """An officer accepts these documents: each one's status and audit row, one transaction.

    Nothing is accepted for a draft or a closed application. Ids of another application's
    documents, of superseded uploads or of documents already accepted are skipped; the
    accepted documents are returned. An accepted document can no longer be replaced.
    """
    accepted: list[Document] = []
    async with store.db.transaction() as conn:
        await require_officer(store, actor)
        app = await store.applications.get(application_id, conn=conn)
        if app is None or not accepting_open(app):
            return []
        latest = (await store.documents.list_for_application(application_id, conn=conn)).latest
        current = {doc.id: doc for doc in latest.values()}
        for doc_id in dict.fromkeys(document_ids):
            doc = current.get(doc_id)
            if doc is None or doc.status not in ACCEPTABLE:
                continue
            after = await store.documents.set_status(doc_id, DocumentStatus.ACCEPTED, conn=conn)
            await store.audit.record(
                str(actor),
                "document_accept",
                f"application:{application_id}",
                before={"document": doc_id, "kind": doc.kind, "status": doc.status.value},
                after={"document": doc_id, "kind": doc.kind, "status": after.status.value},
                conn=conn,
            )
            accepted.append(after)
    return accepted


async def officer_document(store: Store, actor: Actor, document_id: int) -> Document | None:
    """One stored upload by its id, for an officer (the web desk shows it); None if none."""
    await require_officer(store, actor)
    return await store.documents.get(document_id)
