"""The officers' tickets: the inbox, a ticket's card, and working it inside the bot.

    [*] --> IDLE: /tickets | off:tickets | tko:o:<id> (the button under a notification)
    IDLE --> IDLE: tko:in (inbox) | tko:cl (recently closed) | tko:o:<id> (card) | tko:t:<id>
                   (take) | tko:cn:<id> (canned replies) | tko:cp:<id>:<code> (one, to check)
                   | tko:cs:<id>:<code> (send it) | tko:x:<id> (close) | tko:ro:<id> (reopen)
                   | tko:f:<id> (its files, sent back)
    IDLE --> TYPING: tko:re:<id> (reply: a text, or a photo or PDF with a caption)
                     | tko:no:<id> (an internal note)
    TYPING --> IDLE: what was typed or sent → stored, sent to the citizen (not a note), card

Every button works from any state. Registered through ``officer_steps`` (bot/app.py): each
step checks that the presser is an officer now, and every service checks it again; a citizen
who forges ``tko:…`` data gets nothing. The citizen reads replies from «our officer».
"""

from __future__ import annotations

from typing import Any, TypeVar

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from conversations.common import Conversation, exits, scratch, send_text
from conversations.officer.ticket_card import (
    BACK_LABEL,
    SEND_LABEL,
    row,
    send_card,
    send_list,
)
from conversations.tickets import checked_file
from domain.tickets import (
    MAX_TEXT_CHARS,
    AttachmentKind,
    Author,
    TicketClosed,
    TicketConflict,
)
from handlers.auth import acting_officer
from handlers.context import BotContext
from handlers.menu import menu_button
from services import ticket_desk
from services.actors import Actor
from services.tickets import Content, stored_copy
from texts import buttons
from texts import tickets as texts
from texts.callback_data import CallbackData
from texts.formatting import format_jalali_datetime, to_persian_digits
from texts.i18n import _

IDLE, TYPING = "tko_idle", "tko_typing"
KEY = "officer_ticket"  # user_data: {"ticket": id, "mode": "reply" | "note"}


def _actor(update: Update, context: BotContext) -> Actor:
    """The officer pressing, on this update's platform (the services check them again)."""
    user = update.effective_user
    assert user is not None
    return acting_officer(context.services, user.id)


def _name(update: Update) -> str | None:
    user = update.effective_user
    return user.full_name if user is not None else None


async def _answer(update: Update) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer()


_Kind = TypeVar("_Kind", bound=CallbackData)


def _pressed(update: Update, kind: type[_Kind]) -> _Kind | None:
    """The ticket button pressed, or None for data of another kind."""
    query = update.callback_query
    return kind.unpack(query.data if query is not None else None)


def _ticket_id(update: Update, kind: type[buttons.OnTicket]) -> int | None:
    pressed = _pressed(update, kind)
    return None if pressed is None else pressed.ticket_id


async def _card(update: Update, context: BotContext, ticket_id: int, *, audit: bool = False) -> str:
    await send_card(update, context, _actor(update, context), ticket_id, audit=audit)
    return IDLE


def _forget(context: BotContext) -> None:
    if context.user_data is not None:
        context.user_data.pop(KEY, None)


async def show_inbox(update: Update, context: BotContext) -> str:
    """/tickets, «🎫 Tickets» or «📥 Inbox»: every open ticket, the longest-waiting first."""
    await _answer(update)
    _forget(context)
    listed = await ticket_desk.open_tickets(context.services.store, _actor(update, context))
    await send_list(update, context, _actor(update, context), listed, texts.inbox_text(listed))
    return IDLE


async def show_closed(update: Update, context: BotContext) -> str:
    """The most recently closed tickets (to read or reopen)."""
    await _answer(update)
    _forget(context)
    listed = await ticket_desk.closed_tickets(context.services.store, _actor(update, context))
    head = _("Recently closed tickets:") if listed else _("No closed tickets yet.")
    await send_list(update, context, _actor(update, context), listed, head)
    return IDLE


async def open_ticket(update: Update, context: BotContext) -> str:
    """tko:o:<id>: the ticket's card."""
    await _answer(update)
    _forget(context)
    ticket_id = _ticket_id(update, buttons.TicketOpen)
    if ticket_id is None:
        return IDLE
    return await _card(update, context, ticket_id, audit=True)


async def take(update: Update, context: BotContext) -> str:
    """tko:t:<id>: the officer takes the ticket."""
    await _answer(update)
    ticket_id = _ticket_id(update, buttons.TicketTake)
    if ticket_id is None:
        return IDLE
    services = context.services
    await ticket_desk.take(services.store, services.clock, _actor(update, context), ticket_id)
    await send_text(update, context, _("The ticket is yours now."))
    return await _card(update, context, ticket_id)


async def ask_reply(update: Update, context: BotContext) -> str:
    """tko:re:<id>: wait for the reply (a text, or a photo or PDF with a caption)."""
    return await _ask(update, context, buttons.TicketReply, "reply")


async def ask_note(update: Update, context: BotContext) -> str:
    """tko:no:<id>: wait for an internal note."""
    return await _ask(update, context, buttons.TicketNote, "note")


async def _ask(update: Update, context: BotContext, kind: type[buttons.OnTicket], mode: str) -> str:
    await _answer(update)
    ticket_id = _ticket_id(update, kind)
    if ticket_id is None:
        return IDLE
    scratch(context, KEY).update({"ticket": ticket_id, "mode": mode})
    prompt = (
        _(
            "Type the reply for the citizen of ticket {number}, or send a photo or a PDF file "
            "(its caption goes with it). The citizen reads it from our officer."
        )
        if mode == "reply"
        else _("Type the internal note for ticket {number}. The citizen never sees it.")
    )
    back = InlineKeyboardMarkup([row((_(BACK_LABEL), buttons.TicketOpen(ticket_id).pack()))])
    await send_text(update, context, prompt.format(number=texts.number(ticket_id)), back)
    return TYPING


def _pending(context: BotContext) -> tuple[int, str] | None:
    wanted: dict[str, Any] = (context.user_data or {}).get(KEY) or {}
    if "ticket" not in wanted:
        return None
    return int(wanted["ticket"]), str(wanted.get("mode", "reply"))


async def typed(update: Update, context: BotContext) -> str:
    """The reply or note typed."""
    message = update.effective_message
    assert message is not None
    pending = _pending(context)
    if pending is None:
        return IDLE
    text = (message.text or "").strip()
    if len(text) > MAX_TEXT_CHARS:
        await send_text(
            update,
            context,
            _("This is too long. Please shorten it to {limit} characters.").format(
                limit=to_persian_digits(MAX_TEXT_CHARS)
            ),
        )
        return TYPING
    ticket_id, mode = pending
    if mode == "note":
        services = context.services
        await ticket_desk.note(
            services.store,
            services.clock,
            _actor(update, context),
            ticket_id,
            text,
            officer_name=_name(update),
        )
        _forget(context)
        await send_text(update, context, _("Note added. The citizen does not see it."))
        return await _card(update, context, ticket_id)
    return await _reply(update, context, ticket_id, Content(text=text))


async def got_file(update: Update, context: BotContext) -> str:
    """A photo or PDF as the reply (checked like every upload), its caption with it."""
    message = update.effective_message
    assert message is not None
    pending = _pending(context)
    if pending is None:
        return IDLE
    ticket_id, mode = pending
    if mode == "note":
        await send_text(update, context, _("A note is text only. Please type it."))
        return TYPING
    if message.photo:
        found = (AttachmentKind.PHOTO, message.photo[-1].file_id, message.photo[-1].file_size)
    elif message.document is not None:
        document = message.document
        found = (AttachmentKind.DOCUMENT, document.file_id, document.file_size)
    else:
        return TYPING
    attachment = await checked_file(update, context, *found)
    if attachment is None:
        return TYPING
    caption = (message.caption or "").strip()[:MAX_TEXT_CHARS] or None
    return await _reply(update, context, ticket_id, Content(text=caption, attachment=attachment))


async def _reply(update: Update, context: BotContext, ticket_id: int, content: Content) -> str:
    services = context.services
    try:
        await ticket_desk.reply(
            services.store,
            services.clock,
            _actor(update, context),
            ticket_id,
            content,
            officer_name=_name(update),
            reminders=services.reminders,
        )
    except TicketClosed:
        _forget(context)
        await send_text(update, context, _("This ticket is closed; nothing was sent."))
        return await _card(update, context, ticket_id)
    services.wake_sender()
    _forget(context)
    await send_text(update, context, _("✅ Sent to the citizen."))
    return await _card(update, context, ticket_id)


async def show_canned(update: Update, context: BotContext) -> str:
    """tko:cn:<id>: the canned replies (data/canned_replies.yaml), by title."""
    await _answer(update)
    ticket_id = _ticket_id(update, buttons.TicketCanned)
    if ticket_id is None:
        return IDLE
    replies = context.services.catalogue.canned_replies
    rows = [row((r.title, buttons.CannedPreview(ticket_id, r.code).pack())) for r in replies]
    rows.append(row((_(BACK_LABEL), buttons.TicketOpen(ticket_id).pack())))
    await send_text(update, context, _("Choose a canned reply:"), InlineKeyboardMarkup(rows))
    return IDLE


async def preview_canned(update: Update, context: BotContext) -> str:
    """tko:cp:<id>:<code>: the reply's text, to check before sending."""
    await _answer(update)
    pressed = _pressed(update, buttons.CannedPreview)
    reply = None if pressed is None else context.services.catalogue.canned_reply(pressed.code)
    if pressed is None or reply is None:
        return IDLE
    ticket_id = pressed.ticket_id
    markup = InlineKeyboardMarkup(
        [
            row((_(SEND_LABEL), buttons.CannedSend(ticket_id, reply.code).pack())),
            row((_(BACK_LABEL), buttons.TicketOpen(ticket_id).pack())),
        ]
    )
    await send_text(update, context, reply.text, markup)
    return IDLE


async def send_canned(update: Update, context: BotContext) -> str:
    """tko:cs:<id>:<code>: send the canned reply to the citizen."""
    await _answer(update)
    pressed = _pressed(update, buttons.CannedSend)
    reply = None if pressed is None else context.services.catalogue.canned_reply(pressed.code)
    if pressed is None or reply is None:
        return IDLE
    content = Content(text=reply.text, canned_code=reply.code)
    return await _reply(update, context, pressed.ticket_id, content)


async def close(update: Update, context: BotContext) -> str:
    """tko:x:<id>: close the ticket; the citizen is asked for a rating."""
    await _answer(update)
    ticket_id = _ticket_id(update, buttons.TicketClose)
    if ticket_id is None:
        return IDLE
    services = context.services
    await ticket_desk.close(
        services.store,
        services.clock,
        _actor(update, context),
        ticket_id,
        reminders=services.reminders,
    )
    services.wake_sender()
    await send_text(update, context, _("Closed. The citizen is asked to rate the answer."))
    return await _card(update, context, ticket_id)


async def reopen(update: Update, context: BotContext) -> str:
    """tko:ro:<id>: open a closed ticket again (not while the citizen has another open)."""
    await _answer(update)
    ticket_id = _ticket_id(update, buttons.TicketReopen)
    if ticket_id is None:
        return IDLE
    services = context.services
    try:
        await ticket_desk.reopen(
            services.store,
            services.clock,
            _actor(update, context),
            ticket_id,
            reminders=services.reminders,
        )
    except TicketConflict as conflict:
        other = conflict.open_ticket_id
        markup = InlineKeyboardMarkup(
            [
                row(
                    (
                        _(texts.OPEN_TICKET).format(number=texts.number(other)),
                        buttons.TicketOpen(other).pack(),
                    )
                )
            ]
        )
        await send_text(
            update,
            context,
            _("The citizen has another open ticket, number {number}: write there.").format(
                number=texts.number(other)
            ),
            markup,
        )
        return IDLE
    services.wake_sender()
    await send_text(update, context, _("Reopened. The citizen was told."))
    return await _card(update, context, ticket_id)


async def send_files(update: Update, context: BotContext) -> str:
    """tko:f:<id>: every file of the ticket, sent back to the officer with who sent it."""
    await _answer(update)
    ticket_id = _ticket_id(update, buttons.TicketFiles)
    chat = update.effective_chat
    if ticket_id is None or chat is None:
        return IDLE
    services = context.services
    view = await ticket_desk.view(
        services.store, _actor(update, context), ticket_id
    )  # audited: a read
    for message in view.messages:
        file = message.attachment
        if file is None:
            continue
        who = _("👤 Citizen") if message.author is Author.CITIZEN else message.officer_name or ""
        stamp = (
            format_jalali_datetime(message.created_at, services.settings.zone)
            if message.created_at
            else ""
        )
        caption = f"{who} — {stamp}"
        # A file id is this bot's only if the file came through it; else the stored copy.
        data: str | bytes = file.file_id
        first = services.settings.primary.platform.value
        if (file.platform or first) != services.platform.value:
            data = await stored_copy(services.settings.data_dir, file.stored_name)
        if file.kind is AttachmentKind.PHOTO:
            await context.bot.send_photo(chat.id, data, caption=caption)
        else:
            await context.bot.send_document(chat.id, data, caption=caption)
    return await _card(update, context, ticket_id)


def _buttons() -> list[BaseHandler[Update, BotContext, object]]:
    """The buttons; valid in every state."""
    return [
        CallbackQueryHandler(show_inbox, pattern=buttons.TICKET_INBOX.pattern()),
        CallbackQueryHandler(show_closed, pattern=buttons.TICKET_CLOSED_LIST.pattern()),
        CallbackQueryHandler(open_ticket, pattern=buttons.TicketOpen.pattern()),
        CallbackQueryHandler(take, pattern=buttons.TicketTake.pattern()),
        CallbackQueryHandler(ask_reply, pattern=buttons.TicketReply.pattern()),
        CallbackQueryHandler(ask_note, pattern=buttons.TicketNote.pattern()),
        CallbackQueryHandler(show_canned, pattern=buttons.TicketCanned.pattern()),
        CallbackQueryHandler(preview_canned, pattern=buttons.CannedPreview.pattern()),
        CallbackQueryHandler(send_canned, pattern=buttons.CannedSend.pattern()),
        CallbackQueryHandler(close, pattern=buttons.TicketClose.pattern()),
        CallbackQueryHandler(reopen, pattern=buttons.TicketReopen.pattern()),
        CallbackQueryHandler(send_files, pattern=buttons.TicketFiles.pattern()),
    ]


def build() -> Conversation:
    """The officers' tickets (register through officer_steps, before the sections catch-all)."""
    command: BaseHandler[Update, BotContext, object] = CommandHandler("tickets", show_inbox)
    return Conversation(
        entry_points=[
            command,
            CallbackQueryHandler(show_inbox, pattern=buttons.OFFICER_TICKETS.pattern()),
            *_buttons(),
        ],
        states={
            IDLE: _buttons(),
            TYPING: [
                MessageHandler(filters.TEXT & ~filters.COMMAND & ~menu_button(), typed),
                MessageHandler(filters.PHOTO | filters.Document.ALL, got_file),
                *_buttons(),
            ],
        },
        fallbacks=[*exits(), command],
        name="officer_tickets",
        persistent=True,
        allow_reentry=True,
    )
