"""services.desk_auth on a real SQLite file: single-use links, sessions, idle time, removal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services import desk_auth, officers
from services.actors import Actor
from services.errors import NotAllowed
from tests.integration.services_world import (
    ADMIN,
    OFFICER,
    REMOVED,
    STRANGER,
    World,
    officer,
    world,
)

__all__ = ["world"]

IDLE = timedelta(minutes=30)


async def _count(world: World, table: str) -> int:
    async with world.store.db.read() as c, c.execute(f"SELECT COUNT(*) FROM {table}") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def test_only_officers_now_get_a_link_and_only_its_hash_is_kept(world: World) -> None:
    store, clock = world.store, world.clock
    for refused in (officer(REMOVED), officer(STRANGER)):
        with pytest.raises(NotAllowed):
            await desk_auth.issue_link(store, clock, refused)
    assert await _count(world, "desk_links") == 0
    token = await desk_auth.issue_link(store, clock, officer(OFFICER))
    async with store.db.read() as c, c.execute("SELECT token_hash FROM desk_links") as cur:
        stored = [row[0] for row in await cur.fetchall()]
    assert stored == [desk_auth.token_hash(token)] and token not in stored
    actions = [entry.action for entry in await store.audit.list(f"officer:{OFFICER}")]
    assert "desk_link" in actions


async def test_a_link_opens_one_session_within_ten_minutes(world: World) -> None:
    store, clock = world.store, world.clock
    token = await desk_auth.issue_link(store, clock, officer(OFFICER))
    assert await desk_auth.link_is_live(store, clock, token)
    signed_in = await desk_auth.open_link(store, clock, token)
    assert signed_in is not None and signed_in.user_id == OFFICER
    assert await desk_auth.open_link(store, clock, token) is None  # used
    assert not await desk_auth.link_is_live(store, clock, token)
    assert await desk_auth.open_link(store, clock, "made-up") is None

    late = await desk_auth.issue_link(store, clock, officer(OFFICER))
    clock.advance(minutes=10)
    assert await desk_auth.open_link(store, clock, late) is None  # expired
    assert await _count(world, "desk_sessions") == 1


async def test_a_session_ends_when_idle_on_sign_out_and_when_the_officer_goes(
    world: World,
) -> None:
    store, clock = world.store, world.clock

    async def session_of(user_id: int) -> str:
        await store.officers.add("telegram", user_id, f"officer:{ADMIN}")
        signed_in = await desk_auth.open_link(
            store, clock, await desk_auth.issue_link(store, clock, officer(user_id))
        )
        assert signed_in is not None
        return signed_in.token

    idle, out, removed = (
        await session_of(700001),
        await session_of(700002),
        await session_of(700003),
    )
    live = await desk_auth.session_officer(store, clock, out, IDLE)
    assert live is not None and live.csrf == desk_auth.csrf_token(out)
    assert desk_auth.csrf_token(out) != desk_auth.csrf_token(idle)

    clock.advance(minutes=20)
    assert await desk_auth.session_officer(store, clock, out, IDLE) is not None  # seen now
    assert await desk_auth.session_officer(store, clock, removed, IDLE) is not None
    await desk_auth.sign_out(store, live)
    assert await desk_auth.session_officer(store, clock, out, IDLE) is None

    clock.advance(minutes=15)  # idle: 35 minutes since its last request
    assert await desk_auth.session_officer(store, clock, idle, IDLE) is None
    await store.officers.remove("telegram", 700003, f"officer:{ADMIN}")
    assert await desk_auth.session_officer(store, clock, removed, IDLE) is None
    await store.officers.add("telegram", 700003, f"officer:{ADMIN}")
    # Made an officer again, the old session stays ended: a new link is needed.
    assert await desk_auth.session_officer(store, clock, removed, IDLE) is None


async def test_a_link_of_an_officer_removed_since_opens_nothing(world: World) -> None:
    store, clock = world.store, world.clock
    await store.officers.add("telegram", 700010, f"officer:{ADMIN}")
    token = await desk_auth.issue_link(store, clock, officer(700010))
    await store.officers.remove("telegram", 700010, f"officer:{ADMIN}")
    assert await desk_auth.open_link(store, clock, token) is None
    assert await _count(world, "desk_sessions") == 0


async def test_an_admin_removing_an_officer_ends_their_desk_sessions(world: World) -> None:
    store, clock = world.store, world.clock
    added = await officers.add_officer(store, officer(ADMIN), 700020)
    signed_in = await desk_auth.open_link(
        store, clock, await desk_auth.issue_link(store, clock, officer(700020))
    )
    assert signed_in is not None
    assert added.id is not None
    await officers.remove_officer(store, officer(ADMIN), added.id)
    session = await store.desk.session(desk_auth.token_hash(signed_in.token))
    assert session is not None and session.ended_at is not None


async def test_a_desk_officer_is_an_account_platform_and_user_id(world: World) -> None:
    """An officer on Bale signs in as the Bale account: the Telegram namesake is nobody, the
    session acts as the Bale officer, and removing the Bale officer ends it."""
    store, clock = world.store, world.clock
    bale = Actor("officer", 700030, "bale")
    with pytest.raises(NotAllowed):
        await desk_auth.issue_link(store, clock, bale)
    added = await officers.add_officer(store, officer(ADMIN), 700030, platform="bale")
    with pytest.raises(NotAllowed):  # the Telegram user with the same id is no officer
        await desk_auth.issue_link(store, clock, officer(700030))
    signed_in = await desk_auth.open_link(
        store, clock, await desk_auth.issue_link(store, clock, bale)
    )
    assert signed_in is not None and signed_in.platform == "bale"
    desk_officer = await desk_auth.session_officer(store, clock, signed_in.token, IDLE)
    assert desk_officer is not None and desk_officer.actor == bale
    assert added.id is not None
    await officers.remove_officer(store, officer(ADMIN), added.id)
    assert await desk_auth.session_officer(store, clock, signed_in.token, IDLE) is None
