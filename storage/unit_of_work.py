"""One update, one transaction: its store writes, conversation state, replies and "handled" mark.

An update is handled inside one write transaction. The handler's store writes join it (the
store's nested transactions become savepoints); the Bot API calls it makes (send, edit,
answer) are written to the reply queue in it instead of being sent (bot.updates.deferring_bot);
the conversation states and user data PTB changed are written at the end; then the inbox row
is marked handled and everything commits at once. After a crash, a re-handled update starts
from exactly the state it first saw, so doing it again is harmless by construction.

Slow I/O a handler needs (downloading a citizen's file) must not hold the write lock: the
handler asks for it through ``outside_transaction``; the unit rolls back, the work runs with
no lock held, and the update is handled again with the result at hand.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aiosqlite

T = TypeVar("T")

_CURRENT: contextvars.ContextVar[UnitOfWork | None] = contextvars.ContextVar(
    "unit_of_work", default=None
)


class FetchFirst(Exception):
    """A handler needs slow work done outside the transaction; the update runs again after."""

    def __init__(self, key: str, work: Callable[[], Awaitable[Any]]) -> None:
        super().__init__(key)
        self.key = key
        self.work = work


@dataclass(frozen=True)
class Raised:
    """Work done outside the transaction that raised: raised again where the handler asks."""

    error: BaseException


@dataclass(frozen=True)
class DeferredCall:
    """A Bot API call kept in memory too: stored again if the handler's writes roll back, and
    sent from memory once they commit (no need to read the reply queue back)."""

    method: str
    params: dict[str, Any]
    file: Any  # storage.replies.FilePart | None
    reply_id: int | None = None  # its reply_queue row
    # Made inside a nested transaction (a savepoint), which the handler may still roll back.
    in_savepoint: bool = True


@dataclass
class UnitOfWork:
    """What one update's handling has done so far; lives only while the update is handled."""

    update_seq: int
    chat_key: int
    conn: aiosqlite.Connection
    # Results of work done outside the transaction, kept across the re-runs of one update.
    staged: dict[str, Any]
    task: asyncio.Task[Any] | None = field(default_factory=asyncio.current_task)
    calls: list[DeferredCall] = field(default_factory=list)
    failed_at: int | None = None  # index in calls where the handler failed (error replies follow)
    error: BaseException | None = None
    fetch: FetchFirst | None = None
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    open: bool = True

    @staticmethod
    def current() -> UnitOfWork | None:
        """The unit of the update this task is handling, if any (not in tasks it spawned)."""
        unit = _CURRENT.get()
        if unit is None or not unit.open or unit.task is not asyncio.current_task():
            return None
        return unit

    def enter(self) -> contextvars.Token[UnitOfWork | None]:
        return _CURRENT.set(self)

    @staticmethod
    def leave(token: contextvars.Token[UnitOfWork | None]) -> None:
        unit = _CURRENT.get()
        if unit is not None:
            unit.open = False
        _CURRENT.reset(token)

    def record_failure(self, error: BaseException) -> None:
        """The handler raised: its writes will roll back; calls made from here on are kept."""
        if self.failed_at is None:
            self.failed_at = len(self.calls)
            self.error = error

    @property
    def kept_calls(self) -> list[DeferredCall]:
        """After a failure: the calls the error handler made (the apology), not the handler's."""
        return [] if self.failed_at is None else self.calls[self.failed_at :]

    def call_after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the update's transaction committed (wake a worker, …)."""
        self.after_commit.append(callback)


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` after the current update commits; at once outside an update."""
    unit = UnitOfWork.current()
    if unit is None:
        callback()
    else:
        unit.call_after_commit(callback)


async def outside_transaction(key: str, work: Callable[[], Awaitable[T]]) -> T:
    """Do slow I/O (a download) without holding the update's write transaction.

    Inside an update: the first call rolls the update back and runs ``work`` with no lock
    held; the update is then handled again and this call returns the result (or raises what
    ``work`` raised). Outside an update, ``work`` simply runs. ``key`` names the work within
    the update (a file id).
    """
    unit = UnitOfWork.current()
    if unit is None:
        return await work()
    if key in unit.staged:
        outcome = unit.staged[key]
        if isinstance(outcome, Raised):
            raise outcome.error
        result: T = outcome
        return result
    raise FetchFirst(key, work)
