"""services.announcements on a real SQLite file: the audience, the broadcast row and its audit."""

from __future__ import annotations

import pytest

from domain.exhibitions import BroadcastFilter
from services import announcements
from services.actors import Actor
from services.errors import NotAllowed
from tests.integration.services_world import (
    ADMIN,
    OFFICER,
    REMOVED,
    STRANGER,
    Boom,
    World,
    officer,
    snapshot,
    world,
)

__all__ = ["world"]

BORUJERD = BroadcastFilter(county="borujerd")


async def _subscribers(world: World) -> None:
    """Three subscribers: Borujerd, Khorramabad, and one who chose nothing («all»)."""
    for user_id, counties in ((1, ["borujerd"]), (2, ["khorramabad"]), (3, [])):
        citizen = await world.citizen(user_id)
        assert isinstance(citizen.id, int)
        await world.store.subscriptions.replace(citizen.id, counties, [])


async def test_audience_and_broadcast_with_its_audit_row(world: World) -> None:
    store = world.store
    await _subscribers(world)
    assert await announcements.audience(store, officer(OFFICER), BORUJERD) == 2
    everyone = BroadcastFilter()
    assert await announcements.audience(store, officer(ADMIN), everyone) == 3

    broadcast = await announcements.create_broadcast(
        store, officer(OFFICER), "📣 بازارچه", BORUJERD, progress=(OFFICER, 55)
    )
    assert broadcast.officer == f"officer:{OFFICER}" and broadcast.status == "running"
    assert (broadcast.progress_chat_id, broadcast.progress_message_id) == (OFFICER, 55)
    assert [b.id for b in await store.broadcasts.running()] == [broadcast.id]
    (entry,) = await store.audit.list(subject=f"broadcast:{broadcast.id}")
    assert (entry.actor, entry.action) == (f"officer:{OFFICER}", "broadcast.create")
    assert entry.after == {"filter": {"county": "borujerd", "group": None}, "exhibition_id": None}


async def test_refused_to_non_officers_and_one_transaction(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = world.store
    await _subscribers(world)
    before = await snapshot(store)
    for actor in (officer(REMOVED), officer(STRANGER), Actor("citizen", 1)):
        with pytest.raises(NotAllowed):
            await announcements.audience(store, actor, BORUJERD)
        with pytest.raises(NotAllowed):
            await announcements.create_broadcast(store, actor, "📣 متن", BORUJERD)
    assert await snapshot(store) == before

    async def failing_record(*args: object, **kwargs: object) -> None:
        raise Boom("audit")

    monkeypatch.setattr(store.audit, "record", failing_record)  # after the broadcast row
    with pytest.raises(Boom):
        await announcements.create_broadcast(store, officer(OFFICER), "📣 متن", BORUJERD)
    assert await snapshot(store) == before
    assert await store.broadcasts.running() == []
