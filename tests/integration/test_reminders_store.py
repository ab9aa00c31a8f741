"""Reminders on a real SQLite file: reconciliation is idempotent, a reminder is enqueued once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite
import pytest

from bot.workers.reminders import ReminderService
from config.settings import Settings
from domain.models import Application
from domain.reminders import Reminder, ReminderKind, ReminderStatus
from domain.statuses import ApplicationStatus as S
from domain.statuses import PlanType
from handlers.context import Services
from storage import Store
from storage.status_changes import change_status
from tests.catalogues import parsed_catalogue
from tests.clock import FakeClock
from tests.conftest import migrated

OFFICER = "officer:900001"
STATUS_TEXT = "وضعیت"  # the status notifications of make_application


async def make_application(store: Store, user_id: int, status: S) -> Application:
    """A citizen's application moved (through the life cycle) into ``status``."""
    citizen = await store.citizens.get_or_create("telegram", user_id, user_id)
    app = await store.applications.create_draft(citizen.id, PlanType.INDEPENDENT)
    if status is S.DRAFT:
        return app
    await store.applications.update_fields(app.id, tracking_code=f"HB-{app.id:04d}")
    path: list[tuple[S, str, dict[str, object], str | None]] = [
        (S.SUBMITTED, f"citizen:{citizen.id}", {}, None),
    ]
    if status is S.NEEDS_CORRECTION:
        path.append((S.NEEDS_CORRECTION, OFFICER, {"documents": ["national_card"]}, "blurred"))
    if status is S.INTRODUCED_TO_BANK:
        path += [
            (S.UNDER_REVIEW, OFFICER, {}, None),
            (S.APPROVED, OFFICER, {}, None),
            (S.INTRODUCED_TO_BANK, OFFICER, {"bank": "ملت", "branch": "مرکزی"}, None),
        ]
    for to, actor, details, reason in path:
        await change_status(store, app.id, to, actor, reason, details, notify_text=STATUS_TEXT)
    found = await store.applications.get(app.id)
    assert found is not None
    return found


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 3, 1, 6, 30, tzinfo=UTC))


@pytest.fixture
async def service(tmp_path: Path, clock: FakeClock) -> AsyncIterator[ReminderService]:
    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    store = await Store.open(migrated(tmp_path / "bot.sqlite3"), clock=clock)
    try:
        services = Services(settings, store, parsed_catalogue(settings.catalogue_dir), clock)
        yield ReminderService(services)
    finally:
        await store.close()


async def outbox_keys(service: ReminderService) -> list[str]:
    async with service.db.read() as c, c.execute("SELECT dedupe_key FROM outbox") as cur:
        return [str(row[0]) for row in await cur.fetchall()]


async def test_reconcile_creates_each_kind_once(service: ReminderService) -> None:
    store = service.services.store
    draft = await make_application(store, 1, S.DRAFT)
    correction = await make_application(store, 2, S.NEEDS_CORRECTION)
    bank = await make_application(store, 3, S.INTRODUCED_TO_BANK)
    await make_application(store, 4, S.SUBMITTED)

    assert await service.reconcile() == 4
    assert await service.reconcile() == 0  # run twice: no duplicates

    pending = await service.repo.pending()
    assert sorted((r.kind, r.subject, r.sequence) for r in pending) == sorted(
        [
            (ReminderKind.DRAFT_UNFINISHED, f"application:{draft.id}", "1"),
            (ReminderKind.DRAFT_UNFINISHED, f"application:{draft.id}", "2"),
            (
                ReminderKind.CORRECTION_PENDING,
                f"application:{correction.id}",
                pending_seq(pending, correction),
            ),
            (ReminderKind.BANK_VISIT, f"application:{bank.id}", pending_seq(pending, bank)),
        ]
    )
    by_kind = {r.kind: r for r in pending}
    start = service.now()
    assert by_kind[ReminderKind.CORRECTION_PENDING].due_at == start + timedelta(hours=48)
    assert by_kind[ReminderKind.BANK_VISIT].due_at == start + timedelta(hours=72)
    assert by_kind[ReminderKind.BANK_VISIT].chat_id == 3


def pending_seq(pending: list[Reminder], app: Application) -> str:
    (found,) = [r for r in pending if r.subject == f"application:{app.id}"]
    return found.sequence


async def test_firing_twice_enqueues_once(service: ReminderService, clock: FakeClock) -> None:
    draft = await make_application(service.services.store, 1, S.DRAFT)
    await service.reconcile()
    clock.advance(hours=24)

    report = await service.run_due()
    (sent_id,) = report.sent
    again = await asyncio.gather(service.fire(sent_id), service.run_due())
    assert again[0] == "settled" and again[1].sent == []
    assert await outbox_keys(service) == [f"reminder:{sent_id}"]

    # Even a reminder put back to pending (a lost settle) cannot enqueue a second row.
    async with service.db.transaction() as c:
        await c.execute("UPDATE reminders SET status = 'pending' WHERE id = ?", (sent_id,))
    assert await service.fire(sent_id) == "sent"
    assert await outbox_keys(service) == [f"reminder:{sent_id}"]
    row = await service.services.store.outbox.get_by_dedupe_key(f"reminder:{sent_id}")
    assert row is not None and row.kind == "reminder" and row.citizen_id == draft.citizen_id
    assert row.reply_markup is not None
    assert row.reply_markup["inline_keyboard"][0][0]["callback_data"] == "apply:resume"


async def test_a_submitted_draft_is_cancelled_never_sent(
    service: ReminderService, clock: FakeClock
) -> None:
    store = service.services.store
    draft = await make_application(store, 1, S.DRAFT)
    await service.reconcile()
    await change_status(store, draft.id, S.SUBMITTED, "citizen:1")
    clock.advance(hours=24)

    report = await service.run_due()
    assert report.sent == [] and len(report.cancelled) == 1
    assert await outbox_keys(service) == []


async def test_on_status_change_cancels_and_creates(service: ReminderService) -> None:
    store = service.services.store
    app = await make_application(store, 1, S.DRAFT)
    await service.on_status_change(app)
    assert len(await service.repo.pending()) == 2

    event = await change_status(store, app.id, S.SUBMITTED, "citizen:1")
    moved = await store.applications.get(app.id)
    assert moved is not None
    await service.on_status_change(moved, event)
    assert await service.repo.pending() == []
    event = await change_status(
        store, app.id, S.NEEDS_CORRECTION, OFFICER, "blurred", {"documents": ["x"]}, notify_text="n"
    )
    await service.on_status_change(moved, event)
    (correction,) = await service.repo.pending()
    assert correction.kind == ReminderKind.CORRECTION_PENDING and correction.sequence == str(
        event.id
    )

    # The correction made: the citizen resubmits; the reminder is cancelled at once.
    await change_status(store, app.id, S.UNDER_REVIEW, "citizen:1")
    await service.on_status_change(moved)
    assert await service.repo.pending() == []
    assert (await service.repo.counts())["cancelled"] == 3


async def test_a_draft_touched_since_is_postponed(
    service: ReminderService, clock: FakeClock
) -> None:
    store = service.services.store
    draft = await make_application(store, 1, S.DRAFT)
    await service.reconcile()
    clock.advance(hours=10)
    await store.applications.save_answers(draft.id, {"a": 1}, "step2")
    clock.advance(hours=14)

    report = await service.run_due()
    assert report.sent == [] and len(report.postponed) == 1
    clock.advance(hours=10)
    assert len((await service.run_due()).sent) == 1


async def test_missed_beyond_grace_is_dropped(service: ReminderService, clock: FakeClock) -> None:
    await make_application(service.services.store, 1, S.DRAFT)
    await service.reconcile()
    clock.advance(hours=24 + 13)  # down for the 24 h one and 13 h more

    report = await service.run_due()
    assert report.sent == [] and report.dropped == {ReminderKind.DRAFT_UNFINISHED: 1}
    assert await outbox_keys(service) == []
    counts = await service.repo.counts()
    assert counts == {"pending": 1, "sent": 0, "cancelled": 0, "dropped": 1}


async def test_exhibition_api_schedule_cancel_and_check(
    service: ReminderService, clock: FakeClock
) -> None:
    citizen = await service.services.store.citizens.get_or_create("telegram", 7, 77)
    due = clock.now + timedelta(hours=5)
    payload = {"title": "یلدا", "venue": "سالن", "starts_on": "2025-03-02"}
    for exhibition in (3, 4, 5):
        made = await service.schedule(
            ReminderKind.EXHIBITION_TOMORROW,
            f"exhibition:{exhibition}:citizen:{citizen.id}",
            citizen.chat_id,
            due,
            citizen_id=citizen.id,
            payload=payload,
        )
        assert made is not None
    # Scheduling the same one again stores nothing.
    assert (
        await service.schedule("exhibition_tomorrow", f"exhibition:3:citizen:{citizen.id}", 77, due)
        is None
    )

    assert await service.cancel_for("exhibition:3") == 1  # every citizen of exhibition 3

    async def cancelled_exhibitions(reminder: Reminder, conn: aiosqlite.Connection) -> str | None:
        return "exhibition_cancelled" if reminder.subject.startswith("exhibition:4:") else None

    service.register_check(ReminderKind.EXHIBITION_TOMORROW, cancelled_exhibitions)
    clock.advance(hours=5)
    report = await service.run_due()
    assert len(report.sent) == 1 and len(report.cancelled) == 1
    assert len(await outbox_keys(service)) == 1
    (sent,) = await service.repo.for_subject(f"exhibition:5:citizen:{citizen.id}")
    assert sent.status is ReminderStatus.SENT
    message = await service.services.store.outbox.get_by_dedupe_key(f"reminder:{sent.id}")
    assert message is not None and "یلدا" in message.text and "سالن" in message.text
