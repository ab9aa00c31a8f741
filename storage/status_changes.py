"""Moving an application through its life cycle: status, timeline, audit and notification in one go.

Everything a change writes (the application row, the status event, the audit entry, the
documents to correct, the citizen's outbox row and, given ``reminders``, the reminders the new
status calls for) commits in ONE transaction, so a notification or reminder exists exactly
when its change does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Protocol

import aiosqlite

from domain import lifecycle
from domain.lifecycle import ActorKind, EventKind, LifecycleError
from domain.models import Application, StatusEvent
from domain.notifications import OutboxKind, OutboxMessage, QuietHours
from domain.statuses import ApplicationStatus, DocumentStatus
from storage.applications import ApplicationRepository
from storage.audit import AuditLog
from storage.db import Database
from storage.documents import DocumentRepository
from storage.events import StatusEventRepository
from storage.outbox import OutboxRepository

Renderer = Callable[[StatusEvent, Application], str]
"""Render the citizen's Persian notification for an event (after the change is applied)."""

_AUDITED = frozenset({ActorKind.OFFICER, ActorKind.IMPORT, ActorKind.SYSTEM})
_SNAPSHOT_FIELDS = ("status", "bank", "bank_branch", "paid_rials", "paid_on", "permit_number")


class ReminderSync(Protocol):
    """Keeps an application's reminders in step with its status (``bot.workers.reminders``)."""

    async def sync_application(
        self, application_id: int, *, conn: aiosqlite.Connection | None = None
    ) -> int:
        """Cancel the reminders the state no longer calls for, add the missing ones."""
        ...


class ApplicationNotFound(LifecycleError):
    """No application has this id."""


def dedupe_key(event: StatusEvent) -> str:
    """The outbox key of an event's notification: one notification per event, ever."""
    return f"status_event:{event.id}"


def _database(store_or_db: object) -> Database:
    db = store_or_db if isinstance(store_or_db, Database) else getattr(store_or_db, "db", None)
    if not isinstance(db, Database):
        raise TypeError("expected a Database or a store with a .db attribute")
    return db


def _snapshot(app: Application) -> dict[str, Any]:
    return app.model_dump(mode="json", include=set(_SNAPSHOT_FIELDS))


def _field_updates(to_status: ApplicationStatus, details: dict[str, Any]) -> dict[str, Any]:
    """The application columns a move sets from its (validated) details."""
    if to_status is ApplicationStatus.INTRODUCED_TO_BANK:
        return {"bank": details["bank"], "bank_branch": details["branch"]}
    if to_status is ApplicationStatus.PAID:
        return {
            "paid_rials": details["amount_rials"],
            "paid_on": date.fromisoformat(details["paid_on"]),
        }
    return {}


async def change_status(
    store_or_db: object,
    application_id: int,
    to_status: ApplicationStatus,
    actor: str,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    *,
    render: Renderer | None = None,
    notify_text: str | None = None,
    reply_markup: dict[str, Any] | None = None,
    urgent: bool = False,
    quiet_hours: QuietHours | None = None,
    reminders: ReminderSync | None = None,
    conn: aiosqlite.Connection | None = None,
) -> StatusEvent:
    """Check and apply one move; write its event, audit entry and notification atomically.

    The citizen is notified with ``notify_text`` or, if not given, ``render(event, app)``.
    A move by an officer, the import or the system must notify (ValueError otherwise); a
    citizen's own move (submit, resubmit) notifies only when a text or renderer is given.
    Pass ``conn`` to join a larger transaction (e.g. a whole bank-report import), and
    ``reminders`` (``services.reminders``) to create the move's reminders (a correction, a bank
    visit) and cancel stale ones in the same transaction; without it the periodic
    reconciliation creates them later.
    Raises TransitionNotAllowed, ReasonRequired, InvalidDetails or ApplicationNotFound.
    """
    to_status = ApplicationStatus(to_status)
    kind = lifecycle.actor_kind(actor)
    if kind in _AUDITED and render is None and notify_text is None:
        raise ValueError("a status change by an officer must notify the citizen: pass render")
    db = _database(store_or_db)
    apps = ApplicationRepository(db)
    async with db.writing(conn) as c:
        before = await apps.get(application_id, conn=c)
        if before is None:
            raise ApplicationNotFound(f"no application {application_id}")
        clean = lifecycle.validate_change(before.status, to_status, kind, reason, details)
        fields = _field_updates(to_status, clean)
        if to_status is ApplicationStatus.SUBMITTED and before.submitted_at is None:
            fields["submitted_at"] = db.now()
        if fields:
            await apps.update_fields(application_id, conn=c, **fields)
        after = await apps.set_status(application_id, to_status, conn=c)
        event = await StatusEventRepository(db).add(
            StatusEvent(
                application_id=application_id,
                from_status=before.status,
                to_status=to_status,
                actor=actor,
                reason=reason,
                details=clean,
            ),
            conn=c,
        )
        if to_status is ApplicationStatus.NEEDS_CORRECTION:
            await _mark_documents(db, application_id, clean["documents"], reason, c)
        if kind in _AUDITED:
            await AuditLog(db).record(
                actor,
                "status_change",
                f"application:{application_id}",
                before=_snapshot(before),
                after={**_snapshot(after), "reason": reason, "details": clean},
                conn=c,
            )
        text = notify_text if notify_text is not None else render(event, after) if render else None
        if text is not None:
            await _notify(
                db,
                c,
                event,
                after,
                text,
                OutboxKind.STATUS_CHANGE,
                reply_markup,
                urgent,
                quiet_hours,
            )
        if reminders is not None:
            await reminders.sync_application(application_id, conn=c)
    return event


async def record_permit(
    store_or_db: object,
    application_id: int,
    permit_number: str,
    actor: str,
    *,
    render: Renderer | None = None,
    notify_text: str | None = None,
    reply_markup: dict[str, Any] | None = None,
    quiet_hours: QuietHours | None = None,
    conn: aiosqlite.Connection | None = None,
) -> StatusEvent:
    """Record the permit number beside the status: a ``permit_issued`` event, audited, notified.

    The event keeps the status (from_status == to_status) and carries
    ``details = {"event": "permit_issued", "permit_number": ...}``.
    """
    kind = lifecycle.actor_kind(actor)
    if kind is not ActorKind.OFFICER:
        raise LifecycleError("only an officer records a permit")
    if render is None and notify_text is None:
        raise ValueError("recording a permit must notify the citizen: pass render")
    clean = lifecycle.validate_permit({"permit_number": permit_number})
    db = _database(store_or_db)
    apps = ApplicationRepository(db)
    async with db.writing(conn) as c:
        before = await apps.get(application_id, conn=c)
        if before is None:
            raise ApplicationNotFound(f"no application {application_id}")
        if before.status in (ApplicationStatus.DRAFT, ApplicationStatus.REJECTED):
            raise LifecycleError(f"no permit for a {before.status} application")
        after = await apps.update_fields(
            application_id, conn=c, permit_number=clean["permit_number"]
        )
        event = await StatusEventRepository(db).add(
            StatusEvent(
                application_id=application_id,
                from_status=before.status,
                to_status=before.status,
                actor=actor,
                details={"event": EventKind.PERMIT_ISSUED.value, **clean},
            ),
            conn=c,
        )
        await AuditLog(db).record(
            actor,
            EventKind.PERMIT_ISSUED.value,
            f"application:{application_id}",
            before=_snapshot(before),
            after=_snapshot(after),
            conn=c,
        )
        text = notify_text if notify_text is not None else render(event, after) if render else None
        assert text is not None
        await _notify(
            db, c, event, after, text, OutboxKind.PERMIT_ISSUED, reply_markup, False, quiet_hours
        )
    return event


async def _mark_documents(
    db: Database,
    application_id: int,
    kinds: list[str],
    reason: str | None,
    c: aiosqlite.Connection,
) -> None:
    """Flag the latest upload of each requested kind as needing correction."""
    docs = DocumentRepository(db)
    latest = (await docs.list_for_application(application_id, conn=c)).latest
    for code in kinds:
        doc = latest.get(code)
        if doc is not None and doc.id is not None:
            await docs.set_status(doc.id, DocumentStatus.NEEDS_CORRECTION, reason, conn=c)


async def _notify(
    db: Database,
    c: aiosqlite.Connection,
    event: StatusEvent,
    app: Application,
    text: str,
    kind: OutboxKind,
    reply_markup: dict[str, Any] | None,
    urgent: bool,
    quiet_hours: QuietHours | None,
) -> None:
    async with c.execute("SELECT chat_id FROM citizens WHERE id = ?", (app.citizen_id,)) as cur:
        row = await cur.fetchone()
    if row is None:  # pragma: no cover - foreign key guarantees the citizen
        raise LookupError(f"no citizen {app.citizen_id}")
    await OutboxRepository(db, quiet_hours).enqueue(
        OutboxMessage(
            chat_id=row["chat_id"],
            citizen_id=app.citizen_id,
            kind=kind.value,
            text=text,
            reply_markup=reply_markup,
            urgent=urgent,
            dedupe_key=dedupe_key(event),
        ),
        conn=c,
    )
