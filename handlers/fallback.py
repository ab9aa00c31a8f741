"""Last of all: a typed question goes to the FAQ; anything else gets «not understood»."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from handlers import faq
from handlers.context import BotContext
from handlers.menu import main_menu_keyboard
from texts.i18n import _


async def not_understood(update: Update, context: BotContext) -> None:
    """A polite answer and the menu, for text, media or commands we do not handle."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(
            _("Sorry, I did not understand that. Please choose one of the menu buttons below."),
            reply_markup=main_menu_keyboard(),
        )


async def typed_text(update: Update, context: BotContext) -> None:
    """A text no step waits for: answered from the FAQ, unless it is no question at all."""
    if not await faq.answer_question(update, context):
        await not_understood(update, context)


async def stale_button(update: Update, context: BotContext) -> None:
    """A button from an old message: always answer the query, then explain."""
    query = update.callback_query
    if query is None:
        return
    await query.answer(_("This button is no longer active. Please use the menu."))


def build() -> list[BaseHandler[Update, BotContext, None]]:
    """Catch-all handlers; registered last."""
    return [
        MessageHandler(filters.TEXT & ~filters.COMMAND, typed_text),
        MessageHandler(filters.ALL & ~filters.StatusUpdate.ALL, not_understood),
        CallbackQueryHandler(stale_button),
    ]
