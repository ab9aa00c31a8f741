"""Reminders through the whole bot: fired on a moved clock, delivered once, across restarts."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

from bot.application import HomebizApplication
from bot.runtime import running_bot
from bot.workers.reminders import ReminderService
from botapi_emulator import Emulator
from config.settings import Settings
from domain.reminders import ReminderKind, job_name
from domain.statuses import ApplicationStatus as S
from storage import Store
from storage.status_changes import change_status
from tests.clock import ShiftedClock
from tests.conftest import CitizenFactory, bot_running, make_settings
from tests.integration.test_reminders_store import STATUS_TEXT, make_application
from texts.i18n import _

DRAFT_TEXT = _(
    "You started an application for the home-business loan but have not sent it yet. "
    "Your answers are saved: press the button below to continue where you stopped."
)


def quiet_free_settings(emulator: Emulator, tmp_path: Path) -> Settings:
    """No quiet hours, so a test run late at night still sees its reminders at once."""
    return make_settings(emulator, tmp_path / "data", quiet_hours_start=0, quiet_hours_end=0)


def reminders_of(application: HomebizApplication) -> ReminderService:
    service = application.services.reminders
    assert service is not None
    return service


def move_clock(application: HomebizApplication, to: datetime) -> None:
    """Move the bot's one clock (the store, sender and reminders read it) to ``to``."""
    clock = application.services.clock
    assert isinstance(clock, ShiftedClock), "start the bot with clock=ShiftedClock()"
    clock.move_to(to)


async def delivered(emulator: Emulator, chat_id: int, count: int, store: Store) -> list[str]:
    """Wait until the outbox is drained and ``count`` reminders reached the chat; return them."""
    for _attempt in range(200):
        texts = after_welcome(emulator, chat_id)
        if len(texts) >= count and await store.outbox.pending_count() == 0:
            return texts
        await asyncio.sleep(0.05)
    return after_welcome(emulator, chat_id)


def after_welcome(emulator: Emulator, chat_id: int) -> list[str]:
    """What the bot sent the chat after its answer to /start, status notifications left out."""
    return [t for t in emulator.delivered_texts(chat_id)[1:] if t != STATUS_TEXT]


async def say_hello(make_citizen: CitizenFactory, *user_ids: int) -> None:
    """The citizens open the bot once, so the platform has their private chats."""
    for user_id in user_ids:
        citizen = await make_citizen(user_id=user_id)
        await citizen.sends_command("/start")


def job_count(application: HomebizApplication, name: str) -> int:
    assert application.job_queue is not None
    return len(application.job_queue.get_jobs_by_name(name))


async def test_a_draft_is_reminded_after_24_and_72_hours_then_never_again(
    emulator: Emulator, tmp_path: Path, make_citizen: CitizenFactory
) -> None:
    settings = quiet_free_settings(emulator, tmp_path)
    async with bot_running(settings, clock=ShiftedClock()) as bot:
        await say_hello(make_citizen, 5001)
        app, store = bot.application, bot.application.services.store
        service = reminders_of(app)
        draft = await make_application(store, 5001, S.DRAFT)
        await service.reconcile()
        start = service.now()

        move_clock(app, start + timedelta(hours=24))
        assert len((await service.run_due()).sent) == 1
        assert await delivered(emulator, 5001, 1, store) == [DRAFT_TEXT]
        message = emulator.messages_to(5001)[-1]
        assert message["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "apply:resume"

        move_clock(app, start + timedelta(hours=72))
        assert len((await service.run_due()).sent) == 1
        move_clock(app, start + timedelta(days=30))
        assert (await service.run_due()).sent == []
        await service.reconcile()  # the draft is still there: nothing new is derived
        assert (await service.run_due()).sent == []
        assert await delivered(emulator, 5001, 2, store) == [DRAFT_TEXT, DRAFT_TEXT]
        assert draft.status is S.DRAFT


async def test_a_submitted_draft_is_never_reminded(
    emulator: Emulator, tmp_path: Path, make_citizen: CitizenFactory
) -> None:
    settings = quiet_free_settings(emulator, tmp_path)
    async with bot_running(settings, clock=ShiftedClock()) as bot:
        await say_hello(make_citizen, 5002)
        app, store = bot.application, bot.application.services.store
        service = reminders_of(app)
        draft = await make_application(store, 5002, S.DRAFT)
        await service.reconcile()
        await change_status(store, draft.id, S.SUBMITTED, f"citizen:{draft.citizen_id}")
        start = service.now()

        for hours in (24, 72):
            move_clock(app, start + timedelta(hours=hours))
            assert (await service.run_due()).sent == []
        await asyncio.sleep(0.3)
        assert after_welcome(emulator, 5002) == []
        assert (await service.repo.counts())["cancelled"] == 2


async def test_a_correction_not_made_is_reminded(
    emulator: Emulator, tmp_path: Path, make_citizen: CitizenFactory
) -> None:
    settings = quiet_free_settings(emulator, tmp_path)
    async with bot_running(settings, clock=ShiftedClock()) as bot:
        await say_hello(make_citizen, 5003)
        app, store = bot.application, bot.application.services.store
        service = reminders_of(app)
        application = await make_application(store, 5003, S.NEEDS_CORRECTION)
        await service.on_status_change(application)
        start = service.now()

        move_clock(app, start + timedelta(hours=47))
        assert (await service.run_due()).sent == []
        move_clock(app, start + timedelta(hours=48))
        assert len((await service.run_due()).sent) == 1
        (text,) = await delivered(emulator, 5003, 1, store)
        assert "HB-۰۰۰۱" in text  # the tracking code, in Persian digits
        assert "/status" in text and "اصلاح" in text


async def test_restart_rebuilds_jobs_by_name_and_sends_nothing_twice(
    emulator: Emulator, tmp_path: Path, make_citizen: CitizenFactory
) -> None:
    settings = quiet_free_settings(emulator, tmp_path)
    async with bot_running(settings, clock=ShiftedClock()) as bot:
        await say_hello(make_citizen, 5004)
        app, store = bot.application, bot.application.services.store
        service = reminders_of(app)
        await make_application(store, 5004, S.DRAFT)
        await service.reconcile()
        first, second = await service.repo.pending()
        assert first.id is not None and second.id is not None
        assert job_count(app, job_name(first.id)) == 1
        assert job_count(app, job_name(second.id)) == 1
        start = service.now()
        move_clock(app, start + timedelta(hours=24))
        assert (await service.run_due()).sent == [first.id]
        assert job_count(app, job_name(first.id)) == 0
        assert await delivered(emulator, 5004, 1, store) == [DRAFT_TEXT]

    # Restart on the same data folder.
    async with bot_running(settings, clock=ShiftedClock()) as bot:
        app, store = bot.application, bot.application.services.store
        service = reminders_of(app)
        assert job_count(app, job_name(second.id)) == 1
        assert job_count(app, job_name(first.id)) == 0
        await service.start()  # rebuilt once more: still one job each
        assert job_count(app, job_name(second.id)) == 1
        assert (await service.run_due()).sent == []  # nothing due on the real clock

        move_clock(app, start + timedelta(hours=72))
        assert (await service.run_due()).sent == [second.id]
        assert (await service.run_due()).sent == []
        assert await delivered(emulator, 5004, 2, store) == [DRAFT_TEXT, DRAFT_TEXT]


async def test_missed_during_downtime_sent_once_within_grace_older_dropped(
    emulator: Emulator, tmp_path: Path, make_citizen: CitizenFactory
) -> None:
    settings = quiet_free_settings(emulator, tmp_path)
    async with bot_running(settings, clock=ShiftedClock()) as bot:
        await say_hello(make_citizen, 5005, 5006)
        store = bot.application.services.store
        service = reminders_of(bot.application)
        await make_application(store, 5005, S.DRAFT)  # its 24 h one will be 1 h late
        correction = await make_application(store, 5006, S.NEEDS_CORRECTION)
        await service.reconcile()
        start = service.now()
    # Down for 25 hours: the correction (due at 48 h) is fine, the draft's 24 h one is late.
    later = start + timedelta(hours=25)
    async with running_bot(settings, clock=ShiftedClock(later)) as application:
        store = application.services.store
        assert await delivered(emulator, 5005, 1, store) == [DRAFT_TEXT]
        assert after_welcome(emulator, 5006) == []
    # Down again until 100 hours: the draft's 72 h one and the correction are too old.
    much_later = start + timedelta(hours=100)
    async with running_bot(settings, clock=ShiftedClock(much_later)) as application:
        service = reminders_of(application)
        counts = await service.repo.counts()
        assert counts == {"pending": 0, "sent": 1, "cancelled": 0, "dropped": 2}
        dropped = [r for r in await service.repo.for_subject(f"application:{correction.id}")]
        assert [r.kind for r in dropped] == [ReminderKind.CORRECTION_PENDING]
        await asyncio.sleep(0.3)
        assert after_welcome(emulator, 5005) == [DRAFT_TEXT]
        assert after_welcome(emulator, 5006) == []
