"""Lanes: each chat's updates handled in order, chats never waiting for one another.

Every chat (lane) has at most one worker task. It first sends what the lane still has in
the reply queue (after a crash), then, for each stored update in arrival order: handle it
in one unit of work, send its replies. A chat whose replies are stalled, rate-limited or
retried delays only itself; there is no batch barrier. The store serialises the short
transactions; no lock is held while anything is sent.

The replies an update committed are sent from memory; the reply queue is read only for a
lane that may hold older unsent ones (after a crash, a failed update, a send cut short).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta

from bot.updates.handling import UpdateHandler
from bot.updates.reply_sender import ReplySender
from storage.inbox import Inbox, InboxRow
from storage.replies import QueuedReply

LOGGER = logging.getLogger(__name__)

# A platform delivers an update again for a day at most (Bale keeps updates for 24 hours).
REDELIVERY_WINDOW = timedelta(days=1)
PRUNE_EVERY_SECONDS = 3600.0


class Dispatcher:
    """Feeds stored updates to per-chat workers."""

    def __init__(
        self,
        handler: UpdateHandler,
        sender: ReplySender,
        inbox: Inbox,
        *,
        clock: Callable[[], datetime],
    ) -> None:
        self.handler = handler
        self.sender = sender
        self.inbox = inbox
        self.clock = clock
        self._queues: dict[int, deque[InboxRow]] = {}
        # Lanes whose reply queue may hold calls not yet sent: they read it before sending.
        self._unsent: set[int] = set()
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._pruner: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()

    async def start(self) -> None:
        """Resume after a crash: unsent replies and unhandled updates first, in order per chat."""
        for lane in await self.sender.queue.lanes_with_unsent():
            self._unsent.add(lane)
            self._queues.setdefault(lane, deque())
            self._ensure_worker(lane)
        pending = await self.inbox.pending()
        if pending:
            LOGGER.info("Resuming %d stored update(s) not yet handled", len(pending))
        self.submit(pending)
        self._pruner = asyncio.create_task(self._prune_regularly(), name="inbox-pruner")

    def submit(self, rows: Iterable[InboxRow]) -> None:
        """Queue stored updates on their lanes (arrival order is kept within a lane)."""
        for row in rows:
            self._queues.setdefault(row.chat_key, deque()).append(row)
            self._ensure_worker(row.chat_key)

    @property
    def backlog(self) -> int:
        """Updates stored and not yet handled."""
        return sum(len(queue) for queue in self._queues.values())

    async def wait_idle(self) -> None:
        """Until every lane is empty (tests, benchmarks)."""
        await self._idle.wait()

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """Finish the update in hand in each lane, then stop; the rest resumes at restart."""
        self.sender.stopping.set()
        for queue in self._queues.values():
            queue.clear()
        workers = list(self._workers.values())
        if workers:
            _done, late = await asyncio.wait(workers, timeout=grace_seconds)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self._pruner is not None:
            self._pruner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pruner
        await self.sender.marks_written()  # before the store closes

    def _ensure_worker(self, lane: int) -> None:
        if lane not in self._workers:
            self._idle.clear()
            self._workers[lane] = asyncio.create_task(self._work(lane), name=f"lane:{lane}")

    async def _work(self, lane: int) -> None:
        queue = self._queues[lane]
        try:
            if lane in self._unsent:
                await self._flush(lane)
            while queue and not self.sender.stopping.is_set():
                row = queue.popleft()
                replies = await self._handle(row)
                if replies is None or lane in self._unsent:
                    await self._flush(lane)
                else:
                    await self._send(lane, replies)
        finally:
            # No await between the last check and leaving: a row submitted now starts a worker.
            del self._workers[lane]
            if not queue:
                self._queues.pop(lane, None)
            elif not self.sender.stopping.is_set():
                self._ensure_worker(lane)
            if not self._workers:
                self._idle.set()

    async def _handle(self, row: InboxRow) -> list[QueuedReply] | None:
        """Handle one update; its committed replies, or None: read the lane's queue."""
        try:
            return await self.handler.handle(row)
        except asyncio.CancelledError:
            raise
        except Exception:
            # Not the handlers' errors (the error handler has those): the machinery's own.
            LOGGER.exception("Update %d could not be handled; marked failed", row.update_id)
            with contextlib.suppress(Exception):
                await self.handler.commit_failure(row, [])
            return None

    async def _flush(self, lane: int) -> None:
        """Send what the lane's reply queue holds."""
        await self._sending(lane, self.sender.flush(lane))

    async def _send(self, lane: int, replies: list[QueuedReply]) -> None:
        """Send the replies an update just committed (the lane has nothing older unsent)."""
        await self._sending(lane, self.sender.send(replies))

    async def _sending(self, lane: int, sending: Awaitable[bool]) -> None:
        self._unsent.add(lane)  # until we know every call went
        try:
            if await sending:
                self._unsent.discard(lane)
        except asyncio.CancelledError:
            raise
        except Exception:  # the replies stay queued and go out with the lane's next update
            LOGGER.exception("Sending the replies of lane %d failed", lane)

    async def _prune_regularly(self) -> None:
        while True:
            try:
                removed = await self.inbox.prune(self.clock() - REDELIVERY_WINDOW)
                if removed:
                    LOGGER.info("Pruned %d handled update(s) older than a day", removed)
            except Exception:
                LOGGER.exception("Pruning the inbox failed")
            await asyncio.sleep(PRUNE_EVERY_SECONDS)
