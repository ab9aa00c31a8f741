"""The emulator's state and call dispatch, independent of HTTP."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import io
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from .errors import NOT_FOUND, UNAUTHORIZED, ApiError, HtmlError, bad_request, forbidden
from .faults import BAD_GATEWAY_HTML, FaultConfig, FaultInjector
from .params import Upload, chat_id_of
from .state import TOKEN_RE, BotState, ChatState, FileRecord, Mode, RecordedCall, chat_json, now

BALE_MISSING = frozenset({"setmycommands", "deletemycommands", "getmycommands"})


@dataclass
class Ctx:
    """Everything a method handler needs for one call."""

    core: Core
    bot: BotState
    params: dict[str, Any]
    files: dict[str, Upload]

    def chat(self, *, writable: bool = True) -> ChatState:
        """The target chat; 400 when unknown, 403 when the user blocked the bot."""
        cid = chat_id_of(self.params)
        chat = self.bot.chats.get(cid)
        if chat is None:
            raise bad_request("chat not found")
        if writable and chat.blocked:
            raise forbidden("bot was blocked by the user")
        return chat


Handler = Callable[[Ctx], Awaitable[Any]]


def _check_mode(mode: str) -> None:
    if mode not in ("telegram", "bale"):
        raise ValueError(f"unknown mode {mode!r}")


class Core:
    """Bots, files, faults and recorded calls; the HTTP layer wraps this."""

    def __init__(
        self,
        mode: Mode = "telegram",
        tokens: list[str] | None = None,
        *,
        modes: dict[str, Mode] | None = None,
    ) -> None:
        _check_mode(mode)
        # The flavour of a bot seen for the first time; ``modes`` (or ``set_mode``) gives a
        # token its own, so one emulator serves a Telegram bot and a Bale bot at once.
        self.mode: Mode = mode
        self.modes: dict[str, Mode] = {}
        self.bots: dict[str, BotState] = {}
        self.files: dict[str, FileRecord] = {}
        self.files_by_path: dict[str, FileRecord] = {}
        self.calls: list[RecordedCall] = []
        self._injector = FaultInjector()
        self._file_counter = itertools.count(1)
        self._handlers: dict[str, tuple[str, Handler]] = {}
        # First pause before a webhook delivery the bot did not take (non-2xx) is retried;
        # it doubles up to ``webhook_retry_max``. The platforms wait longer; tests need not.
        self.webhook_retry_base = 0.1
        self.webhook_retry_max = 5.0
        for token in tokens or []:
            self.bot(token)
        for token, own in (modes or {}).items():
            self.set_mode(token, own)

    # --- configuration -------------------------------------------------
    @property
    def faults(self) -> FaultConfig:
        """Current fault configuration."""
        return self._injector.config

    @faults.setter
    def faults(self, value: FaultConfig) -> None:
        self._injector.config = value

    def register(self, name: str, handler: Handler) -> None:
        """Add a Bot API method (looked up case-insensitively)."""
        self._handlers[name.lower()] = (name, handler)

    # --- bots ----------------------------------------------------------
    def bot(self, token: str) -> BotState:
        """The bot for a token, auto-created when the token is well-formed."""
        bot = self.bots.get(token)
        if bot is None:
            match = TOKEN_RE.match(token)
            if match is None:
                raise UNAUTHORIZED
            bot = BotState(token, int(match.group(1)), self.modes.get(token, self.mode))
            self.bots[token] = bot
        return bot

    def set_mode(self, token: str, mode: Mode) -> BotState:
        """Put this token's bot on Telegram or Bale (created if new)."""
        _check_mode(mode)
        self.modes[token] = mode
        bot = self.bot(token)
        bot.mode = mode
        return bot

    def find_bot(self, ref: str | int | None) -> BotState:
        """A bot by token or id; None means the first bot."""
        if ref is None or ref == "":
            if not self.bots:
                raise LookupError("no bot has called the emulator yet")
            return next(iter(self.bots.values()))
        if isinstance(ref, str) and ":" in ref:
            return self.bot(ref)
        for bot in self.bots.values():
            if bot.bot_id == int(ref):
                return bot
        raise LookupError(f"unknown bot {ref}")

    # --- dispatch ------------------------------------------------------
    async def call(
        self, token: str, method: str, params: dict[str, Any], files: dict[str, Upload]
    ) -> tuple[int, dict[str, Any]]:
        """Run one Bot API call and return (http status, Telegram-shaped body)."""
        started = time.time()
        recorded = _recordable(params, files)
        entry = self._handlers.get(method.lower())
        name = entry[0] if entry else method
        bot_id = 0
        fault: str | None = None
        try:
            bot = self.bot(token)
            bot_id = bot.bot_id
            if entry is None or (bot.mode == "bale" and method.lower() in BALE_MISSING):
                raise NOT_FOUND
            if bot.mode == "bale" and params.get("parse_mode") not in (None, ""):
                raise bad_request("parse_mode is not supported")
            fault = self._injector.roll(name, params.get("chat_id"))
            if fault == "429":
                retry = self.faults.retry_after
                raise ApiError(429, f"Too Many Requests: retry after {retry}", retry)
            if fault == "500":
                raise ApiError(500, "Internal Server Error")
            if fault == "502":
                raise HtmlError(502, "Bad Gateway", BAD_GATEWAY_HTML)
            late = fault == "delay" and self.faults.answer_late
            if fault == "delay" and not late:
                await asyncio.sleep(self.faults.delay_seconds)
            result = await entry[1](Ctx(self, bot, params, files))
            if late:  # done (the chat sees it), but the answer is slow to come back
                await asyncio.sleep(self.faults.delay_seconds)
            status, body = 200, {"ok": True, "result": result}
        except ApiError as err:
            status, body = err.code, err.body()
        self.calls.append(
            RecordedCall(
                method=name,
                params=recorded,
                status=status,
                ok=status == 200,
                time=started,
                bot_id=bot_id,
                fault=fault,
                description=body.get("description"),
            )
        )
        return status, body

    # --- files ---------------------------------------------------------
    def store_file(
        self,
        data: bytes,
        kind: str,
        file_name: str | None,
        mime_type: str | None,
        bot_id: int | None = None,
    ) -> FileRecord:
        """Keep a file so getFile and the download route can serve it (to ``bot_id`` only,
        when given: another bot's file id is refused, as on the platforms)."""
        n = next(self._file_counter)
        unique = hashlib.sha1(data).hexdigest()[:16]
        ext = (file_name or "").rsplit(".", 1)[-1] if file_name and "." in file_name else "bin"
        if kind == "photos":
            ext = "jpg"
        width, height = _image_size(data) if kind == "photos" else (None, None)
        record = FileRecord(
            file_id=f"F{kind[:3].upper()}{n:06d}{unique}",
            file_unique_id=f"U{unique}",
            data=data,
            file_path=f"{kind}/file_{n}.{ext}",
            mime_type=mime_type,
            file_name=file_name,
            width=width,
            height=height,
            bot_id=bot_id,
        )
        self.files[record.file_id] = record
        self.files_by_path[record.file_path] = record
        return record

    # --- messages ------------------------------------------------------
    def new_message(self, bot: BotState, chat: ChatState, *, from_bot: bool) -> dict[str, Any]:
        """A Message skeleton with a fresh per-chat id."""
        sender = bot.me() if from_bot else dict(chat.user)
        if from_bot:
            sender = {k: sender[k] for k in ("id", "is_bot", "first_name", "username")}
        return {
            "message_id": chat.new_message_id(),
            "from": sender,
            "chat": chat_json(chat),
            "date": now(),
        }

    def add_bot_message(
        self, chat: ChatState, message: dict[str, Any], markup: dict[str, Any] | None
    ) -> dict[str, Any]:
        """Store a message the bot sent and wake readers."""
        mid = int(message["message_id"])
        chat.messages[mid] = message
        chat.from_bot.add(mid)
        if markup is not None:
            chat.markups[mid] = markup
        chat.touch(mid)
        return message

    def client_view(self, chat: ChatState, message: dict[str, Any]) -> dict[str, Any]:
        """A message as the user's app sees it (reply keyboards included)."""
        out = copy.deepcopy(message)
        markup = chat.markups.get(int(message["message_id"]))
        if markup is not None:
            out["reply_markup"] = markup
        return out

    def messages_to(self, chat_id: int, bot: str | int | None = None) -> list[dict[str, Any]]:
        """Current bot messages in a chat (edits applied, deleted removed)."""
        if not self.bots:
            return []
        chat = self.find_bot(bot).chats.get(chat_id)
        return [self.client_view(chat, m) for m in chat.bot_messages()] if chat else []

    def delivered_texts(self, chat_id: int, bot: str | int | None = None) -> list[str]:
        """Texts (or captions) of current bot messages in a chat."""
        out = []
        for m in self.messages_to(chat_id, bot):
            text = m.get("text", m.get("caption"))
            if text is not None:
                out.append(str(text))
        return out


def _recordable(params: dict[str, Any], files: dict[str, Upload]) -> dict[str, Any]:
    out = dict(params)
    for name, up in files.items():
        out[name] = {"file_name": up.file_name, "size": len(up.data), "mime_type": up.content_type}
    return out


def _image_size(data: bytes) -> tuple[int, int]:
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as img:
            return int(img.width), int(img.height)
    except Exception:
        return 0, 0
