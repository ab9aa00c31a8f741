"""The pace of the bot's own replies: each paced call takes a reply's turn of the send budget.

This paces what the application's Bot sends itself (calls made outside an update); the
committed replies go through the bot's own client (bot.api_client), and the reply sender
takes their turns the same way. The budget (bot.send_budget) is the bot token's, shared
with the outbox sender; a reply always goes before a waiting outbox message. Only the pace
is kept here. What to do when the platform says no (429 with retry_after, 5xx, a dropped
connection) is the reply sender's business (bot.updates.reply_sender): it waits and retries
in that chat's lane alone. PTB's AIORateLimiter would instead pause every chat on any 429
and log a traceback for it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.send_budget import SendBudget, Turn

JSONDict = dict[str, Any]

# getUpdates is never paced: it is one long poll, not a message; nor are reads.
_UNPACED = frozenset(
    {"getUpdates", "getMe", "getFile", "getWebhookInfo", "setWebhook", "deleteWebhook"}
)


def retry_after_seconds(exc: RetryAfter) -> float:
    """The wait a 429 asks for, in seconds (PTB 22 gives an int now, a timedelta later)."""
    with warnings.catch_warnings():  # PTB 22 warns that the int will become a timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        raw = exc.retry_after
    return raw.total_seconds() if isinstance(raw, timedelta) else float(raw)


class OverallRateLimiter(BaseRateLimiter[int]):
    """Paces the app Bot's calls as replies of ``budget``; raises what the platform raises."""

    def __init__(self, budget: SendBudget) -> None:
        self.budget = budget

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
        if endpoint not in _UNPACED:
            await self.budget.take(Turn.REPLY)
        return await callback(*args, **kwargs)
