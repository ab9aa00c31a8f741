"""Admins manage officers in the bot: /officers lists them, adds by user id, removes.

[*] --> LIST: /officers (admins only)
LIST --> ASK_ID: adm:add
ASK_ID --> [*]: a numeric user id → added (audited)
LIST --> [*]: adm:rm:<officer row id> → removed (audited)
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from conversations.common import CANCEL_DATA, Conversation, cancel, exits, inline_keyboard
from domain.accounts import Account
from domain.persian import parse_int
from handlers.auth import acting_officer
from handlers.context import BotContext, Services
from handlers.menu import menu_button
from services import officers
from texts import buttons
from texts.formatting import to_persian_digits
from texts.i18n import _
from texts.labels import platform_name

LIST, ASK_ID = "adm_list", "adm_ask_id"


def _account_label(services: Services, account: Account) -> str:
    """The user id, and the platform when it is not this bot's (an officer on the other one)."""
    digits = to_persian_digits(account.user_id)
    if account.platform == services.platform.value:
        return digits
    return f"{digits} ({platform_name(account.platform)})"


async def _send_list(update: Update, context: BotContext) -> None:
    services, chat, user = context.services, update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    listed = await officers.list_officers(services.store, acting_officer(services, user.id))
    lines = [_("Officers:")]
    lines += [
        _("• {id} (from settings)").format(id=_account_label(services, admin))
        for admin in listed.admins
    ]
    rows = []
    for officer in listed.added:
        account = Account(officer.platform, officer.user_id)
        label = _account_label(services, account) + (f" — {officer.name}" if officer.name else "")
        lines.append(f"• {label}")
        rows.append(
            [
                InlineKeyboardButton(
                    _("➖ Remove {officer}").format(officer=label),
                    callback_data=buttons.RemoveOfficer(officer.id).pack(),
                )
            ]
        )
    rows.append(
        [InlineKeyboardButton(_("➕ Add an officer"), callback_data=buttons.ADD_OFFICER.pack())]
    )
    rows.append([InlineKeyboardButton(_("✖️ Close"), callback_data=CANCEL_DATA)])
    await context.bot.send_message(
        chat.id, "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows)
    )


async def list_officers(update: Update, context: BotContext) -> str:
    """/officers: who is an officer, with add and remove buttons."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    await _send_list(update, context)
    return LIST


async def ask_user_id(update: Update, context: BotContext) -> str:
    """adm:add: ask for the new officer's numeric user id."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and chat is not None
    await query.answer()
    await context.bot.send_message(
        chat.id,
        _("Type the numeric user id of the new officer (they can see it in their profile)."),
        reply_markup=inline_keyboard([], back=False),
    )
    return ASK_ID


async def add_officer(update: Update, context: BotContext) -> int | str:
    """A typed user id: make it an officer (audited)."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    user_id = parse_int(message.text or "")
    if user_id is None or user_id <= 0:
        await message.reply_text(_("Please type digits only, e.g. 123456789."))
        return ASK_ID
    services = context.services
    await officers.add_officer(services.store, acting_officer(services, user.id), user_id)
    await message.reply_text(_("{id} is now an officer.").format(id=to_persian_digits(user_id)))
    await _send_list(update, context)
    return LIST


async def remove_officer(update: Update, context: BotContext) -> str:
    """adm:rm:<row id>: end that officer's role (audited)."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    row_id = buttons.RemoveOfficer.of(query.data).officer_id
    services = context.services
    removed = await officers.remove_officer(
        services.store, acting_officer(services, user.id), row_id
    )
    if removed is None:
        await query.answer(_("This button is no longer active. Please use the menu."))
        return LIST
    await query.answer(_("Removed."))
    await _send_list(update, context)
    return LIST


def build() -> Conversation:
    """The officers' administration (register before the sections catch-all)."""
    entry: BaseHandler[Update, BotContext, object] = CommandHandler("officers", list_officers)
    presses: list[BaseHandler[Update, BotContext, object]] = [
        CallbackQueryHandler(ask_user_id, pattern=buttons.ADD_OFFICER.pattern()),
        CallbackQueryHandler(remove_officer, pattern=buttons.RemoveOfficer.pattern()),
    ]
    return Conversation(
        entry_points=[entry, *presses],
        states={
            LIST: presses,
            ASK_ID: [
                MessageHandler(filters.TEXT & ~filters.COMMAND & ~menu_button(), add_officer),
                *presses,
            ],
        },
        fallbacks=[*exits(), CallbackQueryHandler(cancel, pattern=buttons.CANCEL.pattern()), entry],
        name="officer_admin",
        persistent=True,
        allow_reentry=True,
    )
