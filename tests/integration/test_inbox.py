"""The inbox and the reply queue on a real SQLite file."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram import Update

from bot.updates.receiver import as_received
from storage import Store
from storage.inbox import Inbox, Received
from storage.replies import FilePart, ReplyQueue
from tests.clock import FakeClock
from tests.conftest import migrated


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 3, 1, 8, 30, tzinfo=UTC))


@pytest.fixture
async def store(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Store]:
    opened = await Store.open(migrated(tmp_path / "bot.sqlite3"), clock=clock)
    yield opened
    await opened.close()


def _update(update_id: int, text: str, chat: int = 7) -> Received:
    return Received(update_id, chat, {"update_id": update_id, "message": {"text": text}})


async def test_a_redelivered_update_is_stored_once(store: Store) -> None:
    inbox = Inbox(store.db, platform="telegram", bot_id=1)
    first = await inbox.store([_update(10, "سلام"), _update(11, "۱۲۳")])
    again = await inbox.store([_update(10, "سلام"), _update(11, "۱۲۳"), _update(12, "بعدی")])
    assert [row.update_id for row in first] == [10, 11]
    assert [row.update_id for row in again] == [12]
    assert [row.update_id for row in await inbox.pending()] == [10, 11, 12]


async def test_a_reused_update_id_with_other_content_is_a_new_update(store: Store) -> None:
    """Telegram restarts ids after a quiet week; the sandbox's emulator restarts them at 1."""
    inbox = Inbox(store.db, platform="telegram", bot_id=1)
    (old,) = await inbox.store([_update(1, "/start")])
    async with store.db.transaction() as conn:
        await inbox.mark_handled(old.seq, conn, failed=False)
    fresh = await inbox.store([_update(1, "/help")])
    assert len(fresh) == 1 and fresh[0].payload["message"]["text"] == "/help"


async def test_update_ids_are_per_bot_and_platform(store: Store) -> None:
    telegram = Inbox(store.db, platform="telegram", bot_id=1)
    other_bot = Inbox(store.db, platform="telegram", bot_id=2)
    bale = Inbox(store.db, platform="bale", bot_id=1)
    for inbox in (telegram, other_bot, bale):
        assert len(await inbox.store([_update(5, "یکسان")])) == 1
    assert [r.update_id for r in await telegram.pending()] == [5]


async def test_handled_updates_are_forgotten_after_a_day(store: Store, clock: FakeClock) -> None:
    inbox = Inbox(store.db, platform="telegram", bot_id=1)
    rows = await inbox.store([_update(1, "a"), _update(2, "b")])
    async with store.db.transaction() as conn:
        await inbox.mark_handled(rows[0].seq, conn, failed=False)
    clock.advance(hours=25)
    assert await inbox.prune(clock.now - timedelta(days=1)) == 1
    # The unhandled one stays, however old: it has not been handled yet.
    assert [r.update_id for r in await inbox.pending()] == [2]
    # Within the day a re-delivery is still recognised.
    async with store.db.transaction() as conn:
        await inbox.mark_handled(rows[1].seq, conn, failed=False)
    assert await inbox.store([_update(2, "b")]) == []


async def test_replies_wait_in_order_and_resolve_their_placeholder(store: Store) -> None:
    inbox = Inbox(store.db, platform="telegram", bot_id=1)
    queue = ReplyQueue(store.db, platform="telegram", bot_id=1)
    (row,) = await inbox.store([_update(1, "/start", chat=42)])
    async with store.db.transaction() as conn:
        first = await queue.add(
            conn, chat_key=42, update_seq=row.seq, method="sendMessage",
            params={"chat_id": 42, "text": "سلام"}, file=None,
        )  # fmt: skip
        second = await queue.add(
            conn, chat_key=42, update_seq=row.seq, method="sendDocument",
            params={"chat_id": 42}, file=FilePart("document", "a.pdf", b"%PDF-1.4"),
        )  # fmt: skip
    unsent = await queue.unsent(42)
    assert [r.id for r in unsent] == [first, second]
    assert unsent[1].file == FilePart("document", "a.pdf", b"%PDF-1.4")
    assert await queue.lanes_with_unsent() == [42]
    assert await queue.real_message_id(-first) is None
    await queue.mark_done([(first, 900, "sent"), (second, None, "dropped: forbidden")])
    assert await queue.unsent(42) == []
    assert await queue.real_message_id(-first) == 900


async def test_a_non_durable_write_leaves_the_connection_durable(store: Store) -> None:
    """Reply marks skip the fsync; every other commit keeps synchronous=FULL."""
    async with (
        store.db.transaction(durable=False) as conn,
        conn.execute("PRAGMA synchronous") as cursor,
    ):
        assert (await cursor.fetchone())[0] == 1  # NORMAL
    async with store.db.transaction() as conn, conn.execute("PRAGMA synchronous") as cursor:
        assert (await cursor.fetchone())[0] == 2  # FULL


# An update as Telegram sends it: PTB's to_dict() of it adds fields Telegram never sent
# (channel_chat_created, delete_chat_photo, ...), so the two digests differ.
TELEGRAM_UPDATE = {
    "update_id": 500,
    "message": {
        "message_id": 31,
        "date": 1764540000,
        "chat": {"id": 7, "type": "private", "first_name": "مریم"},
        "from": {"id": 7, "is_bot": False, "first_name": "مریم", "language_code": "fa"},
        "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    },
}


async def test_an_update_stored_before_the_upgrade_is_recognised_when_delivered_again(
    store: Store,
) -> None:
    """The inbox now keeps the JSON as received; rows stored before hold PTB's to_dict()."""
    inbox = Inbox(store.db, platform="telegram", bot_id=1)
    raw = copy.deepcopy(TELEGRAM_UPDATE)
    update = Update.de_json(raw, None)
    former = update.to_dict()
    assert Received(500, 7, former).canonical != Received(500, 7, raw).canonical
    # Stored by the bot before the upgrade (main at e71802b: bot.updates.receiver stored
    # Received(update_id, chat_key, update.to_dict(), update)), not yet acknowledged.
    (stored,) = await inbox.store([Received(500, 7, former, update)])
    async with (
        store.db.read() as conn,
        conn.execute("SELECT digest FROM inbox_updates WHERE seq = ?", (stored.seq,)) as cursor,
    ):
        (digest,) = await cursor.fetchone()
    assert digest == hashlib.sha256(Received(500, 7, former).canonical.encode()).hexdigest()

    # Delivered again to the upgraded bot: recognised, not handled twice.
    again = as_received(copy.deepcopy(TELEGRAM_UPDATE), Update.de_json(TELEGRAM_UPDATE, None))
    assert again.payload == TELEGRAM_UPDATE  # as received (PTB's parsing changed nothing)
    assert await inbox.store([again]) == []
    assert [r.update_id for r in await inbox.pending()] == [500]

    # Stored the new way and delivered again: recognised too; the same id with other
    # content is a new update either way.
    other = copy.deepcopy(TELEGRAM_UPDATE)
    other["update_id"] = 501
    (new,) = await inbox.store([as_received(other, Update.de_json(other, None))])
    assert new.payload == other
    assert await inbox.store([as_received(other, Update.de_json(other, None))]) == []
    reused = copy.deepcopy(other)
    reused["message"]["text"] = "/help"
    assert len(await inbox.store([as_received(reused, Update.de_json(reused, None))])) == 1
