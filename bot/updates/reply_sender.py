"""Sends a lane's queued replies after the commit, in order, and marks them sent.

A reply that cannot go now (network, 5xx, 429) is retried with backoff; only its own chat
waits. What the platform refuses for good is dropped with a warning: a blocked bot (403), a
button answered too late. An edit the platform cannot apply becomes a new message, and a
photo it refuses is sent as a file, as the handlers did when they sent at once.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any, Protocol

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.api_client import message_id_of
from bot.ratelimit import retry_after_seconds
from bot.send_budget import SendBudget, Turn
from bot.updates.deferring_bot import resolve_placeholder
from config.logging_setup import one_line
from storage.replies import FilePart, QueuedReply, ReplyQueue

LOGGER = logging.getLogger(__name__)

JSONDict = dict[str, Any]
_MAX_BACKOFF_SECONDS = 30.0


class BotApi(Protocol):
    """Where the calls go: the bot's Bot API client (bot.api_client.BotApiClient)."""

    async def post(self, method: str, params: JSONDict, file: FilePart | None = None) -> Any:
        """Call ``method``; its result, or PTB's exception for the platform's refusal."""


class ReplySender:
    """Delivers the reply queue of one bot, lane by lane (the caller keeps lanes apart)."""

    def __init__(
        self,
        api: BotApi,
        queue: ReplyQueue,
        *,
        base_delay: float = 0.5,
        budget: SendBudget | None = None,
    ) -> None:
        self.api = api
        self.queue = queue
        self.base_delay = base_delay
        # The token's send budget: each call takes a reply's turn of it (replies before the
        # outbox), and a 429 on a reply holds the outbox back too.
        self.budget = budget
        self.stopping = asyncio.Event()
        # "Sent" marks not yet stored, written in batches by one task (see _mark).
        self._marks: list[tuple[int, int | None, str]] = []
        self._marking: asyncio.Task[None] | None = None

    async def flush(self, lane: int) -> bool:
        """Send everything queued for this lane, oldest first; True if nothing is left."""
        await self.marks_written()  # else a call sent a moment ago would read as unsent
        return await self.send(await self.queue.unsent(lane))

    async def send(self, replies: list[QueuedReply]) -> bool:
        """Send these queued calls of one lane in order, and mark them; True if all went.

        False when asked to stop first: the rest stays queued and goes out after the restart.
        """
        sent_ids: dict[int, int] = {}  # placeholder -> real id, for calls later in this batch
        outcomes: list[tuple[int, int | None, str]] = []
        try:
            for reply in replies:
                if self.stopping.is_set():
                    return False
                delivered = await self._deliver(reply, sent_ids)
                if delivered is None:
                    return False
                message_id, outcome = delivered
                if message_id is not None:
                    sent_ids[reply.placeholder] = message_id
                    self.queue.note_sent(reply.id, message_id)
                outcomes.append((reply.id, message_id, outcome))
            return True
        finally:
            self._mark(outcomes)

    def _mark(self, outcomes: list[tuple[int, int | None, str]]) -> None:
        """Store these calls as sent, soon: the lane goes on without waiting for the commit.

        One task writes the marks of every lane, a batch per commit, so a mark costs no lane
        a turn at the store's write lock. A crash before the commit sends those calls again:
        the one duplicate window there is anyway (README, "How it keeps its promises").
        """
        if not outcomes:
            return
        self._marks.extend(outcomes)
        if self._marking is None or self._marking.done():
            self._marking = asyncio.create_task(self._write_marks(), name="reply-marks")

    async def _write_marks(self) -> None:
        while self._marks:
            batch, self._marks = self._marks, []
            try:
                await self.queue.mark_done(batch)
            except Exception:  # kept for the next batch; till then they read as unsent
                LOGGER.exception("Marking %d replies sent failed", len(batch))
                self._marks[:0] = batch
                return

    async def marks_written(self) -> None:
        """Until every mark handed over so far is stored."""
        while self._marking is not None and not self._marking.done():
            await asyncio.shield(self._marking)

    async def _deliver(
        self, reply: QueuedReply, sent_ids: dict[int, int]
    ) -> tuple[int | None, str] | None:
        """Send one call until it is sent or refused for good; None if asked to stop first."""
        method, data = reply.method, await self._call_data(reply, sent_ids)
        attempt = 0
        while True:
            try:
                return message_id_of(await self._post(method, data, reply.file)), "sent"
            except Forbidden:
                LOGGER.info("reply %d (%s): the chat blocked the bot; dropped", reply.id, method)
                return None, "dropped: forbidden"
            except BadRequest as exc:
                return await self._refused(reply, method, data, exc)
            except RetryAfter as exc:
                delay = retry_after_seconds(exc)
                if self.budget is not None:
                    self.budget.pause_outbox(delay)  # the bot is over its budget: bulk waits
            except NetworkError as exc:  # includes TimedOut and 5xx: the platform may retry
                delay = min(_MAX_BACKOFF_SECONDS, self.base_delay * 2**attempt)
                delay *= 1 + random.random() / 2
                if self.budget is not None:
                    self.budget.note_retry()
                LOGGER.warning(
                    "reply %d (%s) failed (%s); retry in %.1fs",
                    reply.id,
                    method,
                    one_line(exc),
                    delay,
                )
            except TelegramError as exc:
                LOGGER.warning(
                    "reply %d (%s) refused (%s); dropped", reply.id, method, one_line(exc)
                )
                return None, f"dropped: {type(exc).__name__}"
            attempt += 1
            if await _stopped_within(self.stopping, delay):
                return None

    async def _post(self, method: str, data: JSONDict, file: FilePart | None) -> Any:
        if self.budget is not None:
            await self.budget.take(Turn.REPLY)  # before any waiting outbox message
        return await self.api.post(method, data, file)

    async def _call_data(self, reply: QueuedReply, sent_ids: dict[int, int]) -> JSONDict:
        """The call's values, with the real id for a message a handler knew by a placeholder."""
        data: JSONDict = dict(reply.params)
        message_id = data.get("message_id")
        if isinstance(message_id, int) and message_id in sent_ids:  # sent a moment ago
            data["message_id"] = sent_ids[message_id]
        else:  # sent by an earlier update's batch (kept by a handler to edit it later)
            await resolve_placeholder(self.queue, data)
        return data

    async def _refused(
        self, reply: QueuedReply, method: str, data: JSONDict, exc: BadRequest
    ) -> tuple[int | None, str]:
        """A call the platform rejected: fall back as the handler would have, or drop it."""
        reason = exc.message.lower()
        if "not modified" in reason:
            return None, "sent"  # the message already shows this
        try:
            if method == "editMessageText" and "text" in data:
                keep = ("chat_id", "text", "reply_markup")
                fresh: JSONDict = {k: data[k] for k in keep if k in data}
                return message_id_of(await self._post("sendMessage", fresh, None)), "sent: new"
            if method == "sendPhoto" and (file := _as_document(data, reply.file)) is not None:
                as_file = {k: v for k, v in data.items() if k != "photo"}
                if isinstance(file, str):
                    as_file["document"], file = file, None
                sent = await self._post("sendDocument", as_file, file)
                return message_id_of(sent), "sent: file"
        except TelegramError as again:
            exc = again if isinstance(again, BadRequest) else exc
        LOGGER.warning("reply %d (%s) rejected: %s; dropped", reply.id, method, exc.message)
        return None, "dropped: bad request"


def _as_document(data: JSONDict, file: FilePart | None) -> FilePart | str | None:
    """A photo's upload (or its file id) as a document, or None if the call has no photo."""
    if file is not None and file.param == "photo":
        return FilePart("document", file.name, file.data)
    photo = data.get("photo")
    return photo if isinstance(photo, str) else None


async def _stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True
