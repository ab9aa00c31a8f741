"""A ticket as an officer sees it in the bot: its card with what can be done, and the lists."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from conversations.common import send_text
from domain.tickets import Ticket, TicketView, waited
from handlers.context import BotContext
from handlers.officer_menu import back_to_menu_button
from services import ticket_desk, tickets
from services.actors import Actor
from services.tickets import TicketNotFound
from texts import buttons
from texts import tickets as texts
from texts.formatting import format_tracking_code, to_persian_digits
from texts.i18n import N_, _

MAX_LISTED = 30

TAKE_LABEL = N_("🙋 Take it")
REPLY_LABEL = N_("✍️ Reply")
CANNED_LABEL = N_("📋 Canned reply")
NOTE_LABEL = N_("📝 Internal note")
FILES_LABEL = N_("📎 Files ({count})")
CLOSE_LABEL = N_("✅ Close")
REOPEN_LABEL = N_("🔄 Reopen")
INBOX_LABEL = N_("📥 Inbox")
CLOSED_LABEL = N_("🗂 Recently closed")
SEND_LABEL = N_("📤 Send this reply")
BACK_LABEL = N_("↩️ Back to the ticket")


def row(*buttons: tuple[str, str]) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text, callback_data=data) for text, data in buttons]


def footer() -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(_(INBOX_LABEL), callback_data=buttons.TICKET_INBOX.pack()),
        back_to_menu_button(),
    ]


def assignee_name(view: TicketView, officer_id: int | None, me: int) -> str | None:
    """Who has the ticket, as officers know each other: a name from their messages, or «you»."""
    if officer_id is None:
        return None
    if officer_id == me:
        return _("you")
    names = [m.officer_name for m in view.messages if m.officer_id == officer_id and m.officer_name]
    return names[-1] if names else to_persian_digits(officer_id)


def card_keyboard(view: TicketView, me: int) -> InlineKeyboardMarkup:
    """What an officer can do with the ticket, and the citizen's applications to open."""
    ticket = view.ticket
    rows: list[list[InlineKeyboardButton]] = []
    if ticket.is_open:
        first = [(_(REPLY_LABEL), buttons.TicketReply(ticket.id).pack())]
        if ticket.assignee != me:
            first.insert(0, (_(TAKE_LABEL), buttons.TicketTake(ticket.id).pack()))
        rows.append(row(*first))
        rows.append(
            row(
                (_(CANNED_LABEL), buttons.TicketCanned(ticket.id).pack()),
                (_(NOTE_LABEL), buttons.TicketNote(ticket.id).pack()),
            )
        )
    else:
        rows.append(row((_(NOTE_LABEL), buttons.TicketNote(ticket.id).pack())))
    files = sum(1 for m in view.messages if m.attachment is not None)
    if files:
        label = _(FILES_LABEL).format(count=to_persian_digits(files))
        rows.append(row((label, buttons.TicketFiles(ticket.id).pack())))
    if ticket.is_open:
        rows.append(row((_(CLOSE_LABEL), buttons.TicketClose(ticket.id).pack())))
    else:
        rows.append(row((_(REOPEN_LABEL), buttons.TicketReopen(ticket.id).pack())))
    for app in view.applications:
        code = format_tracking_code(app.tracking_code) if app.tracking_code else "—"
        rows.append(row((f"📄 {code}", f"off:open:{app.id}")))
    rows.append(footer())
    return InlineKeyboardMarkup(rows)


async def send_card(
    update: Update, context: BotContext, actor: Actor, ticket_id: int, *, audit: bool = False
) -> None:
    """The ticket's card (opening it from a list or a notice is audited)."""
    services = context.services
    try:
        view = await ticket_desk.view(services.store, actor, ticket_id, audit=audit)
    except TicketNotFound:
        await send_text(update, context, _("No such ticket."), InlineKeyboardMarkup([footer()]))
        return
    hours = tickets.office_hours(services.settings, services.catalogue)
    me = int(actor.id)
    text = texts.card_text(
        view,
        officer=assignee_name(view, view.ticket.assignee, me),
        waited_hours=waited(view.ticket, services.now(), hours),
        zone=services.settings.zone,
    )
    await send_text(update, context, text, card_keyboard(view, me))


async def send_list(
    update: Update, context: BotContext, actor: Actor, listed: list[Ticket], head: str
) -> None:
    """A list of tickets as buttons (the longest-waiting first), and the way to the others."""
    services = context.services
    hours = tickets.office_hours(services.settings, services.catalogue)
    me = int(actor.id)
    now = services.now()
    rows = [
        row(
            (
                texts.list_label(t, mine=t.assignee == me, waited_hours=waited(t, now, hours)),
                buttons.TicketOpen(t.id).pack(),
            )
        )
        for t in listed[:MAX_LISTED]
    ]
    rows.append(row((_(CLOSED_LABEL), buttons.TICKET_CLOSED_LIST.pack())))
    rows.append([back_to_menu_button()])
    await send_text(update, context, head, InlineKeyboardMarkup(rows))
