"""`python -m botapi_emulator` as a separate process, driven over HTTP only."""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import AsyncIterator

import aiohttp
import pytest
import telegram
from telegram.error import BadRequest

from botapi_emulator import Citizen
from tests.integration.ptb_bots import ptb_bot

TOKEN = "424242:PROCESS-test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def process_url() -> AsyncIterator[str]:
    port = _free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "botapi_emulator",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--mode",
        "bale",
        "--token",
        TOKEN,
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 30)
    assert f"127.0.0.1:{port}" in line.decode()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 30)


async def test_process_serves_bot_and_citizens(process_url: str) -> None:
    bot = ptb_bot(TOKEN, base_url=f"{process_url}/bot", base_file_url=f"{process_url}/file/bot")
    async with bot, Citizen(process_url, 31, "Sara", wait="none") as sara:
        me = await bot.get_me()
        assert me.id == 424242
        await sara.says("سلام")
        (update,) = await bot.get_updates()
        assert update.message is not None and update.message.text == "سلام"
        await bot.send_message(31, "درود")
        message = await sara.wait_for_message(timeout=10)
        assert message.text == "درود"
        with pytest.raises(BadRequest):  # bale mode: no parse_mode
            await bot.send_message(31, "*x*", parse_mode="MarkdownV2")
        async with aiohttp.ClientSession() as http:
            async with http.put(f"{process_url}/_client/faults", json={"rate_500": 1.0}) as r:
                assert r.status == 200
            async with http.get(f"{process_url}/_client/calls") as r:
                methods = [c["method"] for c in (await r.json())["calls"]]
        assert methods[:2] == ["getMe", "getMe"] and "sendMessage" in methods
        with pytest.raises(telegram.error.NetworkError):
            await bot.send_message(31, "again")
