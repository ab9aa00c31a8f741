"""Tickets: the inbox (open tickets, the longest-waiting first, and the last closed ones), one
ticket (the citizen's messages, replies, internal notes, the citizen's applications), and take,
reply, canned reply (data/canned_replies.yaml), note, close, reopen. The same services as the
bot's /tickets (``services.ticket_desk``): officers checked now, audited, the citizen's copy
through the outbox as «our officer»."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from desk.forms import parse_id
from desk.web import Desk, Page
from domain.tickets import MAX_TEXT_CHARS, Author, TicketClosed, TicketConflict
from services import ticket_desk
from services.tickets import Content, TicketNotFound
from texts.formatting import format_number
from texts.i18n import N_, _

NAV = (N_("Tickets"), "tickets")

DONE = {
    "taken": N_("You took the ticket."),
    "replied": N_("The reply was sent to the citizen."),
    "noted": N_("The note was added (the citizen does not see it)."),
    "closed": N_("Closed. The citizen is asked to rate the answer."),
    "reopened": N_("The ticket is open again."),
}


def _ticket_id(page: Page) -> int | None:
    return parse_id(str(page.request.path_params.get("ticket_id", "")))


async def inbox(page: Page) -> Response:
    """Open tickets, the longest-waiting first; the last closed ones."""
    store = page.desk.services.store
    actor = page.officer.actor
    return page.render(
        "tickets.html",
        open_tickets=await ticket_desk.open_tickets(store, actor),
        closed_tickets=await ticket_desk.closed_tickets(store, actor),
    )


async def ticket(page: Page) -> Response:
    """One ticket (opening it is audited, as in the bot)."""
    services = page.desk.services
    ticket_id = _ticket_id(page)
    try:
        if ticket_id is None:
            raise TicketNotFound("no id")
        seen = await ticket_desk.view(services.store, page.officer.actor, ticket_id)
    except TicketNotFound:
        return page.error(_("There is no such ticket."), status=404, back=page.url("tickets"))
    done = DONE.get(page.request.query_params.get("done", ""))
    return page.render(
        "ticket.html",
        seen=seen,
        done=_(done) if done else None,
        canned=services.catalogue.canned_replies,
        citizen=Author.CITIZEN,
        max_text=MAX_TEXT_CHARS,
    )


Action = Callable[[Page, int], Awaitable[Any]]


def _action(act: Action, done: str) -> Callable[[Page], Awaitable[Response]]:
    """A ticket's POST: the action, then the ticket again; a Persian message when it cannot."""

    async def handler(page: Page) -> Response:
        ticket_id = _ticket_id(page)
        back = page.url("tickets")
        if ticket_id is None:
            return page.error(_("There is no such ticket."), status=404, back=back)
        here = page.url("ticket", ticket_id=ticket_id)
        try:
            result = await act(page, ticket_id)
        except TicketNotFound:
            return page.error(_("There is no such ticket."), status=404, back=back)
        except TicketClosed:
            return page.error(_("This ticket is closed."), back=here)
        except TicketConflict:
            return page.error(_("The citizen has another open ticket: answer there."), back=here)
        if isinstance(result, str):  # the form was not usable: a message, nothing changed
            return page.error(result, back=here)
        page.desk.services.wake_sender()
        return page.redirect(f"{here}?done={done}")

    handler.__name__ = f"ticket_{done}"
    return handler


def _max() -> str:
    return format_number(MAX_TEXT_CHARS)


def _text(page: Page) -> str | None:
    text = page.form.get("text")
    return text if 0 < len(text) <= MAX_TEXT_CHARS else None


async def _take(page: Page, ticket_id: int) -> object:
    services = page.desk.services
    return await ticket_desk.take(services.store, services.clock, page.officer.actor, ticket_id)


async def _reply(page: Page, ticket_id: int) -> object:
    services = page.desk.services
    code = page.form.get("canned")
    if code:
        canned = services.catalogue.canned_reply(code)
        if canned is None:
            return _("There is no such canned reply.")
        content = Content(text=canned.text, canned_code=canned.code)
    else:
        text = _text(page)
        if text is None:
            return _("Write the reply (at most {count} characters).").format(count=_max())
        content = Content(text=text)
    return await ticket_desk.reply(
        services.store,
        services.clock,
        page.officer.actor,
        ticket_id,
        content,
        officer_name=None,
        reminders=services.reminders,  # type: ignore[arg-type]
    )


async def _note(page: Page, ticket_id: int) -> object:
    services = page.desk.services
    text = _text(page)
    if text is None:
        return _("Write the note (at most {count} characters).").format(count=_max())
    return await ticket_desk.note(
        services.store, services.clock, page.officer.actor, ticket_id, text, officer_name=None
    )


async def _close(page: Page, ticket_id: int) -> object:
    services = page.desk.services
    return await ticket_desk.close(
        services.store,
        services.clock,
        page.officer.actor,
        ticket_id,
        reminders=services.reminders,  # type: ignore[arg-type]
    )


async def _reopen(page: Page, ticket_id: int) -> object:
    services = page.desk.services
    return await ticket_desk.reopen(
        services.store,
        services.clock,
        page.officer.actor,
        ticket_id,
        reminders=services.reminders,  # type: ignore[arg-type]
    )


def routes(desk: Desk) -> list[BaseRoute]:
    post = [
        ("take", _take, "taken"),
        ("reply", _reply, "replied"),
        ("note", _note, "noted"),
        ("close", _close, "closed"),
        ("reopen", _reopen, "reopened"),
    ]
    return [
        Route("/tickets", desk.page(inbox), methods=["GET"], name="tickets"),
        Route("/tickets/{ticket_id:int}", desk.page(ticket), methods=["GET"], name="ticket"),
        *[
            Route(
                f"/tickets/{{ticket_id:int}}/{name}",
                desk.page(_action(act, done)),
                methods=["POST"],
                name=f"ticket_{name}",
            )
            for name, act, done in post
        ],
    ]
