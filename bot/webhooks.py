"""Receiving updates by webhook: one endpoint per platform's application, on the one web server.

The contract (the README states it too):
- Telegram: ``setWebhook`` with a ``secret_token``; a request without the right
  ``X-Telegram-Bot-Api-Secret-Token`` header gets 403 and is not handled.
- Bale: ``setWebhook`` takes only a URL, so the URL carries a secret path segment (43 random
  characters, kept in the data dir); a request on any other path gets 404.
- An update is answered 200 only once it is durably stored, by the same receiver polling uses
  (``bot.updates.receiver``); if it cannot be stored (too many unhandled, shutting down, a
  store error) the answer is 503 and the platform delivers it again. An update delivered
  again is recognised by the inbox and skipped.
Requests that arrive together are stored in one commit (a group commit), each answered once
that commit is on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Bot, Update
from telegram.error import NetworkError, RetryAfter, TelegramError

from bot.polling import MAX_BACKLOG
from bot.ratelimit import retry_after_seconds
from bot.updates.receiver import Arrival, Receiver
from config.logging_setup import one_line
from config.platforms import traits
from config.settings import PlatformBot, Settings

LOGGER = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram accepts 1-256 characters of A-Z, a-z, 0-9, _ and -; token_urlsafe(32) gives 43.
SECRET_BYTES = 32
# Telegram opens up to this many connections at once (its default is 40).
MAX_CONNECTIONS = 40
RETRY_AFTER_SECONDS = "5"


def secret_path(data_dir: Path, platform: str) -> Path:
    return data_dir / f"webhook-secret-{platform}"


def webhook_secret(data_dir: Path, platform: str) -> str:
    """The platform's webhook secret, made once and kept in the data dir (owner-only)."""
    path = secret_path(data_dir, platform)
    with contextlib.suppress(FileNotFoundError):
        kept = path.read_text(encoding="ascii").strip()
        if len(kept) >= 32:
            return kept
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secret)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
    return secret


@dataclass(frozen=True)
class WebhookAddress:
    """Where one platform's updates arrive, and how a request proves it comes from there."""

    platform: str
    base_url: str
    secret: str

    @property
    def by_path(self) -> bool:
        """A platform without setWebhook's secret_token (Bale) has no secret header: the
        secret is a path segment instead."""
        return not traits(self.platform).webhook_secret_token

    @property
    def path(self) -> str:
        return f"/webhook/{self.platform}"

    @property
    def url(self) -> str:
        suffix = f"/{self.secret}" if self.by_path else ""
        return f"{self.base_url}{self.path}{suffix}"

    @classmethod
    def from_settings(
        cls, settings: Settings, platform: PlatformBot | None = None
    ) -> WebhookAddress:
        """The webhook of one configured bot (the first bot's unless ``platform`` is given)."""
        assert settings.webhook_base_url is not None
        name = (platform or settings.primary).platform.value
        return cls(name, settings.webhook_base_url, webhook_secret(settings.data_dir, name))

    async def register(self, bot: Bot) -> None:
        """setWebhook: Telegram with the secret header's value; Bale with the URL alone."""
        if self.by_path:
            await bot.set_webhook(url=self.url)
            return
        await bot.set_webhook(
            url=self.url,
            secret_token=self.secret,
            allowed_updates=Update.ALL_TYPES,
            max_connections=MAX_CONNECTIONS,
        )


class WebhookEndpoint:
    """One platform's webhook: Starlette routes that store each update before answering 200."""

    def __init__(
        self,
        address: WebhookAddress,
        bot: Bot,
        receiver: Receiver,
        *,
        max_backlog: int = MAX_BACKLOG,
    ) -> None:
        self.address = address
        self.bot = bot
        self.receiver = receiver
        self.max_backlog = max_backlog
        self.accepting = False
        self.registered = False
        self._waiting: list[tuple[Arrival, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._registering: asyncio.Task[None] | None = None
        self.forged = 0  # requests refused for a wrong or missing secret header
        self._forged_logged_at = float("-inf")

    def routes(self) -> list[BaseRoute]:
        if self.address.by_path:
            return [Route(self.address.path + "/{secret}", self.handle, methods=["POST"])]
        return [Route(self.address.path, self.handle, methods=["POST"])]

    @property
    def alive(self) -> bool:
        """Registered with the platform and taking updates."""
        return self.accepting and self.registered

    async def start(self) -> None:
        """Take updates, then tell the platform where to send them (the server listens).

        A refusal (a bad URL, a wrong token) stops start-up with the platform's word; a
        platform out of reach is asked again in the background (/healthz fails meanwhile; a
        webhook registered before keeps delivering).
        """
        self.accepting = True
        try:
            await self._register()
        except (NetworkError, RetryAfter) as exc:
            LOGGER.error("setWebhook failed (%s); trying again", one_line(exc))
            self._registering = asyncio.create_task(self._register_again(), name="webhook-set")

    async def _register(self) -> None:
        await self.address.register(self.bot)
        self.registered = True
        LOGGER.info("Receiving %s updates by webhook", self.address.platform)

    async def _register_again(self) -> None:
        delay = 1.0
        while True:
            await asyncio.sleep(delay)
            try:
                await self._register()
                return
            except RetryAfter as exc:
                delay = max(delay, retry_after_seconds(exc))
            except NetworkError as exc:  # includes TimedOut
                LOGGER.warning("setWebhook failed (%s); trying again", one_line(exc))
                delay = min(60.0, delay * 2)

    def stop(self) -> None:
        """Refuse new updates (503: the platform keeps them); the webhook stays registered."""
        self.accepting = False
        if self._registering is not None:
            self._registering.cancel()

    async def handle(self, request: Request) -> Response:
        """Authenticate, store, and only then answer 200."""
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        try:
            data = json.loads(await request.body())
            update = Update.de_json(data, self.bot) if isinstance(data, dict) else None
        except (ValueError, TypeError, KeyError, TelegramError):
            update = None
        if update is None:
            return PlainTextResponse("Bad Request", status_code=400)
        if not self.accepting or self.receiver.dispatcher.backlog > self.max_backlog:
            return _unavailable()
        try:
            await self._store((data, update))
        except Exception:  # not stored, so not acknowledged: the platform sends it again
            LOGGER.exception("Storing webhook update %d failed", update.update_id)
            return _unavailable()
        return Response(status_code=200)

    def _refusal(self, request: Request) -> Response | None:
        if self.address.by_path:
            given = str(request.path_params.get("secret", ""))
            if not hmac.compare_digest(given.encode(), self.address.secret.encode()):
                return PlainTextResponse("Not Found", status_code=404)
            return None
        header = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(header.encode(), self.address.secret.encode()):
            self._note_forged()
            return PlainTextResponse("Forbidden", status_code=403)
        return None

    def _note_forged(self) -> None:
        """Count forged requests; log them at most once a minute (a flood must not fill logs)."""
        self.forged += 1
        now = asyncio.get_running_loop().time()
        if now - self._forged_logged_at >= 60.0:
            self._forged_logged_at = now
            LOGGER.warning(
                "Webhook requests without the right secret refused (%d so far)", self.forged
            )

    async def _store(self, arrival: Arrival) -> None:
        """Join the next group commit and wait until it is on disk."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((arrival, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="webhook-store")
        await done

    async def _flush(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await self.receiver.receive([arrival for arrival, _done in batch])
            except Exception as exc:
                for _update, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for _update, done in batch:
                if not done.done():
                    done.set_result(None)


def _unavailable() -> Response:
    return PlainTextResponse(
        "Service Unavailable", status_code=503, headers={"Retry-After": RETRY_AFTER_SECONDS}
    )
