"""The year's figures: what the officers' «statistics» button and `homebiz stats` show."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from domain.catalogue import Catalogue
from domain.stats import Stats
from services.actors import Actor
from services.officers import require_officer
from storage import Store
from storage.reports import collect_stats


async def year_figures(
    store: Store,
    actor: Actor,
    *,
    tz: ZoneInfo,
    catalogue: Catalogue,
    year: int | None = None,
    today: date | None = None,
) -> Stats:
    """The figures of one Jalali year (this one unless given), for an officer now.

    The office's shell (``homebiz stats``) acts as the system: whoever runs it holds the store.
    """
    if actor.kind != "system":
        await require_officer(store, actor)
    return await collect_stats(store, year=year, today=today, catalogue=catalogue, tz=tz)
