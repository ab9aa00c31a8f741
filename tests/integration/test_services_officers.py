"""services.officers on a real SQLite file: who is an officer now, and admins' changes."""

from __future__ import annotations

import pytest

import storage.officers
from domain.accounts import Account
from services import officers
from services.actors import Actor
from services.errors import NotAllowed
from tests.integration.services_world import (
    ADMIN,
    OFFICER,
    REMOVED,
    STRANGER,
    Boom,
    World,
    count,
    officer,
    snapshot,
    world,
)

__all__ = ["world"]


def test_actor_strings_are_todays_audit_strings() -> None:
    assert str(Actor("officer", 42)) == "officer:42"
    # with two platforms an officer is named with theirs (an account, as in officers' rows)
    assert str(Actor("officer", 42, "bale")) == "officer:bale:42"
    assert str(Actor("citizen", 7)) == "citizen:7"
    assert str(Actor("import", "fairs.csv")) == "import:fairs.csv"
    assert str(Actor("system", 0)) == "system"


async def test_officer_now_counts_settings_admins_and_the_store(world: World) -> None:
    store = world.store
    assert await officers.require_officer(store, officer(ADMIN)) == ADMIN
    assert await officers.require_officer(store, officer(OFFICER)) == OFFICER
    assert await officers.require_officer(store, Actor("officer", OFFICER, "telegram")) == OFFICER
    for refused in (officer(REMOVED), officer(STRANGER), Actor("citizen", ADMIN)):
        with pytest.raises(NotAllowed):
            await officers.require_officer(store, refused)
    # The same user id on another platform is another person: not the officer added here,
    # nor the admin OFFICER_IDS names.
    for other in (OFFICER, ADMIN):
        with pytest.raises(NotAllowed):
            await officers.require_officer(store, Actor("officer", other, "bale"))
    assert await officers.officer_accounts(store) == [
        Account("telegram", ADMIN),
        Account("telegram", OFFICER),
    ]


async def test_officers_sit_on_either_platform(world: World) -> None:
    store = world.store
    store.officers.configure({Account("telegram", ADMIN), Account("bale", 42)}, "telegram")
    on_bale = Actor("officer", 42, "bale")
    assert await officers.require_officer(store, on_bale) == 42
    assert not await officers.is_officer(store, Account("telegram", 42))
    # a Bale admin adds a Bale officer (their own platform) and a Telegram one (named)
    added = await officers.add_officer(store, on_bale, 43)
    assert (added.platform, added.user_id) == ("bale", 43)
    await officers.add_officer(store, on_bale, 44, platform="telegram")
    assert await officers.is_officer(store, Account("telegram", 44))
    assert not await officers.is_officer(store, Account("bale", 44))
    assert Account("bale", 43) in await officers.officer_accounts(store)
    entries = await store.audit.list(subject="officer:bale:43")
    assert [(e.action, e.actor) for e in entries] == [("officer_add", "officer:bale:42")]


async def test_only_admins_manage_officers_and_every_change_is_audited(world: World) -> None:
    store = world.store
    before = await snapshot(store)
    for refused in (officer(OFFICER), officer(REMOVED), officer(STRANGER), Actor("citizen", 1)):
        with pytest.raises(NotAllowed):
            await officers.add_officer(store, refused, 777)
        with pytest.raises(NotAllowed):
            await officers.list_officers(store, refused)
    assert await snapshot(store) == before  # nothing written

    added = await officers.add_officer(store, officer(ADMIN), 777, name="کارشناس")
    assert await officers.is_officer(store, Account("telegram", 777))
    listed = await officers.list_officers(store, officer(ADMIN))
    assert listed.admins == [Account("telegram", ADMIN)] and [o.user_id for o in listed.added] == [
        OFFICER,
        777,
    ]

    with pytest.raises(NotAllowed):
        await officers.remove_officer(store, officer(OFFICER), added.id)
    assert await officers.is_officer(store, Account("telegram", 777))
    removed = await officers.remove_officer(store, officer(ADMIN), added.id)
    assert removed is not None and removed.user_id == 777
    assert not await officers.is_officer(store, Account("telegram", 777))
    assert await officers.remove_officer(store, officer(ADMIN), added.id) is None

    entries = await store.audit.list(subject="officer:telegram:777")
    assert [(e.action, e.actor) for e in entries] == [
        ("officer_remove", f"officer:{ADMIN}"),
        ("officer_add", f"officer:{ADMIN}"),
    ]


async def test_an_officer_marked_admin_in_the_store_may_add(world: World) -> None:
    store = world.store
    await store.officers.add("telegram", 555, f"officer:{ADMIN}", is_admin=True)
    await officers.add_officer(store, officer(555), 556)
    assert await officers.is_officer(store, Account("telegram", 556))


async def test_adding_is_one_transaction(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    async def failing_record(*args: object, **kwargs: object) -> None:
        raise Boom("audit")

    monkeypatch.setattr(storage.officers.AuditLog, "record", failing_record)
    with pytest.raises(Boom):
        await officers.add_officer(world.store, officer(ADMIN), 778)
    assert not await officers.is_officer(world.store, Account("telegram", 778))
    assert await count(world.store, "officers", "user_id = ?", 778) == 0
