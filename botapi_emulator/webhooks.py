"""Webhook delivery, as the platforms do it: POST each update to the registered URL.

While a webhook is set, a bot's queued updates are POSTed to its URL as JSON (Telegram
flavour: with the ``X-Telegram-Bot-Api-Secret-Token`` header when a secret was given; Bale
has none). Up to ``max_connections`` requests run at once, but one chat's updates go one at
a time and in order. A 2xx answer delivers the update (it leaves the queue); anything else,
or no answer, is retried after a growing pause, and ``getWebhookInfo`` reports the error.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from .state import BotState

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def acceptable_url(url: str) -> bool:
    """HTTPS as the platforms demand; plain HTTP only on loopback (tests, local runs)."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.hostname)
    return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS


def chat_of(update: dict[str, Any]) -> int:
    """The chat (else user) an update belongs to: its updates are delivered in order."""
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        message = value.get("message") if key == "callback_query" else value
        if isinstance(message, dict) and isinstance(message.get("chat"), dict):
            return int(message["chat"]["id"])
        sender = value.get("from")
        if isinstance(sender, dict):
            return int(sender["id"])
    return 0


class WebhookDelivery:
    """Delivers one bot's queued updates to its webhook until stopped."""

    def __init__(
        self,
        bot: BotState,
        *,
        max_connections: int = 40,
        retry_base: float = 0.1,
        retry_max: float = 5.0,
    ) -> None:
        self.bot = bot
        self.max_connections = max_connections
        self.retry_base = retry_base
        self.retry_max = retry_max
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"webhook-{self.bot.bot_id}")

    async def stop(self) -> None:
        if self._task is not None:
            # Cancelled until it ends: asyncio.wait_for (Python 3.11) swallows a cancellation
            # that races the wake-up it waits for.
            while not self._task.done():
                self._task.cancel()
                await asyncio.wait({self._task}, timeout=0.5)
            self._task = None

    async def _run(self) -> None:
        in_flight: dict[int, asyncio.Task[None]] = {}  # chat -> its one delivery
        busy_updates: set[int] = set()
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            self._session = session
            try:
                while True:
                    for update in list(self.bot.updates):
                        if len(in_flight) >= self.max_connections:
                            break
                        uid = int(update["update_id"])
                        chat = chat_of(update)
                        if uid in busy_updates or chat in in_flight:
                            continue
                        busy_updates.add(uid)
                        task = asyncio.create_task(self._deliver(update))
                        in_flight[chat] = task
                        task.add_done_callback(self._finished(in_flight, busy_updates, chat, uid))
                    await self.bot.update_signal.wait(1.0)
            finally:
                for task in in_flight.values():
                    task.cancel()
                self._session = None

    def _finished(
        self, in_flight: dict[int, asyncio.Task[None]], busy: set[int], chat: int, uid: int
    ) -> Callable[[asyncio.Task[None]], None]:
        """When one delivery ends: its chat may take the next update."""

        def done(_task: asyncio.Task[None]) -> None:
            in_flight.pop(chat, None)
            busy.discard(uid)
            self.bot.update_signal.fire()

        return done

    async def _deliver(self, update: dict[str, Any]) -> None:
        """POST one update until a 2xx answer, pausing longer after each failure."""
        delay = self.retry_base
        while True:
            hook = self.bot.webhook
            if hook is None or update not in self.bot.updates:
                return
            headers = {}
            # The bot's own flavour (one emulator serves a Telegram and a Bale bot at once).
            if self.bot.mode == "telegram" and hook.get("secret_token"):
                headers[SECRET_HEADER] = str(hook["secret_token"])
            error = await self._post(str(hook["url"]), update, headers)
            if error is None:
                self.bot.delivered(int(update["update_id"]))
                return
            self.last_error_date = int(time.time())
            self.last_error_message = error
            await asyncio.sleep(delay)
            delay = min(self.retry_max, delay * 2)

    async def _post(self, url: str, update: dict[str, Any], headers: dict[str, str]) -> str | None:
        assert self._session is not None
        try:
            async with self._session.post(url, json=update, headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return f"Connection failed: {type(exc).__name__}"
