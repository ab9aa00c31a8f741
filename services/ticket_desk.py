"""Tickets, the officers' side: the inbox, a ticket's card, take, reply, note, close, reopen,
and the service-level alerts when a ticket waits too long.

Every action checks first that the actor is an officer now (``require_officer``), whatever
door called it, and writes its rows, its audit row and its outbox rows in ONE transaction;
given ``reminders``, it keeps the ticket's service-level reminders in step in it too. The
citizen reads a reply from «our officer», never an officer's name or account.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import aiosqlite

from domain.notifications import OutboxAttachment, OutboxKind, OutboxMessage
from domain.office_hours import OfficeHours
from domain.reminders import Reminder, ReminderKind, ticket_id_of
from domain.tickets import (
    MAX_CAPTION_CHARS,
    AttachmentKind,
    Author,
    Ticket,
    TicketClosed,
    TicketConflict,
    TicketMessage,
    TicketStatus,
    TicketView,
    sla_relevance,
    waited,
)
from services.actors import Actor
from services.officers import account_of, assignee_account, require_officer
from services.tickets import Clock, Content, TicketNotFound, TicketReminders
from storage import Store
from texts import tickets as texts

LOGGER = logging.getLogger(__name__)


def _officer_id(actor: Actor) -> int:
    return int(actor.id)


def _officer(store: Store, actor: Actor) -> tuple[int, str | None]:
    """The acting officer's user id and platform (the assignee's columns)."""
    account = account_of(store, actor)
    return (int(actor.id), None) if account is None else (account.user_id, account.platform)


async def open_tickets(store: Store, actor: Actor) -> list[Ticket]:
    """Every open ticket, the longest-waiting first."""
    async with store.db.read() as c:
        await require_officer(store, actor)
        return await store.tickets.list_open(conn=c)


async def closed_tickets(store: Store, actor: Actor, limit: int = 20) -> list[Ticket]:
    """The most recently closed tickets (to read or reopen)."""
    async with store.db.read() as c:
        await require_officer(store, actor)
        return await store.tickets.list_closed(limit, conn=c)


async def _get(store: Store, ticket_id: int, c: aiosqlite.Connection) -> Ticket:
    ticket = await store.tickets.get(ticket_id, conn=c)
    if ticket is None:
        raise TicketNotFound(f"no ticket {ticket_id}")
    return ticket


async def view(store: Store, actor: Actor, ticket_id: int, *, audit: bool = True) -> TicketView:
    """A ticket with every message (notes too) and the citizen's applications.

    An officer opening it is audited (``audit=False`` for the card shown again after an action).
    """
    async with store.db.transaction() as c:
        await require_officer(store, actor)
        ticket = await _get(store, ticket_id, c)
        messages = await store.tickets.messages(ticket_id, with_notes=True, conn=c)
        applications = []
        for app_id in await store.tickets.application_ids(ticket_id, conn=c):
            app = await store.applications.get(app_id, conn=c)
            if app is not None:
                applications.append(app)
        if audit:
            await store.audit.record(str(actor), "ticket_view", f"ticket:{ticket_id}", conn=c)
    return TicketView(ticket=ticket, messages=tuple(messages), applications=tuple(applications))


async def take(store: Store, clock: Clock, actor: Actor, ticket_id: int) -> Ticket:
    """The officer takes the ticket (from nobody, or over from another officer)."""
    async with store.db.transaction() as c:
        await require_officer(store, actor)
        before = await _get(store, ticket_id, c)
        officer, platform = _officer(store, actor)
        if assignee_account(store, before) == account_of(store, actor):
            return before
        after = await store.tickets.update(
            ticket_id, conn=c, assignee=officer, assignee_platform=platform
        )
        await store.audit.record(
            str(actor),
            "ticket_take",
            f"ticket:{ticket_id}",
            before={"assignee": before.assignee},
            after={"assignee": officer},
            conn=c,
        )
    LOGGER.info("Ticket %s taken by officer %s", ticket_id, officer)
    return after


async def reply(
    store: Store,
    clock: Clock,
    actor: Actor,
    ticket_id: int,
    content: Content,
    *,
    officer_name: str | None,
    reminders: TicketReminders | None = None,
) -> TicketMessage:
    """An officer's reply: stored, sent to the citizen as «our officer», the wait ended.

    Replying to a ticket nobody has taken takes it.
    """
    if content.text is None and content.attachment is None:
        raise ValueError("a reply needs a text or a file")
    now = clock()
    async with store.db.transaction() as c:
        await require_officer(store, actor)
        ticket = await _get(store, ticket_id, c)
        if not ticket.is_open:
            raise TicketClosed(f"ticket {ticket_id} is closed")
        officer, platform = _officer(store, actor)
        message = await store.tickets.add_message(
            TicketMessage(
                ticket_id=ticket_id,
                author=Author.OFFICER,
                officer_id=officer,
                officer_name=officer_name,
                text=content.text,
                attachment=content.attachment,
                canned_code=content.canned_code,
            ),
            conn=c,
        )
        before = ticket
        ticket = await store.tickets.update(
            ticket_id,
            conn=c,
            assignee=ticket.assignee if ticket.assignee is not None else officer,
            assignee_platform=(
                ticket.assignee_platform if ticket.assignee is not None else platform
            ),
            waiting_since=None,
            waiting_message_id=None,
            first_reply_at=ticket.first_reply_at or now,
            last_activity_at=now,
        )
        for row in _citizen_rows(ticket, message):
            await store.outbox.enqueue(row, conn=c)
        await store.audit.record(
            str(actor),
            "ticket_reply",
            f"ticket:{ticket_id}",
            before={"assignee": before.assignee, "waiting": before.waiting},
            after={
                "message": message.id,
                "file": None if content.attachment is None else content.attachment.kind.value,
                "canned": content.canned_code,
                "assignee": ticket.assignee,
            },
            conn=c,
        )
        if reminders is not None:
            await reminders.sync_ticket(ticket_id, conn=c)
    LOGGER.info("Ticket %s: officer %s replied (message %s)", ticket_id, officer, message.id)
    return message


def _citizen_rows(ticket: Ticket, message: TicketMessage) -> list[OutboxMessage]:
    """The reply as the citizen receives it: a text, a file with its caption, or both."""
    rows = []
    text = message.text
    file = message.attachment
    if file is not None:
        caption = text if text is not None and len(text) <= MAX_CAPTION_CHARS else None
        body, markup = texts.file_for_citizen(ticket, caption)
        rows.append(
            OutboxMessage(
                chat_id=ticket.chat_id,
                citizen_id=ticket.citizen_id,
                kind=OutboxKind.TICKET_REPLY.value,
                text=body,
                reply_markup=markup,
                attachment=OutboxAttachment(
                    kind="photo" if file.kind is AttachmentKind.PHOTO else "document",
                    file_id=file.file_id,
                    platform=file.platform,
                    stored_name=file.stored_name,
                ),
                urgent=True,  # the citizen asked and waits for it
                dedupe_key=f"ticket_reply:{message.id}:file",
            )
        )
        if caption is not None:
            text = None
    if text is not None:
        body, markup = texts.reply_for_citizen(ticket, text)
        rows.insert(
            0,
            OutboxMessage(
                chat_id=ticket.chat_id,
                citizen_id=ticket.citizen_id,
                kind=OutboxKind.TICKET_REPLY.value,
                text=body,
                reply_markup=markup,
                urgent=True,
                dedupe_key=f"ticket_reply:{message.id}",
            ),
        )
    return rows


async def note(
    store: Store,
    clock: Clock,
    actor: Actor,
    ticket_id: int,
    text: str,
    *,
    officer_name: str | None,
) -> TicketMessage:
    """An internal note: officers read it in the ticket, the citizen never does."""
    async with store.db.transaction() as c:
        await require_officer(store, actor)
        await _get(store, ticket_id, c)
        message = await store.tickets.add_message(
            TicketMessage(
                ticket_id=ticket_id,
                author=Author.OFFICER,
                officer_id=_officer_id(actor),
                officer_name=officer_name,
                internal=True,
                text=text,
            ),
            conn=c,
        )
        await store.audit.record(
            str(actor), "ticket_note", f"ticket:{ticket_id}", after={"message": message.id}, conn=c
        )
    return message


async def close(
    store: Store,
    clock: Clock,
    actor: Actor,
    ticket_id: int,
    *,
    reminders: TicketReminders | None = None,
) -> Ticket:
    """Close the ticket; the citizen is asked for a 1–5 rating. Closing a closed one: no-op."""
    now = clock()
    async with store.db.transaction() as c:
        await require_officer(store, actor)
        before = await _get(store, ticket_id, c)
        if not before.is_open:
            return before
        ticket = await store.tickets.update(
            ticket_id,
            conn=c,
            status=TicketStatus.CLOSED,
            closed_at=now,
            waiting_since=None,
            waiting_message_id=None,
            rating=None,
            rated_at=None,
            last_activity_at=now,
        )
        await _tell_and_record(
            store,
            c,
            actor,
            ticket,
            texts.closed_notice(ticket),
            action="ticket_close",
            notice="ticket_closed",
            before={"status": before.status.value, "waiting": before.waiting},
            reminders=reminders,
        )
    LOGGER.info("Ticket %s closed by officer %s", ticket_id, actor.id)
    return ticket


async def reopen(
    store: Store,
    clock: Clock,
    actor: Actor,
    ticket_id: int,
    *,
    reminders: TicketReminders | None = None,
) -> Ticket:
    """Open a closed ticket again (TicketConflict when the citizen has another open one)."""
    now = clock()
    async with store.db.transaction() as c:
        await require_officer(store, actor)
        before = await _get(store, ticket_id, c)
        if before.is_open:
            return before
        other = await store.tickets.open_for_citizen(before.citizen_id, conn=c)
        if other is not None:
            raise TicketConflict(other.id)
        ticket = await store.tickets.update(
            ticket_id, conn=c, status=TicketStatus.OPEN, closed_at=None, last_activity_at=now
        )
        await _tell_and_record(
            store,
            c,
            actor,
            ticket,
            texts.reopened_notice(ticket),
            action="ticket_reopen",
            notice="ticket_reopened",
            before={"status": before.status.value, "rating": before.rating},
            reminders=reminders,
        )
    LOGGER.info("Ticket %s reopened by officer %s", ticket_id, actor.id)
    return ticket


async def _tell_and_record(
    store: Store,
    c: aiosqlite.Connection,
    actor: Actor,
    ticket: Ticket,
    notice_text: tuple[str, dict[str, Any]],
    *,
    action: str,
    notice: str,
    before: dict[str, Any],
    reminders: TicketReminders | None,
) -> None:
    """A close or a reopen: tell the citizen (once per occurrence), audit it, sync reminders."""
    text, markup = notice_text
    earlier = await _count(store, c, action, ticket.id)
    await store.outbox.enqueue(
        OutboxMessage(
            chat_id=ticket.chat_id,
            citizen_id=ticket.citizen_id,
            kind=OutboxKind.TICKET_REPLY.value,
            text=text,
            reply_markup=markup,
            urgent=True,
            dedupe_key=f"{notice}:{ticket.id}:{earlier + 1}",
        ),
        conn=c,
    )
    await store.audit.record(
        str(actor),
        action,
        f"ticket:{ticket.id}",
        before=before,
        after={"status": ticket.status.value},
        conn=c,
    )
    if reminders is not None:
        await reminders.sync_ticket(ticket.id, conn=c)


async def _count(store: Store, c: aiosqlite.Connection, action: str, ticket_id: int) -> int:
    """How often this action was done on the ticket (a new close or reopen: a new notice)."""
    entries = await store.audit.list(subject=f"ticket:{ticket_id}", limit=10_000, conn=c)
    return sum(1 for entry in entries if entry.action == action)


# --- service levels (called by bot.workers.reminders when a reminder fires) --------------


async def sla_alerts(
    store: Store,
    reminder: Reminder,
    now: datetime,
    hours: OfficeHours,
    conn: aiosqlite.Connection,
) -> tuple[str | None, list[OutboxMessage]]:
    """(cancel reason, or None and the officers' outbox rows) for a ticket reminder.

    The first reminder goes to the assignee (to every officer when nobody took the ticket),
    the escalation to every admin.
    """
    ticket_id = ticket_id_of(reminder.subject)
    ticket = None if ticket_id is None else await store.tickets.get(ticket_id, conn=conn)
    verdict = sla_relevance(reminder, ticket)
    if verdict.reason is not None or ticket is None:
        return verdict.reason or "ticket_gone", []
    escalated = reminder.kind == ReminderKind.TICKET_ESCALATED
    assignee = assignee_account(store, ticket)
    if escalated:
        recipients = await store.officers.admin_accounts(conn=conn)
    elif assignee is not None:
        recipients = [assignee]
    else:
        recipients = await store.officers.officer_accounts(conn=conn)
    text, markup = texts.overdue_alert(ticket, waited(ticket, now, hours), escalated=escalated)
    rows = [
        OutboxMessage(
            chat_id=officer.user_id,
            platform=officer.platform,
            kind=OutboxKind.REMINDER.value,
            text=text,
            reply_markup=markup,
            dedupe_key=f"reminder:{reminder.id}:{officer.user_id}",
        )
        for officer in recipients
    ]
    return None, rows
