"""Who is an officer or an admin now; admins add and remove officers (audited).

ONE mechanism for every door: an officer is an ``Account`` (platform, user id) that OFFICER_IDS
names (an admin) or that an admin added in the bot (the store, not removed). The store is told
OFFICER_IDS once at start-up (``store.officers.configure``, in ``bot.app``), so a service alone
can tell: every officer action calls ``require_officer(store, actor)`` first, and the bot's
guard on every officer step (``handlers.auth``) asks ``is_officer`` here, the same question.
An officer on Bale acts on a Telegram citizen's application like on a Bale one: applications
are the office's, not a platform's.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.accounts import Account
from domain.tickets import Ticket
from services.actors import Actor
from services.errors import NotAllowed
from storage import Store
from storage.officers import Officer


@dataclass(frozen=True)
class OfficerList:
    """Everyone who is an officer now: the settings' admins and the officers added in the bot."""

    admins: list[Account]
    added: list[Officer]


def account_of(store: Store, actor: Actor) -> Account | None:
    """The officer's account an actor names (its platform, else the store's default)."""
    if actor.kind != "officer":
        return None
    raw = actor.id
    if isinstance(raw, str):
        if not raw.lstrip("-").isdigit():
            return None
        raw = int(raw)
    platform = actor.platform or store.officers.default_platform
    if platform is None:
        return None
    return Account(platform, raw)


def assignee_account(store: Store, ticket: Ticket) -> Account | None:
    """The account of the officer who took the ticket, if anyone did."""
    if ticket.assignee is None:
        return None
    platform = ticket.assignee_platform or store.officers.default_platform
    return None if platform is None else Account(platform, ticket.assignee)


async def is_officer(store: Store, account: Account) -> bool:
    """An officer now: listed in OFFICER_IDS or added by an admin (and not removed)."""
    return await store.officers.is_officer_now(account)


async def is_admin(store: Store, account: Account) -> bool:
    """An admin may add and remove officers: OFFICER_IDS, or an officer marked admin."""
    return await store.officers.is_admin_now(account)


async def officer_accounts(store: Store) -> list[Account]:
    """Everyone who is an officer now, on either platform (a private chat's id is the user's)."""
    return await store.officers.officer_accounts()


async def require_officer(store: Store, actor: Actor) -> int:
    """The officer's user id; NotAllowed unless the actor is an officer now.

    Call it inside the service's transaction: the check and the writes see the same store.
    """
    account = account_of(store, actor)
    if account is None or not await is_officer(store, account):
        raise NotAllowed(f"{actor.kind} is not an officer")
    return account.user_id


async def require_admin(store: Store, actor: Actor) -> Account:
    """The admin's account; NotAllowed unless the actor is an admin now."""
    account = account_of(store, actor)
    if account is None or not await is_admin(store, account):
        raise NotAllowed(f"{actor.kind} is not an admin")
    return account


async def list_officers(store: Store, actor: Actor) -> OfficerList:
    """Who is an officer now, on either platform (admins only)."""
    await require_admin(store, actor)
    return OfficerList(
        admins=sorted(store.officers.configured), added=await store.officers.list_active()
    )


async def add_officer(
    store: Store,
    actor: Actor,
    user_id: int,
    *,
    platform: str | None = None,
    name: str | None = None,
) -> Officer:
    """Make this account an officer (admins only; on the admin's own platform unless
    ``platform`` names the other); the audit row is written with it."""
    if user_id <= 0:
        raise ValueError("a user id is a positive number")
    async with store.db.transaction() as c:
        admin = await require_admin(store, actor)
        on = platform or admin.platform
        return await store.officers.add(on, user_id, str(actor), name=name, conn=c)


async def remove_officer(store: Store, actor: Actor, officer_id: int) -> Officer | None:
    """End the role of the officer with this row id (admins only), audited; their web desk
    sessions end with it.

    Returns the officer removed, or None when no active officer has this id.
    """
    async with store.db.transaction() as c:
        await require_admin(store, actor)
        active = await store.officers.list_active(conn=c)
        officer = next((o for o in active if o.id == officer_id), None)
        if officer is None:
            return None
        await store.officers.remove(officer.platform, officer.user_id, str(actor), conn=c)
        # Their web desk sessions end with the role (each request checks it again anyway).
        await store.desk.end_all(officer.platform, officer.user_id, "not_an_officer", conn=c)
    return officer
