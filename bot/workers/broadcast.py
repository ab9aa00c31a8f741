"""The broadcast runner: enqueues an announcement's recipients, keeps the officer's live
progress message, and ends with a report; after ``kill -9`` it resumes from the store.

Store-driven: the announce conversation only writes a ``broadcasts`` row (and wakes the
runner once it is committed); the runner looks for running broadcasts when woken, every
``poll_seconds`` and at start-up, so a new broadcast and one left running by a dead process
follow the same path. Per broadcast: enqueue the recipients
in batches (each batch one transaction with its resume point; the dedupe key
``broadcast:<id>:<citizen>`` makes a repeated batch harmless), wake the sender, then every
``progress_seconds`` count the outbox rows and edit the progress message; when every row is
settled, mark the broadcast done and enqueue the officer's report in the same transaction.
Delivery is the ``OutboxSender``'s (rate limits, retries, 403); its duplicate window is the
only one: a message accepted by the platform just before the process died is sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from telegram import Bot
from telegram.error import BadRequest, TelegramError

from bot.application import HomebizApplication
from domain.accounts import officer_account
from domain.exhibitions import Broadcast
from domain.notifications import QuietHours
from handlers.context import Services
from handlers.keyboards import unsubscribe_markup
from storage import Store
from storage.broadcasts import BATCH_SIZE
from storage.db import Clock
from texts.broadcasts import progress_text, report_text

LOGGER = logging.getLogger(__name__)


class BroadcastRunner:
    """Runs every broadcast in the store to its end; start after the sender, stop before it."""

    def __init__(
        self,
        bot: Bot,
        store: Store,
        *,
        wake_sender: Callable[[], None],
        quiet_hours: QuietHours,
        clock: Callable[[], datetime],
        progress_seconds: float = 3.0,
        poll_seconds: float = 1.0,
        batch_size: int = BATCH_SIZE,
        platform: str | None = None,
        primary: bool = True,
    ) -> None:
        self.bot = bot
        # With two platforms a runner per bot: it runs the broadcasts of officers on its
        # platform (their progress message is in that bot's chat; the first bot also runs
        # those naming no platform). None: every broadcast.
        self.platform = platform
        self.primary = primary
        self.store = store
        self.wake_sender = wake_sender
        self.quiet_hours = quiet_hours
        self.clock = clock
        self.progress_seconds = progress_seconds
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._loop: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    @classmethod
    def for_application(
        cls,
        application: HomebizApplication,
        *,
        clock: Clock | None = None,
        platform: str | None = None,
        primary: bool = True,
    ) -> BroadcastRunner:
        """A runner on the application's bot and services (and their clock unless given)."""
        services: Services = application.services
        settings = services.settings
        return cls(
            application.bot,
            services.store,
            platform=platform,
            primary=primary,
            wake_sender=services.wake_sender,
            quiet_hours=QuietHours(
                start_hour=getattr(settings, "quiet_hours_start", 22),
                end_hour=getattr(settings, "quiet_hours_end", 8),
                timezone=settings.timezone,
            ),
            clock=clock or services.clock,
            progress_seconds=settings.broadcast_progress_seconds,
        )

    async def start(self) -> None:
        """Resume broadcasts left running, then watch for new ones."""
        if self._loop is None:
            self._loop = asyncio.create_task(self._watch(), name="broadcast-runner")

    def wake(self) -> None:
        """Look for new broadcasts now (after the conversation created one)."""
        self._wake.set()

    async def stop(self) -> None:
        """Stop watching and running; unfinished broadcasts resume at the next start."""
        tasks = [t for t in (self._loop, *self._tasks.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._loop = None
        self._tasks.clear()

    async def _watch(self) -> None:
        while True:
            self._wake.clear()
            try:
                for broadcast in await self.store.broadcasts.running():
                    if broadcast.id not in self._tasks and self._owns(broadcast):
                        LOGGER.info("Broadcast %d: running", broadcast.id)
                        task = asyncio.create_task(self.run(broadcast.id))
                        self._tasks[broadcast.id] = task
                        task.add_done_callback(self._done(broadcast.id))
            except Exception:  # the watcher must outlive a database hiccup
                LOGGER.exception("Broadcast runner: looking for broadcasts failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)

    def _owns(self, broadcast: Broadcast) -> bool:
        """Whether this runner's bot runs the broadcast (its officer is on this platform)."""
        if self.platform is None:
            return True
        officer = officer_account(broadcast.officer, None)
        return officer.platform == self.platform if officer is not None else self.primary

    def _done(self, broadcast_id: int) -> Callable[[asyncio.Task[None]], None]:
        def forget(task: asyncio.Task[None]) -> None:
            self._tasks.pop(broadcast_id, None)
            if not task.cancelled() and task.exception() is not None:
                LOGGER.error("Broadcast %d failed", broadcast_id, exc_info=task.exception())

        return forget

    async def run(self, broadcast_id: int) -> None:
        """Enqueue what is missing, then follow delivery to the report."""
        await self.enqueue(broadcast_id)
        last_text: str | None = None
        while True:
            broadcast = await self.store.broadcasts.get(broadcast_id)
            if broadcast is None or broadcast.status != "running":
                return
            progress = await self.store.broadcasts.progress(broadcast_id)
            total = broadcast.total if broadcast.total is not None else progress.total
            text = progress_text(progress, total)
            if text != last_text:
                await self._edit_progress(broadcast, text)
                last_text = text
            if broadcast.enqueue_done and progress.settled >= progress.total:
                await self.store.broadcasts.finish(
                    broadcast_id,
                    report_chat_id=broadcast.progress_chat_id,
                    report_text=report_text(progress),
                    platform=self.platform,
                )
                self.wake_sender()
                LOGGER.info(
                    "Broadcast %d done: %d sent, %d blocked, %d failed",
                    broadcast_id,
                    progress.sent,
                    progress.blocked,
                    progress.failed,
                )
                return
            await asyncio.sleep(self.progress_seconds)

    async def enqueue(self, broadcast_id: int) -> int:
        """Enqueue the recipients not enqueued yet, a batch per transaction; return how many."""
        added = 0
        while True:
            broadcast = await self.store.broadcasts.get(broadcast_id)
            if broadcast is None or broadcast.enqueue_done:
                return added
            not_before = self.quiet_hours.next_allowed(self.clock())
            count = await self.store.broadcasts.enqueue_batch(
                broadcast,
                reply_markup=unsubscribe_markup().to_dict(),
                not_before=not_before,
                batch_size=self.batch_size,
            )
            added += count
            if count:
                self.wake_sender()

    async def _edit_progress(self, broadcast: Broadcast, text: str) -> None:
        if broadcast.progress_chat_id is None or broadcast.progress_message_id is None:
            return
        try:
            await self.bot.edit_message_text(
                text,
                chat_id=broadcast.progress_chat_id,
                message_id=broadcast.progress_message_id,
            )
        except BadRequest as exc:  # «message is not modified» after a restart, or deleted
            LOGGER.debug("Broadcast %d: progress not edited: %s", broadcast.id, exc)
        except TelegramError as exc:  # progress is cosmetic: never stop the broadcast for it
            LOGGER.warning("Broadcast %d: progress not edited: %s", broadcast.id, exc)
