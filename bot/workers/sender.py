"""The outbox sender: delivers outbox rows through the bot, within rate limits, never losing one.

Delivery: rows are claimed (pending → sending) in one transaction, sent in order per chat
(one lane per chat, several lanes in flight), and settled after the platform answers:
sent (with the platform's message id), retried with exponential backoff and jitter
(network errors, timeouts, 5xx), retried after ``retry_after`` (429, which also pauses the
whole outbox), or undeliverable without retry (403 bot blocked / user deactivated, 400 chat not
found). Every attempt is recorded in ``outbox_attempts``. Rates: each message takes an
outbox turn of the bot token's send budget (bot.send_budget), which replies share and go
first in; and at most ``per_chat_rate`` per chat (``math.inf``: no gap). A row with an
attachment (an officer's file in a ticket) is sent as a photo or document by the platform's
file id (or, for another platform's file, its stored bytes), with the row's text as the caption.

Sends go through the bot's one Bot API client (bot.api_client), the one its replies use:
the row's values are the call's parameters as they are stored (the reply markup is the
stored JSON), and the client raises PTB's own exceptions, so the outcomes below read them.

Crash safety: a row is marked sent only after the platform accepted it; rows a dead
process left in ``sending`` go back to pending at start-up and are sent again. So after
``kill -9`` nothing is lost, and the duplicate window is exactly: the platform accepted
the message, and the process died (or the database write failed) before the UPDATE that
marks the row sent committed — one HTTP response plus one SQLite commit, for at most the
rows in flight (``max_lanes``). The Bot API has no idempotency key, so the same holds for
a timeout (``TimedOut``) after the platform accepted a request: we cannot tell, so we retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.api_client import BotApiClient, JSONDict, message_id_of
from bot.ratelimit import retry_after_seconds
from bot.send_budget import SendBudget, Turn
from config.logging_setup import one_line
from domain.notifications import AttemptOutcome, OutboxMessage, backoff_delay
from storage.db import Clock, utcnow
from storage.outbox import OutboxRepository
from storage.replies import FilePart

LOGGER = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

# BadRequest descriptions that mean the chat itself cannot be reached (lower case).
_UNREACHABLE = ("chat not found", "user not found", "peer_id_invalid", "chat_id is empty")


class OutboxSender:
    """Long-lived task delivering outbox rows; start in post_init, stop in post_shutdown."""

    def __init__(
        self,
        api: BotApiClient,
        outbox: OutboxRepository,
        *,
        budget: SendBudget | None = None,
        global_rate: float = 30.0,
        per_chat_rate: float = 1.0,
        max_lanes: int = 16,
        poll_interval: float = 1.0,
        base_backoff: float = 1.0,
        max_backoff: float = 600.0,
        max_attempts: int = 12,
        stop_timeout: float = 10.0,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        rng: random.Random | None = None,
        platform: str | None = None,
        primary: bool = True,
        files_dir: Path | None = None,
    ) -> None:
        # The bot's client (started and closed by its owner: the runtime, a test, the CLI).
        self.api = api
        # The rows this sender delivers: its platform's (and, for the first bot, rows that
        # name none: written before two platforms, or for nobody in particular). None: all.
        self.platform = platform
        self.primary = primary
        # Stored files (DATA_DIR/files): a file another platform's bot received is sent
        # from here, since its file id means nothing to this bot.
        self.files_dir = files_dir
        self.outbox = outbox
        self.per_chat_rate = per_chat_rate
        self.max_lanes = max_lanes
        self.poll_interval = poll_interval
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self.max_attempts = max_attempts
        self.stop_timeout = stop_timeout
        self.clock: Clock = clock or utcnow
        self.sleep: Sleep = sleep or asyncio.sleep
        self.rng = rng or random.Random()
        # The token's budget, shared with replies; alone (tests, the CLI): one of its own at
        # ``global_rate``, on this sender's clock.
        self.budget = budget or SendBudget(
            global_rate, clock=self._seconds, sleep=lambda seconds: self.sleep(seconds)
        )
        self._last_send: dict[int, float] = {}  # chat id → start of its last send
        self._lanes: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    # -- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Requeue rows a dead process left in ``sending``, then run the delivery loop."""
        if self._task is not None:
            return
        recovered = await self.outbox.recover_sending(platform=self.platform, primary=self.primary)
        if recovered:
            LOGGER.warning("Outbox: %d rows left 'sending' by a previous run requeued", recovered)
        self._stopping = False
        name = f"outbox-sender-{self.platform}" if self.platform else "outbox-sender"
        self._task = asyncio.create_task(self._run(), name=name)

    async def stop(self) -> None:
        """Stop claiming; let in-flight sends finish (up to stop_timeout), release the rest."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._lanes:
            _, late = await asyncio.wait(self._lanes, timeout=self.stop_timeout)
            for lane in late:  # their in-flight rows stay 'sending' and are retried at start-up
                lane.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    def wake(self) -> None:
        """Look for due rows now (call after an enqueue) instead of at the next poll."""
        self._wake.set()

    @property
    def running(self) -> bool:
        """Whether the delivery loop is running."""
        return self._task is not None and not self._task.done()

    # -- the loop ---------------------------------------------------------------------------

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()  # before claiming, so a wake during the claim is not lost
            try:
                await self._claim_and_dispatch()
            except Exception:  # the loop must outlive a database hiccup
                LOGGER.exception("Outbox sender: claiming rows failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval)

    async def _claim_and_dispatch(self) -> int:
        free = self.max_lanes - len(self._lanes)
        if free <= 0 or self._stopping:
            return 0
        rows = await self.outbox.claim_due(
            self.clock(), free, platform=self.platform, primary=self.primary
        )
        by_chat: dict[int, list[OutboxMessage]] = {}
        for row in rows:
            by_chat.setdefault(row.chat_id, []).append(row)
        for chat_rows in by_chat.values():
            lane = asyncio.create_task(self._lane(chat_rows))
            self._lanes.add(lane)
            lane.add_done_callback(self._lane_done)
        return len(rows)

    def _lane_done(self, lane: asyncio.Task[None]) -> None:
        self._lanes.discard(lane)
        self._wake.set()  # a lane slot is free and its chat may have more rows
        if not lane.cancelled() and lane.exception() is not None:
            LOGGER.error("Outbox lane failed", exc_info=lane.exception())

    async def run_once(self) -> int:
        """Claim the rows due now and deliver them all (for tests and the CLI); return count."""
        count = await self._claim_and_dispatch()
        while self._lanes:
            await asyncio.gather(*list(self._lanes), return_exceptions=True)
        return count

    async def _lane(self, rows: list[OutboxMessage]) -> None:
        """Send one chat's rows in order; stop at the first that must wait, releasing the rest."""
        untried = [row.id for row in rows if row.id is not None]
        try:
            for row in rows:
                if self._stopping:
                    break
                assert row.id is not None
                untried.remove(row.id)
                outcome = await self.deliver(row)
                if outcome in (AttemptOutcome.RETRY, AttemptOutcome.RATE_LIMITED):
                    break  # later rows of this chat must not overtake it
        finally:
            if untried:
                await asyncio.shield(self.outbox.release(untried))

    # -- one attempt ------------------------------------------------------------------------

    async def deliver(self, row: OutboxMessage) -> AttemptOutcome:
        """Make one attempt at one claimed row, within the rate limits; settle and return it."""
        assert row.id is not None
        await self._wait_for_turn(row.chat_id)
        try:
            message_id = await self._send(row)
        except RetryAfter as exc:
            return await self._rate_limited(row, exc)
        except Forbidden as exc:
            return await self._undeliverable(row, exc, "403")
        except BadRequest as exc:
            if any(marker in exc.message.lower() for marker in _UNREACHABLE):
                return await self._undeliverable(row, exc, "400")
            return await self._failed(row, exc, "400")  # the request is wrong; repeating won't help
        except ChatMigrated as exc:
            return await self._failed(row, exc, "migrated")
        except (NetworkError, TelegramError) as exc:  # includes TimedOut and 5xx
            return await self._retry(row, exc)
        except Exception as exc:  # unknown: treat as transient, bounded by max_attempts
            LOGGER.exception("Outbox row %s: unexpected error", row.id)
            return await self._retry(row, exc)
        await self.outbox.mark_sent(row.id, message_id)
        return AttemptOutcome.SENT

    async def _send(self, row: OutboxMessage) -> int | None:
        """One row: its text, or its file with the text as the caption (a ticket's reply);
        returns the platform's message id. Plain text only: Bale has no parse_mode."""
        params: JSONDict = {"chat_id": row.chat_id}
        attachment = row.attachment
        upload: FilePart | None = None
        if attachment is None:
            method = "sendMessage"
            params["text"] = row.text
        else:
            field = "photo" if attachment.kind == "photo" else "document"
            method = "sendPhoto" if field == "photo" else "sendDocument"
            # Another bot's file (NULL: the first bot's, from before two platforms).
            mine = attachment.platform == self.platform if attachment.platform else self.primary
            foreign = self.platform is not None and not mine
            if foreign and attachment.stored_name and self.files_dir is not None:
                path = self.files_dir / attachment.stored_name
                upload = FilePart(field, path.name, await asyncio.to_thread(path.read_bytes))
            else:
                params[field] = attachment.file_id
            params["caption"] = row.text
        if row.reply_markup:
            params["reply_markup"] = row.reply_markup
        return message_id_of(await self.api.post(method, params, upload))

    async def _wait_for_turn(self, chat_id: int) -> None:
        # Per chat: measured from the previous send's real start, so the gap always holds.
        gap = 1.0 / self.per_chat_rate
        while (wait := self._last_send.get(chat_id, -gap) + gap - self._seconds()) > 1e-6:
            await self.sleep(wait)
        await self.budget.take(Turn.OUTBOX)  # after any reply that waits
        now = self._seconds()
        self._last_send[chat_id] = now
        if len(self._last_send) > 64 * self.max_lanes:  # forget chats idle for a full gap
            self._last_send = {c: t for c, t in self._last_send.items() if now - t < gap}

    def _seconds(self) -> float:
        return self.clock().timestamp()

    async def _rate_limited(self, row: OutboxMessage, exc: RetryAfter) -> AttemptOutcome:
        assert row.id is not None
        seconds = retry_after_seconds(exc)
        now = self.clock()
        self.budget.pause_outbox(seconds)  # 429 is a flood signal: the whole outbox waits
        LOGGER.info("Outbox row %s: 429, retry after %.1fs", row.id, seconds)
        await self.outbox.mark_retry(
            row.id,
            str(exc),
            now + timedelta(seconds=seconds),
            outcome=AttemptOutcome.RATE_LIMITED,
            error_code="429",
            retry_after=seconds,
        )
        return AttemptOutcome.RATE_LIMITED

    async def _retry(self, row: OutboxMessage, exc: Exception) -> AttemptOutcome:
        assert row.id is not None
        attempts = row.attempts + 1
        if attempts >= self.max_attempts:
            return await self._failed(row, exc, type(exc).__name__)
        delay = backoff_delay(
            attempts, base=self.base_backoff, cap=self.max_backoff, jitter=self.rng.random() / 2
        )
        self.budget.note_retry()
        # One warning line: a 5xx or a dropped connection is worth knowing about, and is handled.
        # No traceback and no response body (a proxy's 502 is a whole HTML page).
        LOGGER.warning(
            "Outbox row %s: %s; retry %d in %.1fs", row.id, one_line(exc), attempts, delay
        )
        await self.outbox.mark_retry(
            row.id,
            one_line(exc, limit=500),
            self.clock() + timedelta(seconds=delay),
            error_code=type(exc).__name__,
        )
        return AttemptOutcome.RETRY

    async def _undeliverable(
        self, row: OutboxMessage, exc: TelegramError, code: str
    ) -> AttemptOutcome:
        assert row.id is not None
        LOGGER.info("Outbox row %s: chat %s unreachable (%s)", row.id, row.chat_id, code)
        await self.outbox.mark_undeliverable(row.id, str(exc), error_code=code)
        return AttemptOutcome.UNDELIVERABLE

    async def _failed(self, row: OutboxMessage, exc: Exception, code: str) -> AttemptOutcome:
        assert row.id is not None
        LOGGER.warning("Outbox row %s: giving up (%s: %s)", row.id, code, one_line(exc))
        await self.outbox.mark_failed(row.id, one_line(exc, limit=500), error_code=code)
        return AttemptOutcome.FAILED
