"""Fault hooks for the bot process: die (SIGKILL) at chosen durable writes and sends.

Installed by tests.e2e.bot_process when ``CRASH_AT`` is set:
- ``CRASH_AT=write``: the process dies right after its first durable write on the update
  path (an inbox batch stored, an update's unit of work committed, a lane's replies marked
  sent). Restarted again and again, each life makes one more write, so every write of a
  whole walk is followed by a crash exactly once.
- ``CRASH_AT=send``: the process dies right after the platform answered a send it had not
  answered before (the reply is out, the "sent" mark is not). ``CRASH_LEDGER`` names a file
  that remembers those sends across lives, so each is interrupted exactly once.
- ``CRASH_AT=group``: the process dies right after a second update's unit of work joined a
  group transaction (storage.db, group commit), before its one COMMIT; at most
  ``GROUP_KILLS`` times (the ledger counts them).
Random kills miss these windows; these hooks hit each one.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from telegram.request import HTTPXRequest

from bot.api_client import BotApiClient
from bot.updates.deferring_bot import DEFERRED_METHODS
from bot.updates.handling import UpdateHandler
from storage.db import Database
from storage.inbox import Inbox
from storage.replies import FilePart, ReplyQueue

_SENDS = DEFERRED_METHODS - {"answerCallbackQuery", "sendChatAction"}
GROUP_KILLS = 3


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _after(
    method: Callable[..., Awaitable[Any]], wrote: Callable[[tuple[Any, ...], Any], bool]
) -> Callable[..., Awaitable[Any]]:
    """Die once ``method`` returned, if ``wrote(args, result)`` says it committed something."""

    @functools.wraps(method)
    async def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = await method(*args, **kwargs)
        if wrote(args, result):
            _die()
        return result

    return wrapped


def _die_after_first_write() -> None:
    Inbox.store = _after(Inbox.store, lambda _args, fresh: bool(fresh))  # type: ignore[method-assign]
    ReplyQueue.mark_done = _after(  # type: ignore[method-assign]
        ReplyQueue.mark_done, lambda args, _result: bool(args[1])
    )
    # An update's unit of work commits in _attempt ((None, replies): committed) or
    # commit_failure.
    UpdateHandler._attempt = _after(  # type: ignore[method-assign]
        UpdateHandler._attempt, lambda _args, outcome: outcome[0] is None
    )
    UpdateHandler.commit_failure = _after(  # type: ignore[method-assign]
        UpdateHandler.commit_failure, lambda _args, _result: True
    )


def _die_after_new_send(ledger: Path) -> None:
    original = HTTPXRequest.do_request

    async def do_request(self: HTTPXRequest, url: str, method: str, **kwargs: Any) -> Any:
        result = await original(self, url, method, **kwargs)
        endpoint = url.rsplit("/", 1)[-1]
        request_data = kwargs.get("request_data")
        if endpoint in _SENDS and request_data is not None:
            body = json.dumps(request_data.json_parameters, sort_keys=True)
            key = hashlib.sha256(f"{endpoint}:{body}".encode()).hexdigest()
            if _first_time(ledger, key):
                _die()
        return result

    HTTPXRequest.do_request = do_request  # type: ignore[method-assign]

    # The committed replies and the outbox go through the bot's one client (bot.api_client),
    # not PTB's request: this covers both.
    post = BotApiClient.post

    async def post_then_die(
        self: BotApiClient,
        method: str,
        params: dict[str, Any],
        file: FilePart | None = None,
        **options: Any,
    ) -> Any:
        result = await post(self, method, params, file, **options)
        if method in _SENDS:
            body = json.dumps(params, sort_keys=True)
            if _first_time(ledger, hashlib.sha256(f"{method}:{body}".encode()).hexdigest()):
                _die()
        return result

    BotApiClient.post = post_then_die  # type: ignore[method-assign]


def _lines(ledger: Path) -> int:
    return ledger.read_text().count("\n") if ledger.exists() else 0


def _first_time(ledger: Path, key: str) -> bool:
    """Whether this send was never interrupted before; if so, remember it (fsynced)."""
    if ledger.exists() and key in ledger.read_text().split():
        return False
    with ledger.open("a") as out:
        out.write(key + "\n")
        out.flush()
        os.fsync(out.fileno())
    return True


def _die_inside_a_group(ledger: Path) -> None:
    original = Database._release_member

    async def release(self: Database, conn: Any, group: Any) -> None:
        await original(self, conn, group)
        kills = _lines(ledger)
        if group.members >= 2 and kills < GROUP_KILLS:
            _first_time(ledger, f"group-kill-{kills}")
            _die()

    Database._release_member = release  # type: ignore[method-assign]


def install_from_environment() -> None:
    """Install the hook ``CRASH_AT`` names, if any."""
    mode = os.environ.get("CRASH_AT")
    if mode == "write":
        _die_after_first_write()
    elif mode == "send":
        _die_after_new_send(Path(os.environ["CRASH_LEDGER"]))
    elif mode == "group":
        _die_inside_a_group(Path(os.environ["CRASH_LEDGER"]))
