"""The one error handler: log with context, apologise to the citizen, alert the officers."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, TelegramError

from config.logging_setup import one_line
from handlers.context import BotContext
from handlers.menu import main_menu_keyboard
from texts.i18n import _

LOGGER = logging.getLogger(__name__)


def _describe(update: object) -> str:
    """Ids that let a developer find the update, and nothing personal."""
    if isinstance(update, Update):
        user = update.effective_user.id if update.effective_user else None
        chat = update.effective_chat.id if update.effective_chat else None
        return f"update_id={update.update_id} user={user} chat={chat}"
    return type(update).__name__


async def on_error(update: object, context: BotContext) -> None:
    """Log the traceback; the citizen only sees a short Persian apology and the menu."""
    if isinstance(context.error, NetworkError):
        # The platform or the way to it failed (retries ran out): one line, not a traceback.
        LOGGER.warning(
            "Platform unreachable while handling %s: %s",
            _describe(update),
            one_line(context.error),
        )
    else:
        LOGGER.error("Error while handling %s", _describe(update), exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            if update.callback_query is not None:
                await update.callback_query.answer()
            await context.bot.send_message(
                update.effective_chat.id,
                _(
                    "Sorry, something went wrong on our side. Your previous answers are saved. "
                    "Please try again, or press /start to see the menu."
                ),
                reply_markup=main_menu_keyboard(),
            )
        except (Forbidden, TelegramError):
            LOGGER.warning("Could not send the apology for %s", _describe(update))
    services = context.services
    officers_chat = services.settings.officers_chat_id
    # OFFICERS_CHAT_ID is a chat of the first bot (BOT_PLATFORM's); the other bot cannot
    # write there, so its errors are only logged (above).
    if officers_chat is not None and services.platform is services.settings.primary.platform:
        try:
            await context.bot.send_message(
                officers_chat,
                _("Bot error while handling {what}: {error}").format(
                    what=_describe(update), error=type(context.error).__name__
                ),
            )
        except TelegramError:
            LOGGER.warning("Could not alert the officers' chat")
