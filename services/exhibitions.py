"""Exhibitions: create, edit, cancel and import (officers); what is upcoming, nearest first.

Cancelling an exhibition, or changing its dates or place, tells every pending or approved booth
requester through the outbox in the same transaction (dedupe key
``exhibition:<id>:<event>:<citizen id>``); the day-before reminders follow a new start date.
The caller wakes the outbox sender when a result says rows were enqueued. Booth requests are
in ``services.booths``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Protocol

import aiosqlite

from domain.catalogue import Catalogue
from domain.exhibitions import (
    BoothStatus,
    Exhibition,
    ExhibitionDraft,
    ExhibitionStatus,
    nearest_first,
)
from domain.notifications import OutboxKind, OutboxMessage
from services.actors import Actor
from services.errors import NotAllowed
from services.officers import require_officer
from storage import Store
from storage.exhibitions import DuplicateExhibition as DuplicateExhibition  # create, edit raise it
from texts.formatting import format_jalali_date, format_typed_text
from texts.i18n import _

Clock = Callable[[], datetime]

REMINDER_KIND = "exhibition_tomorrow"
REMINDER_HOUR = 10  # local time of the day-before reminder

# Who hears about a cancellation or a change: requests not declined.
_TOLD = frozenset({BoothStatus.PENDING, BoothStatus.APPROVED})


class ExhibitionReminders(Protocol):
    """The reminders an exhibition keeps (``bot.workers.reminders.ReminderService``)."""

    async def schedule(
        self,
        kind: str,
        subject: str,
        chat_id: int,
        due_at: datetime,
        *,
        citizen_id: int | None = None,
        sequence: str = "1",
        payload: dict[str, Any] | None = None,
        conn: aiosqlite.Connection | None = None,
    ) -> object:
        """Store a reminder once per kind/subject/sequence (in ``conn``'s transaction)."""

    async def cancel_for(
        self,
        subject: str,
        *,
        reason: str = "cancelled",
        kinds: list[str] | None = None,
        conn: aiosqlite.Connection | None = None,
    ) -> int:
        """Cancel the pending reminders of a subject and of its children."""


@dataclass(frozen=True)
class Saved:
    """An exhibition after a change, and how many booth requesters were told of it."""

    exhibition: Exhibition
    told: int = 0


# -- texts -----------------------------------------------------------------------------------


def county_name(catalogue: Catalogue, code: str | None) -> str:
    """The county's Persian name, or «virtual» for none."""
    county = catalogue.county(code) if code else None
    return county.name if county else _("Virtual (online)")


def change_notice(exhibition: Exhibition, catalogue: Catalogue) -> str:
    """The new dates and place, for those who asked for a booth."""
    return _(
        "Please note: the exhibition «{title}» has changed. It now runs from {start} to {end}, "
        "in {county}, at {venue}. Your booth request still stands; "
        "see the details in «🛍 Exhibitions»."
    ).format(
        title=format_typed_text(exhibition.title),
        start=format_jalali_date(exhibition.starts_on),
        end=format_jalali_date(exhibition.ends_on),
        county=county_name(catalogue, exhibition.county),
        venue=format_typed_text(exhibition.venue or "—"),
    )


def cancel_notice(exhibition: Exhibition) -> str:
    """The exhibition will not be held; the request stays on record."""
    return _(
        "We are sorry: the exhibition «{title}» (planned for {date}) has been cancelled, "
        "so your booth request there will not go ahead. "
        "Please look out for the next exhibitions in «🛍 Exhibitions»."
    ).format(
        title=format_typed_text(exhibition.title), date=format_jalali_date(exhibition.starts_on)
    )


# -- reading ---------------------------------------------------------------------------------


def local_today(clock: Clock, zone: tzinfo) -> date:
    """Today in the office's time zone."""
    return clock().astimezone(zone).date()


async def get(store: Store, exhibition_id: int) -> Exhibition | None:
    """One exhibition (cancelled ones too)."""
    return await store.exhibitions.get(exhibition_id)


async def upcoming(
    store: Store, clock: Clock, zone: tzinfo, *, include_cancelled: bool = False
) -> list[Exhibition]:
    """Exhibitions that have not ended, by start date."""
    today = local_today(clock, zone)
    return await store.exhibitions.upcoming(today, include_cancelled=include_cancelled)


async def upcoming_for_citizen(
    store: Store,
    clock: Clock,
    citizen_id: int | None,
    *,
    catalogue: Catalogue,
    zone: tzinfo,
    limit: int = 20,
) -> list[Exhibition]:
    """Upcoming exhibitions, the citizen's county first, then the province, then virtual."""
    county = await store.exhibitions.citizen_county(citizen_id) if citizen_id else None
    found = await upcoming(store, clock, zone)
    return nearest_first(found, catalogue, county)[:limit]


# -- officers' changes -----------------------------------------------------------------------


async def create(store: Store, actor: Actor, draft: ExhibitionDraft) -> Saved:
    """A new exhibition (officers only), audited; DuplicateExhibition for a repeat."""
    async with store.db.transaction() as c:
        await require_officer(store, actor)
        saved = await _create(store, actor, draft, c)
    return Saved(saved)


async def _create(
    store: Store, actor: Actor, draft: ExhibitionDraft, c: aiosqlite.Connection
) -> Exhibition:
    saved = await store.exhibitions.create(draft, str(actor), c)
    await store.audit.record(
        str(actor),
        "exhibition.create",
        f"exhibition:{saved.id}",
        after=saved.model_dump(mode="json"),
        conn=c,
    )
    return saved


async def import_drafts(store: Store, actor: Actor, drafts: Sequence[ExhibitionDraft]) -> list[int]:
    """Create every draft, audited, in one transaction: all or none.

    Returns the positions (in ``drafts``) of those already stored; when there are any, nothing
    is stored. An import (``import:<file>``) or the system may import; an officer too (checked
    now); a citizen may not.
    """
    duplicates: list[int] = []
    try:
        async with store.db.transaction() as c:
            await _require_importer(store, actor)
            for position, draft in enumerate(drafts):
                try:
                    await _create(store, actor, draft, c)
                except DuplicateExhibition:
                    duplicates.append(position)
            if duplicates:
                raise _Rollback
    except _Rollback:
        pass
    return duplicates


class _Rollback(Exception):
    """Leave the import's transaction without storing anything."""


async def _require_importer(store: Store, actor: Actor) -> None:
    if actor.kind in ("import", "system"):
        return
    if actor.kind == "officer":
        await require_officer(store, actor)
        return
    raise NotAllowed(f"{actor.kind} may not import exhibitions")


async def edit(
    store: Store,
    clock: Clock,
    actor: Actor,
    exhibition_id: int,
    draft: ExhibitionDraft,
    *,
    catalogue: Catalogue,
    zone: tzinfo,
    reminders: ExhibitionReminders | None = None,
) -> Saved | None:
    """Replace an exhibition's details (officers only), audited; None when there is none.

    New dates or a new place are told to the booth requesters of an active exhibition; a new
    start date moves their day-before reminders. DuplicateExhibition for a clash.
    """
    async with store.db.transaction() as c:
        await require_officer(store, actor)
        before = await store.exhibitions.get(exhibition_id, c)
        if before is None:
            return None
        saved = await store.exhibitions.update(exhibition_id, draft, c)
        await store.audit.record(
            str(actor),
            "exhibition.edit",
            f"exhibition:{saved.id}",
            before=before.model_dump(mode="json"),
            after=saved.model_dump(mode="json"),
            conn=c,
        )
        told = 0
        if _moved(before, saved) and saved.status is ExhibitionStatus.ACTIVE:
            event = f"changed:{saved.updated_at.strftime('%Y%m%dT%H%M%S%f')}"
            notice = change_notice(saved, catalogue)
            told = await notify_booth_requesters(store, saved, event, notice, c)
        if before.starts_on != saved.starts_on and reminders is not None:
            await _move_reminders(store, clock, zone, reminders, saved, c)
    return Saved(saved, told)


def _moved(before: Exhibition, after: Exhibition) -> bool:
    """New dates or a new place: what a booth requester must hear about."""
    return (before.starts_on, before.ends_on, before.venue, before.county) != (
        after.starts_on,
        after.ends_on,
        after.venue,
        after.county,
    )


async def _move_reminders(
    store: Store,
    clock: Clock,
    zone: tzinfo,
    reminders: ExhibitionReminders,
    exhibition: Exhibition,
    c: aiosqlite.Connection,
) -> None:
    """A new start date: the day-before reminders follow it."""
    await reminders.cancel_for(f"exhibition:{exhibition.id}", reason="date_changed", conn=c)
    for request in await store.exhibitions.booths_for(exhibition.id, c):
        if request.status is BoothStatus.DECLINED:
            continue
        citizen = await store.citizens.get(request.citizen_id, c)
        if citizen is not None:
            await schedule_day_before(
                reminders, clock, zone, exhibition, citizen.id, citizen.chat_id, conn=c
            )


async def cancel(
    store: Store,
    actor: Actor,
    exhibition_id: int,
    *,
    reminders: ExhibitionReminders | None = None,
) -> Saved | None:
    """Cancel an exhibition (officers only), audited: its reminders stop and the pending or
    approved booth requesters are told. None when there is no such exhibition."""
    async with store.db.transaction() as c:
        await require_officer(store, actor)
        before = await store.exhibitions.get(exhibition_id, c)
        if before is None:
            return None
        after = await store.exhibitions.set_status(exhibition_id, ExhibitionStatus.CANCELLED, c)
        await store.audit.record(
            str(actor),
            "exhibition.cancel",
            f"exhibition:{exhibition_id}",
            before={"status": before.status.value},
            after={"status": after.status.value},
            conn=c,
        )
        if reminders is not None:
            await reminders.cancel_for(
                f"exhibition:{exhibition_id}", reason="exhibition_cancelled", conn=c
            )
        told = await notify_booth_requesters(store, after, "cancelled", cancel_notice(after), c)
    return Saved(after, told)


async def notify_booth_requesters(
    store: Store, exhibition: Exhibition, event: str, text: str, conn: aiosqlite.Connection
) -> int:
    """Enqueue ``text`` once per pending/approved requester, in the caller's transaction.

    The dedupe key ``exhibition:<id>:<event>:<citizen_id>`` makes a retry enqueue nothing new.
    Returns how many rows were enqueued.
    """
    enqueued = 0
    for request in await store.exhibitions.booths_for(exhibition.id, conn):
        if request.status not in _TOLD:
            continue
        citizen = await store.citizens.get(request.citizen_id, conn)
        if citizen is None:
            continue
        row_id = await store.outbox.enqueue(
            OutboxMessage(
                chat_id=citizen.chat_id,
                citizen_id=citizen.id,
                kind=OutboxKind.EXHIBITION_CHANGE.value,
                text=text,
                dedupe_key=f"exhibition:{exhibition.id}:{event}:{citizen.id}",
            ),
            conn=conn,
        )
        enqueued += row_id is not None
    return enqueued


async def schedule_day_before(
    reminders: ExhibitionReminders,
    clock: Clock,
    zone: tzinfo,
    exhibition: Exhibition,
    citizen_id: int,
    chat_id: int,
    *,
    conn: aiosqlite.Connection | None = None,
) -> None:
    """The day-before reminder, unless that moment has passed."""
    day_before = exhibition.starts_on - timedelta(days=1)
    due = datetime.combine(day_before, time(REMINDER_HOUR), tzinfo=zone)
    if due <= clock():
        return
    await reminders.schedule(
        kind=REMINDER_KIND,
        subject=f"exhibition:{exhibition.id}:citizen:{citizen_id}",
        chat_id=chat_id,
        due_at=due,
        citizen_id=citizen_id,
        sequence=exhibition.starts_on.isoformat(),  # a new start date: a new reminder
        payload={
            "title": exhibition.title,
            "starts_on": exhibition.starts_on.isoformat(),
            "venue": exhibition.venue,
        },
        conn=conn,
    )
