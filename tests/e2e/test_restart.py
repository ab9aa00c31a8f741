"""A crash (SIGKILL) between two answers loses nothing: the citizen continues where they were."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from botapi_emulator import Citizen, Emulator
from tests.conftest import bot_running, make_settings
from tests.e2e.process import BotProcess
from tests.settle import store_settled


async def test_conversation_survives_kill_9(emulator: Emulator, tmp_path: Path) -> None:
    bot = BotProcess(emulator, tmp_path / "data", WITH_TEST_CONVERSATION="1")
    await bot.start()
    citizen = Citizen(
        emulator.url,
        user_id=4242,
        first_name="زهرا",
        settle=store_settled(tmp_path / "data" / "homebiz.db"),
    )
    try:
        assert (await citizen.sends_command("/survey", timeout=30))[-1].text == "city?"
        assert (await citizen.says("خرم‌آباد"))[-1].text == "craft?"

        await bot.kill()
        await bot.start()

        replies = await citizen.says("گلیم‌بافی", timeout=30)
        assert replies[-1].text == "done: خرم‌آباد / گلیم‌بافی"
    finally:
        await citizen.close()
        await bot.stop()


async def test_a_second_run_with_update_ids_starting_again_is_answered(tmp_path: Path) -> None:
    """The sandbox case: same data dir, a new emulator whose update ids start again at 1."""
    data = tmp_path / "data"
    last_sent = 0
    for run in range(2):
        # Telegram never sends an update id again with the same content: a restarted emulator's
        # "/start" differs from the first run's by its date (whole seconds), once a second passed.
        while int(time.time()) <= last_sent:  # noqa: ASYNC110 - waiting for the clock
            await asyncio.sleep(0.05)
        async with Emulator() as emulator:
            settings = make_settings(emulator, data)
            async with bot_running(settings):
                citizen = Citizen(
                    emulator.url, 4343, "زهرا", settle=store_settled(settings.database_path)
                )
                try:
                    replies = await citizen.sends_command("/start")
                    assert replies, f"run {run + 1}: /start got no answer"
                    assert (await citizen.sends_command("/help"))[-1].text
                    last_sent = int(time.time())
                finally:
                    await citizen.close()
