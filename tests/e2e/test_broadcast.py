"""A 5,000-recipient announcement killed half-way (SIGKILL) resumes: everyone gets it once.

The sender's documented duplicate window (the platform accepted a message, the process died
before the row was marked sent) is kept out of this test on purpose: just before the kill,
the emulator starts refusing sendMessage (500) and the test waits until every message the
emulator accepted is marked sent in the database. Everything else is real: rows claimed but
not sent, rows waiting for a retry, and the officer's progress message, across a kill -9.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from botapi_emulator import Citizen, Emulator, FaultConfig
from botapi_emulator.users import user_json
from storage import Store
from tests.conftest import BOT_TOKEN, OFFICER_ID
from tests.e2e.process import BotProcess
from tests.e2e.subscribers import seed_subscribers
from tests.settle import store_settled

RECIPIENTS = 5000
FIRST_USER = 2_000_000
TEXT = "نمایشگاه بزرگ نوروزی"
ENV = {
    "OUTBOX_RATE_PER_SECOND": "2000",
    "BROADCAST_PROGRESS_SECONDS": "0.5",
    "QUIET_HOURS_START": "0",
    "QUIET_HOURS_END": "0",
}


async def _seed(database: Path) -> None:
    """Citizens and subscriptions written straight into the store, 5,000 at once."""
    store = await Store.open(database)
    await seed_subscribers(store, FIRST_USER, RECIPIENTS)
    await store.close()


class Delivered:
    """Announcements the emulator accepted, per chat; each look reads only the new calls (the
    test looks every 50 ms while thousands of calls pile up)."""

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator
        self._read = 0
        self._counts: Counter[int] = Counter()

    def __call__(self) -> Counter[int]:
        calls = self._emulator.calls  # appended to, never rewritten
        for call in calls[self._read :]:
            if call.method != "sendMessage" or not call.ok:
                continue
            chat_id = int(call.params["chat_id"])
            if chat_id >= FIRST_USER and TEXT in str(call.params.get("text")):
                self._counts[chat_id] += 1
        self._read = len(calls)
        return Counter(self._counts)


def _marked_sent(database: Path) -> int:
    with sqlite3.connect(database) as conn:
        row = conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'broadcast' AND status = 'sent'"
        ).fetchone()
    return int(row[0])


async def _until(condition: object, seconds: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():  # type: ignore[operator]
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


# 5,000 deliveries and a restart: about a minute here, so a slower CI gets room (not a speed test).
@pytest.mark.timeout(600)
async def test_broadcast_killed_half_way_reaches_everyone_exactly_once(
    emulator: Emulator, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    database = data / "homebiz.db"
    await _seed(database)
    state = emulator.bot(BOT_TOKEN)
    for user_id in range(FIRST_USER, FIRST_USER + RECIPIENTS):
        state.chat(user_json(user_id, "شهروند"))  # the chat exists, as after a /start

    deliveries = Delivered(emulator)
    bot = BotProcess(emulator, data, **ENV)
    await bot.start()
    officer = Citizen(
        emulator.url,
        user_id=OFFICER_ID,
        first_name="کارشناس",
        timeout=30,
        settle=store_settled(database),
    )
    try:
        await officer.sends_command("/announce")
        await officer.presses("متن آزاد")
        await officer.says(TEXT)
        await officer.presses("همهٔ شهرستان‌ها")
        preview = await officer.presses("همهٔ گروه‌ها")
        assert "۵٬۰۰۰" in preview[-1].content
        await officer.presses("ارسال کن")

        await _until(lambda: len(deliveries()) >= RECIPIENTS // 2, 120, "half")
        # Close the sender's duplicate window, then crash.
        emulator.faults = FaultConfig(rate_500=1.0, methods=frozenset({"sendMessage"}))
        await _until(lambda: _marked_sent(database) == sum(deliveries().values()), 30, "commits")
        await bot.kill()
        half = deliveries()
        assert RECIPIENTS // 2 <= len(half) < RECIPIENTS

        emulator.faults = FaultConfig()
        await bot.start()
        report = await officer.wait_for_message(
            180, lambda m: "پایان رسید" in m.content and "۵٬۰۰۰" in m.content
        )
        assert "رسیده: ۵٬۰۰۰" in report.content

        delivered = deliveries()
        assert set(delivered) == set(range(FIRST_USER, FIRST_USER + RECIPIENTS))
        assert set(delivered.values()) == {1}
        progress = [m for m in officer.messages if "از" in m.content and "ارسال شد" in m.content]
        assert progress and progress[-1].is_edited
    finally:
        await officer.close()
        await bot.stop()
