"""Track my application: own applications with timelines, lookup by code, document fixes.

[*] --> list: "🔎 Track my application" or /status (answers and ends)
list --> ASK_CODE: trk:lookup (refused while throttled)
ASK_CODE --> ASK_NATIONAL: a code whose check digit is right
ASK_NATIONAL --> [*]: one answer for "no such code" and "wrong national code"
list --> FIX_UPLOAD: fix:<application id>:<document code> (owner only)
FIX_UPLOAD --> FIX_UPLOAD: the next requested document
FIX_UPLOAD --> [*]: all replaced → back to under review
"""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from conversations import tracking_fix
from conversations.common import Conversation, cancel, exits, inline_keyboard
from conversations.tracking_view import render_application
from domain.models import Citizen
from domain.persian import normalize_national_code
from domain.tracking import normalize_tracking_code
from handlers.context import BotContext, Services
from handlers.menu import MenuItem, label, main_menu_keyboard, menu_button
from services import applications, citizens
from services.actors import Actor
from services.applications import LookupThrottled
from texts import buttons
from texts.formatting import format_jalali_datetime
from texts.i18n import _

ASK_CODE, ASK_NATIONAL = "trk_ask_code", "trk_ask_national"
FIX_UPLOAD = tracking_fix.FIX_UPLOAD
LOOKUP_DATA = buttons.TRACKING_LOOKUP.pack()
_CODE_KEY = "trk_lookup_code"


async def current_citizen(update: Update, context: BotContext) -> Citizen | None:
    """The citizen row of the sender on this platform (None if they never started the bot)."""
    user = update.effective_user
    if user is None:
        return None
    services = context.services
    platform = services.platform.value
    return await citizens.find(services.store, platform, user.id)


def _lookup_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("🔑 Look up by tracking code"), callback_data=LOOKUP_DATA)]]
    )


async def show_applications(update: Update, context: BotContext) -> int:
    """The citizen's own applications, each with its status and timeline."""
    message = update.effective_message
    if message is None:
        return ConversationHandler.END
    citizen = await current_citizen(update, context)
    services = context.services
    views = (
        []
        if citizen is None
        else await applications.list_for_citizen(services.store, Actor("citizen", citizen.id))
    )
    if not views:
        await message.reply_text(
            _(
                "You have no application in this account yet. To apply, press «{button}» in the "
                "menu. If you applied from another phone or account, look it up with your "
                "tracking code."
            ).format(button=label(MenuItem.APPLY)),
            reply_markup=_lookup_keyboard(),
        )
        return ConversationHandler.END
    for view in views:
        text, keyboard = render_application(services, view, with_fix_buttons=True)
        await message.reply_text(text, reply_markup=keyboard)
    await message.reply_text(
        _("Applied from another phone or account? Look it up with its tracking code."),
        reply_markup=_lookup_keyboard(),
    )
    return ConversationHandler.END


# --- lookup by tracking code + national code ------------------------------------------------


async def _throttled(services: Services, user_id: int) -> datetime | None:
    platform = services.platform.value
    return await applications.lookup_blocked_until(services.store, services.now, platform, user_id)


async def _say_throttled(update: Update, until: datetime, services: Services) -> int:
    message = update.effective_message
    if message is not None:
        await message.reply_text(
            _(
                "You have tried several times without success. For your security, please try "
                "again after {time}, or contact the office."
            ).format(time=format_jalali_datetime(until, services.settings.zone)),
            reply_markup=main_menu_keyboard(),
        )
    return ConversationHandler.END


async def start_lookup(update: Update, context: BotContext) -> int | str:
    """Ask for the tracking code, unless this account failed too often lately."""
    query = update.callback_query
    if query is not None:
        await query.answer()
    user = update.effective_user
    message = update.effective_message
    if user is None or message is None:
        return ConversationHandler.END
    until = await _throttled(context.services, user.id)
    if until is not None:
        return await _say_throttled(update, until, context.services)
    await message.reply_text(
        _("Please type the 8-digit tracking code of the application."),
        reply_markup=inline_keyboard([], back=False),
    )
    return ASK_CODE


async def got_code(update: Update, context: BotContext) -> str:
    """Check the code's check digit before anything is looked up."""
    message = update.effective_message
    assert message is not None and context.user_data is not None
    code = normalize_tracking_code(message.text or "")
    if code is None:
        await message.reply_text(
            _(
                "This code does not look right: a tracking code has 8 digits and one of them "
                "seems mistyped. Please check it and type it again."
            ),
            reply_markup=inline_keyboard([], back=False),
        )
        return ASK_CODE
    context.user_data[_CODE_KEY] = code
    await message.reply_text(
        _("Now type the national code of the applicant (10 digits)."),
        reply_markup=inline_keyboard([], back=False),
    )
    return ASK_NATIONAL


async def got_national_code(update: Update, context: BotContext) -> int | str:
    """Compare; a wrong national code and an unknown code get exactly the same answer."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None and context.user_data is not None
    national = normalize_national_code(message.text or "")
    if national is None:
        await message.reply_text(
            _("This national code is not valid. Please check the 10 digits and type it again."),
            reply_markup=inline_keyboard([], back=False),
        )
        return ASK_NATIONAL
    services = context.services
    code = context.user_data.pop(_CODE_KEY, None)
    platform = services.platform.value
    try:
        # A lost code (user data gone) counts as a failed lookup, like a wrong one.
        view = await applications.lookup(
            services.store, services.now, platform, user.id, code or "", national
        )
    except LookupThrottled as throttled:
        return await _say_throttled(update, throttled.until, services)
    if view is None:
        await message.reply_text(
            _(
                "No application matches this tracking code and national code. Please check "
                "both and try again."
            ),
            reply_markup=_lookup_keyboard(),
        )
        return ConversationHandler.END
    text, _keyboard = render_application(services, view, with_fix_buttons=False)
    await message.reply_text(text, reply_markup=main_menu_keyboard())
    return ConversationHandler.END


async def _cancel_inline(update: Update, context: BotContext) -> int:
    if context.user_data is not None:
        context.user_data.pop(_CODE_KEY, None)
        tracking_fix.forget(context)
    return await cancel(update, context)


def build() -> Conversation:
    """The tracking conversation (register before the sections catch-all)."""
    typed = filters.TEXT & ~filters.COMMAND & ~menu_button()  # menu buttons end it first
    fix_entry: BaseHandler[Update, BotContext, object] = CallbackQueryHandler(
        tracking_fix.start_fix, pattern=tracking_fix.FIX_PATTERN
    )
    return Conversation(
        entry_points=[
            MessageHandler(menu_button(MenuItem.TRACK), show_applications),
            CommandHandler("status", show_applications),
            CallbackQueryHandler(start_lookup, pattern=buttons.TRACKING_LOOKUP.pattern()),
            fix_entry,
        ],
        states={
            ASK_CODE: [MessageHandler(typed, got_code)],
            ASK_NATIONAL: [MessageHandler(typed, got_national_code)],
            FIX_UPLOAD: [
                MessageHandler(filters.PHOTO | filters.Document.ALL, tracking_fix.got_file),
                MessageHandler(typed, tracking_fix.not_a_file),
            ],
        },
        fallbacks=[
            *exits(),
            CallbackQueryHandler(_cancel_inline, pattern=buttons.CANCEL.pattern()),
            CallbackQueryHandler(start_lookup, pattern=buttons.TRACKING_LOOKUP.pattern()),
            fix_entry,
        ],
        name="tracking",
        persistent=True,
        allow_reentry=True,
    )


def handlers() -> list[BaseHandler[Update, BotContext, object]]:
    """What bot/app.py registers for this section."""
    return [build()]
