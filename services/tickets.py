"""Tickets, the citizen's side: write to the officers, read the answers, rate the help.

Every use case takes the store, the clock and the actor, and writes its rows and its outbox
rows in ONE transaction; given ``reminders``, it keeps the ticket's service-level reminders in
step in that same transaction. A citizen reaches only their own ticket. The officers' side is
``services.ticket_desk``. Message texts are stored and sent, never logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

import aiosqlite

from config.settings import Settings
from domain.catalogue import Catalogue
from domain.notifications import OutboxKind, OutboxMessage
from domain.office_hours import OfficeHours
from domain.tickets import (
    RATINGS,
    Attachment,
    Author,
    Ticket,
    TicketMessage,
    TicketSource,
    TicketStats,
    TicketView,
    ticket_stats,
)
from services.actors import Actor
from services.errors import NotAllowed
from services.officers import assignee_account
from storage import Store
from storage.files import FILES_FOLDER
from texts import tickets as texts

LOGGER = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class TicketReminders(Protocol):
    """Keeps a ticket's service-level reminders in step (``bot.workers.reminders``)."""

    async def sync_ticket(self, ticket_id: int, *, conn: aiosqlite.Connection | None = None) -> int:
        """Cancel the reminders the ticket no longer calls for, add the missing ones."""
        ...


class TicketNotFound(LookupError):
    """No ticket has this id."""


class NotRateable(Exception):
    """The ticket is open, or was rated already."""


@dataclass(frozen=True)
class Content:
    """What someone sent: a text, a checked file (with its caption as the text), or both."""

    text: str | None = None
    attachment: Attachment | None = None
    canned_code: str | None = None


@dataclass(frozen=True)
class Written:
    """A citizen's message stored: in which ticket, and whether it opened that ticket."""

    ticket: Ticket
    message: TicketMessage
    opened: bool


def office_hours(settings: Settings, catalogue: Catalogue) -> OfficeHours:
    """The office's calendar: the settings' week and hours, the data file's holidays."""
    return OfficeHours.of(
        settings.office_days,
        settings.office_hours_start,
        settings.office_hours_end,
        catalogue.holidays,
        settings.timezone,
    )


def _citizen_id(actor: Actor) -> int:
    if actor.kind != "citizen" or not isinstance(actor.id, int):
        raise NotAllowed(f"{actor.kind} is not a citizen")
    return actor.id


async def citizen_actor(store: Store, platform: str, user_id: int, chat_id: int) -> Actor:
    """The actor of this account (registered on first use)."""
    citizen = await store.citizens.get_or_create(platform, user_id, chat_id)
    return Actor("citizen", citizen.id)


# --- the citizen ---------------------------------------------------------------------------


async def faq_question(store: Store, actor: Actor, question_id: int) -> str | None:
    """The words of a question the citizen typed and the FAQ could not answer well (their own
    only; None for someone else's, or for an answer opened from /faq, which has no words)."""
    stored = await store.faq.get(question_id)
    if stored is None or stored.citizen_id != _citizen_id(actor):
        return None
    return stored.text


async def own_open_ticket(store: Store, actor: Actor) -> Ticket | None:
    """The citizen's open ticket, if any."""
    return await store.tickets.open_for_citizen(_citizen_id(actor))


async def own_ticket(store: Store, actor: Actor, ticket_id: int) -> TicketView:
    """One of the citizen's tickets with what they may read (no internal notes).

    NotAllowed when it is someone else's (or none): the same answer, so ids reveal nothing.
    """
    citizen_id = _citizen_id(actor)
    async with store.db.read() as c:
        ticket = await store.tickets.get(ticket_id, conn=c)
        if ticket is None or ticket.citizen_id != citizen_id:
            raise NotAllowed(f"ticket {ticket_id} is not this citizen's")
        messages = await store.tickets.messages(ticket_id, with_notes=False, conn=c)
    return TicketView(ticket=ticket, messages=tuple(messages))


async def write(
    store: Store,
    clock: Clock,
    actor: Actor,
    content: Content,
    *,
    chat_id: int,
    citizen_name: str | None,
    source: TicketSource = TicketSource.CONTACT,
    reminders: TicketReminders | None = None,
) -> Written:
    """A citizen's message: it joins their open ticket, or opens one (and the officers hear)."""
    citizen_id = _citizen_id(actor)
    if content.text is None and content.attachment is None:
        raise ValueError("a message needs a text or a file")
    now = clock()
    async with store.db.transaction() as c:
        ticket = await store.tickets.open_for_citizen(citizen_id, conn=c)
        opened = ticket is None
        if ticket is None:
            ticket = await store.tickets.open(
                citizen_id, chat_id, citizen_name=citizen_name, source=source, conn=c
            )
            linked = await store.applications.list_for_citizen(citizen_id, conn=c)
            await store.tickets.link_applications(ticket.id, [a.id for a in linked], conn=c)
        message = await store.tickets.add_message(
            TicketMessage(
                ticket_id=ticket.id,
                author=Author.CITIZEN,
                text=content.text,
                attachment=content.attachment,
            ),
            conn=c,
        )
        changes: dict[str, object] = {"last_activity_at": now}
        if not ticket.waiting:  # the wait starts at the first unanswered message
            changes |= {"waiting_since": now, "waiting_message_id": message.id}
        ticket = await store.tickets.update(ticket.id, conn=c, **changes)
        if opened:
            text, markup = texts.new_ticket_alert(ticket, message, linked)
            recipients = await store.officers.officer_accounts(conn=c)
        else:
            text, markup = texts.citizen_message_alert(ticket, message)
            assignee = assignee_account(store, ticket)
            recipients = [] if assignee is None else [assignee]
        for account in recipients:
            officer = account.user_id
            await store.outbox.enqueue(
                OutboxMessage(
                    chat_id=officer,  # in a private chat the chat id is the user id
                    platform=account.platform,
                    kind=OutboxKind.OFFICER_ALERT.value,
                    text=text,
                    reply_markup=markup,
                    urgent=True,  # officers read it in working hours anyway
                    dedupe_key=f"ticket_message:{message.id}:{officer}",
                ),
                conn=c,
            )
        if reminders is not None:
            await reminders.sync_ticket(ticket.id, conn=c)
    LOGGER.info(
        "Ticket %s: citizen %s %s message %s",
        ticket.id,
        citizen_id,
        "opened it with" if opened else "added",
        message.id,
    )
    return Written(ticket=ticket, message=message, opened=opened)


async def stored_copy(data_dir: Path, stored_name: str) -> bytes:
    """The bytes of a ticket's stored file (under DATA_DIR/files); OSError if it is gone."""
    return await asyncio.to_thread((data_dir / FILES_FOLDER / stored_name).read_bytes)


async def rate(store: Store, clock: Clock, actor: Actor, ticket_id: int, stars: int) -> Ticket:
    """The citizen's 1–5 rating of their closed ticket (once per closing)."""
    citizen_id = _citizen_id(actor)
    if stars not in RATINGS:
        raise ValueError("a rating is 1 to 5")
    async with store.db.transaction() as c:
        ticket = await store.tickets.get(ticket_id, conn=c)
        if ticket is None or ticket.citizen_id != citizen_id:
            raise NotAllowed(f"ticket {ticket_id} is not this citizen's")
        if ticket.is_open or ticket.rating is not None:
            raise NotRateable(f"ticket {ticket_id} is open or rated")
        ticket = await store.tickets.update(ticket_id, conn=c, rating=stars, rated_at=clock())
    LOGGER.info("Ticket %s rated %s", ticket_id, stars)
    return ticket


# --- figures -------------------------------------------------------------------------------


async def statistics(
    store: Store, since: datetime | None = None, until: datetime | None = None
) -> TicketStats:
    """Tickets opened in [since, until): answered, times to first reply and to close, rating."""
    return ticket_stats(await store.tickets.opened_between(since, until))
