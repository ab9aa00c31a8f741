"""The officers' desk: /officer, find an application, open it, act on it.

    [*] --> IDLE: /officer (officers only)
    IDLE --> TYPING: off:find:<by> | off:to:<id>:<status> | off:fxok:<id> | off:bk:…
                     | off:permit:<id>
    TYPING --> IDLE: the query or the reason typed → results or the change applied
    IDLE --> IDLE: off:open:<id> | off:docs:<id> | off:fx:<id>:<code> | off:stats | off:menu
                   | off:acc:<id> | off:ac:<id>:<document id> | off:acok:<id> | off:acall:<id>

Every button works from any state (the conversation keeps no stale screen), and every
step is guarded (``officer_steps`` in bot.app): a citizen who forges ``off:…`` data gets nothing.
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
from conversations.form import Form, FormStep
from conversations.officer import accept, actions
from conversations.officer.view import acting_officer, results_keyboard, send_card, send_documents
from domain.models import Application
from domain.persian import normalize_mobile, normalize_national_code
from domain.tracking import normalize_tracking_code
from handlers import officer_menu
from handlers.context import BotContext
from handlers.menu import menu_button
from handlers.officer_menu import IDLE, PENDING_KEY, TYPING, back_to_menu_button
from services import applications
from services.applications import SearchBy
from texts import buttons
from texts.i18n import N_, _


def _name(text: str, context: BotContext) -> str | None:
    return text if len(text.strip()) >= 2 else None


_BY: dict[str, SearchBy] = {"code": "code", "nc": "nc", "phone": "phone", "name": "name"}
# What the officer searches by: one typed step each, its value already normalised.
_INVALID = N_("This does not look valid. Please check it and type again.")
FIND = Form(
    FormStep(
        "code",
        N_("Type the tracking code."),
        TYPING,
        lambda text, context: normalize_tracking_code(text),
        invalid=_INVALID,
    ),
    FormStep(
        "nc",
        N_("Type the national code."),
        TYPING,
        lambda text, context: normalize_national_code(text),
        invalid=_INVALID,
    ),
    FormStep(
        "phone",
        N_("Type the mobile number."),
        TYPING,
        lambda text, context: normalize_mobile(text),
        invalid=_INVALID,
    ),
    FormStep(
        "name",
        N_("Type the applicant's name, or the start of it (at least two letters)."),
        TYPING,
        _name,
        invalid=_INVALID,
    ),
    markup=lambda rows: InlineKeyboardMarkup([[back_to_menu_button()]]),
)


async def ask_query(update: Update, context: BotContext) -> str:
    """off:find:<by>: ask for the tracking code, national code, phone or name."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    await query.answer()
    by = buttons.Find.of(query.data).by
    context.user_data[PENDING_KEY] = {"action": "find", "by": by}
    return await FIND.ask(update, context, FIND.step(by), {}, answer=False)


async def _search(
    update: Update, context: BotContext, by: str, text: str
) -> list[Application] | None:
    """The matching applications; None when the typed value is not a valid code or number."""
    search_by = _BY.get(by, "phone")
    value = FIND.step(search_by).read(text, context)
    if value is None:
        return None
    store = context.services.store
    return await applications.search(store, acting_officer(update, context), search_by, str(value))


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
        await message.reply_text(_(_INVALID))
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


async def open_application(update: Update, context: BotContext) -> str:
    """off:open:<id>: the application's card with the moves allowed from its status."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and chat is not None
    await query.answer()
    officer_menu.forget_pending(context)
    if not await send_card(update, context, buttons.OpenApplication.of(query.data).app_id):
        await context.bot.send_message(chat.id, _("No application found."))
    return IDLE


async def show_documents(update: Update, context: BotContext) -> str:
    """off:docs:<id>: send back every stored document file."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and chat is not None
    await query.answer()
    app_id = buttons.ShowDocuments.of(query.data).app_id
    if await send_documents(update, context, app_id) == 0:
        await context.bot.send_message(chat.id, _("This application has no documents yet."))
    await send_card(update, context, app_id)
    return IDLE


def _buttons() -> list[BaseHandler[Update, BotContext, object]]:
    """The desk's buttons; valid in every state. off:exhibitions / off:announce are not ours."""
    return [
        CallbackQueryHandler(officer_menu.open_menu, pattern=buttons.OFFICER_MENU.pattern()),
        CallbackQueryHandler(officer_menu.show_stats, pattern=buttons.OFFICER_STATS.pattern()),
        CallbackQueryHandler(officer_menu.web_desk_link, pattern=buttons.OFFICER_WEB.pattern()),
        CallbackQueryHandler(ask_query, pattern=buttons.Find.pattern()),
        CallbackQueryHandler(open_application, pattern=buttons.OpenApplication.pattern()),
        CallbackQueryHandler(show_documents, pattern=buttons.ShowDocuments.pattern()),
        CallbackQueryHandler(actions.choose_move, pattern=buttons.Move.pattern()),
        CallbackQueryHandler(actions.no_reason, pattern=buttons.NO_REASON.pattern()),
        CallbackQueryHandler(actions.toggle_document, pattern=buttons.FixDocument.pattern()),
        CallbackQueryHandler(actions.confirm_documents, pattern=buttons.FixConfirm.pattern()),
        CallbackQueryHandler(actions.choose_bank, pattern=buttons.ChooseBank.pattern()),
        CallbackQueryHandler(actions.ask_permit, pattern=buttons.AskPermit.pattern()),
        CallbackQueryHandler(accept.choose_documents, pattern=buttons.AcceptDocuments.pattern()),
        CallbackQueryHandler(accept.toggle_document, pattern=buttons.AcceptToggle.pattern()),
        CallbackQueryHandler(accept.accept_ticked, pattern=buttons.AcceptTicked.pattern()),
        CallbackQueryHandler(accept.accept_all, pattern=buttons.AcceptAll.pattern()),
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
