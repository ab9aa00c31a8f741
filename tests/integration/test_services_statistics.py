"""services.statistics on a real SQLite file: the year's figures, for officers and the office."""

from __future__ import annotations

import pytest

from services import statistics
from services.actors import Actor
from services.errors import NotAllowed
from tests.integration.services_world import (
    ADMIN,
    OFFICER,
    REMOVED,
    ZONE,
    World,
    officer,
    world,
)

__all__ = ["world"]


async def test_officers_and_the_office_see_the_figures_and_no_one_else(world: World) -> None:
    store = world.store
    await world.citizen(700001, submitted=True)
    for allowed in (officer(ADMIN), officer(OFFICER), Actor("system", "homebiz")):
        stats = await statistics.year_figures(
            store, allowed, tz=ZONE, catalogue=world.catalogue, today=world.clock().date()
        )
        assert stats.start <= world.clock().date() < stats.end
    for refused in (officer(REMOVED), Actor("citizen", 1)):
        with pytest.raises(NotAllowed):
            await statistics.year_figures(store, refused, tz=ZONE, catalogue=world.catalogue)
