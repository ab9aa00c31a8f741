"""services.subscriptions on a real SQLite file: a citizen's own choices, and only theirs."""

from __future__ import annotations

import pytest

from services import subscriptions
from services.errors import NotAllowed
from tests.integration.services_world import OFFICER, World, officer, snapshot, world

__all__ = ["world"]


async def test_toggle_choose_all_and_stop(world: World) -> None:
    store, catalogue = world.store, world.catalogue
    citizen = await world.citizen(1)
    fresh = await subscriptions.get(store, citizen)
    assert not fresh.active and fresh.counties == () and fresh.groups == ()

    chosen = await subscriptions.toggle(store, citizen, "county", "borujerd", catalogue=catalogue)
    assert chosen.active and chosen.counties == ("borujerd",)  # choosing subscribes
    group = catalogue.groups[0].code
    chosen = await subscriptions.toggle(store, citizen, "group", group, catalogue=catalogue)
    assert chosen.groups == (group,)
    unknown = await subscriptions.toggle(store, citizen, "county", "atlantis", catalogue=catalogue)
    assert unknown == chosen  # an unknown code changes nothing
    again = await subscriptions.toggle(store, citizen, "county", "borujerd", catalogue=catalogue)
    assert again.counties == ()
    everything = await subscriptions.choose_all(store, citizen, "group")
    assert everything.groups == () and everything.active

    assert await subscriptions.stop(store, citizen)
    assert not await subscriptions.stop(store, citizen)  # already stopped
    stopped = await subscriptions.get(store, citizen)
    assert not stopped.active
    resumed = await subscriptions.set_active(store, citizen, True)
    assert resumed.active


async def test_only_the_citizen_changes_a_subscription(world: World) -> None:
    store = world.store
    await world.citizen(1)
    before = await snapshot(store)
    with pytest.raises(NotAllowed):
        await subscriptions.set_active(store, officer(OFFICER), True)
    with pytest.raises(NotAllowed):
        await subscriptions.toggle(
            store, officer(OFFICER), "county", "borujerd", catalogue=world.catalogue
        )
    with pytest.raises(NotAllowed):
        await subscriptions.get(store, officer(OFFICER))
    assert await snapshot(store) == before
