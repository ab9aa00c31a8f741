"""Officers: who may do an officer's work now."""

from __future__ import annotations

from services.actors import Actor
from services.errors import NotAllowed
from storage import Store


async def require_officer(store: Store, actor: Actor) -> None:
    """Raise NotAllowed unless the actor is an officer and the store says they are one now."""
    user_id = str(actor.id)
    if actor.kind != "officer" or not user_id.isdigit():
        raise NotAllowed(f"{actor} is not an officer")
    if not await store.officers.is_officer_now(int(user_id)):
        raise NotAllowed(f"{actor} is not an officer now")
