"""The reply sender over the bot's own client (bot.api_client), over real HTTP: a message a
handler knew by its placeholder id is edited under its real id, in a later batch and after a
restart; a photo the platform refuses goes as a file, the upload with it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.api_client import BotApiClient
from bot.updates.reply_sender import ReplySender
from botapi_emulator import Emulator
from botapi_emulator.users import user_json
from storage.db import Database
from storage.inbox import Inbox, Received
from storage.replies import FilePart, ReplyQueue

TOKEN = "123456:reply-sender-token"
CHAT = 7


async def queued(
    db: Database, queue: ReplyQueue, update_id: int, calls: list[tuple[str, dict[str, object]]]
) -> list[int]:
    """One update's calls, committed as a handler's unit of work commits them."""
    [row] = await Inbox(db, platform="telegram", bot_id=1).store([Received(update_id, CHAT, {})])
    async with db.transaction() as conn:
        return [
            await queue.add(conn, chat_key=CHAT, update_seq=row.seq, method=m, params=p, file=None)
            for m, p in calls
        ]


def edit_first(text: str) -> tuple[str, dict[str, object]]:
    """An edit of the first message queued (placeholder -1), as a handler that kept it makes."""
    return "editMessageText", {"chat_id": CHAT, "message_id": -1, "text": text}


async def test_a_placeholder_kept_by_a_handler_is_edited_under_its_real_id(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.bot(TOKEN).chat(user_json(CHAT, "شهروند"))
    async with (
        Database(tmp_path / "bot.sqlite3") as db,
        BotApiClient(emulator.api_base_url + TOKEN) as api,
    ):
        queue = ReplyQueue(db, platform="telegram", bot_id=1)
        sender = ReplySender(api, queue)
        # One update: a message, and an edit of it in the same batch.
        [sent, _] = await queued(db, queue, 1, [
            ("sendMessage", {"chat_id": CHAT, "text": "در حال آماده‌سازی"}),
            edit_first("۱ از ۳"),
        ])  # fmt: skip
        assert sent == 1  # so its placeholder is -1
        assert await sender.flush(CHAT)
        # A later update edits it again; then, after a restart (nothing in memory), again.
        await queued(db, queue, 2, [edit_first("۲ از ۳")])
        assert await sender.flush(CHAT)
        await sender.marks_written()
        after_restart = ReplySender(api, ReplyQueue(db, platform="telegram", bot_id=1))
        await queued(db, queue, 3, [edit_first("۳ از ۳")])
        assert await after_restart.flush(CHAT)
        await after_restart.marks_written()
    real = next(c for c in emulator.calls if c.method == "sendMessage")
    edits = [c for c in emulator.calls if c.method == "editMessageText"]
    assert [c.status for c in edits] == [200, 200, 200]
    message_ids = {str(c.params["message_id"]) for c in edits}
    assert len(message_ids) == 1 and int(message_ids.pop()) > 0
    assert real.ok


@pytest.fixture
async def refuses_photos() -> AsyncIterator[tuple[list[tuple[str, bytes]], str]]:
    """A Bot API on loopback that refuses every photo and takes every document."""
    received: list[tuple[str, bytes]] = []

    async def handle(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        received.append((method, await request.read()))
        if method == "sendPhoto":
            return web.json_response(
                {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: IMAGE_PROCESS_FAILED",
                },
                status=400,
            )
        return web.json_response({"ok": True, "result": {"message_id": 31}})

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield received, f"http://127.0.0.1:{runner.addresses[0][1]}/bot{TOKEN}"
    finally:
        await runner.cleanup()


async def test_a_refused_photo_goes_as_a_file(
    refuses_photos: tuple[list[tuple[str, bytes]], str], tmp_path: Path
) -> None:
    received, url = refuses_photos
    picture = b"\x89PNG\r\n\x1a\n not really a picture"
    async with Database(tmp_path / "bot.sqlite3") as db, BotApiClient(url) as api:
        queue = ReplyQueue(db, platform="telegram", bot_id=1)
        [row] = await Inbox(db, platform="telegram", bot_id=1).store([Received(1, CHAT, {})])
        async with db.transaction() as conn:
            await queue.add(
                conn, chat_key=CHAT, update_seq=row.seq, method="sendPhoto",
                params={"chat_id": CHAT, "caption": "مدرک"},
                file=FilePart("photo", "a.png", picture),
            )  # fmt: skip
        sender = ReplySender(api, queue)
        assert await sender.flush(CHAT)
        await sender.marks_written()
        assert await queue.real_message_id(-1) == 31
    [(first, _), (second, body)] = received
    assert (first, second) == ("sendPhoto", "sendDocument")
    assert b'name="document"; filename="a.png"' in body and picture in body
    assert "مدرک".encode() in body
