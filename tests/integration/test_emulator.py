"""The Bot API emulator driven by a real python-telegram-bot Bot."""

from __future__ import annotations

import asyncio
import io
import warnings
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
import telegram
from PIL import Image
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter

from botapi_emulator import Citizen, Emulator, FaultConfig
from tests.integration.ptb_bots import ptb_bot

TOKEN = "123456:TEST-token_abc"
USER = 5001


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(mode="telegram") as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[telegram.Bot]:
    b = ptb_bot(TOKEN, base_url=emu.api_base_url, base_file_url=emu.file_base_url)
    async with b:
        yield b


@pytest.fixture
async def citizen(emu: Emulator, bot: telegram.Bot) -> AsyncIterator[Citizen]:
    async with Citizen(emu.url, USER, "Ali", bot_token=TOKEN, wait="none") as c:
        yield c


async def test_get_me(bot: telegram.Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert me.username == "bot123456_bot"


async def test_send_and_receive(emu: Emulator, bot: telegram.Bot, citizen: Citizen) -> None:
    await citizen.says("سلام")
    updates = await bot.get_updates()
    assert len(updates) == 1
    msg = updates[0].message
    assert msg is not None and msg.text == "سلام"
    assert msg.chat.id == USER and msg.from_user is not None
    assert msg.from_user.language_code == "fa" and not msg.from_user.is_bot
    sent = await bot.send_message(USER, "خوش آمدید")
    assert sent.text == "خوش آمدید"
    assert sent.message_id > msg.message_id
    assert emu.delivered_texts(USER) == ["خوش آمدید"]
    await citizen.refresh()
    assert citizen.last_text == "خوش آمدید"


async def test_unknown_chat_and_blocked(bot: telegram.Bot, citizen: Citizen) -> None:
    with pytest.raises(BadRequest, match=r"[Cc]hat not found"):
        await bot.send_message(999, "x")
    await citizen.says("hi")
    await citizen.blocks_bot()
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(USER, "x")


async def test_long_poll_returns_on_new_update(bot: telegram.Bot, citizen: Citizen) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30, read_timeout=40))
    await asyncio.sleep(0.05)
    assert not poll.done()
    await citizen.says("ping")
    updates = await asyncio.wait_for(poll, 10)
    assert [u.message.text for u in updates if u.message] == ["ping"]


async def test_long_poll_times_out_empty(bot: telegram.Bot) -> None:
    assert await bot.get_updates(timeout=1) == ()


async def test_redelivery_until_acknowledged(bot: telegram.Bot, citizen: Citizen) -> None:
    await citizen.says("one")
    await citizen.says("two")
    first = await bot.get_updates()
    again = await bot.get_updates()
    assert [u.update_id for u in first] == [u.update_id for u in again]
    assert len(first) == 2
    rest = await bot.get_updates(offset=first[0].update_id + 1)
    assert [u.update_id for u in rest] == [first[1].update_id]
    assert await bot.get_updates(offset=first[1].update_id + 1) == ()
    assert await bot.get_updates() == ()  # dropped for good
    limited = await bot.get_updates(limit=1)
    assert limited == ()


async def test_callback_data_too_long(emu: Emulator, bot: telegram.Bot, citizen: Citizen) -> None:
    await citizen.says("hi")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="ب" * 33)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(USER, "menu", reply_markup=markup)
    assert emu.messages_to(USER) == []
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="ب" * 32)]])
    sent = await bot.send_message(USER, "menu", reply_markup=ok)
    assert sent.reply_markup == ok


async def test_text_limits(bot: telegram.Bot, citizen: Citizen) -> None:
    await citizen.says("hi")
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(USER, "a" * 4097)
    await bot.send_message(USER, "a" * 4096)
    await bot.send_message(USER, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="empty"):
        await bot.send_message(USER, "   ")


async def test_edit_and_delete(emu: Emulator, bot: telegram.Bot, citizen: Citizen) -> None:
    await citizen.says("hi")
    sent = await bot.send_message(USER, "v1")
    edited = await bot.edit_message_text("v2", chat_id=USER, message_id=sent.message_id)
    assert isinstance(edited, telegram.Message) and edited.edit_date is not None
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("v2", chat_id=USER, message_id=sent.message_id)
    assert emu.delivered_texts(USER) == ["v2"]
    await citizen.refresh()
    assert citizen.last_message is not None and citizen.last_message.is_edited
    assert await bot.delete_message(USER, sent.message_id)
    assert emu.messages_to(USER) == []
    await citizen.refresh()
    assert citizen.messages == []


async def test_send_document_get_file_download(bot: telegram.Bot, citizen: Citizen) -> None:
    await citizen.says("hi")
    data = b"%PDF-1.4 fake" * 1000
    msg = await bot.send_document(USER, data, filename="report.pdf", caption="گزارش")
    assert msg.document is not None and msg.document.file_name == "report.pdf"
    assert msg.document.file_size == len(data) and msg.caption == "گزارش"
    tg_file = await bot.get_file(msg.document.file_id)
    assert bytes(await tg_file.download_as_bytearray()) == data
    again = await bot.send_document(USER, msg.document.file_id)
    assert again.document is not None and again.document.file_id == msg.document.file_id


async def test_send_photo_reads_size(bot: telegram.Bot, citizen: Citizen) -> None:
    await citizen.says("hi")
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buf, format="PNG")
    msg = await bot.send_photo(USER, buf.getvalue())
    assert msg.photo and (msg.photo[-1].width, msg.photo[-1].height) == (40, 30)


async def test_citizen_document_reaches_bot(bot: telegram.Bot, citizen: Citizen) -> None:
    data = bytes(range(256)) * 10
    await citizen.sends_document(data, "form.xlsx", "application/vnd.ms-excel")
    (update,) = await bot.get_updates()
    assert update.message is not None and update.message.document is not None
    doc = update.message.document
    assert doc.file_name == "form.xlsx" and doc.mime_type == "application/vnd.ms-excel"
    tg_file = await bot.get_file(doc.file_id)
    assert bytes(await tg_file.download_as_bytearray()) == data


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_fault_429(emu: Emulator, bot: telegram.Bot, citizen: Citizen) -> None:
    await citizen.says("hi")
    emu.faults = FaultConfig(rate_429=1.0, retry_after=3, methods=frozenset({"sendMessage"}))
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "x")
    with warnings.catch_warnings():  # PTB 22 deprecates the int form of retry_after
        warnings.simplefilter("ignore")
        retry_after = caught.value.retry_after
    assert retry_after in (3, timedelta(seconds=3))
    assert emu.messages_to(USER) == []
    last = emu.calls[-1]
    assert (last.method, last.status, last.fault, last.ok) == ("sendMessage", 429, "429", False)
    assert await bot.get_me()  # other methods untouched


async def test_fault_500(emu: Emulator, bot: telegram.Bot, citizen: Citizen) -> None:
    await citizen.says("hi")
    emu.faults = FaultConfig(rate_500=1.0)
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "x")
    assert emu.messages_to(USER) == []
    emu.faults = FaultConfig()
    await bot.send_message(USER, "x")
    assert emu.delivered_texts(USER) == ["x"]


async def test_fault_502_answers_html_like_a_proxy(emu: Emulator, citizen: Citizen) -> None:
    await citizen.says("hi")
    emu.faults = FaultConfig(rate_502=1.0, methods=frozenset({"sendMessage"}))
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{emu.api_base_url}{TOKEN}/sendMessage", json={"chat_id": USER, "text": "x"}
        ) as r,
    ):
        assert r.status == 502 and r.content_type == "text/html"
        assert "<h1>502 Bad Gateway</h1>" in await r.text()
    last = emu.calls[-1]
    assert (last.status, last.fault, last.description) == (502, "502", "Bad Gateway")
    assert emu.messages_to(USER) == []


async def test_webhook_blocks_get_updates(bot: telegram.Bot) -> None:
    assert await bot.set_webhook("https://example.invalid/hook", secret_token="s3cret")
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    info = await bot.get_webhook_info()
    assert info.url == "https://example.invalid/hook"
    assert await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_commands_in_telegram_mode(bot: telegram.Bot) -> None:
    assert await bot.set_my_commands([("start", "شروع")])
    commands = await bot.get_my_commands()
    assert [(c.command, c.description) for c in commands] == [("start", "شروع")]


async def test_raw_http_shapes(emu: Emulator) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{emu.url}/botnot-a-token/getMe") as resp:
            assert resp.status == 401
            assert await resp.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with http.post(f"{emu.api_base_url}{TOKEN}/noSuchMethod") as resp:
            assert resp.status == 404
            assert (await resp.json())["description"] == "Not Found"
        async with http.get(f"{emu.api_base_url}{TOKEN}/GETME") as resp:
            assert (await resp.json())["result"]["id"] == 123456
        async with http.post(f"{emu.api_base_url}{TOKEN}/sendMessage", json={}) as resp:
            body = await resp.json()
            assert resp.status == 400 and body["description"].startswith("Bad Request: ")
    assert [c.method for c in emu.calls][-2:] == ["getMe", "sendMessage"]


async def test_bale_mode_differences() -> None:
    async with Emulator(mode="bale") as emu:
        bot = ptb_bot(TOKEN, base_url=emu.api_base_url, base_file_url=emu.file_base_url)
        async with bot, Citizen(emu.url, USER, bot_token=TOKEN, wait="none") as citizen:
            await citizen.says("hi")
            with pytest.raises(telegram.error.TelegramError, match="Not Found"):
                await bot.set_my_commands([("start", "go")])
            with pytest.raises(BadRequest, match=r"(?i)parse_mode is not supported"):
                await bot.send_message(USER, "<b>x</b>", parse_mode="HTML")
            with pytest.raises(BadRequest):
                await bot.set_webhook("https://example.invalid/h", secret_token="abc")
            await bot.send_message(USER, "plain")
            assert emu.delivered_texts(USER) == ["plain"]


async def test_a_telegram_and_a_bale_bot_at_once_each_with_its_own_file_ids(
    emu: Emulator, bot: telegram.Bot, citizen: Citizen
) -> None:
    """One emulator, a flavour per bot; a file id works only for the bot that received it."""
    bale_token = "777777:BALE-token_abc"
    emu.set_mode(bale_token, "bale")
    async with (
        ptb_bot(bale_token, base_url=emu.api_base_url, base_file_url=emu.file_base_url) as bale,
        Citizen(emu.url, USER, "Ali", bot_token=bale_token, wait="none") as on_bale,
    ):
        assert emu.bot(TOKEN).mode == "telegram" and emu.bot(bale_token).mode == "bale"
        await citizen.says("hi")
        await on_bale.says("سلام")
        assert await bot.set_my_commands([telegram.BotCommand("start", "x")])
        with pytest.raises(telegram.error.InvalidToken):  # Bale has no setMyCommands: 404
            await bale.set_my_commands([telegram.BotCommand("start", "x")])
        with pytest.raises(BadRequest, match=r"(?i)parse_mode"):
            await bale.send_message(USER, "<b>x</b>", parse_mode="HTML")
        await bot.send_message(USER, "<b>x</b>", parse_mode="HTML")

        await on_bale.sends_document(b"%PDF-1.4 bale", "a.pdf", "application/pdf")
        updates = await bale.get_updates()
        document = updates[-1].message.document  # type: ignore[union-attr]
        assert document is not None
        assert (await bale.get_file(document.file_id)).file_size == len(b"%PDF-1.4 bale")
        with pytest.raises(BadRequest):
            await bot.get_file(document.file_id)
        with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
            await bot.send_document(USER, document.file_id)
        await bale.send_document(USER, document.file_id)  # its own: fine
