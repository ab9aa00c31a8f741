"""Citizen helper against the emulator, with small bots that use a real PTB Bot."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
import telegram
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from botapi_emulator import Citizen, Emulator
from tests.integration.ptb_bots import ptb_bot

TOKEN = "777000:CITIZEN-test"
Handler = Callable[[telegram.Bot, Update], Awaitable[None]]


async def _menu_bot(bot: telegram.Bot, update: Update) -> None:
    """A tiny bot used by the tests below."""
    if update.callback_query is not None:
        query = update.callback_query
        await query.answer(f"chose {query.data}")
        msg = query.message
        assert isinstance(msg, telegram.Message)
        await bot.edit_message_text(f"chosen {query.data}", msg.chat.id, msg.message_id)
        return
    msg = update.message
    if msg is None:
        return
    chat = msg.chat.id
    if msg.contact is not None:
        await bot.send_message(chat, f"phone {msg.contact.phone_number} of {msg.contact.user_id}")
    elif msg.document is not None:
        tg_file = await bot.get_file(msg.document.file_id)
        data = await tg_file.download_as_bytearray()
        await bot.send_message(chat, f"got {len(data)} bytes")
    elif msg.text == "/start ref42":
        assert msg.entities and msg.entities[0].type == "bot_command"
        keyboard = ReplyKeyboardMarkup(
            [["ثبت‌نام", "راهنما"], [KeyboardButton("ارسال شماره", request_contact=True)]]
        )
        await bot.send_message(chat, "welcome ref42", reply_markup=keyboard)
    elif msg.text == "راهنما":
        await bot.send_message(chat, "help text")
        inline = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("بله", callback_data="yes")],
                [InlineKeyboardButton("خیر", callback_data="no")],
            ]
        )
        await bot.send_message(chat, "sure?", reply_markup=inline)
    elif msg.text == "later":
        asyncio.get_running_loop().call_later(
            0.05, lambda: asyncio.ensure_future(bot.send_message(chat, "notice"))
        )
    else:
        await bot.send_message(chat, f"echo {msg.text}")


async def _poll_loop(bot: telegram.Bot, handler: Handler) -> None:
    """Acknowledge each update only after handling it (what the project's bot does)."""
    offset: int | None = None
    while True:
        for update in await bot.get_updates(offset=offset, timeout=5, read_timeout=10):
            await handler(bot, update)
            offset = update.update_id + 1


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator() as emulator:
        yield emulator


@pytest.fixture
async def running_bot(emu: Emulator) -> AsyncIterator[telegram.Bot]:
    bot = ptb_bot(TOKEN, base_url=emu.api_base_url, base_file_url=emu.file_base_url)
    async with bot:
        task = asyncio.create_task(_poll_loop(bot, _menu_bot))
        yield bot
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_conversation_with_keyboards(emu: Emulator, running_bot: telegram.Bot) -> None:
    async with Citizen(emu.url, 9001, "Zahra") as zahra:
        replies = await zahra.sends_command("/start ref42")
        assert [m.text for m in replies] == ["welcome ref42"]
        assert zahra.buttons == [["ثبت‌نام", "راهنما"], ["ارسال شماره"]]
        replies = await zahra.presses("راهنما")
        assert [m.text for m in replies] == ["help text", "sure?"]
        assert zahra.last_message is not None
        assert zahra.last_message.inline_buttons == [[("بله", "yes")], [("خیر", "no")]]
        replies = await zahra.presses("بله")
        assert [(m.text, m.is_edited) for m in replies] == [("chosen yes", True)]
        assert zahra.last_callback_answer is not None
        assert zahra.last_callback_answer["text"] == "chose yes"
        assert zahra.last_text == "chosen yes"
        assert [m.text for m in zahra.messages] == ["welcome ref42", "help text", "chosen yes"]


async def test_contact_button_and_missing_button(emu: Emulator, running_bot: telegram.Bot) -> None:
    async with Citizen(emu.url, 9002, "Reza", bot_token=TOKEN) as reza:
        await reza.sends_command("/start ref42")
        replies = await reza.presses("شماره")  # unique "contains" match
        assert replies[0].text == "phone 989121234567 of 9002"
        await reza.sends_command("/start ref42")
        with pytest.raises(AssertionError, match=re.escape("available: ثبت‌نام | راهنما")):
            await reza.presses("خروج")
        replies = await reza.shares_contact("+989351112233", user_id=1)
        assert replies[0].text == "phone 989351112233 of 1"


async def test_document_and_later_message(emu: Emulator, running_bot: telegram.Bot) -> None:
    async with Citizen(emu.url, 9003) as citizen:
        replies = await citizen.sends_document(b"x" * 5000, "a.pdf", "application/pdf")
        assert replies[0].text == "got 5000 bytes"
        assert await citizen.says("later") == []
        notice = await citizen.wait_for_message(timeout=10)
        assert notice.text == "notice"


async def test_many_citizens_share_a_session(emu: Emulator, running_bot: telegram.Bot) -> None:
    async with aiohttp.ClientSession() as session:
        citizens = [Citizen(emu.url, 20000 + i, session=session) for i in range(150)]
        results = await asyncio.gather(*(c.says(f"n{c.user_id}") for c in citizens))
        for citizen, replies in zip(citizens, results, strict=True):
            assert [m.text for m in replies] == [f"echo n{citizen.user_id}"]
        for citizen in citizens:
            await citizen.close()


async def test_unacknowledged_update_fails_clearly(emu: Emulator) -> None:
    emu.bot(TOKEN)
    async with Citizen(emu.url, 9004, timeout=0.2) as citizen:
        with pytest.raises(AssertionError, match="did not acknowledge"):
            await citizen.says("anyone?")


async def test_ptb_application_in_reply_mode(emu: Emulator) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text("hello from PTB")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text.upper())
        await update.message.reply_text("done")

    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(emu.api_base_url)
        .base_file_url(emu.file_base_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        async with Citizen(emu.url, 9005, wait="reply") as citizen:
            assert [m.text for m in await citizen.sends_command("/start")] == ["hello from PTB"]
            replies = await citizen.says("abc")
            assert [m.text for m in replies] == ["ABC", "done"]
        await app.updater.stop()
        await app.stop()


async def test_client_api_faults_and_calls(emu: Emulator) -> None:
    async with aiohttp.ClientSession() as http:
        body = {"rate_429": 0.5, "methods": ["sendMessage"], "seed": 7}
        async with http.put(f"{emu.url}/_client/faults", json=body) as resp:
            assert resp.status == 200
        async with http.get(f"{emu.url}/_client/faults") as resp:
            got = await resp.json()
        assert got["rate_429"] == 0.5 and got["methods"] == ["sendMessage"]
        assert emu.faults.applies_to("SENDMESSAGE") and not emu.faults.applies_to("getMe")
        async with http.get(f"{emu.api_base_url}{TOKEN}/getMe") as resp:
            assert resp.status == 200
        async with http.get(f"{emu.url}/_client/calls", params={"method": "getme"}) as resp:
            calls = (await resp.json())["calls"]
        assert [(c["method"], c["status"], c["bot_id"]) for c in calls] == [("getMe", 200, 777000)]
