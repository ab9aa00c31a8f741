"""Handle one stored update in one unit of work (see storage.unit_of_work).

1. Open the write transaction; PTB processes the update; its store writes, queued replies,
   conversation states and user data, and the inbox's "handled" mark commit together.
2. A handler that asked for slow work (a download) rolls the unit back; the work runs with
   no lock held; the update is handled again with the result.
3. A handler that raised rolls back its writes; the update is marked failed with only the
   apology the error handler queued, so one bad update cannot block its chat for ever.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import Application

from storage.db import Database
from storage.inbox import Inbox, InboxRow
from storage.persistence import SqlitePersistence
from storage.replies import QueuedReply, ReplyQueue
from storage.unit_of_work import Raised, UnitOfWork

LOGGER = logging.getLogger(__name__)

# A handler may ask for several files in one update; each costs one more pass.
_MAX_PASSES = 4


class _RollBack(Exception):
    """Leave the transaction without committing."""


class UpdateHandler:
    """Runs stored updates through the Application, one unit of work each."""

    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        *,
        db: Database,
        inbox: Inbox,
        replies: ReplyQueue,
    ) -> None:
        self.application = application
        self.db = db
        self.inbox = inbox
        self.replies = replies
        persistence = application.persistence
        self.persistence = persistence if isinstance(persistence, SqlitePersistence) else None
        # Told the kind of each handled update and how long it took (/metrics), if set.
        self.observe: Callable[[str, float], None] | None = None

    async def handle(self, row: InboxRow) -> list[QueuedReply] | None:
        """Handle one stored update exactly once (``_handle``), timed for /metrics."""
        if self.observe is None:
            return await self._handle(row)
        started = time.perf_counter()
        try:
            return await self._handle(row)
        finally:
            self.observe(_kind(row.payload), time.perf_counter() - started)

    async def _handle(self, row: InboxRow) -> list[QueuedReply] | None:
        """Handle one stored update exactly once; return when its effects are committed.

        Returns the replies it committed, in order, to be sent from memory; None when the
        lane must read its reply queue instead (the update failed).
        """
        try:
            update = _update_of(row, self.application.bot)
        except Exception:
            LOGGER.exception("Stored update %d could not be read; marked failed", row.update_id)
            await self.commit_failure(row, [])
            return None
        staged: dict[str, Any] = {}
        for _ in range(_MAX_PASSES):
            unit, replies = await self._attempt(row, update, staged)
            if unit is None:
                return replies
            if unit.fetch is not None:
                staged[unit.fetch.key] = await _run_outside(unit.fetch.work)
                continue
            await self.commit_failure(row, unit.kept_calls)
            return None
        LOGGER.error(
            "Update %d still asked for more work after %d passes", row.update_id, _MAX_PASSES
        )
        await self.commit_failure(row, [])
        return None

    async def _attempt(
        self, row: InboxRow, update: Update, staged: dict[str, Any]
    ) -> tuple[UnitOfWork | None, list[QueuedReply] | None]:
        """One pass: (None, its replies) when it committed, else (the rolled-back unit, None)."""
        snapshot = _Snapshot.take(self.application, update)
        unit: UnitOfWork | None = None
        try:
            async with self.db.transaction() as conn:
                unit = UnitOfWork(
                    update_seq=row.seq, chat_key=row.chat_key, conn=conn, staged=staged
                )
                token = unit.enter()
                try:
                    await self.application.process_update(update)
                    if unit.fetch is not None or unit.failed_at is not None:
                        raise _RollBack
                    await self._write_persistence(conn)
                    await self.inbox.mark_handled(row.seq, conn, failed=False)
                    replies = await self._committing(conn, row, unit)
                finally:
                    UnitOfWork.leave(token)
        except _RollBack:
            snapshot.restore(self.application)
            return unit, None
        except BaseException:
            snapshot.restore(self.application)
            raise
        assert unit is not None
        _run_all(unit.after_commit)
        return None, replies

    async def _committing(
        self, conn: Any, row: InboxRow, unit: UnitOfWork
    ) -> list[QueuedReply] | None:
        """The replies this update's commit will hold, as the lane will send them.

        Their values are in memory already. If a call was made inside a savepoint, which of
        them are still there is read (a savepoint a handler rolled back took its calls with
        it). None if memory and store disagree otherwise: the lane then reads the queue.
        """
        calls = {call.reply_id: call for call in unit.calls}
        if not any(call.in_savepoint for call in unit.calls):
            ids = [reply_id for reply_id in calls if reply_id is not None]
        else:
            ids = await self.replies.unsent_ids(conn, row.chat_key, row.seq)
        if not all(reply_id in calls for reply_id in ids):
            return None
        return [
            QueuedReply(
                id=reply_id,
                chat_key=row.chat_key,
                update_seq=row.seq,
                method=calls[reply_id].method,
                params=calls[reply_id].params,
                file=calls[reply_id].file,
            )
            for reply_id in ids
        ]

    async def _write_persistence(self, conn: Any) -> None:
        """Conversation states and user/chat data PTB changed, into this transaction."""
        if self.persistence is None:
            return
        self.persistence.begin_batch()
        await self.application.update_persistence()
        await self.persistence.write_batch(conn)

    async def commit_failure(self, row: InboxRow, kept: list[Any]) -> None:
        """Mark a failed update handled, with only the error handler's replies."""
        async with self.db.transaction() as conn:
            for call in kept:
                await self.replies.add(
                    conn,
                    chat_key=row.chat_key,
                    update_seq=row.seq,
                    method=call.method,
                    params=call.params,
                    file=call.file,
                )
            await self.inbox.mark_handled(row.seq, conn, failed=True)


def _update_of(row: InboxRow, bot: Any) -> Update:
    """The update of a row: the one just received, else read back from its stored JSON."""
    if isinstance(row.update, Update):
        return row.update
    return Update.de_json(row.payload, bot)


async def _run_outside(work: Callable[[], Awaitable[Any]]) -> Any:
    try:
        return await work()
    except Exception as exc:  # given back to the handler, which decides what it means
        return Raised(exc)


def _run_all(callbacks: list[Callable[[], None]]) -> None:
    for callback in callbacks:
        try:
            callback()
        except Exception:
            LOGGER.exception("An after-commit step failed")


class _Snapshot:
    """The update's user and chat data before handling, put back if the unit rolls back."""

    def __init__(self, user: tuple[int, Any] | None, chat: tuple[int, Any] | None) -> None:
        self.user = user
        self.chat = chat

    @classmethod
    def take(cls, application: Application, update: Update) -> _Snapshot:  # type: ignore[type-arg]
        user_id = update.effective_user.id if update.effective_user else None
        chat_id = update.effective_chat.id if update.effective_chat else None
        user = (
            (user_id, copy.deepcopy(application.user_data.get(user_id)))
            if user_id is not None
            else None
        )
        chat = (
            (chat_id, copy.deepcopy(application.chat_data.get(chat_id)))
            if chat_id is not None
            else None
        )
        return cls(user, chat)

    def restore(self, application: Application) -> None:  # type: ignore[type-arg]
        for mapping, saved in (
            (application.user_data, self.user),
            (application.chat_data, self.chat),
        ):
            if saved is None:
                continue
            key, before = saved
            current = mapping.get(key)
            if isinstance(current, dict):
                current.clear()
                if before:
                    current.update(before)


def _kind(payload: Any) -> str:
    """An update's kind: its one field besides update_id (message, callback_query, ...)."""
    if isinstance(payload, dict):
        for key in payload:
            if key != "update_id":
                return str(key)
    return "unknown"
