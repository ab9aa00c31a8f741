"""Knowing from outside that the bot has finished with what it received.

The bot acknowledges an update as soon as it is stored, before handling it; a simulated
citizen that waits for the acknowledgement then asks the store whether anything is still
unhandled or unsent. It reads the database file read-only, as an operator's tool would, so
it works the same for a bot in the test's process and for a bot process killed and restarted.
"""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from collections.abc import Awaitable, Callable
from pathlib import Path

# A check costs ~10 µs on a connection kept open, so waiting 2 ms between checks is cheap; it
# was 5 ms when each check opened a connection in a thread (~1 ms of CPU: a new connection
# parses the whole schema).
POLL_SECONDS = 0.002

_PENDING = """
SELECT (SELECT count(*) FROM inbox_updates WHERE handled_at IS NULL)
     + (SELECT count(*) FROM reply_queue WHERE sent_at IS NULL)
"""


_PENDING_IN_CHAT = """
SELECT (SELECT count(*) FROM inbox_updates WHERE handled_at IS NULL AND chat_key = :chat)
     + (SELECT count(*) FROM reply_queue WHERE sent_at IS NULL AND chat_key = :chat)
"""


class _Reader:
    """One read-only connection to the bot's database, opened on first use and kept."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self._conn: sqlite3.Connection | None = None

    def pending(self, chat: int | None) -> int:
        """Updates stored and not handled, plus replies not sent (in ``chat`` if given)."""
        try:
            if self._conn is None:
                # A short busy timeout: the check runs in the event loop the bot may share.
                self._conn = sqlite3.connect(
                    f"file:{self.database}?mode=ro",
                    uri=True,
                    timeout=0.05,
                    # Closed when the wait is collected, which may be in another thread.
                    check_same_thread=False,
                )
            if chat is not None:
                return int(self._conn.execute(_PENDING_IN_CHAT, {"chat": chat}).fetchone()[0])
            return int(self._conn.execute(_PENDING).fetchone()[0])
        except sqlite3.OperationalError as exc:
            self.close()
            if "locked" in str(exc) or "busy" in str(exc):
                return 1  # a writer holds a lock the reader needs: look again
            return 0  # not created or not migrated yet

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


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

    reader = _Reader(database)

    async def settle() -> None:
        # Polling: the bot may be another process, so no event can reach this one. The check
        # runs in the loop, not a thread: it is a few microseconds on the kept connection.
        while reader.pending(chat):  # noqa: ASYNC110
            await asyncio.sleep(poll_seconds)

    # The connection closes with the wait (a citizen keeps its wait for its whole life).
    weakref.finalize(settle, reader.close)
    return settle
