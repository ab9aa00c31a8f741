"""The citizen's side of a ticket: write to the officers, read the answers, rate the help.

The steps of the contact conversation (conversations/contact.py) from «✉️ Leave a message»:

    [*] --> WRITING: contact:write | contact:write:<faq question> (that question is sent at
                     once) | tk:w:<ticket> (the «write back» under an officer's reply)
    WRITING --> WRITING: a text, a photo or a PDF → joins the open ticket (the first opens it,
                         and it gets its number); outside office hours, when to expect an answer
    WRITING --> [*]: tk:done | /cancel | a menu button

And two buttons outside it: tk:v:<ticket> (read the conversation so far) and
tk:r:<ticket>:<1-5> (the rating asked for on close). Every one is checked against the
presser: another citizen's ticket id gets «this button is no longer active».
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from conversations.application.checklist import refusal_text
from conversations.common import send_text
from domain.file_checks import UploadRejected
from domain.tickets import MAX_TEXT_CHARS, Attachment, AttachmentKind, Author, TicketSource
from handlers.context import BotContext, Services
from handlers.menu import main_menu_keyboard, menu_button
from handlers.uploads import receive_upload
from services import tickets
from services.actors import Actor
from services.errors import NotAllowed
from services.tickets import Content, NotRateable, Written
from texts import buttons as kinds  # buttons() below is the wiring
from texts import tickets as texts
from texts.formatting import format_jalali_datetime, format_typed_text, to_persian_digits
from texts.i18n import N_, _

LOGGER = logging.getLogger(__name__)

WRITING = "ticket_writing"
DONE_LABEL = N_("✔️ Done")
WRITE_TO = N_("✍️ Write to ticket {number}")
SEE = N_("📜 See the conversation")


def done_markup() -> InlineKeyboardMarkup:
    """«Done» under what the citizen is writing."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(_(DONE_LABEL), callback_data=kinds.TICKET_DONE.pack())]]
    )


def open_ticket_markup(ticket_id: int) -> InlineKeyboardMarkup:
    """Write more to an open ticket, or read it (the contact screen shows it)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _(WRITE_TO).format(number=texts.number(ticket_id)),
                    callback_data=kinds.TicketWrite(ticket_id).pack(),
                )
            ],
            [InlineKeyboardButton(_(SEE), callback_data=kinds.TicketView(ticket_id).pack())],
        ]
    )


async def _actor(update: Update, context: BotContext) -> Actor:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    services = context.services
    return await tickets.citizen_actor(services.store, services.platform.value, user.id, chat.id)


async def _stale(update: Update) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer(_("This button is no longer active. Please use the menu."))


def _hours_note(services: Services, written: Written) -> str | None:
    """When the message starts a wait outside office hours: when to expect an answer."""
    hours = tickets.office_hours(services.settings, services.catalogue)
    now = services.now()
    if written.ticket.waiting_message_id != written.message.id or hours.is_open(now):
        return None
    return texts.outside_hours_text(hours, now)


async def _write(
    update: Update,
    context: BotContext,
    content: Content,
    source: TicketSource = TicketSource.CONTACT,
) -> str:
    """Store what the citizen sent in their ticket and say where it went."""
    services, user = context.services, update.effective_user
    chat = update.effective_chat
    assert chat is not None
    written = await tickets.write(
        services.store,
        services.clock,
        await _actor(update, context),
        content,
        chat_id=chat.id,
        citizen_name=user.full_name if user is not None else None,
        source=source,
        reminders=services.reminders,
    )
    services.wake_sender()
    number = texts.number(written.ticket.id)
    if written.opened:
        text = _(
            "Your message was registered as ticket {number}. Our officers answer here, in the "
            "bot. You can send more messages, photos or PDF files: they join the same ticket. "
            "When you have finished, press «✔️ Done»."
        ).format(number=number)
    else:
        text = _("Added to your ticket {number}.").format(number=number)
    note = _hours_note(services, written)
    await send_text(update, context, f"{text}\n\n{note}" if note else text, done_markup())
    return WRITING


async def start_writing(update: Update, context: BotContext) -> int | str:
    """«Leave a message», the FAQ's «ask an officer», or «write back» under a reply."""
    query = update.callback_query
    assert query is not None
    services = context.services
    actor = await _actor(update, context)
    faq = _faq_question(query.data)
    if faq is not None:
        question = await tickets.faq_question(services.store, actor, faq)
        if question:
            await query.answer()
            return await _write(update, context, Content(text=question), TicketSource.FAQ)
    wanted = kinds.TicketWrite.unpack(query.data)
    open_ticket = await tickets.own_open_ticket(services.store, actor)
    if wanted is not None:
        try:
            chosen = (await tickets.own_ticket(services.store, actor, wanted.ticket_id)).ticket
        except NotAllowed:
            await _stale(update)
            return ConversationHandler.END
        if not chosen.is_open and open_ticket is None:
            await query.answer()
            await send_text(
                update,
                context,
                _(
                    "Ticket {number} is closed. Write your new message here, and it will open a "
                    "new ticket."
                ).format(number=texts.number(chosen.id)),
                done_markup(),
            )
            return WRITING
    await query.answer()
    if open_ticket is not None:
        text = _(
            "Write your message for ticket {number}: a text, a photo or a PDF file. It joins "
            "the conversation with our officers."
        ).format(number=texts.number(open_ticket.id))
    else:
        text = _(
            "Write your question or message for our officers: a text, a photo or a PDF file; "
            "several messages are fine. Include your tracking code if you have one."
        )
    await send_text(update, context, text, done_markup())
    return WRITING


def _faq_question(data: str | None) -> int | None:
    """The FAQ question an «ask an officer» button carries, if any."""
    pressed = kinds.ContactWrite.unpack(data)
    return None if pressed is None else pressed.question_id


async def got_text(update: Update, context: BotContext) -> str:
    """A typed message: into the ticket (a too long one is refused)."""
    message = update.effective_message
    assert message is not None
    text = (message.text or "").strip()
    if len(text) > MAX_TEXT_CHARS:
        await message.reply_text(
            _("Your message is too long. Please shorten it to {limit} characters.").format(
                limit=to_persian_digits(MAX_TEXT_CHARS)
            ),
            reply_markup=done_markup(),
        )
        return WRITING
    return await _write(update, context, Content(text=text))


async def got_file(update: Update, context: BotContext) -> str:
    """A photo or a file: checked like an application's documents, then into the ticket."""
    message = update.effective_message
    assert message is not None
    if message.photo:
        kind, file_id, size = (
            AttachmentKind.PHOTO,
            message.photo[-1].file_id,
            message.photo[-1].file_size,
        )
    elif message.document is not None:
        kind, file_id, size = (
            AttachmentKind.DOCUMENT,
            message.document.file_id,
            message.document.file_size,
        )
    else:
        return WRITING
    attachment = await checked_file(update, context, kind, file_id, size)
    if attachment is None:
        return WRITING
    caption = (message.caption or "").strip()[:MAX_TEXT_CHARS] or None
    return await _write(update, context, Content(text=caption, attachment=attachment))


async def checked_file(
    update: Update, context: BotContext, kind: AttachmentKind, file_id: str, size: int | None
) -> Attachment | None:
    """Download and check a file (outside the update's transaction); None, and why, if refused."""
    settings = context.services.settings
    try:
        stored = await receive_upload(
            context.bot,
            file_id,
            size,
            data_dir=settings.data_dir,
            max_bytes=settings.max_upload_bytes,
            now=context.services.now(),
            max_pixels=settings.max_image_pixels,
        )
    except UploadRejected as exc:
        await send_text(update, context, refusal_text(exc.reason, None, settings.max_upload_mb))
        return None
    return Attachment(
        kind=kind,
        file_id=file_id,
        platform=context.services.platform.value,
        stored_name=stored.stored_name,
        sha256=stored.sha256,
        mime_type=stored.mime_type,
        size_bytes=stored.size_bytes,
    )


async def done(update: Update, context: BotContext) -> int:
    """«Done»: back to the menu; the answer will come here."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    await send_text(
        update,
        context,
        _("Thank you. Our officers will answer you here, in the bot."),
        main_menu_keyboard(),
    )
    return ConversationHandler.END


# --- outside the conversation --------------------------------------------------------------


async def show(update: Update, context: BotContext) -> None:
    """tk:v:<ticket>: the conversation so far, as the citizen may read it (no notes)."""
    query = update.callback_query
    pressed = kinds.TicketView.unpack(query.data if query else None)
    if query is None or pressed is None:
        return
    services = context.services
    try:
        view = await tickets.own_ticket(
            services.store, await _actor(update, context), pressed.ticket_id
        )
    except NotAllowed:
        await _stale(update)
        return
    await query.answer()
    zone = services.settings.zone
    lines = [_("Ticket {number}:").format(number=texts.number(view.ticket.id))]
    for message in view.messages[-20:]:
        who = _("👤 You") if message.author is Author.CITIZEN else _("💬 Our officer")
        stamp = format_jalali_datetime(message.created_at, zone) if message.created_at else ""
        body = (
            texts.describe(message) if message.attachment else format_typed_text(message.text or "")
        )
        lines += ["", f"{who} — {stamp}", body]
    text = "\n".join(lines)[: texts.MAX_MESSAGE]
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _(texts.WRITE_BACK), callback_data=kinds.TicketWrite(view.ticket.id).pack()
                )
            ]
        ]
    )
    await send_text(update, context, text, markup)


async def rate(update: Update, context: BotContext) -> None:
    """tk:r:<ticket>:<stars>: the citizen's rating of their closed ticket."""
    query = update.callback_query
    pressed = kinds.TicketRate.unpack(query.data if query else None)
    if query is None or pressed is None:
        return
    services = context.services
    try:
        await tickets.rate(
            services.store,
            services.clock,
            await _actor(update, context),
            pressed.ticket_id,
            pressed.stars,
        )
    except (NotAllowed, NotRateable):
        await _stale(update)
        return
    await query.answer(_("Thank you for your rating."))
    await query.edit_message_reply_markup(reply_markup=None)
    await send_text(
        update,
        context,
        _("Thank you! You gave {stars}. Your rating helps us answer better.").format(
            stars="⭐" * pressed.stars
        ),
    )


# --- the wiring the contact conversation and bot/app.py use ----------------------------------


def entry_points() -> list[BaseHandler[Update, BotContext, object]]:
    """Ways into writing: the contact screen, the FAQ's offer, «write back»."""
    return [
        CallbackQueryHandler(start_writing, pattern=kinds.ContactWrite.pattern()),
        CallbackQueryHandler(start_writing, pattern=kinds.TicketWrite.pattern()),
    ]


def states() -> dict[object, list[BaseHandler[Update, BotContext, object]]]:
    """The writing state: texts, photos and files join the ticket; «Done» ends it."""
    return {
        WRITING: [
            MessageHandler(filters.TEXT & ~filters.COMMAND & ~menu_button(), got_text),
            MessageHandler(filters.PHOTO | filters.Document.ALL, got_file),
            CallbackQueryHandler(done, pattern=kinds.TICKET_DONE.pattern()),
        ]
    }


def buttons() -> list[BaseHandler[Update, BotContext, None]]:
    """The buttons outside the conversation: read a ticket, rate it."""
    return [
        CallbackQueryHandler(show, pattern=kinds.TicketView.pattern()),
        CallbackQueryHandler(rate, pattern=kinds.TicketRate.pattern()),
    ]
