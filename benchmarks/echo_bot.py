"""A bare python-telegram-bot echo bot: the baseline the interactive benchmark compares with.

Run with BOT_TOKEN, BOT_API_BASE_URL and BOT_FILE_BASE_URL in the environment.
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back."""
    if update.effective_message is not None and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


def main() -> None:
    application = (
        Application.builder()
        .token(os.environ["BOT_TOKEN"])
        .base_url(os.environ["BOT_API_BASE_URL"])
        .base_file_url(os.environ["BOT_FILE_BASE_URL"])
        .build()
    )
    application.add_handler(MessageHandler(filters.ALL, echo))
    application.run_polling(poll_interval=0.0, timeout=25)


if __name__ == "__main__":
    main()
