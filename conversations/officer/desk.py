"""The officers' desk: /officer, find an application, open it, act on it.

    [*] --> IDLE: /officer (officers only)
    IDLE --> TYPING: off:find:<by> | off:to:<id>:<status> | off:fxok:<id> | off:bk:…
                     | off:permit:<id>
    TYPING --> IDLE: the query or the reason typed → results or the change applied
    IDLE --> IDLE: off:open:<id> | off:docs:<id> | off:fx:<id>:<code> | off:stats | off:menu
                   | off:acc:<id> | off:ac:<id>:<document id> | off:acok:<id> | off:acall:<id>

Every button works from any state (the conversation keeps no stale screen), and every
callback is ``officer_only``: a citizen who forges ``off:…`` data gets nothing.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from conversations.common import Conversation, exits
from conversations.officer import accept, actions
from conversations.officer.view import acting_officer, results_keyboard, send_card, send_documents
from domain.models import Application
from domain.persian import normalize_mobile, normalize_national_code
from domain.tracking import normalize_tracking_code
from handlers import officer_menu
from handlers.auth import officer_only
from handlers.context import BotContext
from handlers.menu import menu_button
from handlers.officer_menu import (
    FIND_BY,
    IDLE,
    PENDING_KEY,
    TYPING,
    back_to_menu_button,
)
from services import applications
from services.applications import SearchBy
from texts.i18n import N_, _

_PROMPTS = {
    "code": N_("Type the tracking code."),
    "nc": N_("Type the national code."),
    "phone": N_("Type the mobile number."),
    "name": N_("Type the applicant's name, or the start of it (at least two letters)."),
}


@officer_only
async def ask_query(update: Update, context: BotContext) -> str:
    """off:find:<by>: ask for the tracking code, national code, phone or name."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    await query.answer()
    by = query.data.rsplit(":", 1)[1]
    if by not in FIND_BY:
        return IDLE
    context.user_data[PENDING_KEY] = {"action": "find", "by": by}
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(
        chat.id, _(_PROMPTS[by]), reply_markup=InlineKeyboardMarkup([[back_to_menu_button()]])
    )
    return TYPING


async def _search(
    update: Update, context: BotContext, by: str, text: str
) -> list[Application] | None:
    """The matching applications; None when the typed value is not a valid code or number."""
    search_by: SearchBy
    if by == "code":
        search_by, value = "code", normalize_tracking_code(text)
    elif by == "nc":
        search_by, value = "nc", normalize_national_code(text)
    elif by == "name":
        search_by, value = "name", (text if len(text.strip()) >= 2 else None)
    else:
        search_by, value = "phone", normalize_mobile(text)
    if value is None:
        return None
    store = context.services.store
    return await applications.search(store, acting_officer(update), search_by, value)


@officer_only
async def typed(update: Update, context: BotContext) -> str:
    """Typed text: the search query, or what a pending action was waiting for."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None and context.user_data is not None
    text = (message.text or "").strip()
    pending = context.user_data.get(PENDING_KEY) or {}
    if pending.get("action") != "find":
        next_state = await actions.typed_for_action(update, context, text)
        if next_state is None:
            await message.reply_text(
                _("Please choose from the officer menu."),
                reply_markup=officer_menu.officer_menu_keyboard(),
            )
            return IDLE
        return next_state
    found = await _search(update, context, str(pending["by"]), text)
    if found is None:
        await message.reply_text(_("This does not look valid. Please check it and type again."))
        return TYPING
    context.user_data.pop(PENDING_KEY, None)
    if not found:
        await message.reply_text(
            _("No application found."), reply_markup=officer_menu.officer_menu_keyboard()
        )
        return IDLE
    if len(found) == 1:
        await send_card(update, context, found[0].id)
        return IDLE
    await message.reply_text(_("Applications found:"), reply_markup=results_keyboard(found))
    return IDLE


@officer_only
async def open_application(update: Update, context: BotContext) -> str:
    """off:open:<id>: the application's card with the moves allowed from its status."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and query.data is not None and chat is not None
    await query.answer()
    officer_menu.forget_pending(context)
    if not await send_card(update, context, int(query.data.rsplit(":", 1)[1])):
        await context.bot.send_message(chat.id, _("No application found."))
    return IDLE


@officer_only
async def show_documents(update: Update, context: BotContext) -> str:
    """off:docs:<id>: send back every stored document file."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and query.data is not None and chat is not None
    await query.answer()
    app_id = int(query.data.rsplit(":", 1)[1])
    if await send_documents(update, context, app_id) == 0:
        await context.bot.send_message(chat.id, _("This application has no documents yet."))
    await send_card(update, context, app_id)
    return IDLE


def _buttons() -> list[BaseHandler[Update, BotContext, object]]:
    """The desk's buttons; valid in every state. off:exhibitions / off:announce are not ours."""
    return [
        CallbackQueryHandler(officer_menu.open_menu, pattern=f"^{officer_menu.MENU_DATA}$"),
        CallbackQueryHandler(officer_menu.show_stats, pattern=f"^{officer_menu.STATS_DATA}$"),
        CallbackQueryHandler(officer_menu.web_desk_link, pattern=f"^{officer_menu.WEB_DATA}$"),
        CallbackQueryHandler(ask_query, pattern=r"^off:find:[a-z]{1,8}$"),
        CallbackQueryHandler(open_application, pattern=r"^off:open:\d{1,12}$"),
        CallbackQueryHandler(show_documents, pattern=r"^off:docs:\d{1,12}$"),
        CallbackQueryHandler(actions.choose_move, pattern=r"^off:to:\d{1,12}:[a-z_]{1,24}$"),
        CallbackQueryHandler(actions.no_reason, pattern=f"^{actions.NO_REASON_DATA}$"),
        CallbackQueryHandler(actions.toggle_document, pattern=r"^off:fx:\d{1,12}:[a-z0-9_]+$"),
        CallbackQueryHandler(actions.confirm_documents, pattern=r"^off:fxok:\d{1,12}$"),
        CallbackQueryHandler(actions.choose_bank, pattern=r"^off:bk:\d{1,12}:\d{1,3}$"),
        CallbackQueryHandler(actions.ask_permit, pattern=r"^off:permit:\d{1,12}$"),
        CallbackQueryHandler(accept.choose_documents, pattern=r"^off:acc:\d{1,12}$"),
        CallbackQueryHandler(accept.toggle_document, pattern=r"^off:ac:\d{1,12}:\d{1,12}$"),
        CallbackQueryHandler(accept.accept_ticked, pattern=r"^off:acok:\d{1,12}$"),
        CallbackQueryHandler(accept.accept_all, pattern=r"^off:acall:\d{1,12}$"),
    ]


def build() -> Conversation:
    """The officer desk conversation (register before the sections catch-all)."""
    entry: BaseHandler[Update, BotContext, object] = CommandHandler(
        "officer", officer_menu.open_menu
    )
    return Conversation(
        entry_points=[entry, *_buttons()],
        states={
            IDLE: _buttons(),
            TYPING: [
                MessageHandler(filters.TEXT & ~filters.COMMAND & ~menu_button(), typed),
                *_buttons(),
            ],
        },
        fallbacks=[*exits(), entry],
        name="officer_desk",
        persistent=True,
        allow_reentry=True,
    )
