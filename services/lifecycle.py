"""The application life cycle: change status, ask for corrections, bank, payment, permit.

Each function checks who asks (an officer action needs an officer NOW, a citizen moves only
their own application), then writes the application, its status event, the audit row, the
citizen's outbox row and the reminders the new status calls for in ONE transaction
(``storage.status_changes`` writes the rows; inside an update it joins the update's
transaction). Wake the outbox sender afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from domain.lifecycle import LifecycleError
from domain.models import StatusEvent
from domain.notifications import QuietHours
from domain.statuses import ApplicationStatus
from services.actors import Actor
from services.errors import NotAllowed
from services.officers import require_officer
from storage import Store, status_changes
from storage.status_changes import ApplicationNotFound, ReminderSync, Renderer

__all__ = [
    "ApplicationNotFound",
    "ReminderSync",
    "Renderer",
    "StatusChanged",
    "change_status",
    "introduce_to_bank",
    "record_payment",
    "record_permit",
    "request_correction",
]


class StatusChanged(LifecycleError):
    """The application is no longer in the status the caller saw (another officer's change
    came first: a stale form); nothing was changed."""

    def __init__(self, expected: ApplicationStatus, current: ApplicationStatus) -> None:
        super().__init__(f"expected {expected}, found {current}")
        self.expected = expected
        self.current = current


async def _check_actor(
    store: Store,
    actor: Actor,
    application_id: int,
    expected: ApplicationStatus | None = None,
) -> None:
    """An officer must be one now; a citizen may touch only their own application; with
    ``expected``, the application must still be in that status (inside the transaction)."""
    if actor.kind == "officer":
        await require_officer(store, actor)
    elif actor.kind == "citizen":
        app = await store.applications.get(application_id)
        if app is None or str(app.citizen_id) != str(actor.id):
            raise NotAllowed(f"{actor} does not own application {application_id}")
    if expected is not None:
        current = await store.applications.get(application_id)
        if current is None:
            raise ApplicationNotFound(f"no application {application_id}")
        if current.status is not expected:
            raise StatusChanged(expected, current.status)


async def change_status(
    store: Store,
    actor: Actor,
    application_id: int,
    to_status: ApplicationStatus,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    *,
    render: Renderer | None = None,
    reply_markup: dict[str, Any] | None = None,
    urgent: bool = False,
    quiet_hours: QuietHours | None = None,
    reminders: ReminderSync | None = None,
    expected: ApplicationStatus | None = None,
) -> StatusEvent:
    """Check the actor, then make one move with its event, audit, notification and reminders.

    The life cycle's rules decide which moves this kind of actor may make; an officer's or
    the system's move must notify (``render``). ``expected``: the status the officer saw (a
    form's), StatusChanged if it moved meanwhile. Raises NotAllowed, or a LifecycleError
    (TransitionNotAllowed, ReasonRequired, InvalidDetails, ApplicationNotFound, StatusChanged).
    """
    async with store.db.transaction() as conn:
        await _check_actor(store, actor, application_id, expected)
        return await status_changes.change_status(
            store,
            application_id,
            to_status,
            str(actor),
            reason,
            details,
            render=render,
            reply_markup=reply_markup,
            urgent=urgent,
            quiet_hours=quiet_hours,
            reminders=reminders,
            conn=conn,
        )


async def _officer_move(
    store: Store,
    actor: Actor,
    application_id: int,
    to_status: ApplicationStatus,
    reason: str | None,
    details: dict[str, Any],
    render: Renderer,
    reply_markup: dict[str, Any] | None,
    quiet_hours: QuietHours | None,
    reminders: ReminderSync | None,
    expected: ApplicationStatus | None,
) -> StatusEvent:
    if actor.kind != "officer":
        raise NotAllowed(f"{actor} is not an officer")
    return await change_status(
        store,
        actor,
        application_id,
        to_status,
        reason,
        details,
        render=render,
        reply_markup=reply_markup,
        quiet_hours=quiet_hours,
        reminders=reminders,
        expected=expected,
    )


async def request_correction(
    store: Store,
    actor: Actor,
    application_id: int,
    documents: Sequence[str],
    reason: str,
    *,
    render: Renderer,
    reply_markup: dict[str, Any] | None = None,
    quiet_hours: QuietHours | None = None,
    reminders: ReminderSync | None = None,
    expected: ApplicationStatus | None = None,
) -> StatusEvent:
    """An officer asks the citizen to send these documents again (they are flagged)."""
    return await _officer_move(
        store,
        actor,
        application_id,
        ApplicationStatus.NEEDS_CORRECTION,
        reason,
        {"documents": list(documents)},
        render,
        reply_markup,
        quiet_hours,
        reminders,
        expected,
    )


async def introduce_to_bank(
    store: Store,
    actor: Actor,
    application_id: int,
    bank: str,
    branch: str,
    *,
    render: Renderer,
    quiet_hours: QuietHours | None = None,
    reminders: ReminderSync | None = None,
    expected: ApplicationStatus | None = None,
) -> StatusEvent:
    """An officer records the agent bank and branch the citizen is introduced to."""
    return await _officer_move(
        store,
        actor,
        application_id,
        ApplicationStatus.INTRODUCED_TO_BANK,
        None,
        {"bank": bank, "branch": branch},
        render,
        None,
        quiet_hours,
        reminders,
        expected,
    )


async def record_payment(
    store: Store,
    actor: Actor,
    application_id: int,
    amount_rials: int,
    paid_on: date,
    *,
    render: Renderer,
    quiet_hours: QuietHours | None = None,
    reminders: ReminderSync | None = None,
    expected: ApplicationStatus | None = None,
) -> StatusEvent:
    """An officer records the loan paid: amount in rials and the payment date."""
    return await _officer_move(
        store,
        actor,
        application_id,
        ApplicationStatus.PAID,
        None,
        {"amount_rials": amount_rials, "paid_on": paid_on.isoformat()},
        render,
        None,
        quiet_hours,
        reminders,
        expected,
    )


async def record_permit(
    store: Store,
    actor: Actor,
    application_id: int,
    permit_number: str,
    *,
    render: Renderer,
    quiet_hours: QuietHours | None = None,
) -> StatusEvent:
    """An officer records the permit number (an event beside the status), notified."""
    async with store.db.transaction() as conn:
        await require_officer(store, actor)
        return await status_changes.record_permit(
            store,
            application_id,
            permit_number,
            str(actor),
            render=render,
            quiet_hours=quiet_hours,
            conn=conn,
        )
