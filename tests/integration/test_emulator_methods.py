"""More Bot API details of the emulator: callbacks, chats, files, webhooks, faults."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator

import pytest
import telegram
from PIL import Image
from telegram.error import BadRequest, Conflict

from botapi_emulator import Citizen, Emulator, FaultConfig
from tests.integration.ptb_bots import ptb_bot

TOKEN = "555:METHODS-test"
OTHER = "556:OTHER-bot-token"
USER = 7001


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator() as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[telegram.Bot]:
    b = ptb_bot(TOKEN, base_url=emu.api_base_url, base_file_url=emu.file_base_url)
    async with b:
        yield b


@pytest.fixture
async def citizen(emu: Emulator, bot: telegram.Bot) -> AsyncIterator[Citizen]:
    async with Citizen(emu.url, USER, "Mina", bot_token=TOKEN, wait="none") as c:
        await c.says("hi")
        yield c


async def test_callback_query_answer_once(bot: telegram.Bot, citizen: Citizen) -> None:
    markup = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("go", callback_data="g")]]
    )
    await bot.send_message(USER, "menu", reply_markup=markup)
    await citizen.presses("go")
    updates = await bot.get_updates()
    query = updates[-1].callback_query
    assert query is not None and query.data == "g" and query.from_user.id == USER
    assert isinstance(query.message, telegram.Message) and query.message.text == "menu"
    assert await bot.answer_callback_query(query.id, text="ok")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query.id)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("12345")


async def test_get_chat_and_chat_action(bot: telegram.Bot, citizen: Citizen) -> None:
    chat = await bot.get_chat(USER)
    assert chat.type == "private" and chat.first_name == "Mina"
    assert await bot.send_chat_action(USER, "typing")
    with pytest.raises(BadRequest):
        await bot.send_chat_action(USER, "dancing")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.get_chat(1234)


async def test_file_too_big_for_get_file(emu: Emulator, bot: telegram.Bot) -> None:
    rec = emu.store_file(b"x" * (20 * 1024 * 1024 + 1), "documents", "big.bin", None)
    with pytest.raises(BadRequest, match="too big"):
        await bot.get_file(rec.file_id)
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("nope")


async def test_citizen_photo(bot: telegram.Bot, citizen: Citizen) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), "blue").save(buf, format="JPEG")
    await citizen.sends_photo(buf.getvalue(), caption="عکس")
    update = (await bot.get_updates())[-1]
    assert update.message is not None and update.message.caption == "عکس"
    photo = update.message.photo[-1]
    assert (photo.width, photo.height) == (64, 48)
    tg_file = await bot.get_file(photo.file_id)
    assert bytes(await tg_file.download_as_bytearray()) == buf.getvalue()


async def test_caption_limit_and_markdown(
    emu: Emulator, bot: telegram.Bot, citizen: Citizen
) -> None:
    with pytest.raises(BadRequest, match="caption is too long"):
        await bot.send_document(USER, b"abc", filename="a.txt", caption="c" * 1025)
    sent = await bot.send_message(USER, "*bold* \\- done", parse_mode="MarkdownV2")
    assert sent.text == "bold - done"
    assert emu.delivered_texts(USER) == ["bold - done"]


async def test_drop_pending_updates_per_mode(emu: Emulator, bot: telegram.Bot) -> None:
    async with Citizen(emu.url, USER, bot_token=TOKEN, wait="none") as c:
        await c.says("one")
        assert await bot.delete_webhook(drop_pending_updates=True)
        assert await bot.get_updates() == ()
    async with Emulator(mode="bale") as bale:
        b = ptb_bot(TOKEN, base_url=bale.api_base_url, base_file_url=bale.file_base_url)
        async with b, Citizen(bale.url, USER, wait="none") as c:
            await c.says("one")
            assert await b.delete_webhook(drop_pending_updates=True)
            assert len(await b.get_updates()) == 1  # Bale ignores drop_pending_updates


async def test_second_long_poll_ends_first_with_conflict(emu: Emulator, bot: telegram.Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=20, read_timeout=30))
    await asyncio.sleep(0.1)
    # A second instance of the same bot (PTB keeps one connection for getUpdates per Bot).
    twin = ptb_bot(TOKEN, base_url=emu.api_base_url, base_file_url=emu.file_base_url)
    async with twin:
        second = asyncio.create_task(twin.get_updates(timeout=1))
        with pytest.raises(Conflict, match="terminated by other getUpdates"):
            await asyncio.wait_for(first, 10)
        assert await second == ()


async def test_two_bots_share_one_emulator(emu: Emulator, bot: telegram.Bot) -> None:
    other = ptb_bot(OTHER, base_url=emu.api_base_url, base_file_url=emu.file_base_url)
    async with other, Citizen(emu.url, USER, bot_token=OTHER, wait="none") as c:
        await c.says("to other")
        assert await bot.get_updates() == ()
        (update,) = await other.get_updates()
        assert update.message is not None and update.message.text == "to other"
        await other.send_message(USER, "from other")
        assert emu.delivered_texts(USER, bot=OTHER) == ["from other"]
        assert emu.delivered_texts(USER, bot=556) == ["from other"]
    assert {c.bot_id for c in emu.calls} == {555, 556}


async def test_delay_fault_still_executes(
    emu: Emulator, bot: telegram.Bot, citizen: Citizen
) -> None:
    emu.faults = FaultConfig(rate_delay=1.0, delay_seconds=0.01)
    await bot.send_message(USER, "slow")
    assert emu.delivered_texts(USER) == ["slow"]
    assert emu.calls[-1].fault == "delay" and emu.calls[-1].ok


async def test_blocking_sends_my_chat_member(bot: telegram.Bot, citizen: Citizen) -> None:
    await citizen.blocks_bot()
    update = (await bot.get_updates())[-1]
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"
    await citizen.unblocks_bot()
    assert await bot.send_message(USER, "back")


async def test_allowed_updates_filters_new_updates(bot: telegram.Bot, citizen: Citizen) -> None:
    await bot.get_updates(allowed_updates=["message"])
    await citizen.blocks_bot()
    await citizen.unblocks_bot()
    await citizen.says("still here")
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["hi", "still here"]
    assert all(u.my_chat_member is None for u in updates)


async def test_reply_keyboard_remove_hides_buttons(bot: telegram.Bot, citizen: Citizen) -> None:
    await bot.send_message(USER, "menu", reply_markup=telegram.ReplyKeyboardMarkup([["a", "b"]]))
    await citizen.refresh()
    assert citizen.buttons == [["a", "b"]]
    await bot.send_message(USER, "typing time", reply_markup=telegram.ReplyKeyboardRemove())
    await citizen.refresh()
    assert citizen.buttons == []
    with pytest.raises(AssertionError, match="no keyboard"):
        await citizen.presses("a")
