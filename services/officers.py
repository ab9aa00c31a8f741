"""Who is an officer or an admin now; admins add and remove officers (audited).

Officers are the settings' OFFICER_IDS (admins) and the accounts an admin added in the bot
(the store, per platform); a ``Roster`` says which platform and which OFFICER_IDS. Every officer
action calls ``require_officer`` first, whatever door it came through, so a removed officer can
do nothing. A caller may pass the roster (the handlers build it from the settings:
``handlers.auth.roster``); without one, the roster the store was given at start-up is used
(``store.officers.configure``, done by ``bot.app.build_application``), so services such as
``services.documents``/``lifecycle`` need no roster parameter and still check the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.actors import Actor
from services.errors import NotAllowed
from storage import Store
from storage.officers import Officer


@dataclass(frozen=True)
class Roster:
    """Where officers are looked up: the platform's accounts, and the settings' admins."""

    platform: str
    admin_ids: frozenset[int] = frozenset()

    @classmethod
    def of(cls, platform: str, admin_ids: Iterable[int] = ()) -> Roster:
        """A roster for this platform with these OFFICER_IDS."""
        return cls(platform=platform, admin_ids=frozenset(admin_ids))


def store_roster(store: Store) -> Roster:
    """The roster the store was configured with at start-up (no officers before that)."""
    officers = store.officers
    return Roster.of(officers.platform or "", officers.configured)


@dataclass(frozen=True)
class OfficerList:
    """Everyone who is an officer now: the settings' admins and the officers added in the bot."""

    admin_ids: list[int]
    added: list[Officer]


async def is_officer(store: Store, roster: Roster, user_id: int) -> bool:
    """An officer now: listed in OFFICER_IDS or added by an admin (and not removed)."""
    if user_id in roster.admin_ids:
        return True
    return await store.officers.is_officer(roster.platform, user_id)


async def is_admin(store: Store, roster: Roster, user_id: int) -> bool:
    """An admin may add and remove officers: OFFICER_IDS, or an officer marked admin."""
    if user_id in roster.admin_ids:
        return True
    officer = await store.officers.get(roster.platform, user_id)
    return officer is not None and officer.is_admin


async def officer_user_ids(store: Store, roster: Roster) -> list[int]:
    """Everyone who is an officer now, by user id (in a private chat, also the chat id)."""
    added = {officer.user_id for officer in await store.officers.list_active(roster.platform)}
    return sorted(roster.admin_ids | added)


def _user_id(actor: Actor) -> int | None:
    if actor.kind != "officer":
        return None
    if isinstance(actor.id, int):
        return actor.id
    return int(actor.id) if actor.id.isdigit() else None


async def require_officer(store: Store, actor: Actor, roster: Roster | None = None) -> int:
    """The officer's user id; NotAllowed unless the actor is an officer now.

    ``roster`` defaults to the store's (``store_roster``). Call it inside the service's
    transaction: the check and the writes see the same store.
    """
    user_id = _user_id(actor)
    if roster is None:
        roster = store_roster(store)
    if user_id is None or not await is_officer(store, roster, user_id):
        raise NotAllowed(f"{actor.kind} is not an officer")
    return user_id


async def require_admin(store: Store, actor: Actor, roster: Roster) -> int:
    """The admin's user id; NotAllowed unless the actor is an admin now."""
    user_id = _user_id(actor)
    if user_id is None or not await is_admin(store, roster, user_id):
        raise NotAllowed(f"{actor.kind} is not an admin")
    return user_id


async def list_officers(store: Store, actor: Actor, roster: Roster) -> OfficerList:
    """Who is an officer now (admins only)."""
    await require_admin(store, actor, roster)
    return OfficerList(
        admin_ids=sorted(roster.admin_ids),
        added=await store.officers.list_active(roster.platform),
    )


async def add_officer(
    store: Store, actor: Actor, roster: Roster, user_id: int, *, name: str | None = None
) -> Officer:
    """Make this account an officer (admins only); the audit row is written with it."""
    if user_id <= 0:
        raise ValueError("a user id is a positive number")
    async with store.db.transaction() as c:
        await require_admin(store, actor, roster)
        return await store.officers.add(roster.platform, user_id, str(actor), name=name, conn=c)


async def remove_officer(
    store: Store, actor: Actor, roster: Roster, officer_id: int
) -> Officer | None:
    """End the role of the officer with this row id (admins only), audited; their web desk
    sessions end with it.

    Returns the officer removed, or None when no active officer has this id.
    """
    async with store.db.transaction() as c:
        await require_admin(store, actor, roster)
        active = await store.officers.list_active(roster.platform)
        officer = next((o for o in active if o.id == officer_id), None)
        if officer is None:
            return None
        await store.officers.remove(roster.platform, officer.user_id, str(actor), conn=c)
        # Their web desk sessions end with the role (each request checks it again anyway).
        await store.desk.end_all(roster.platform, officer.user_id, "not_an_officer", conn=c)
    return officer
