"""Knowing from outside that the bot has finished with what it received.

The bot acknowledges an update as soon as it is stored, before handling it; a simulated
citizen that waits for the acknowledgement then asks the store whether anything is still
unhandled or unsent. It reads the database file read-only, as an operator's tool would, so
it works the same for a bot in the test's process and for a bot process killed and restarted.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path

POLL_SECONDS = 0.005

_PENDING = """
SELECT (SELECT count(*) FROM inbox_updates WHERE handled_at IS NULL)
     + (SELECT count(*) FROM reply_queue WHERE sent_at IS NULL)
"""


_PENDING_IN_CHAT = """
SELECT (SELECT count(*) FROM inbox_updates WHERE handled_at IS NULL AND chat_key = :chat)
     + (SELECT count(*) FROM reply_queue WHERE sent_at IS NULL AND chat_key = :chat)
"""


def _pending(database: Path, chat: int | None = None) -> int:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as conn:
            if chat is not None:
                return int(conn.execute(_PENDING_IN_CHAT, {"chat": chat}).fetchone()[0])
            return int(conn.execute(_PENDING).fetchone()[0])
    except sqlite3.OperationalError:  # not created or not migrated yet
        return 0


def read_rows(database: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    """Rows of a query on the bot's database, opened read-only (the bot may be running)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as conn:
        return list(conn.execute(sql, params))


def store_settled(
    database: Path, poll_seconds: float = POLL_SECONDS, *, chat: int | None = None
) -> Callable[[], Awaitable[None]]:
    """A wait that returns once every stored update is handled and every reply sent.

    Many citizens at once: ``chat`` waits for that chat's only (each lane is independent),
    and a longer ``poll_seconds`` leaves the CPU to the bot.
    """

    async def settle() -> None:
        # Polling: the bot may be another process, so no event can reach this one.
        while await asyncio.to_thread(_pending, database, chat):  # noqa: ASYNC110
            await asyncio.sleep(poll_seconds)

    return settle
