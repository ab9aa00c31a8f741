"""A status change creates its reminder in its own transaction (issue 8, item 18)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.workers.reminders import ReminderService
from domain.reminders import ReminderKind, ReminderStatus
from domain.statuses import ApplicationStatus as S
from storage.status_changes import change_status
from tests.integration import test_reminders_store as base
from tests.integration.test_reminders_store import OFFICER, STATUS_TEXT, make_application

# The same clock and service fixtures as the reminders' store tests.
clock = base.clock
service = base.service


async def test_the_move_to_needs_correction_stores_its_reminder_at_once(
    service: ReminderService,
) -> None:
    store = service.services.store
    app = await make_application(store, 1, S.SUBMITTED)
    event = await change_status(
        store,
        app.id,
        S.NEEDS_CORRECTION,
        OFFICER,
        "blurred",
        {"documents": ["national_card"]},
        notify_text=STATUS_TEXT,
        reminders=service,
    )
    # No reconcile pass has run: the change itself stored the reminder.
    (reminder,) = await service.repo.for_subject(f"application:{app.id}")
    assert reminder.kind == ReminderKind.CORRECTION_PENDING
    assert reminder.sequence == str(event.id) and reminder.status is ReminderStatus.PENDING
    assert event.created_at is not None
    assert reminder.due_at == event.created_at + timedelta(hours=48)
    assert await service.reconcile() == 0  # the safety net finds nothing missing

    # The citizen's resubmission cancels it in its own transaction too.
    await change_status(
        store, app.id, S.UNDER_REVIEW, f"citizen:{app.citizen_id}", reminders=service
    )
    (settled,) = await service.repo.for_subject(f"application:{app.id}")
    assert settled.status is ReminderStatus.CANCELLED


async def test_the_bank_introduction_stores_the_bank_visit_reminder(
    service: ReminderService,
) -> None:
    store = service.services.store
    app = await make_application(store, 2, S.SUBMITTED)
    for to, details in ((S.UNDER_REVIEW, {}), (S.APPROVED, {})):
        await change_status(store, app.id, to, OFFICER, None, details, notify_text=STATUS_TEXT)
    await change_status(
        store,
        app.id,
        S.INTRODUCED_TO_BANK,
        OFFICER,
        None,
        {"bank": "ملت", "branch": "مرکزی"},
        notify_text=STATUS_TEXT,
        reminders=service,
    )
    kinds = [r.kind for r in await service.repo.for_subject(f"application:{app.id}")]
    assert kinds == [ReminderKind.BANK_VISIT]


async def test_a_change_rolled_back_leaves_no_reminder(service: ReminderService) -> None:
    store = service.services.store
    app = await make_application(store, 3, S.SUBMITTED)

    class Crash(Exception):
        pass

    with pytest.raises(Crash):
        async with store.db.transaction() as c:
            await change_status(
                store,
                app.id,
                S.NEEDS_CORRECTION,
                OFFICER,
                "blurred",
                {"documents": ["national_card"]},
                notify_text=STATUS_TEXT,
                reminders=service,
                conn=c,
            )
            assert await service.repo.for_subject(f"application:{app.id}", conn=c)
            raise Crash
    assert await service.repo.for_subject(f"application:{app.id}") == []
    current = await store.applications.get(app.id)
    assert current is not None and current.status is S.SUBMITTED
