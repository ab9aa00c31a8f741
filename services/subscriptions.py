"""A citizen's announcement choices: counties and activity groups (toggled), opt in and out.

Choosing a county or a group opts the citizen in; no choice in a dimension means «all».
"""

from __future__ import annotations

from typing import Literal

from domain.catalogue import Catalogue
from domain.exhibitions import Subscription
from services.actors import Actor
from services.errors import NotAllowed
from storage import Store

Dimension = Literal["county", "group"]


def _citizen_id(actor: Actor) -> int:
    if actor.kind != "citizen" or not isinstance(actor.id, int):
        raise NotAllowed("only a citizen changes their own subscription")
    return actor.id


async def get(store: Store, actor: Actor) -> Subscription:
    """The citizen's choices (not subscribed, «all», when never set)."""
    return await store.subscriptions.get(_citizen_id(actor))


async def set_active(store: Store, actor: Actor, active: bool) -> Subscription:
    """Subscribe or stop every announcement, keeping the choices; return them."""
    citizen_id = _citizen_id(actor)
    async with store.db.transaction() as c:
        await store.subscriptions.set_active(citizen_id, active, c)
        return await store.subscriptions.get(citizen_id, c)


async def stop(store: Store, actor: Actor) -> bool:
    """Stop every announcement (/stop, the button under one); False if already stopped."""
    citizen_id = _citizen_id(actor)
    async with store.db.transaction() as c:
        return await store.subscriptions.set_active(citizen_id, False, c)


async def toggle(
    store: Store, actor: Actor, dimension: Dimension, code: str, *, catalogue: Catalogue
) -> Subscription:
    """Add or remove one county or group of the catalogue (an unknown code changes nothing)."""
    citizen_id = _citizen_id(actor)
    known = catalogue.county(code) if dimension == "county" else catalogue.group(code)
    if known is None:
        return await store.subscriptions.get(citizen_id)
    async with store.db.transaction() as c:
        return await store.subscriptions.toggle(citizen_id, dimension, code, c)


async def choose_all(store: Store, actor: Actor, dimension: Dimension) -> Subscription:
    """Every county (or every group): clear that dimension's choices."""
    citizen_id = _citizen_id(actor)
    async with store.db.transaction() as c:
        return await store.subscriptions.choose_all(citizen_id, dimension, c)
