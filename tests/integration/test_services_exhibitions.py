"""services.exhibitions on a real SQLite file: officers' changes, audited, told, one transaction."""

from __future__ import annotations

from datetime import date

import pytest

from domain.exhibitions import ExhibitionStatus
from domain.reminders import ReminderStatus
from services import booths, exhibitions
from services.actors import Actor
from services.errors import NotAllowed
from tests.integration.services_world import (
    ADMIN,
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

NOT_OFFICERS = (officer(REMOVED), officer(STRANGER), Actor("citizen", 1), Actor("system", 0))


async def _with_requesters(world: World) -> tuple[int, list[Actor]]:
    """An exhibition with a pending, an approved and a declined booth request (in that order)."""
    created = await exhibitions.create(world.store, officer(OFFICER), draft())
    fair = created.exhibition.id
    citizens = [await world.citizen(100 + n, submitted=True) for n in range(3)]
    for citizen in citizens:
        answer = await booths.ask_booth(
            world.store, world.clock, citizen, fair, zone=ZONE, reminders=world.reminders
        )
        assert answer is not None and answer.request is not None
    requests = await world.store.exhibitions.booths_for(fair)
    await booths.decide_booth(world.store, officer(ADMIN), requests[1].id, approve=True)
    await booths.decide_booth(world.store, officer(ADMIN), requests[2].id, approve=False)
    return fair, citizens


async def _change_rows(world: World, fair: int) -> int:
    return await count(world.store, "outbox", "dedupe_key LIKE ?", f"exhibition:{fair}:%")


async def test_create_is_audited_and_refused_to_non_officers(world: World) -> None:
    store = world.store
    before = await snapshot(store)
    for actor in NOT_OFFICERS:
        with pytest.raises(NotAllowed):
            await exhibitions.create(store, actor, draft())
    assert await snapshot(store) == before

    saved = await exhibitions.create(store, officer(OFFICER), draft())
    assert saved.exhibition.created_by == f"officer:{OFFICER}" and saved.told == 0
    (entry,) = await store.audit.list(subject=f"exhibition:{saved.exhibition.id}")
    assert (entry.actor, entry.action) == (f"officer:{OFFICER}", "exhibition.create")
    assert entry.after is not None and entry.after["title"] == "نمایشگاه یلدا"
    with pytest.raises(exhibitions.DuplicateExhibition):
        await exhibitions.create(store, officer(OFFICER), draft())
    assert await count(store, "exhibitions") == 1
    assert await count(store, "audit_log", "action = 'exhibition.create'") == 1


async def test_new_dates_tell_requesters_and_move_their_reminders(world: World) -> None:
    store = world.store
    fair, citizens = await _with_requesters(world)
    assert await _change_rows(world, fair) == 0
    old = await world.reminders.repo.for_subject(f"exhibition:{fair}")
    assert len(old) == 3  # one day-before reminder per request, made when asked

    moved = draft(starts_on=date(2030, 12, 20), ends_on=date(2030, 12, 24))
    saved = await exhibitions.edit(
        store,
        world.clock,
        officer(OFFICER),
        fair,
        moved,
        catalogue=world.catalogue,
        zone=ZONE,
        reminders=world.reminders,
    )
    assert saved is not None and saved.told == 2  # the pending and the approved, not the declined
    (entry, *_older) = await store.audit.list(subject=f"exhibition:{fair}")
    assert entry.action == "exhibition.edit" and entry.actor == f"officer:{OFFICER}"
    assert entry.before is not None and entry.before["starts_on"] == "2030-12-18"
    assert entry.after is not None and entry.after["starts_on"] == "2030-12-20"
    for citizen in citizens[:2]:
        (row_id,) = await _outbox_ids(world, f"exhibition:{fair}:changed:%:{citizen.id}")
        notice = await store.outbox.get(row_id)
        assert notice is not None and notice.kind == "exhibition_change"
        assert "نمایشگاه یلدا" in notice.text and "سالن شهدا" in notice.text
    reminders = await world.reminders.repo.for_subject(f"exhibition:{fair}")
    pending = [r for r in reminders if r.status is ReminderStatus.PENDING]
    assert sorted(r.citizen_id for r in pending) == sorted(c.id for c in citizens[:2])
    assert {r.sequence for r in pending} == {"2030-12-20"}

    # A change that moves nothing (the description) tells nobody.
    same = await exhibitions.edit(
        store,
        world.clock,
        officer(OFFICER),
        fair,
        moved.model_copy(update={"description": "غرفه‌ها رایگان"}),
        catalogue=world.catalogue,
        zone=ZONE,
        reminders=world.reminders,
    )
    assert same is not None and same.told == 0
    assert await _change_rows(world, fair) == 2


async def _outbox_ids(world: World, pattern: str) -> list[int]:
    async with (
        world.store.db.read() as c,
        c.execute("SELECT id FROM outbox WHERE dedupe_key LIKE ?", (pattern,)) as cur,
    ):
        return [int(row[0]) for row in await cur.fetchall()]


async def test_edit_is_one_transaction(world: World) -> None:
    store = world.store
    fair, _citizens = await _with_requesters(world)
    before = await snapshot(store)
    with pytest.raises(Boom):
        await exhibitions.edit(
            store,
            world.clock,
            officer(OFFICER),
            fair,
            draft(starts_on=date(2030, 12, 20), ends_on=date(2030, 12, 24)),
            catalogue=world.catalogue,
            zone=ZONE,
            reminders=FailingReminders(world.reminders, "schedule"),  # the last step
        )
    assert await snapshot(store) == before
    unchanged = await store.exhibitions.get(fair)
    assert unchanged is not None and unchanged.starts_on == date(2030, 12, 18)
    reminders = await world.reminders.repo.for_subject(f"exhibition:{fair}")
    assert all(r.status is ReminderStatus.PENDING for r in reminders)


async def test_edit_and_cancel_refused_to_non_officers(world: World) -> None:
    store = world.store
    fair, _citizens = await _with_requesters(world)
    before = await snapshot(store)
    for actor in NOT_OFFICERS:
        with pytest.raises(NotAllowed):
            await exhibitions.edit(
                store,
                world.clock,
                actor,
                fair,
                draft(venue="پارک ملت"),
                catalogue=world.catalogue,
                zone=ZONE,
                reminders=world.reminders,
            )
        with pytest.raises(NotAllowed):
            await exhibitions.cancel(store, actor, fair, reminders=world.reminders)
    assert await snapshot(store) == before
    kept = await store.exhibitions.get(fair)
    assert kept is not None and kept.status is ExhibitionStatus.ACTIVE and kept.venue == "سالن شهدا"


async def test_cancel_tells_requesters_once_and_stops_reminders(world: World) -> None:
    store = world.store
    fair, citizens = await _with_requesters(world)
    cancelled = await exhibitions.cancel(store, officer(OFFICER), fair, reminders=world.reminders)
    assert cancelled is not None and cancelled.told == 2
    assert cancelled.exhibition.status is ExhibitionStatus.CANCELLED
    for citizen, told in zip(citizens, (True, True, False), strict=True):
        key = f"exhibition:{fair}:cancelled:{citizen.id}"
        assert (await store.outbox.get_by_dedupe_key(key) is not None) is told
    (entry, *_older) = await store.audit.list(subject=f"exhibition:{fair}")
    assert (entry.action, entry.before, entry.after) == (
        "exhibition.cancel",
        {"status": "active"},
        {"status": "cancelled"},
    )
    reminders = await world.reminders.repo.for_subject(f"exhibition:{fair}")
    assert reminders and all(r.status is ReminderStatus.CANCELLED for r in reminders)

    again = await exhibitions.cancel(store, officer(OFFICER), fair, reminders=world.reminders)
    assert again is not None and again.told == 0  # the dedupe keys are stored
    assert await exhibitions.cancel(store, officer(OFFICER), 999) is None


async def test_cancel_is_one_transaction_and_joins_the_callers(world: World) -> None:
    store = world.store
    fair, _citizens = await _with_requesters(world)
    before = await snapshot(store)
    with pytest.raises(Boom):
        await exhibitions.cancel(
            store,
            officer(OFFICER),
            fair,
            reminders=FailingReminders(world.reminders, "cancel_for"),  # after status and audit
        )
    assert await snapshot(store) == before

    # Called inside a transaction (an update's unit of work), it writes in that transaction.
    with pytest.raises(Boom):
        async with store.db.transaction():
            done = await exhibitions.cancel(
                store, officer(OFFICER), fair, reminders=world.reminders
            )
            assert done is not None and done.told == 2
            raise Boom("the update fails later")
    assert await snapshot(store) == before
    kept = await store.exhibitions.get(fair)
    assert kept is not None and kept.status is ExhibitionStatus.ACTIVE
    assert await _change_rows(world, fair) == 0


async def test_import_is_all_or_nothing_and_refused_to_citizens(world: World) -> None:
    store = world.store
    fairs = [draft(title="بازارچهٔ یلدا"), draft(title="بازار مجازی", kind="virtual", county=None)]
    with pytest.raises(NotAllowed):
        await exhibitions.import_drafts(store, Actor("citizen", 1), fairs)
    with pytest.raises(NotAllowed):  # an officer, but removed
        await exhibitions.import_drafts(store, officer(REMOVED), fairs)
    assert await count(store, "exhibitions") == 0

    actor = Actor("import", "fairs.csv")
    assert await exhibitions.import_drafts(store, actor, fairs) == []
    assert await count(store, "audit_log", "actor = 'import:fairs.csv'") == 2
    third = draft(title="نمایشگاه نوروزی")
    assert await exhibitions.import_drafts(store, actor, [third, fairs[1]]) == [1]
    assert await count(store, "exhibitions") == 2  # the new one was not kept either
    assert await count(store, "audit_log", "actor = 'import:fairs.csv'") == 2


async def test_upcoming_for_a_citizen_is_nearest_first(world: World) -> None:
    store = world.store
    for fair in (
        draft(title="بازار مجازی", kind="virtual", county=None),
        draft(title="بازار خرم‌آباد"),
        draft(title="بازار بروجرد", county="borujerd", starts_on=date(2030, 12, 19)),
        draft(
            title="بازار گذشته",
            starts_on=date(2030, 10, 1),
            ends_on=date(2030, 10, 5),
            booth_deadline=None,
        ),
    ):
        await exhibitions.create(store, officer(ADMIN), fair)
    citizen = await world.citizen(5)
    assert isinstance(citizen.id, int)
    await store.subscriptions.replace(citizen.id, ["borujerd"], [])
    found = await exhibitions.upcoming_for_citizen(
        store, world.clock, citizen.id, catalogue=world.catalogue, zone=ZONE
    )
    assert [e.title for e in found] == ["بازار بروجرد", "بازار خرم‌آباد", "بازار مجازی"]
    stranger = await exhibitions.upcoming_for_citizen(
        store, world.clock, None, catalogue=world.catalogue, zone=ZONE
    )
    assert [e.title for e in stranger] == ["بازار خرم‌آباد", "بازار بروجرد", "بازار مجازی"]
