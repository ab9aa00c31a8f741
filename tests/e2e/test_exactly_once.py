"""Every update applied exactly once, and no chat waits for another's slow reply.

The three cases the walk from outside found: a photo filed twice after a crash while the
platform was still answering the reply; an announcement sent twice after a crash between
its broadcast row and the batch commit; one stalled chat holding up everyone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from botapi_emulator import Citizen, Emulator, FaultConfig
from storage import Store
from tests.conftest import OFFICER_ID, RunningBot
from tests.e2e.application_walk import jpeg_bytes, last, national_code
from tests.e2e.drafts import draft_at_documents, resume_application
from tests.e2e.process import BotProcess
from tests.settle import read_rows, store_settled

LATE_SECONDS = 4.0


async def _until_delivered(emulator: Emulator, chat_id: int, needle: str, seconds: float) -> None:
    """Until the platform has shown the chat a bot message containing ``needle``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        if any(needle in text for text in emulator.delivered_texts(chat_id)):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{needle!r} never reached chat {chat_id}")


async def test_a_photo_answered_late_and_a_crash_file_one_document(
    emulator: Emulator, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    database = data / "homebiz.db"
    process = BotProcess(emulator, data)
    await process.start()
    citizen = Citizen(
        emulator.url, user_id=7171, first_name="زهرا", timeout=30, settle=store_settled(database)
    )
    try:
        # At the documents step, seeded (the walk there is test_application's whole journey).
        store = await Store.open(database)  # beside the bot process's own
        try:
            await draft_at_documents(store, citizen.user_id, national_code(71))
        finally:
            await store.close()
        await resume_application(citizen)
        # The platform takes the bot's reply to the photo at once but answers it late;
        # the bot dies while it waits for that answer.
        emulator.faults = FaultConfig(
            rate_delay=1.0,
            delay_seconds=LATE_SECONDS,
            answer_late=True,
            chats=frozenset({citizen.user_id}),
            methods=frozenset({"sendMessage"}),
        )
        await citizen.sends_photo(jpeg_bytes(71), wait="none")
        await _until_delivered(emulator, citizen.user_id, "دریافت شد", 60)
        await process.kill()
        emulator.faults = FaultConfig()
        await process.start()

        checklist = await citizen.sends_photo(jpeg_bytes(72))
        text = last(checklist)
        assert "✅ کارت ملی" in text and "✅ شناسنامه" in text, text
        assert "⬜ عکس پرسنلی" in text, text
    finally:
        await citizen.close()
        await process.stop()
    kinds = read_rows(database, "SELECT kind, sha256 FROM documents ORDER BY id")
    assert [kind for kind, _sha in kinds] == ["national_card", "birth_certificate"]
    assert kinds[0][1] != kinds[1][1], "each document row holds the bytes sent for it"


async def test_an_announcement_pressed_in_a_batch_with_a_slow_chat_is_sent_once(
    emulator: Emulator, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    database = data / "homebiz.db"
    # Quiet hours now: the announcement is stored and queued but not delivered before the
    # crash, so the outbox's own duplicate window (sent, then killed before the mark) is
    # out of the way and only the press's handling is tested.
    hour = datetime.now(ZoneInfo("Asia/Tehran")).hour
    quiet = {"QUIET_HOURS_START": str(hour), "QUIET_HOURS_END": str((hour + 2) % 24)}
    process = BotProcess(emulator, data, BROADCAST_PROGRESS_SECONDS="0.2", **quiet)
    await process.start()
    settle = store_settled(database)
    officer = Citizen(emulator.url, OFFICER_ID, "کارشناس", timeout=30, settle=settle)
    slow = Citizen(emulator.url, 7272, "علی", timeout=30, settle=settle)
    subscriber = Citizen(emulator.url, 7373, "مریم", timeout=30, settle=settle)
    try:
        await subscriber.sends_command("/start")
        await subscriber.presses("تنظیم اطلاع‌رسانی")
        await subscriber.presses("🔔 اشتراک")
        await officer.sends_command("/announce")
        await officer.presses("متن آزاد")
        await officer.says("نمایشگاه پاییزه از فردا")
        await officer.presses("همهٔ شهرستان‌ها")
        await officer.presses("همهٔ گروه‌ها")
        # The slow chat's reply is answered late; the press arrives beside it.
        emulator.faults = FaultConfig(
            rate_delay=1.0,
            delay_seconds=LATE_SECONDS,
            answer_late=True,
            chats=frozenset({slow.user_id}),
        )
        await slow.sends_command("/help", wait="none")
        await officer.presses("ارسال کن", wait="none")
        # The moment the broadcast exists, while the slow chat is still being answered.
        await _until(lambda: bool(read_rows(database, "SELECT id FROM broadcasts")), 60)
        await process.kill()
        emulator.faults = FaultConfig()
        process = BotProcess(
            emulator, data, BROADCAST_PROGRESS_SECONDS="0.2", QUIET_HOURS_START="0",
            QUIET_HOURS_END="0",
        )  # fmt: skip
        await process.start()
        await officer.wait_for_message(60, lambda m: "پایان رسید" in m.content)
    finally:
        for person in (officer, slow, subscriber):
            await person.close()
        await process.stop()
    assert len(read_rows(database, "SELECT id FROM broadcasts")) == 1
    texts = emulator.delivered_texts(subscriber.user_id)
    assert sum("نمایشگاه پاییزه" in text for text in texts) == 1, texts


async def _until(condition: Callable[[], bool], seconds: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("the condition never held")
        await asyncio.sleep(0.01)


async def test_a_stalled_chat_delays_only_itself(emulator: Emulator, bot: RunningBot) -> None:
    database = bot.settings.database_path
    stalled = Citizen(emulator.url, 7474, "کند", timeout=30)
    others = [
        Citizen(
            emulator.url, 7500 + n, "تند", timeout=30, settle=store_settled(database, chat=7500 + n)
        )
        for n in range(3)
    ]
    try:
        emulator.faults = FaultConfig(
            rate_delay=1.0,
            # Far longer than three other chats' /help (~40 ms on a busy 2-core machine); the
            # bot's stop waits the held answer out.
            delay_seconds=1.5,
            answer_late=True,
            chats=frozenset({stalled.user_id}),
        )
        await stalled.sends_command("/help", wait="none")
        # The stalled reply is in flight: the platform took it and holds its answer.
        await _until(lambda: bool(emulator.delivered_texts(stalled.user_id)), 10)
        for replies in await asyncio.gather(*(o.sends_command("/help") for o in others)):
            assert replies, "another chat's /help got no answer while one chat was stalled"
        # Causal, not timed: the platform has not yet answered the stalled chat's reply
        # (a late answer is recorded when it is given), yet every other chat was answered.
        answered = [
            c for c in emulator.calls if str(c.params.get("chat_id")) == str(stalled.user_id)
        ]
        assert not [c for c in answered if c.method == "sendMessage"], answered
        await stalled.wait_for_message(20, lambda m: bool(m.content))
    finally:
        emulator.faults = FaultConfig()
        for person in (stalled, *others):
            await person.close()
