"""Moving an application through its life cycle: status, timeline, audit and notification in one go.

Everything a change writes (the application row, the status event, the audit entry, the
documents to correct, the citizen's outbox row and, given ``reminders``, the reminders the new
status calls for) commits in ONE transaction, so a notification or reminder exists exactly
when its change does.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import aiosqlite

from domain import lifecycle
from domain.lifecycle import ActorKind, EventKind, LifecycleError
from domain.models import Application, StatusEvent
from domain.notifications import OutboxKind, OutboxMessage, QuietHours
from domain.statuses import ApplicationStatus, DocumentStatus
from storage.applications import ApplicationRepository
from storage.audit import AuditLog
from storage.db import Database, from_db_time, opt_db_date, to_db_time
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


def snapshot(app: Application) -> dict[str, Any]:
    """What the audit log keeps of an application before and after a change."""
    return _snapshot(app)


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


# --- many changes at once -----------------------------------------------------------------


@dataclass(frozen=True)
class PlannedChange:
    """One move of many applied together; ``before`` is the application as it stands now."""

    before: Application
    to_status: ApplicationStatus
    details: dict[str, Any] | None = None
    reason: str | None = None


@dataclass(frozen=True)
class PreparedChange:
    """A planned change worked out in full (checked, rendered, serialised), ready to write.

    Everything but the new rows' ids is computed here, outside any transaction, so that
    writing a batch holds the write lock only for its statements.
    """

    before: Application
    after: Application
    event: StatusEvent  # its id is given when written
    columns: tuple[str, ...]  # the application columns the move sets, besides status and time
    values: tuple[object, ...]
    audit: tuple[str, str, str | None, str | None, str | None] | None  # actor … after_json
    text: str | None


@dataclass(frozen=True)
class AppliedChange:
    """What one planned change wrote, and the citizen's notification text (not yet enqueued)."""

    event: StatusEvent
    after: Application
    audit_id: int | None
    text: str | None


def prepare_changes(
    db: Database,
    changes: Sequence[PlannedChange],
    actor: str,
    *,
    render: Renderer | None = None,
) -> list[PreparedChange]:
    """Check each move (as change_status does) and work out every row it will write."""
    kind = lifecycle.actor_kind(actor)
    if kind in _AUDITED and render is None:
        raise ValueError("a status change by an officer must notify the citizen: pass render")
    now = db.now()
    prepared: list[PreparedChange] = []
    for change in changes:
        to_status = ApplicationStatus(change.to_status)
        if to_status is ApplicationStatus.NEEDS_CORRECTION:
            raise ValueError("a correction request marks documents: use change_status")
        before = change.before
        clean = lifecycle.validate_change(
            before.status, to_status, kind, change.reason, change.details
        )
        fields = _field_updates(to_status, clean)
        if to_status is ApplicationStatus.SUBMITTED and before.submitted_at is None:
            fields["submitted_at"] = now
        after = before.model_copy(update={**fields, "status": to_status, "updated_at": now})
        event = StatusEvent(
            application_id=before.id,
            from_status=before.status,
            to_status=to_status,
            actor=actor,
            reason=change.reason,
            details=clean,
            created_at=now,
        )
        audit = None
        if kind in _AUDITED:
            audit = (
                actor,
                "status_change",
                f"application:{before.id}",
                _json(_snapshot(before)),
                _json({**_snapshot(after), "reason": change.reason, "details": clean}),
            )
        columns = tuple(sorted(fields))
        prepared.append(
            PreparedChange(
                before=before,
                after=after,
                event=event,
                columns=columns,
                values=tuple(_stored(fields[name]) for name in columns),
                audit=audit,
                text=render(event, after) if render is not None else None,
            )
        )
    return prepared


async def write_changes(
    c: aiosqlite.Connection, prepared: Sequence[PreparedChange]
) -> list[AppliedChange]:
    """Write prepared changes inside the caller's write transaction: a few executemany calls.

    The caller has made sure, in this transaction, that each application is still as its
    ``before`` (see ``changed_since``).
    """
    if not prepared:
        return []
    groups: dict[tuple[str, ...], list[tuple[object, ...]]] = {}
    for change in prepared:
        stamp = to_db_time(change.after.updated_at)
        groups.setdefault(change.columns, []).append(
            (*change.values, str(change.after.status), stamp, change.after.id)
        )
    for columns, params in groups.items():  # one UPDATE per set of columns (payments: one)
        assignments = "".join(f"{name} = ?, " for name in columns)
        await c.executemany(
            f"UPDATE applications SET {assignments}status = ?, updated_at = ? WHERE id = ?",
            params,
        )
    # Inside our write transaction no other writer can take the next ids.
    event_id = await _last_id(c, "status_events")
    audit_id = await _last_id(c, "audit_log")
    applied: list[AppliedChange] = []
    event_rows: list[tuple[object, ...]] = []
    audit_rows: list[tuple[object, ...]] = []
    for change in prepared:
        event_id += 1
        event = change.event.model_copy(update={"id": event_id})
        assert event.created_at is not None
        stamp = to_db_time(event.created_at)
        event_rows.append(
            (
                event_id,
                event.application_id,
                None if event.from_status is None else str(event.from_status),
                str(event.to_status),
                event.actor,
                event.reason,
                json.dumps(event.details, ensure_ascii=False),
                stamp,
            )
        )
        audited: int | None = None
        if change.audit is not None:
            audit_id += 1
            audited = audit_id
            audit_rows.append((audit_id, *change.audit, stamp))
        applied.append(
            AppliedChange(event=event, after=change.after, audit_id=audited, text=change.text)
        )
    await c.executemany(
        "INSERT INTO status_events (id, application_id, from_status, to_status, actor, reason,"
        " details_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        event_rows,
    )
    if audit_rows:
        await c.executemany(
            "INSERT INTO audit_log (id, actor, action, subject, before_json, after_json,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            audit_rows,
        )
    return applied


async def changed_since(c: aiosqlite.Connection, befores: Sequence[Application]) -> set[int]:
    """The ids of these applications that are no longer as given (read in ``c``'s transaction).

    Compares what a prepared change relies on: the audited fields and the time of the last
    change (any write to an application moves it).
    """
    changed = {app.id for app in befores}
    ids = sorted(changed)
    marks = ", ".join("?" for _ in ids)
    async with c.execute(
        "SELECT id, status, bank, bank_branch, paid_rials, paid_on, permit_number, updated_at"
        f" FROM applications WHERE id IN ({marks})",
        ids,
    ) as cur:
        rows = {int(row["id"]): row for row in await cur.fetchall()}
    for app in befores:
        row = rows.get(app.id)
        if row is not None and (
            row["status"] == app.status.value
            and row["bank"] == app.bank
            and row["bank_branch"] == app.bank_branch
            and row["paid_rials"] == app.paid_rials
            and opt_db_date(row["paid_on"]) == app.paid_on
            and row["permit_number"] == app.permit_number
            and from_db_time(row["updated_at"]) == app.updated_at
        ):
            changed.discard(app.id)
    return changed


async def apply_changes(
    db: Database,
    c: aiosqlite.Connection,
    changes: Sequence[PlannedChange],
    actor: str,
    *,
    render: Renderer | None = None,
) -> list[AppliedChange]:
    """Prepare and write many moves inside the caller's write transaction.

    Each change writes what ``change_status`` writes (the application's fields, status and
    time, the status event, the audit entry for officer/import/system moves), one executemany
    per table instead of some twenty round trips per application. The notification is rendered
    but not enqueued: the caller writes the outbox rows (see ``enqueue_notifications``) when
    the whole batch stands. ``before`` must be the application as it is in this transaction;
    a move that needs documents marked is not batched. To hold the lock for less, call
    ``prepare_changes`` before the transaction and ``write_changes`` in it.
    """
    return await write_changes(c, prepare_changes(db, changes, actor, render=render))


def _json(value: Any) -> str:
    # As AuditLog.record stores before/after.
    return json.dumps(value, ensure_ascii=False, default=str)


async def _last_id(c: aiosqlite.Connection, table: str) -> int:
    async with c.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row is not None else 0


def _stored(value: Any) -> object:
    if isinstance(value, datetime):
        return to_db_time(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


async def enqueue_notifications(
    db: Database,
    c: aiosqlite.Connection,
    items: Sequence[tuple[int, int, str]],
    *,
    quiet_hours: QuietHours | None = None,
) -> None:
    """Write the outbox rows of applied changes: (status event id, citizen id, text) each.

    The same row ``change_status`` enqueues (kind status_change, not urgent, held until the
    end of quiet hours, deduplicated by the event), so a batch written twice is written once.
    """
    now = db.now()
    stamp = to_db_time(now)
    not_before = to_db_time((quiet_hours or QuietHours()).next_allowed(now))
    await c.executemany(
        "INSERT INTO outbox (chat_id, citizen_id, kind, text, reply_markup_json, urgent,"
        " dedupe_key, not_before, status, attempts, created_at, updated_at)"
        " SELECT chat_id, id, ?, ?, NULL, 0, ?, ?, 'pending', 0, ?, ? FROM citizens WHERE id = ?"
        " ON CONFLICT (dedupe_key) DO NOTHING",
        [
            (
                OutboxKind.STATUS_CHANGE.value,
                text,
                f"status_event:{event_id}",
                not_before,
                stamp,
                stamp,
                citizen_id,
            )
            for event_id, citizen_id, text in items
        ],
    )
