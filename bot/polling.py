"""Long polling that acknowledges an update only after it has been handled and stored.

python-telegram-bot's Updater acknowledges a batch (the next getUpdates offset) before the
handlers have run, so a crash loses those updates. Here a batch is handled first (different
chats concurrently, one chat in order), the conversation state is written to the store, the
update ids are recorded, and only then does the next getUpdates acknowledge them.
An update that comes again (re-delivery after a crash) is recognised by its id and skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Sequence

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application

from bot.context import HomebizApplication
from storage import ProcessedUpdates, SqlitePersistence

LOGGER = logging.getLogger(__name__)


class UpdatePoller:
    """Fetches updates, hands them to the application, acknowledges them when done."""

    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        processed: ProcessedUpdates,
        *,
        platform: str,
        poll_timeout: int = 25,
        batch_limit: int = 100,
    ) -> None:
        self._app = application
        self._processed = processed
        self._db = processed.db
        self._platform = platform
        persistence = application.persistence
        self._persistence = persistence if isinstance(persistence, SqlitePersistence) else None
        self._poll_timeout = poll_timeout
        self._batch_limit = batch_limit
        self._offset: int | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set; the update being handled is finished first."""
        failures = 0
        while not stop.is_set():
            fetch = asyncio.ensure_future(self._fetch())
            stopper = asyncio.ensure_future(stop.wait())
            done, _pending = await asyncio.wait(
                {fetch, stopper}, return_when=asyncio.FIRST_COMPLETED
            )
            if fetch not in done:
                fetch.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await fetch
                break
            stopper.cancel()
            try:
                updates = fetch.result()
            except RetryAfter as exc:
                await _pause(stop, exc._retry_after.total_seconds())
                continue
            except InvalidToken:
                raise  # nothing will get better by retrying: stop with the platform's word
            except (Conflict, NetworkError, TimedOut) as exc:
                # Conflict: another instance polls, or a webhook is set; it may be transient
                # (the old process's long poll during a restart), so back off and retry.
                failures += 1
                delay = min(30.0, 0.5 * 2 ** min(failures, 6))
                log = LOGGER.error if isinstance(exc, Conflict) else LOGGER.warning
                log("getUpdates failed (%s); retrying in %.1fs", exc, delay)
                await _pause(stop, delay)
                continue
            failures = 0
            if updates:
                await self.handle_batch(updates)
                self._offset = updates[-1].update_id + 1

    async def _fetch(self) -> tuple[Update, ...]:
        updates: tuple[Update, ...] = await self._app.bot.get_updates(
            offset=self._offset,
            limit=self._batch_limit,
            timeout=self._poll_timeout,
            allowed_updates=Update.ALL_TYPES,
        )
        return updates

    async def handle_batch(self, updates: Sequence[Update]) -> None:
        """Handle one batch, then store its conversation states and ids in one commit.

        Each chat's updates run in order, chats side by side. One commit per batch (not per
        update) keeps fsyncs off the per-message path; acknowledgement still waits for it.
        """
        seen = await self._processed.processed_among(
            [u.update_id for u in updates], platform=self._platform
        )
        fresh = [u for u in updates if u.update_id not in seen]
        if len(fresh) < len(updates):
            LOGGER.info("Skipping %d re-delivered update(s)", len(updates) - len(fresh))
        by_chat: dict[int, list[Update]] = defaultdict(list)
        for update in fresh:
            by_chat[_chat_key(update)].append(update)
        if self._persistence is not None:
            self._persistence.begin_batch()
        try:
            await asyncio.gather(*(self._handle_in_order(group) for group in by_chat.values()))
        finally:
            await self._app.update_persistence()
            async with self._db.transaction() as conn:
                if self._persistence is not None:
                    await self._persistence.write_batch(conn)
                await self._processed.mark_many(
                    [u.update_id for u in fresh], conn, platform=self._platform
                )

    async def _handle_in_order(self, updates: list[Update]) -> None:
        for update in updates:
            await self._app.process_update(update)
            if isinstance(self._app, HomebizApplication) and self._app.take_redispatch(
                update.update_id
            ):
                await self._app.process_update(update)


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    """Sleep, but wake at once when asked to stop."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def _chat_key(update: Update) -> int:
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return 0
