"""Menu sections answered with a single message: help, and those not built yet."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler

from handlers.context import BotContext
from handlers.menu import MenuItem, main_menu_keyboard, menu_button, menu_item_of
from handlers.start import help_text
from texts.i18n import _


async def answer_section(update: Update, context: BotContext) -> None:
    """Answer a menu button that has no conversation of its own (yet)."""
    message = update.effective_message
    if message is None:
        return
    item = menu_item_of(message.text)
    if item is MenuItem.HELP:
        text = help_text()
    else:
        text = _(
            "This section is being prepared and will be available soon. "
            "Please choose another option from the menu."
        )
    await message.reply_text(text, reply_markup=main_menu_keyboard())


def build() -> list[BaseHandler[Update, BotContext, None]]:
    """Menu buttons not claimed by a conversation registered before this handler."""
    return [MessageHandler(menu_button(), answer_section)]
