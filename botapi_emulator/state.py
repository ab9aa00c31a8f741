"""In-memory model: bots, chats, messages, updates, files and recorded calls."""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from dataclasses import dataclass, field
from typing import Any, Literal

Mode = Literal["telegram", "bale"]
TOKEN_RE = re.compile(r"^(\d+):[A-Za-z0-9_-]{5,}$")
MAX_DOWNLOAD = 20 * 1024 * 1024
# Update types Telegram sends only when allowed_updates names them.
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class Signal:
    """Wake every waiter on each change; waiters re-check their own condition."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        """Wake current waiters."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> bool:
        """Wait for the next fire (False when seconds pass first)."""
        if seconds <= 0:
            return False
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), seconds)
        except TimeoutError:
            return False
        return True


@dataclass
class RecordedCall:
    """One Bot API call as the emulator saw it."""

    method: str
    params: dict[str, Any]
    status: int
    ok: bool
    time: float
    bot_id: int
    fault: str | None = None
    description: str | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON form for the client API."""
        return {
            "method": self.method,
            "params": self.params,
            "status": self.status,
            "ok": self.ok,
            "time": self.time,
            "bot_id": self.bot_id,
            "fault": self.fault,
            "description": self.description,
        }


@dataclass
class FileRecord:
    """A stored file, addressable by file_id and file_path."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    mime_type: str | None
    file_name: str | None
    width: int | None = None
    height: int | None = None
    # The bot the file id belongs to (as on the platforms: a file id works only for the bot
    # that received or sent the file); None: any bot (a file made outside a bot's calls).
    bot_id: int | None = None

    def usable_by(self, bot_id: int) -> bool:
        """Whether this bot may use the file id (send it on, getFile, download it)."""
        return self.bot_id is None or self.bot_id == bot_id

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)


@dataclass
class ChatState:
    """One private chat between a user and a bot."""

    chat_id: int
    user: dict[str, Any]
    blocked: bool = False
    next_message_id: int = 1
    seq: int = 0
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    from_bot: set[int] = field(default_factory=set)
    changed_at: dict[int, int] = field(default_factory=dict)
    markups: dict[int, dict[str, Any]] = field(default_factory=dict)
    deleted_at: dict[int, int] = field(default_factory=dict)
    signal: Signal = field(default_factory=Signal)

    def new_message_id(self) -> int:
        """Message ids increase per chat (user's and bot's share one counter)."""
        mid = self.next_message_id
        self.next_message_id += 1
        return mid

    def touch(self, message_id: int) -> None:
        """Mark a bot message as created/changed and wake readers."""
        self.seq += 1
        self.changed_at[message_id] = self.seq
        self.signal.fire()

    def bot_messages(self) -> list[dict[str, Any]]:
        """Current bot messages, oldest first."""
        return [self.messages[m] for m in sorted(self.from_bot) if m in self.messages]

    def changes_since(self, seq: int) -> tuple[list[dict[str, Any]], list[int]]:
        """Bot messages created/edited after seq, and ids deleted after seq."""
        changed = [
            self.messages[m]
            for m in sorted(self.from_bot)
            if m in self.messages and self.changed_at.get(m, 0) > seq
        ]
        deleted = sorted(m for m, s in self.deleted_at.items() if s > seq)
        return changed, deleted


@dataclass
class CallbackRecord:
    """A callback query sent by a citizen and the bot's answer (if any)."""

    query_id: str
    user_id: int
    created: float
    answered: bool = False
    answer: dict[str, Any] | None = None


class BotState:
    """Everything one bot token owns."""

    def __init__(self, token: str, bot_id: int, mode: Mode = "telegram") -> None:
        self.token = token
        self.bot_id = bot_id
        # Which platform this bot is on: one emulator serves Telegram and Bale bots at once.
        self.mode: Mode = mode
        self.username = f"bot{bot_id}_bot"
        self.first_name = f"Bot {bot_id}"
        self.updates: list[dict[str, Any]] = []
        self.next_update_id = 1
        self.acked_offset = 0
        self.update_signal = Signal()
        self.ack_signal = Signal()
        self.chats: dict[int, ChatState] = {}
        self.webhook: dict[str, Any] | None = None
        # The running webhook delivery (botapi_emulator.webhooks), while a webhook is set.
        self.delivery: Any = None
        self.webhook_generation = 0  # setWebhook calls: a restarted bot has registered again
        self.delivered_ids: set[int] = set()  # updates a webhook answered with 2xx
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.callbacks: dict[str, CallbackRecord] = {}
        self.callback_signal = Signal()
        self.allowed_updates: list[str] | None = None
        self.poll_generation = 0
        # Set when the emulator stops: a pending long poll answers at once instead of holding
        # the server's shutdown for its whole timeout.
        self.closing = False
        # Tests set this to act as if the bot's acknowledgements never reached the platform,
        # so every update is delivered again on the next getUpdates.
        self.ignore_acks = False
        self._cb_counter = itertools.count(1)

    def me(self) -> dict[str, Any]:
        """The bot's own User object (getMe)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def chat(self, user: dict[str, Any]) -> ChatState:
        """The private chat with this user, created on first contact."""
        uid = int(user["id"])
        chat = self.chats.get(uid)
        if chat is None:
            chat = ChatState(chat_id=uid, user=dict(user))
            self.chats[uid] = chat
        else:
            chat.user.update(user)
        return chat

    def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue a new update and wake long-polls; types outside allowed_updates are dropped
        (update_id -1: nothing to wait for)."""
        allowed = self.allowed_updates
        if (allowed and kind not in allowed) or (not allowed and kind in NOT_BY_DEFAULT):
            return {"update_id": -1, kind: payload}
        update = {"update_id": self.next_update_id, kind: payload}
        self.next_update_id += 1
        self.updates.append(update)
        self.update_signal.fire()
        return update

    def acknowledge(self, offset: int) -> None:
        """Drop every update below offset for good (Telegram's offset semantics)."""
        if offset <= self.acked_offset:
            return
        self.acked_offset = offset
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        self.ack_signal.fire()

    def delivered(self, update_id: int) -> None:
        """A webhook took this update (2xx): it leaves the queue, acknowledged."""
        self.updates = [u for u in self.updates if u["update_id"] != update_id]
        self.delivered_ids.add(update_id)
        # Below the oldest update still queued everything is delivered: the same offset a
        # poller's acknowledgement would have reached.
        offset = self.updates[0]["update_id"] if self.updates else self.next_update_id
        self.acked_offset = max(self.acked_offset, offset)
        self.ack_signal.fire()

    def is_acknowledged(self, update_id: int) -> bool:
        """Acknowledged by a poller's offset or delivered to a webhook."""
        return self.acked_offset > update_id or update_id in self.delivered_ids

    def drop_pending(self) -> None:
        """Forget queued updates (drop_pending_updates)."""
        if self.updates:
            self.acknowledge(self.updates[-1]["update_id"] + 1)

    def new_callback_id(self) -> str:
        """A fresh callback query id (Telegram's are long numeric strings)."""
        return f"{self.bot_id}{next(self._cb_counter):010d}"


def chat_json(chat: ChatState) -> dict[str, Any]:
    """The Chat object for a private chat."""
    out: dict[str, Any] = {"id": chat.chat_id, "type": "private"}
    for key in ("first_name", "last_name", "username"):
        if chat.user.get(key):
            out[key] = chat.user[key]
    return out


def now() -> int:
    """Unix time as Telegram reports it."""
    return int(time.time())
