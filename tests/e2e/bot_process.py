"""The bot as a separate process, for tests that kill it with SIGKILL.

Run as ``python -m tests.e2e.bot_process`` with the usual settings in the environment.
With ``WITH_TEST_CONVERSATION=1`` a small two-question conversation is registered first,
so persistence can be proven before (and besides) the real conversations.
"""

from __future__ import annotations

import logging
import os
import sys

from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot import app as bot_app
from bot import event_loop
from bot.application import HomebizApplication
from bot.runtime import run_polling
from config.logging_setup import configure_logging
from config.settings import load_settings
from handlers.context import BotContext
from tests.e2e import crash_points

ASK_CITY, ASK_CRAFT = range(2)


async def begin(update: Update, context: BotContext) -> int:
    assert update.effective_message is not None
    await update.effective_message.reply_text("city?")
    return ASK_CITY


async def got_city(update: Update, context: BotContext) -> int:
    assert update.effective_message is not None and context.user_data is not None
    context.user_data["city"] = update.effective_message.text
    await update.effective_message.reply_text("craft?")
    return ASK_CRAFT


async def got_craft(update: Update, context: BotContext) -> int:
    assert update.effective_message is not None and context.user_data is not None
    city = context.user_data.get("city")
    await update.effective_message.reply_text(f"done: {city} / {update.effective_message.text}")
    return ConversationHandler.END


def _with_test_conversation(original: object) -> object:
    def register(application: HomebizApplication) -> None:
        application.add_handler(
            ConversationHandler(
                entry_points=[CommandHandler("survey", begin)],
                states={
                    ASK_CITY: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_city)],
                    ASK_CRAFT: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_craft)],
                },
                fallbacks=[],
                name="test_survey",
                persistent=True,
            )
        )
        original(application)  # type: ignore[operator]

    return register


def main() -> int:
    settings = load_settings()
    configure_logging(logging.INFO, json_lines=settings.log_format.value == "json")
    crash_points.install_from_environment()
    if os.environ.get("WITH_TEST_CONVERSATION") == "1":
        bot_app.register_handlers = _with_test_conversation(bot_app.register_handlers)  # type: ignore[assignment]
    print("bot process ready", flush=True)
    event_loop.run(run_polling(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
