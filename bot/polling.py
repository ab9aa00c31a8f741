"""Long polling that acknowledges updates only once they are stored.

python-telegram-bot's Updater acknowledges a batch (the next getUpdates offset) before the
handlers have run, so a crash loses those updates. Here each batch is first written to the
inbox in one commit (bot.updates.receiver); only then does the next getUpdates acknowledge
it. Handling happens from the store, per chat, without waiting for the poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Update
from telegram.error import EndPointNotFound, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.api_client import LONG_POLL_READ_TIMEOUT_SECONDS
from bot.ratelimit import retry_after_seconds
from bot.updates.pipeline import UpdatePipeline
from bot.updates.receiver import Arrival
from config.logging_setup import one_line

LOGGER = logging.getLogger(__name__)

# Stored but unhandled updates beyond which polling waits: the platform keeps the rest.
MAX_BACKLOG = 5000


class UpdatePoller:
    """Fetches updates, stores them, acknowledges them with the next fetch."""

    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        pipeline: UpdatePipeline,
        *,
        poll_timeout: int = 25,
        batch_limit: int = 100,
        first_retry_seconds: float = 1.0,
    ) -> None:
        self._app = application
        self._receiver = pipeline.receiver
        self._api = pipeline.api
        self._poll_timeout = poll_timeout
        self._batch_limit = batch_limit
        self._first_retry = first_retry_seconds  # doubled after each failure in a row, to 30 s
        self._offset: int | None = None
        self._running = False
        self._last_answer = 0.0  # loop time of the platform's last answer to getUpdates

    @property
    def alive(self) -> bool:
        """Polling, and the platform answered within a long poll and a minute (/healthz)."""
        if not self._running:
            return False
        return asyncio.get_running_loop().time() - self._last_answer < self._poll_timeout + 60

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set; the update being handled is finished first."""
        self._running = True
        self._last_answer = asyncio.get_running_loop().time()
        try:
            await self._run(stop)
        finally:
            self._running = False

    async def _run(self, stop: asyncio.Event) -> None:
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
                await _pause(stop, retry_after_seconds(exc))
                continue
            except EndPointNotFound:
                raise  # 401/404: the token was rejected; retrying will not change that
            except TelegramError as exc:
                # Conflict: another instance polls, or a webhook is set; it may be transient
                # (the old process's long poll during a restart). A network error, a 5xx, an
                # answer that is not the Bot API's JSON (a proxy's page with a 200): back off
                # and ask again; what was not acknowledged comes again.
                failures += 1
                delay = min(30.0, self._first_retry * 2 ** min(failures - 1, 5))
                log = LOGGER.warning if isinstance(exc, NetworkError) else LOGGER.error
                log("getUpdates failed (%s); retrying in %.1fs", one_line(exc), delay)
                await _pause(stop, delay)
                continue
            failures = 0
            self._last_answer = asyncio.get_running_loop().time()
            if updates:
                try:
                    await self._receiver.receive(updates)
                except Exception:  # not stored, so not acknowledged: fetched again
                    LOGGER.exception("Storing %d received update(s) failed", len(updates))
                    await _pause(stop, 1.0)
                    continue
                self._offset = updates[-1][1].update_id + 1
            while self._receiver.dispatcher.backlog > MAX_BACKLOG and not stop.is_set():
                await _pause(stop, 0.2)

    async def _fetch(self) -> list[Arrival]:
        # Through the bot's Bot API client, as PTB's get_updates sends it (an offset only once
        # known): PTB's request and httpx cost twice its CPU per poll, and in a conversation a
        # poll brings one update. Each update is kept with its JSON as it came: the inbox
        # stores that, not the parsed update serialised again.
        params: dict[str, object] = {
            "timeout": self._poll_timeout,
            "limit": self._batch_limit,
            "allowed_updates": list(Update.ALL_TYPES),
        }
        if self._offset is not None:
            params["offset"] = self._offset
        result = await self._api.post(
            "getUpdates", params, read_timeout=LONG_POLL_READ_TIMEOUT_SECONDS + self._poll_timeout
        )
        if not isinstance(result, list):
            raise TelegramError("Invalid server response")
        bot = self._app.bot
        return [(raw, Update.de_json(raw, bot)) for raw in result]


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    """Sleep, but wake at once when asked to stop."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
