"""Announcements (broadcasts): how many subscribers a filter reaches, and the broadcast itself.

Creating one writes the ``broadcasts`` row and its audit row in one transaction; the broadcast
runner (``bot.workers.broadcast``) finds it in the store and enqueues and follows the deliveries.
"""

from __future__ import annotations

from domain.exhibitions import Broadcast, BroadcastFilter, BroadcastProgress
from services.actors import Actor
from services.officers import require_officer
from storage import Store


async def audience(store: Store, actor: Actor, flt: BroadcastFilter) -> int:
    """How many active subscribers an announcement with this filter would reach (officers)."""
    async with store.db.read():
        await require_officer(store, actor)
        return await store.subscriptions.count_matching(flt)


async def create_broadcast(
    store: Store,
    actor: Actor,
    text: str,
    flt: BroadcastFilter,
    *,
    exhibition_id: int | None = None,
    progress: tuple[int, int] | None = None,
) -> Broadcast:
    """Store a running broadcast (officers only), audited; the runner delivers it.

    ``progress`` is the (chat id, message id) of the officer's progress message.
    """
    if not text.strip():
        raise ValueError("an announcement needs a text")
    async with store.db.transaction() as c:
        await require_officer(store, actor)
        broadcast = await store.broadcasts.create(
            str(actor),
            text,
            flt,
            exhibition_id=exhibition_id,
            progress=progress,
            conn=c,
        )
        await store.audit.record(
            str(actor),
            "broadcast.create",
            f"broadcast:{broadcast.id}",
            after={"filter": flt.model_dump(), "exhibition_id": broadcast.exhibition_id},
            conn=c,
        )
    return broadcast


async def progress(
    store: Store, actor: Actor, broadcast_id: int
) -> tuple[Broadcast, BroadcastProgress] | None:
    """A broadcast and how far its delivery is (officers); None when there is none."""
    async with store.db.read():
        await require_officer(store, actor)
        broadcast = await store.broadcasts.get(broadcast_id)
        if broadcast is None:
            return None
        return broadcast, await store.broadcasts.progress(broadcast_id)
