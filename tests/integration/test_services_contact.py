"""services.contact on a real SQLite file: a citizen's message reaches every officer once."""

from __future__ import annotations

import pytest

from domain.statuses import PlanType
from services import contact
from services.errors import NotAllowed
from tests.integration.services_world import (
    ADMIN,
    OFFICER,
    ROSTER,
    Boom,
    World,
    count,
    officer,
    snapshot,
    world,
)

__all__ = ["world"]


async def _message(world: World, *, officers_chat_id: int | None = None) -> contact.Delivery:
    citizen = await world.citizen(1)
    return await contact.message_officers(
        world.store,
        citizen,
        sender_name="مریم",
        text="سلام، وام من کی پرداخت می‌شود؟",
        roster=ROSTER,
        officers_chat_id=officers_chat_id,
        reference="telegram:41",
    )


async def test_every_officer_now_gets_it_once(world: World) -> None:
    store = world.store
    citizen = await world.citizen(1)
    assert isinstance(citizen.id, int)
    app = await store.applications.create_draft(citizen.id, PlanType.INDEPENDENT)
    await store.applications.update_fields(app.id, tracking_code="64330128")

    delivery = await _message(world)
    assert delivery.chat_ids == [ADMIN, OFFICER] and delivery.enqueued == 2  # not the removed
    for chat_id in (ADMIN, OFFICER):
        row = await store.outbox.get_by_dedupe_key(f"contact:telegram:41:{chat_id}")
        assert row is not None and row.urgent and row.kind == "officer_alert"
        assert "مریم" in row.text and "۶۴۳۳۰۱۲۸" in row.text and "وام من" in row.text
    again = await _message(world)  # the same update handled again
    assert again.enqueued == 0 and await count(store, "outbox") == 2


async def test_the_officers_group_instead_when_set(world: World) -> None:
    delivery = await _message(world, officers_chat_id=-100123)
    assert delivery.chat_ids == [-100123] and delivery.enqueued == 1


async def test_only_a_citizen_and_one_transaction(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = world.store
    before = await snapshot(store)
    with pytest.raises(NotAllowed):
        await contact.message_officers(
            store,
            officer(OFFICER),
            sender_name="x",
            text="سلام",
            roster=ROSTER,
            officers_chat_id=None,
            reference="telegram:1",
        )
    assert await snapshot(store) == before

    real_enqueue = store.outbox.enqueue
    calls = []

    async def second_fails(*args: object, **kwargs: object) -> int | None:
        calls.append(args)
        if len(calls) == 2:
            raise Boom("outbox")
        return await real_enqueue(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store.outbox, "enqueue", second_fails)
    await world.citizen(1)
    before = await snapshot(store)
    with pytest.raises(Boom):
        await _message(world)
    assert await snapshot(store) == before  # the first officer's row went too
