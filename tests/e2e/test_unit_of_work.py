"""One update, one transaction: what a handler does commits whole, or not at all."""

from __future__ import annotations

import sqlite3

from telegram import Update
from telegram.ext import ApplicationHandlerStop, CommandHandler

from botapi_emulator import Citizen
from handlers.context import BotContext
from tests.conftest import RunningBot

SORRY = "پوزش می‌خواهیم"


def _count(bot: RunningBot, sql: str) -> int:
    path = bot.settings.database_path
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return int(conn.execute(sql).fetchone()[0])


async def _writes_then_fails(update: Update, context: BotContext) -> None:
    """A handler that stores something, replies, then fails half-way."""
    assert update.effective_user is not None and update.effective_message is not None
    store = context.services.store
    await store.citizens.get_or_create("telegram", 424242, 424242)
    await update.effective_message.reply_text("half-way")
    raise ValueError("a bug in a handler")


async def test_a_failing_handler_leaves_no_write_and_only_the_apology(
    bot: RunningBot, citizen: Citizen
) -> None:
    bot.application.add_handler(CommandHandler("boom", _writes_then_fails), group=-100)
    replies = await citizen.sends_command("/boom")
    texts = [m.content for m in replies]
    assert len(texts) == 1 and SORRY in texts[0], texts
    assert not any("half-way" in text for text in texts), texts
    assert _count(bot, "SELECT count(*) FROM citizens WHERE user_id = 424242") == 0
    assert _count(bot, "SELECT count(*) FROM inbox_updates WHERE outcome = 'failed'") == 1
    # The chat is not blocked by the failed update: the next one is handled as usual.
    after = await citizen.sends_command("/help")
    assert after and SORRY not in after[-1].content


async def test_each_update_commits_its_state_with_its_handled_mark(
    bot: RunningBot, citizen: Citizen
) -> None:
    await citizen.sends_command("/start")
    await citizen.presses("ثبت‌نام و ارسال مدارک")
    handled = _count(bot, "SELECT count(*) FROM inbox_updates WHERE outcome = 'handled'")
    assert handled == 2
    # The conversation's state was written by the same commit as the handled mark.
    assert _count(bot, "SELECT count(*) FROM persistence_conversations") >= 1
    assert _count(bot, "SELECT count(*) FROM reply_queue WHERE sent_at IS NULL") == 0


class _Undone(Exception):
    """Raised to roll a nested transaction back."""


async def _replies_inside_a_rolled_back_savepoint(update: Update, context: BotContext) -> None:
    """A handler that replies, then replies again in a nested transaction that rolls back."""
    assert update.effective_message is not None
    await update.effective_message.reply_text("kept")
    try:
        async with context.services.store.db.transaction():
            await update.effective_message.reply_text("undone")
            raise _Undone
    except _Undone:
        pass
    raise ApplicationHandlerStop  # no other handler replies after it


async def test_a_reply_rolled_back_with_its_savepoint_is_not_sent(
    bot: RunningBot, citizen: Citizen
) -> None:
    """Replies are sent from memory after the commit, but only those the commit holds."""
    bot.application.add_handler(
        CommandHandler("nested", _replies_inside_a_rolled_back_savepoint), group=-100
    )
    texts = [m.content for m in await citizen.sends_command("/nested")]
    assert texts == ["kept"]
    assert _count(bot, "SELECT count(*) FROM reply_queue WHERE sent_at IS NULL") == 0
