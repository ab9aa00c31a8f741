"""One clock: the runtime gives the same clock to the store, the services and the workers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.workers.reminders import ReminderService
from bot.workers.sender import OutboxSender
from config.settings import Settings
from domain.notifications import OutboxKind, OutboxMessage
from storage.reports import local_day_start
from tests.clock import ShiftedClock
from tests.conftest import CitizenFactory, bot_running


async def test_store_services_and_workers_read_the_one_clock(
    settings: Settings, make_citizen: CitizenFactory
) -> None:
    clock = ShiftedClock(datetime(2031, 5, 1, 9, 0, tzinfo=UTC))
    async with bot_running(settings, clock=clock) as bot:
        services = bot.application.services
        assert services.clock is clock
        assert services.store.db.clock is clock
        assert isinstance(services.sender, OutboxSender) and services.sender.clock is clock
        assert isinstance(services.reminders, ReminderService)
        assert services.reminders.clock is clock

        citizen = await make_citizen(user_id=7301)
        await citizen.sends_command("/start")
        stored = await services.store.citizens.get_by_platform_user("telegram", 7301)
        assert stored is not None and stored.created_at.year == 2031  # written on the clock

        # Due "now" by the store's clock (2031): the sender claims on the same clock, so it
        # goes out at once instead of waiting for the wall clock to reach 2031.
        await services.store.outbox.enqueue(
            OutboxMessage(
                chat_id=stored.chat_id,
                kind=OutboxKind.OFFICER_ALERT,
                text="one clock",
                urgent=True,
                dedupe_key="one-clock",
            )
        )
        services.wake_sender()
        message = await citizen.wait_for_message(
            timeout=15, predicate=lambda m: m.text == "one clock"
        )
        assert message.text == "one clock"


def test_report_days_are_the_given_time_zone_days() -> None:
    nowruz = date(2025, 3, 21)
    assert local_day_start(nowruz, ZoneInfo("Asia/Tehran")) == "2025-03-20T20:30:00.000000+00:00"
    assert local_day_start(nowruz, ZoneInfo("UTC")) == "2025-03-21T00:00:00.000000+00:00"
