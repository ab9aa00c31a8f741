"""The applications services on a real SQLite file: a citizen's own draft and submission, the
lookup with its throttle, and officers' reads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.models import OpenApplicationExists
from domain.statuses import ApplicationStatus as S
from domain.statuses import PlanType
from services import applications, lifecycle
from services.actors import Actor
from services.applications import DocumentsMissing, LookupThrottled
from services.errors import NotAllowed
from storage import Store
from tests.clock import FakeClock
from tests.integration.services_seed import (
    NATIONAL_CODE,
    OFFICER,
    RENDER,
    REQUIRED,
    FailingReminders,
    RecordingReminders,
    correction_asked,
    counts,
    draft_with_documents,
    new_citizen,
    open_store,
    rows,
    submitted,
)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with open_store(tmp_path) as opened:
        yield opened


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 3, 1, 8, 0, tzinfo=UTC))


async def test_a_citizen_fills_their_own_draft(store: Store) -> None:
    citizen, actor = await new_citizen(store)
    app = await applications.start_draft(store, actor, PlanType.INDEPENDENT, {"a": 1}, "phone")
    saved = await applications.save_answers(
        store,
        actor,
        app.id,
        {"a": 2},
        "full_name",
        fields={"phone": "+989121234567"},
        citizen_fields={"phone": "+989121234567"},
    )
    assert saved.application.answers == {"a": 2} and saved.application.step == "full_name"
    assert saved.application.phone == saved.citizen.phone == "+989121234567"
    await applications.change_plan(store, actor, app.id, PlanType.SUPPORTING)
    assert await applications.current_draft(store, actor, None) == await store.applications.get(
        app.id
    )
    assert await applications.current_draft(store, actor, app.id) is not None
    assert await applications.has_draft(store, actor)
    with pytest.raises(OpenApplicationExists):
        await applications.start_draft(store, actor, PlanType.SUPPORTING, {}, "phone")
    assert citizen.id == actor.id


async def test_another_citizen_or_an_officer_cannot_touch_a_draft(store: Store) -> None:
    _citizen, owner = await new_citizen(store)
    app = await applications.start_draft(store, owner, PlanType.INDEPENDENT, {}, "phone")
    _other, stranger = await new_citizen(store)
    before = await counts(store)
    for actor in (stranger, OFFICER):
        with pytest.raises(NotAllowed):
            await applications.save_answers(store, actor, app.id, {"x": 1}, "full_name")
        with pytest.raises(NotAllowed):
            await applications.change_plan(store, actor, app.id, PlanType.SUPPORTING)
        with pytest.raises(NotAllowed):
            await applications.submit(store, actor, app.id, [])
    assert await applications.current_draft(store, stranger, app.id) is None
    assert await counts(store) == before


async def test_an_answer_cannot_set_what_officers_set(store: Store) -> None:
    _citizen, actor = await new_citizen(store)
    app = await applications.start_draft(store, actor, PlanType.INDEPENDENT, {}, "phone")
    with pytest.raises(ValueError):
        await applications.save_answers(store, actor, app.id, {}, "x", fields={"bank": "ملت"})
    with pytest.raises(ValueError):
        await applications.save_answers(
            store, actor, app.id, {}, "x", fields={"permit_number": "1"}
        )


async def test_submitting_needs_every_document_then_writes_code_and_status_at_once(
    store: Store,
) -> None:
    _citizen, actor = await new_citizen(store)
    draft = await draft_with_documents(store, actor, kinds=("photo",))
    before = await counts(store)
    with pytest.raises(DocumentsMissing) as missing:
        await applications.submit(store, actor, draft.id, REQUIRED)
    assert missing.value.missing == ["national_card"]
    assert await counts(store) == before
    reminders = RecordingReminders()
    app = await applications.submit(store, actor, draft.id, ("photo",), reminders=reminders)
    assert app.status is S.SUBMITTED and app.tracking_code and app.step is None
    assert app.submitted_at is not None
    events = await store.status_events.timeline(app.id)
    assert [(e.to_status, e.actor) for e in events] == [(S.SUBMITTED, str(actor))]
    assert [synced for synced, _conn in reminders.synced] == [app.id]
    with pytest.raises(NotAllowed):  # no longer a draft
        await applications.save_answers(store, actor, app.id, {}, "x")


async def test_a_failed_submission_writes_nothing(store: Store) -> None:
    _citizen, actor = await new_citizen(store)
    draft = await draft_with_documents(store, actor)
    before = await counts(store)
    with pytest.raises(RuntimeError):
        await applications.submit(store, actor, draft.id, REQUIRED, reminders=FailingReminders())
    assert await counts(store) == before
    after = await store.applications.get(draft.id)
    assert after is not None and after.status is S.DRAFT and after.tracking_code is None


async def test_a_citizen_reads_only_their_own_applications(store: Store) -> None:
    app, owner = await correction_asked(store, ("photo",))
    _other_app, stranger = await submitted(store)
    views = await applications.list_for_citizen(store, owner)
    assert [v.application.id for v in views] == [app.id]
    assert views[0].corrections.pending == {"photo": "خوانا نیست"}
    assert [e.to_status for e in views[0].timeline] == [S.SUBMITTED, S.NEEDS_CORRECTION]
    assert await applications.find_own(store, stranger, app.id) is None
    assert await applications.find_own(store, owner, app.id) is not None
    with pytest.raises(NotAllowed):
        await applications.list_for_citizen(store, OFFICER)


async def test_a_lookup_answers_the_same_for_a_wrong_code_and_a_wrong_national_code(
    store: Store, clock: FakeClock
) -> None:
    app, _citizen = await submitted(store)
    assert app.tracking_code is not None
    found = await applications.lookup(store, clock, "telegram", 5, app.tracking_code, NATIONAL_CODE)
    assert found is not None and found.application.id == app.id
    assert await applications.lookup(store, clock, "telegram", 5, app.tracking_code, "1") is None
    assert await applications.lookup(store, clock, "telegram", 5, "00000000", NATIONAL_CODE) is None
    assert await applications.lookup_blocked_until(store, clock, "telegram", 5) is None
    assert await applications.lookup(store, clock, "telegram", 5, "", NATIONAL_CODE) is None
    until = await applications.lookup_blocked_until(store, clock, "telegram", 5)
    assert until is not None
    before = await counts(store)
    with pytest.raises(LookupThrottled):  # even with the right pair, and nothing counted
        await applications.lookup(store, clock, "telegram", 5, app.tracking_code, NATIONAL_CODE)
    assert await counts(store) == before
    assert await applications.lookup_blocked_until(store, clock, "telegram", 6) is None
    clock.advance(minutes=16)
    assert await applications.lookup_blocked_until(store, clock, "telegram", 5) is None


async def test_a_draft_is_never_found_by_lookup(store: Store, clock: FakeClock) -> None:
    _citizen, actor = await new_citizen(store)
    draft = await draft_with_documents(store, actor)
    await store.applications.update_fields(draft.id, tracking_code="64330128")
    assert await applications.lookup(store, clock, "telegram", 7, "64330128", NATIONAL_CODE) is None


async def test_only_officers_search_and_read_any_application(store: Store) -> None:
    app, citizen = await submitted(store)
    await store.applications.update_fields(app.id, phone="+989121234567")
    assert app.tracking_code is not None
    for actor in (citizen, Actor("officer", 31337)):
        with pytest.raises(NotAllowed):
            await applications.search(store, actor, "code", app.tracking_code)
        with pytest.raises(NotAllowed):
            await applications.officer_view(store, actor, app.id)
    searches = (("code", app.tracking_code), ("nc", NATIONAL_CODE), ("phone", "+989121234567"))
    for by, value in searches:
        found = await applications.search(store, OFFICER, by, value)  # type: ignore[arg-type]
        assert [a.id for a in found] == [app.id]
    view = await applications.officer_view(store, OFFICER, app.id)
    assert view is not None and set(view.documents.latest) == set(REQUIRED)
    assert await applications.officer_view(store, OFFICER, 99999) is None


async def test_reads_write_nothing(store: Store, clock: FakeClock) -> None:
    app, citizen = await submitted(store)
    await lifecycle.change_status(store, OFFICER, app.id, S.UNDER_REVIEW, render=RENDER)
    before = await counts(store)
    await applications.list_for_citizen(store, citizen)
    await applications.officer_view(store, OFFICER, app.id)
    await applications.lookup_blocked_until(store, clock, "telegram", 1)
    assert await counts(store) == before
    assert await rows(store, "SELECT * FROM lookup_failures") == []
