"""The cap on the bot's own replies: at most N calls per second across all chats.

Only the pace is kept here. What to do when the platform says no (429 with retry_after,
5xx, a dropped connection) is the reply sender's business (bot.updates.reply_sender): it
waits and retries in that chat's lane alone. PTB's AIORateLimiter would instead pause every
chat on any 429 and log a traceback for it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import BaseRateLimiter

JSONDict = dict[str, Any]

# getUpdates is never paced: it is one long poll, not a message.
_UNPACED = frozenset({"getUpdates", "getMe", "getFile", "getWebhookInfo", "deleteWebhook"})


class OverallRateLimiter(BaseRateLimiter[int]):
    """Paces calls to ``overall_rate`` per second (0: no cap); raises what the platform raises."""

    def __init__(self, *, overall_rate: float = 30.0) -> None:
        self._limiter = AsyncLimiter(overall_rate, 1) if overall_rate > 0 else None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        async with self._paced(endpoint):
            return await callback(*args, **kwargs)

    @contextlib.asynccontextmanager
    async def _paced(self, endpoint: str) -> AsyncIterator[None]:
        if self._limiter is None or endpoint in _UNPACED:
            yield
            return
        async with self._limiter:
            yield
