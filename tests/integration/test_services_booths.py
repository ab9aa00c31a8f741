"""services.booths on a real SQLite file: citizens ask, officers answer, the citizen is told."""

from __future__ import annotations

from datetime import date

import pytest

from domain.exhibitions import BoothRefusal, BoothStatus
from services import booths, exhibitions
from services.actors import Actor
from services.errors import NotAllowed
from tests.integration.services_world import (
    OFFICER,
    REMOVED,
    STRANGER,
    ZONE,
    Boom,
    FailingReminders,
    World,
    count,
    draft,
    officer,
    snapshot,
    world,
)

__all__ = ["world"]


async def _fair(world: World, **changes: object) -> int:
    saved = await exhibitions.create(world.store, officer(OFFICER), draft(**changes))
    return saved.exhibition.id


async def _ask(world: World, actor: Actor, fair: int) -> booths.BoothAnswer | None:
    return await booths.ask_booth(
        world.store, world.clock, actor, fair, zone=ZONE, reminders=world.reminders
    )


async def test_a_booth_needs_an_application_and_is_asked_once(world: World) -> None:
    store = world.store
    fair = await _fair(world)
    newcomer = await world.citizen(1)
    refused = await _ask(world, newcomer, fair)
    assert refused is not None and refused.refusal is BoothRefusal.NO_APPLICATION
    assert await count(store, "booth_requests") == 0

    applicant = await world.citizen(2, submitted=True)
    accepted = await _ask(world, applicant, fair)
    assert accepted is not None and accepted.request is not None and accepted.refusal is None
    (reminder,) = await world.reminders.repo.for_subject(f"exhibition:{fair}")
    assert reminder.kind == "exhibition_tomorrow" and reminder.chat_id == 2
    assert reminder.due_at.astimezone(ZONE).date() == date(2030, 12, 17)

    again = await _ask(world, applicant, fair)
    assert again is not None and again.refusal is BoothRefusal.ALREADY_REQUESTED
    assert await count(store, "booth_requests") == 1
    assert await _ask(world, applicant, 999) is None

    late = await _fair(world, title="نمایشگاه پاییزه", booth_deadline=date(2030, 10, 31))
    too_late = await _ask(world, applicant, late)
    assert too_late is not None and too_late.refusal is BoothRefusal.DEADLINE_PASSED


async def test_only_a_citizen_asks_and_asking_is_one_transaction(world: World) -> None:
    store = world.store
    fair = await _fair(world)
    applicant = await world.citizen(3, submitted=True)
    before = await snapshot(store)
    for actor in (officer(OFFICER), Actor("system", 0)):
        with pytest.raises(NotAllowed):
            await _ask(world, actor, fair)
    with pytest.raises(Boom):
        await booths.ask_booth(
            store,
            world.clock,
            applicant,
            fair,
            zone=ZONE,
            reminders=FailingReminders(world.reminders, "schedule"),  # after the request
        )
    assert await snapshot(store) == before


async def test_an_officer_answers_once_and_the_citizen_is_told(world: World) -> None:
    store = world.store
    fair = await _fair(world)
    applicant = await world.citizen(4, submitted=True, name="مریم")
    asked = await _ask(world, applicant, fair)
    assert asked is not None and asked.request is not None
    request_id = asked.request.id

    (waiting,) = await booths.pending_booths(store, officer(OFFICER))
    assert (waiting.title, waiting.citizen_name) == ("نمایشگاه یلدا", "مریم")
    assert await booths.count_pending_booths(store, officer(OFFICER)) == 1

    decided = await booths.decide_booth(store, officer(OFFICER), request_id, approve=True)
    assert decided is not None and decided.told
    assert decided.request.status is BoothStatus.APPROVED
    assert decided.request.decided_by == f"officer:{OFFICER}"
    (entry,) = await store.audit.list(subject=f"booth_request:{request_id}")
    assert (entry.actor, entry.action) == (f"officer:{OFFICER}", "booth.approved")
    told = await store.outbox.get_by_dedupe_key(f"booth:{request_id}:approved")
    assert told is not None and told.chat_id == 4 and "نمایشگاه یلدا" in told.text

    before = await snapshot(store)
    again = await booths.decide_booth(store, officer(OFFICER), request_id, approve=False)
    assert again is None and await snapshot(store) == before
    assert await booths.pending_booths(store, officer(OFFICER)) == []


async def test_answers_refused_to_non_officers_and_one_transaction(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = world.store
    fair = await _fair(world)
    applicant = await world.citizen(5, submitted=True)
    asked = await _ask(world, applicant, fair)
    assert asked is not None and asked.request is not None
    before = await snapshot(store)
    for actor in (officer(REMOVED), officer(STRANGER), applicant):
        with pytest.raises(NotAllowed):
            await booths.decide_booth(store, actor, asked.request.id, approve=True)
        with pytest.raises(NotAllowed):
            await booths.pending_booths(store, actor)
    assert await snapshot(store) == before

    async def failing_enqueue(*args: object, **kwargs: object) -> int:
        raise Boom("outbox")

    monkeypatch.setattr(store.outbox, "enqueue", failing_enqueue)  # the last step
    with pytest.raises(Boom):
        await booths.decide_booth(store, officer(OFFICER), asked.request.id, approve=True)
    assert await snapshot(store) == before
    still = await store.exhibitions.booth(asked.request.id)
    assert still is not None and still.status is BoothStatus.PENDING
