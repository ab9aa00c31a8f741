"""Citizen: a simulated user talking to a bot through the emulator's client API."""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import aiohttp

from .bot_message import BotMessage

WaitMode = Literal["ack", "reply", "none"]
QUIET_SECONDS = 0.15


class Citizen:
    """One user's private chat with a bot; every action waits for the bot's answer."""

    def __init__(
        self,
        base_url: str,
        user_id: int,
        first_name: str = "Citizen",
        bot_token: str | None = None,
        *,
        session: aiohttp.ClientSession | None = None,
        timeout: float = 10.0,
        wait: WaitMode = "ack",
        last_name: str | None = None,
        username: str | None = None,
        settle: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.user_id = user_id
        self.first_name = first_name
        self.bot_token = bot_token
        self.timeout = timeout
        self.wait_mode: WaitMode = wait
        # After an acknowledgement: wait until the bot has also handled it and replied. A bot
        # may acknowledge an update once stored, before handling it (the project's bot does).
        self.settle = settle
        self.last_callback_answer: dict[str, Any] | None = None
        self._extra = {"last_name": last_name, "username": username}
        self._own_session = session is None
        self._session = session
        self._messages: dict[int, BotMessage] = {}
        self._seq = 0

    # --- lifecycle -----------------------------------------------------
    async def __aenter__(self) -> Citizen:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session if this citizen owns it."""
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "bot": self.bot_token,
            "user_id": self.user_id,
            "first_name": self.first_name,
            "user": self._extra,
        }
        body.update(payload)
        async with self._http().post(self.base_url + path, json=body) as resp:
            data: dict[str, Any] = await resp.json()
            if resp.status != 200:
                raise AssertionError(f"client API {path} failed: {data.get('error', data)}")
            return data

    async def _get(self, path: str, **query: Any) -> dict[str, Any]:
        params = {k: str(v) for k, v in query.items() if v is not None}
        if self.bot_token:
            params["bot"] = self.bot_token
        client_timeout = aiohttp.ClientTimeout(total=float(query.get("wait", 0)) + 30)
        async with self._http().get(
            self.base_url + path, params=params, timeout=client_timeout
        ) as resp:
            data: dict[str, Any] = await resp.json()
            if resp.status != 200:
                raise AssertionError(f"client API {path} failed: {data.get('error', data)}")
            return data

    # --- reading -------------------------------------------------------
    async def _changes(self, since: int, wait: float) -> list[BotMessage]:
        data = await self._get(
            f"/_client/chats/{self.user_id}/messages", since_seq=since, wait=round(wait, 3)
        )
        changed = [BotMessage.from_json(m) for m in data["messages"]]
        for msg in changed:
            self._messages[msg.message_id] = msg
        for mid in data["deleted"]:
            self._messages.pop(int(mid), None)
        self._seq = max(self._seq, int(data["seq"]))
        return changed

    async def refresh(self) -> list[BotMessage]:
        """Fetch whatever the bot sent or edited since the last look."""
        return await self._changes(self._seq, 0)

    async def _sends(
        self,
        path: str,
        payload: dict[str, Any],
        wait: WaitMode | None,
        timeout: float | None,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """Post an update; waiting for its acknowledgement, the emulator answers only once
        the bot acknowledged it (``ack_wait``): one request, not a post and a GET."""
        if (wait or self.wait_mode) == "ack":
            payload = {**payload, "ack_wait": self.timeout if timeout is None else timeout}
        return await self._post(path, payload)

    async def _collect(
        self,
        created: dict[str, Any],
        wait: WaitMode | None,
        timeout: float | None,  # noqa: ASYNC109
    ) -> list[BotMessage]:
        """Wait as the mode says, then return bot messages changed since the update."""
        mode = wait or self.wait_mode
        limit = self.timeout if timeout is None else timeout
        since = int(created["seq"])
        if mode == "none":
            return []
        if mode == "ack":
            # _sends asked the emulator to answer once the update was acknowledged.
            if not created["acknowledged"]:
                raise AssertionError(
                    f"bot did not acknowledge update {created['update_id']} within {limit} s "
                    f"(offset is {created['offset']})"
                )
            if self.settle is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.settle(), timeout=limit)
            found = await self._changes(since, 0)
        else:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + limit
            found = []
            cursor = since
            while not found and (remaining := deadline - loop.time()) > 0:
                found = await self._changes(cursor, remaining)  # deletions alone don't count
                cursor = self._seq
            while found:
                more = await self._changes(self._seq, QUIET_SECONDS)
                if not more:
                    break
                found.extend(more)
        latest = {m.message_id: self._messages[m.message_id] for m in found}
        return [latest[k] for k in sorted(latest) if k in self._messages]

    # --- actions -------------------------------------------------------
    async def says(
        self,
        text: str,
        *,
        wait: WaitMode | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> list[BotMessage]:
        """Send a text message and return the bot's reply messages."""
        created = await self._sends("/_client/messages/text", {"text": text}, wait, timeout)
        return await self._collect(created, wait, timeout)

    async def sends_command(
        self,
        command: str,
        *,
        wait: WaitMode | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> list[BotMessage]:
        """Send '/command payload' (with its bot_command entity)."""
        created = await self._sends(
            "/_client/messages/command", {"command": command}, wait, timeout
        )
        return await self._collect(created, wait, timeout)

    async def shares_contact(
        self,
        phone: str = "+989121234567",
        user_id: int | None = None,
        *,
        omit_user_id: bool = False,
        wait: WaitMode | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> list[BotMessage]:
        """Share a contact (own by default; phone sent without '+', as Telegram does).

        ``omit_user_id`` sends the card without ``user_id`` (a platform may leave it out).
        """
        payload = {"phone_number": phone, "contact_user_id": user_id, "omit_user_id": omit_user_id}
        created = await self._sends("/_client/messages/contact", payload, wait, timeout)
        return await self._collect(created, wait, timeout)

    async def sends_document(
        self,
        data: bytes | Path,
        file_name: str,
        mime_type: str,
        *,
        caption: str | None = None,
        wait: WaitMode | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> list[BotMessage]:
        """Upload a document into the chat."""
        raw = await _read(data)
        payload = {
            "data_b64": base64.b64encode(raw).decode(),
            "file_name": file_name,
            "mime_type": mime_type,
            "caption": caption,
        }
        created = await self._sends("/_client/messages/document", payload, wait, timeout)
        return await self._collect(created, wait, timeout)

    async def sends_photo(
        self,
        data: bytes | Path,
        *,
        caption: str | None = None,
        wait: WaitMode | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> list[BotMessage]:
        """Send a photo into the chat."""
        raw = await _read(data)
        payload = {"data_b64": base64.b64encode(raw).decode(), "caption": caption}
        created = await self._sends("/_client/messages/photo", payload, wait, timeout)
        return await self._collect(created, wait, timeout)

    async def presses(
        self,
        button_text: str,
        *,
        on: BotMessage | None = None,
        wait: WaitMode | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> list[BotMessage]:
        """Press a button of the latest keyboard (reply or inline), or of the message ``on``.

        ``on`` presses an inline button of an older message, as a citizen scrolling up does.
        """
        await self.refresh()
        message, text, data, contact = self._find_button(button_text, on)
        if contact:
            return await self.shares_contact(user_id=None, wait=wait, timeout=timeout)
        if data is None:
            return await self.says(text, wait=wait, timeout=timeout)
        return await self.sends_callback(message.message_id, data, wait=wait, timeout=timeout)

    async def sends_callback(
        self,
        message_id: int,
        data: str,
        *,
        wait: WaitMode | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> list[BotMessage]:
        """Press a button carrying ``data`` on message ``message_id``, whatever its buttons are:
        what a modified client can send (someone else's data, a spent or made-up button).
        The bot's answer to the press is in ``last_callback_answer``."""
        created = await self._sends(
            "/_client/callback", {"message_id": message_id, "data": data}, wait, timeout
        )
        found = await self._collect(created, wait, timeout)
        limit = self.timeout if timeout is None else timeout
        answer = await self._get(
            f"/_client/callback/{created['callback_query_id']}",
            wait=limit if (wait or self.wait_mode) == "ack" else QUIET_SECONDS,
        )
        self.last_callback_answer = answer["answer"] if answer["answered"] else None
        return found

    def _keyboard_message(self) -> BotMessage | None:
        """Newest message with a keyboard; a ReplyKeyboardRemove hides older reply keyboards."""
        removed = False
        for msg in sorted(self._messages.values(), key=lambda m: -m.message_id):
            if msg.inline_buttons or (msg.buttons and not removed):
                return msg
            if msg.reply_markup and msg.reply_markup.get("remove_keyboard"):
                removed = True
        return None

    def _find_button(
        self, wanted: str, on: BotMessage | None = None
    ) -> tuple[BotMessage, str, str | None, bool]:
        """(message, text, callback_data or None for a reply button, is request_contact)."""
        message = on or self._keyboard_message()
        if message is None:
            raise AssertionError(f"no keyboard to press {wanted!r} on; last: {self.last_text!r}")
        options: list[tuple[str, str | None, bool]] = []
        markup = message.reply_markup or {}
        for row in markup.get("keyboard") or []:
            for b in row:
                button = b if isinstance(b, dict) else {"text": str(b)}
                options.append((button["text"], None, bool(button.get("request_contact"))))
        for row in markup.get("inline_keyboard") or []:
            for b in row:
                if b.get("callback_data") is None:
                    continue
                options.append((b["text"], b["callback_data"], False))
        exact = [o for o in options if o[0] == wanted]
        partial = [o for o in options if wanted in o[0]]
        chosen = exact[:1] or (partial if len(partial) == 1 else [])
        if not chosen:
            available = " | ".join(o[0] for o in options)
            why = "ambiguous" if len(partial) > 1 else "not found"
            raise AssertionError(f"button {wanted!r} {why}; available: {available}")
        text, data, contact = chosen[0]
        return message, text, data, contact

    async def blocks_bot(self) -> None:
        """Block the bot: later sends to this chat fail with 403."""
        await self._post("/_client/block", {"blocked": True})

    async def unblocks_bot(self) -> None:
        """Unblock the bot."""
        await self._post("/_client/block", {"blocked": False})

    async def wait_for_message(
        self,
        timeout: float = 10.0,  # noqa: ASYNC109
        predicate: Callable[[BotMessage], bool] | None = None,
    ) -> BotMessage:
        """Wait for a new or edited bot message (matching predicate, if given)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"no matching bot message within {timeout} s")
            for msg in await self._changes(self._seq, remaining):
                if predicate is None or predicate(msg):
                    return msg

    # --- state ---------------------------------------------------------
    @property
    def messages(self) -> list[BotMessage]:
        """Every bot message received so far (edits applied, deleted removed)."""
        return [self._messages[k] for k in sorted(self._messages)]

    @property
    def last_message(self) -> BotMessage | None:
        """The newest bot message."""
        return self._messages[max(self._messages)] if self._messages else None

    @property
    def last_text(self) -> str | None:
        """Text (or caption) of the newest bot message."""
        last = self.last_message
        return last.content if last else None

    @property
    def buttons(self) -> list[list[str]]:
        """Texts of the latest keyboard, row by row (reply or inline)."""
        msg = self._keyboard_message()
        if msg is None:
            return []
        return msg.buttons or [[t for t, _ in row] for row in msg.inline_buttons]


async def _read(data: bytes | Path) -> bytes:
    """File bytes without blocking the event loop."""
    if isinstance(data, Path):
        return await asyncio.to_thread(data.read_bytes)
    return data
