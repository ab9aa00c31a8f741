"""Many subscribed citizens written straight into the store (broadcast tests and benchmark)."""

from __future__ import annotations

from datetime import UTC, datetime

from storage import Store


async def seed_subscribers(store: Store, first_user: int, count: int) -> None:
    """Citizens ``first_user`` … ``first_user + count - 1``, each subscribed to «all»."""
    now = datetime.now(UTC).isoformat()
    users = range(first_user, first_user + count)
    async with store.db.transaction() as c:
        await c.executemany(
            "INSERT INTO citizens (platform, user_id, chat_id, created_at, updated_at)"
            " VALUES ('telegram', ?, ?, ?, ?)",
            [(u, u, now, now) for u in users],
        )
        await c.execute(
            "INSERT INTO subscriptions (citizen_id, active, created_at, updated_at)"
            " SELECT id, 1, ?, ? FROM citizens WHERE user_id >= ? AND user_id < ?",
            (now, now, first_user, first_user + count),
        )
