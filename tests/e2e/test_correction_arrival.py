"""Officers hear that corrected documents arrived, with only OFFICER_IDS set (issue 8, item 14).

The officer who asked for the correction is told, through the outbox, in the commit that
moves the application back to review; when that officer has been removed since, every
officer is told. No OFFICERS_CHAT_ID is needed.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from botapi_emulator import Citizen, Emulator
from config.settings import Settings
from domain.statuses import ApplicationStatus as S
from tests.conftest import OFFICER_ID, CitizenFactory, RunningBot, make_settings
from tests.e2e.test_officer_desk import move_button, officer_opens, wait_text
from tests.e2e.test_tracking import _no_quiet_hours, jpeg, submitted_application
from texts.formatting import to_persian_digits
from texts.i18n import _

__all__ = ["_no_quiet_hours"]  # the autouse fixture applies here too

SECOND_ADMIN = 900002
ADDED = 777003
ARRIVED = "مدارک اصلاح‌شدهٔ درخواست"


@pytest.fixture
def settings(emulator: Emulator, tmp_path: Path) -> Settings:
    # Two admins in OFFICER_IDS and no officers' chat.
    return make_settings(
        emulator, tmp_path / "data", officer_ids=frozenset({OFFICER_ID, SECOND_ADMIN})
    )


async def _correction_asked_by(officer: Citizen, code: str) -> None:
    await officer_opens(officer, code)
    await officer.presses(move_button(S.NEEDS_CORRECTION))
    await officer.presses("⬜ کارت ملی")
    await officer.presses(_("Continue ▶️"))
    await officer.says("تصویر کارت ملی خوانا نیست")


async def _corrects(citizen: Citizen) -> None:
    await wait_text(citizen, "تصویر کارت ملی خوانا نیست")
    await citizen.presses(_("📤 Send {document} again").format(document="کارت ملی"))
    done = await citizen.sends_photo(jpeg(51))
    assert "دوباره در حال بررسی" in done[-1].content


async def _alerted_chats(bot: RunningBot) -> list[int]:
    """The chats the outbox holds an officer alert for (sent or not)."""
    store = bot.application.services.store
    sql = "SELECT chat_id FROM outbox WHERE kind = 'officer_alert' ORDER BY chat_id"
    async with store.db.read() as c, c.execute(sql) as cur:
        return [int(row[0]) for row in await cur.fetchall()]


async def _told(emulator: Emulator, chat_id: int) -> list[str]:
    """What reached the chat about corrected documents (waiting a little for the sender)."""
    for _attempt in range(200):
        texts = [t for t in emulator.delivered_texts(chat_id) if ARRIVED in t]
        if texts:
            return texts
        await asyncio.sleep(0.05)
    return []


async def test_the_officer_who_asked_hears_the_documents_arrived(
    bot: RunningBot, make_citizen: CitizenFactory, emulator: Emulator
) -> None:
    officer = await make_citizen(user_id=OFFICER_ID, first_name="کارشناس")
    other = await make_citizen(user_id=SECOND_ADMIN, first_name="مدیر")
    await other.sends_command("/start")
    citizen = await make_citizen()
    await citizen.sends_command("/start")
    app = await submitted_application(bot, citizen.user_id, seed=51)
    assert app.tracking_code is not None

    await _correction_asked_by(officer, app.tracking_code)
    await _corrects(citizen)

    alert = await wait_text(officer, ARRIVED)
    assert to_persian_digits(app.tracking_code) in alert.content
    assert await _alerted_chats(bot) == [OFFICER_ID]  # only the officer who asked
    card = await officer.presses(_("📂 Open the application"))
    assert any("مریم احمدی" in m.content for m in card)


async def test_every_officer_hears_when_the_one_who_asked_was_removed(
    bot: RunningBot, make_citizen: CitizenFactory, emulator: Emulator
) -> None:
    store = bot.application.services.store
    await store.officers.add("telegram", ADDED, f"officer:{OFFICER_ID}")
    added = await make_citizen(user_id=ADDED, first_name="کارشناس")
    for admin in (OFFICER_ID, SECOND_ADMIN):
        await (await make_citizen(user_id=admin, first_name="مدیر")).sends_command("/start")
    citizen = await make_citizen()
    await citizen.sends_command("/start")
    app = await submitted_application(bot, citizen.user_id, seed=52)
    assert app.tracking_code is not None

    await _correction_asked_by(added, app.tracking_code)
    await store.officers.remove("telegram", ADDED, f"officer:{OFFICER_ID}")
    await _corrects(citizen)

    assert await _alerted_chats(bot) == [OFFICER_ID, SECOND_ADMIN]
    assert len(await _told(emulator, OFFICER_ID)) == 1
    assert len(await _told(emulator, SECOND_ADMIN)) == 1
