"""The life-cycle services on a real SQLite file: who may act, one transaction, audit and outbox."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from domain.lifecycle import ReasonRequired, TransitionNotAllowed
from domain.statuses import ApplicationStatus as S
from domain.statuses import DocumentStatus
from services import lifecycle
from services.actors import Actor
from services.errors import NotAllowed
from storage import Store
from tests.integration.services_seed import (
    NO_QUIET,
    OFFICER,
    OFFICER_ID,
    RENDER,
    FailingReminders,
    RecordingReminders,
    correction_asked,
    counts,
    open_store,
    rows,
    submitted,
)

ADDED_OFFICER = 777001


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with open_store(tmp_path) as opened:
        yield opened


async def test_actor_strings_are_the_audit_strings() -> None:
    assert str(Actor("officer", 12)) == "officer:12"
    assert str(Actor("citizen", 3)) == "citizen:3"
    assert str(Actor("import", "bank.xlsx")) == "import:bank.xlsx"
    assert str(Actor("system", 0)) == "system"


async def test_a_correction_request_writes_event_audit_outbox_and_reminders_together(
    store: Store,
) -> None:
    app, _citizen = await submitted(store)
    reminders = RecordingReminders()
    event = await lifecycle.request_correction(
        store,
        OFFICER,
        app.id,
        ["photo"],
        "تار است",
        render=RENDER,
        reply_markup={"inline_keyboard": []},
        quiet_hours=NO_QUIET,
        reminders=reminders,
    )
    assert event.actor == f"officer:{OFFICER_ID}"
    assert (await store.applications.get(app.id)).status is S.NEEDS_CORRECTION  # type: ignore[union-attr]
    latest = (await store.documents.list_for_application(app.id)).latest
    assert latest["photo"].status is DocumentStatus.NEEDS_CORRECTION
    assert latest["national_card"].status is DocumentStatus.RECEIVED
    audit = await rows(store, "SELECT * FROM audit_log WHERE action = 'status_change'")
    assert [(a["actor"], a["subject"]) for a in audit] == [
        (f"officer:{OFFICER_ID}", f"application:{app.id}")
    ]
    outbox = await rows(
        store, "SELECT * FROM outbox WHERE dedupe_key = ?", f"status_event:{event.id}"
    )
    assert len(outbox) == 1 and outbox[0]["kind"] == "status_change"
    assert json.loads(outbox[0]["reply_markup_json"]) == {"inline_keyboard": []}
    assert [synced for synced, _conn in reminders.synced] == [app.id]
    assert reminders.synced[0][1] is not None  # inside the change's transaction


async def test_a_citizen_cannot_act_as_an_officer_and_nothing_is_written(store: Store) -> None:
    app, citizen = await submitted(store)
    before = await counts(store)
    with pytest.raises(NotAllowed):
        await lifecycle.request_correction(
            store, citizen, app.id, ["photo"], "x", render=RENDER, quiet_hours=NO_QUIET
        )
    with pytest.raises(NotAllowed):
        await lifecycle.record_permit(store, citizen, app.id, "P-1", render=RENDER)
    with pytest.raises(NotAllowed):
        # Even a move the life cycle lets an officer make is refused to a pretend officer.
        await lifecycle.change_status(
            store, Actor("officer", 123456), app.id, S.UNDER_REVIEW, render=RENDER
        )
    assert await counts(store) == before
    assert (await store.applications.get(app.id)).status is S.SUBMITTED  # type: ignore[union-attr]


async def test_an_officer_removed_since_is_refused(store: Store) -> None:
    app, _citizen = await submitted(store)
    await store.officers.add("telegram", ADDED_OFFICER, f"officer:{OFFICER_ID}")
    added = Actor("officer", ADDED_OFFICER)
    await lifecycle.change_status(store, added, app.id, S.UNDER_REVIEW, render=RENDER)
    await store.officers.remove("telegram", ADDED_OFFICER, f"officer:{OFFICER_ID}")
    before = await counts(store)
    with pytest.raises(NotAllowed):
        await lifecycle.change_status(store, added, app.id, S.APPROVED, render=RENDER)
    assert await counts(store) == before


async def test_an_officer_of_the_other_platform_is_not_an_officer_here(store: Store) -> None:
    app, _citizen = await submitted(store)
    await store.officers.add("bale", ADDED_OFFICER, f"officer:{OFFICER_ID}")
    with pytest.raises(NotAllowed):
        await lifecycle.change_status(
            store, Actor("officer", ADDED_OFFICER), app.id, S.UNDER_REVIEW, render=RENDER
        )


async def test_a_citizen_moves_only_their_own_application(store: Store) -> None:
    app, _owner = await correction_asked(store)
    _other_app, stranger = await submitted(store)
    before = await counts(store)
    with pytest.raises(NotAllowed):
        await lifecycle.change_status(store, stranger, app.id, S.UNDER_REVIEW)
    assert await counts(store) == before


async def test_a_failure_half_way_writes_nothing(store: Store) -> None:
    app, _citizen = await submitted(store)
    before = await counts(store)
    reminders = FailingReminders()
    with pytest.raises(RuntimeError):
        await lifecycle.request_correction(
            store, OFFICER, app.id, ["photo"], "x", render=RENDER, reminders=reminders
        )
    assert reminders.calls == 1  # the event, audit and outbox rows were written before it
    assert await counts(store) == before
    assert (await store.applications.get(app.id)).status is S.SUBMITTED  # type: ignore[union-attr]
    latest = (await store.documents.list_for_application(app.id)).latest
    assert latest["photo"].status is DocumentStatus.RECEIVED


async def test_a_service_joins_the_callers_transaction(store: Store) -> None:
    """Called while an update is handled, a service writes in that update's unit of work."""
    app, _citizen = await submitted(store)
    before = await counts(store)
    with pytest.raises(KeyError):
        async with store.db.transaction():
            await lifecycle.change_status(store, OFFICER, app.id, S.UNDER_REVIEW, render=RENDER)
            raise KeyError("the update failed after the service")
    assert await counts(store) == before


async def test_the_life_cycle_rules_still_apply(store: Store) -> None:
    app, _citizen = await submitted(store)
    with pytest.raises(TransitionNotAllowed):
        await lifecycle.record_payment(store, OFFICER, app.id, 10, date(2025, 3, 1), render=RENDER)
    with pytest.raises(ReasonRequired):
        await lifecycle.request_correction(store, OFFICER, app.id, ["photo"], " ", render=RENDER)
    with pytest.raises(lifecycle.ApplicationNotFound):
        await lifecycle.change_status(store, OFFICER, 99999, S.UNDER_REVIEW, render=RENDER)


async def test_bank_payment_and_permit_are_audited_and_notified(store: Store) -> None:
    app, _citizen = await submitted(store)
    for move in (S.UNDER_REVIEW, S.APPROVED):
        await lifecycle.change_status(store, OFFICER, app.id, move, render=RENDER)
    await lifecycle.introduce_to_bank(store, OFFICER, app.id, "ملت", "مرکزی", render=RENDER)
    await lifecycle.record_payment(
        store, OFFICER, app.id, 2_000_000_000, date(2025, 3, 1), render=RENDER
    )
    permit = await lifecycle.record_permit(store, OFFICER, app.id, "HB-77", render=RENDER)
    after = await store.applications.get(app.id)
    assert after is not None and after.status is S.PAID
    assert (after.bank, after.bank_branch, after.paid_rials) == ("ملت", "مرکزی", 2_000_000_000)
    assert after.permit_number == "HB-77"
    audit = await rows(
        store, "SELECT action FROM audit_log WHERE subject = ?", f"application:{app.id}"
    )
    assert [a["action"] for a in audit] == ["status_change"] * 4 + ["permit_issued"]
    outbox = await rows(store, "SELECT kind, dedupe_key FROM outbox WHERE citizen_id IS NOT NULL")
    assert {"kind": "permit_issued", "dedupe_key": f"status_event:{permit.id}"} in outbox
    assert len(outbox) == 5
