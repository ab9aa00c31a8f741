"""Rate limiting for the bot's own replies: python-telegram-bot's AIORateLimiter, plus retries.

AIORateLimiter already waits out 429s (``retry_after``); replies must also survive a
platform 5xx or a dropped connection, so those are retried a few times with backoff.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

LOGGER = logging.getLogger(__name__)
JSONDict = dict[str, Any]

# getUpdates has its own loop with backoff in bot.polling; retrying it here would only delay stop.
_NOT_RETRIED = frozenset({"getUpdates"})


class RetryingRateLimiter(AIORateLimiter):
    """AIORateLimiter that also retries transient network errors and 5xx answers."""

    def __init__(
        self, *, overall_rate: float = 30.0, network_retries: int = 4, base_delay: float = 0.2
    ) -> None:
        # 0 means no overall cap; 429 answers are still waited out.
        super().__init__(
            overall_max_rate=overall_rate,
            overall_time_period=1 if overall_rate else 0,
            max_retries=5,
        )
        self._network_retries = network_retries
        self._base_delay = base_delay

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        attempt = 0
        while True:
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise  # the request itself is wrong; repeating it cannot help
            except NetworkError as exc:
                if endpoint in _NOT_RETRIED or attempt >= self._network_retries:
                    raise
                delay = self._base_delay * (2**attempt) * (1 + random.random() / 2)
                LOGGER.info("%s failed (%s); retry %d in %.2fs", endpoint, exc, attempt + 1, delay)
                attempt += 1
                await asyncio.sleep(delay)
