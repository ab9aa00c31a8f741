"""The citizen-side HTTP API under /_client (JSON), for in-process and out-of-process use."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .core import Core
from .faults import FaultConfig
from .state import BotState
from .users import Users, user_json

MAX_WAIT = 120.0
JsonHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _json_errors(handler: JsonHandler) -> JsonHandler:
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except LookupError as exc:
            return web.json_response({"error": str(exc)}, status=404)
        except (ValueError, TypeError, binascii.Error) as exc:
            return web.json_response({"error": str(exc)}, status=400)

    return wrapped


class ClientApi:
    """Routes that act as users' phones and as the test harness's window into the emulator."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.users = Users(core)

    def routes(self) -> list[web.RouteDef]:
        """aiohttp route table."""
        r = _json_errors
        return [
            web.get("/_client/bots", r(self.list_bots)),
            web.post("/_client/bots", r(self.add_bot)),
            web.post("/_client/messages/text", r(self.send_text)),
            web.post("/_client/messages/command", r(self.send_command)),
            web.post("/_client/messages/contact", r(self.send_contact)),
            web.post("/_client/messages/document", r(self.send_document)),
            web.post("/_client/messages/photo", r(self.send_photo)),
            web.post("/_client/callback", r(self.press_inline)),
            web.get("/_client/callback/{query_id}", r(self.callback_answer)),
            web.post("/_client/block", r(self.block)),
            web.get("/_client/chats/{chat_id}/messages", r(self.chat_messages)),
            web.get("/_client/updates/{update_id}/ack", r(self.wait_ack)),
            web.get("/_client/faults", r(self.get_faults)),
            web.put("/_client/faults", r(self.set_faults)),
            web.post("/_client/faults", r(self.set_faults)),
            web.get("/_client/calls", r(self.get_calls)),
            web.delete("/_client/calls", r(self.clear_calls)),
        ]

    # --- helpers -------------------------------------------------------
    def _bot(self, ref: Any) -> BotState:
        return self.core.find_bot(ref if ref not in (None, "") else None)

    async def _body(self, request: web.Request) -> tuple[dict[str, Any], BotState, dict[str, Any]]:
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("JSON object expected")
        bot = self._bot(body.get("bot"))
        user = user_json(
            int(body["user_id"]), str(body.get("first_name") or "Citizen"), body.get("user")
        )
        return body, bot, user

    @staticmethod
    def _wait(request: web.Request) -> float:
        return min(max(float(request.query.get("wait", "0")), 0.0), MAX_WAIT)

    async def _created(
        self, body: dict[str, Any], bot: BotState, result: dict[str, Any]
    ) -> web.Response:
        """The update made; with ``ack_wait`` (seconds) in the body, answered once the bot
        acknowledged it or that long passed, as GET .../ack would say: one request a step."""
        message = result.get("message")
        out = {k: v for k, v in result.items() if k != "message"}
        if message is not None:
            out["message_id"] = message["message_id"]
            out["message"] = message
        ack_wait = body.get("ack_wait")
        if ack_wait is not None:
            seconds = min(max(float(ack_wait), 0.0), MAX_WAIT)
            out["acknowledged"] = await self.users.wait_ack(bot, int(out["update_id"]), seconds)
            out["offset"] = bot.acked_offset
        return web.json_response(out)

    # --- bots ----------------------------------------------------------
    async def list_bots(self, request: web.Request) -> web.Response:
        """GET /_client/bots."""
        bots = [
            {"id": b.bot_id, "token": b.token, "username": b.username, "mode": b.mode}
            for b in self.core.bots.values()
        ]
        return web.json_response({"bots": bots, "mode": self.core.mode})

    async def add_bot(self, request: web.Request) -> web.Response:
        """POST /_client/bots {token, mode?}: mode puts the bot on telegram or bale."""
        body = await request.json()
        token = str(body["token"])
        mode = body.get("mode")
        if mode not in (None, "telegram", "bale"):
            return web.json_response({"error": "mode is telegram or bale"}, status=400)
        bot = self.core.set_mode(token, mode) if mode else self.core.bot(token)
        return web.json_response({"id": bot.bot_id, "username": bot.username, "mode": bot.mode})

    # --- user actions --------------------------------------------------
    async def send_text(self, request: web.Request) -> web.Response:
        """POST /_client/messages/text {bot?, user_id, first_name?, text}."""
        body, bot, user = await self._body(request)
        return await self._created(body, bot, self.users.text(bot, user, str(body["text"])))

    async def send_command(self, request: web.Request) -> web.Response:
        """POST /_client/messages/command {bot?, user_id, command: "/start payload"}."""
        body, bot, user = await self._body(request)
        command = str(body.get("command") or body.get("text") or "")
        if not command.startswith("/"):
            command = "/" + command
        return await self._created(body, bot, self.users.text(bot, user, command))

    async def send_contact(self, request: web.Request) -> web.Response:
        """POST /_client/messages/contact {bot?, user_id, phone_number, contact_user_id?,
        omit_user_id?}."""
        body, bot, user = await self._body(request)
        cuid = body.get("contact_user_id")
        return await self._created(
            body,
            bot,
            self.users.contact(
                bot,
                user,
                str(body["phone_number"]),
                int(cuid) if cuid is not None else None,
                body.get("contact_first_name"),
                omit_user_id=bool(body.get("omit_user_id")),
            ),
        )

    async def send_document(self, request: web.Request) -> web.Response:
        """POST /_client/messages/document {bot?, user_id, data_b64, file_name, mime_type}."""
        body, bot, user = await self._body(request)
        data = base64.b64decode(body["data_b64"], validate=True)
        return await self._created(
            body,
            bot,
            self.users.document(
                bot,
                user,
                data,
                str(body["file_name"]),
                str(body.get("mime_type") or "application/octet-stream"),
                body.get("caption"),
            ),
        )

    async def send_photo(self, request: web.Request) -> web.Response:
        """POST /_client/messages/photo {bot?, user_id, data_b64, caption?}."""
        body, bot, user = await self._body(request)
        data = base64.b64decode(body["data_b64"], validate=True)
        return await self._created(
            body, bot, self.users.photo(bot, user, data, body.get("caption"))
        )

    async def press_inline(self, request: web.Request) -> web.Response:
        """POST /_client/callback {bot?, user_id, message_id, data}."""
        body, bot, user = await self._body(request)
        result = self.users.callback(bot, user, int(body["message_id"]), str(body["data"]))
        return await self._created(body, bot, result)

    async def callback_answer(self, request: web.Request) -> web.Response:
        """GET /_client/callback/{query_id}?bot=&wait=."""
        bot = self._bot(request.query.get("bot"))
        qid = request.match_info["query_id"]
        record = await self.users.wait_callback_answer(bot, qid, self._wait(request))
        if record is None:
            raise LookupError(f"unknown callback query {qid}")
        return web.json_response({"answered": record.answered, "answer": record.answer})

    async def block(self, request: web.Request) -> web.Response:
        """POST /_client/block {bot?, user_id, blocked: bool}."""
        body, bot, user = await self._body(request)
        self.users.set_blocked(bot, user, bool(body.get("blocked", True)))
        return web.json_response({"ok": True})

    # --- observation ---------------------------------------------------
    async def chat_messages(self, request: web.Request) -> web.Response:
        """GET /_client/chats/{chat_id}/messages?bot=&since_seq=&after_id=&wait=."""
        bot = self._bot(request.query.get("bot"))
        chat = bot.chats.get(int(request.match_info["chat_id"]))
        if chat is None:
            return web.json_response({"messages": [], "deleted": [], "seq": 0})
        since = int(request.query.get("since_seq", "0"))
        after = int(request.query.get("after_id", "0"))
        result = await self.users.wait_changes(chat, since, after, self._wait(request))
        return web.json_response(result)

    async def wait_ack(self, request: web.Request) -> web.Response:
        """GET /_client/updates/{update_id}/ack?bot=&wait=."""
        bot = self._bot(request.query.get("bot"))
        update_id = int(request.match_info["update_id"])
        acked = await self.users.wait_ack(bot, update_id, self._wait(request))
        return web.json_response({"acknowledged": acked, "offset": bot.acked_offset})

    async def get_faults(self, request: web.Request) -> web.Response:
        """GET /_client/faults."""
        return web.json_response(self.core.faults.to_json())

    async def set_faults(self, request: web.Request) -> web.Response:
        """PUT /_client/faults {rate_429?, rate_500?, ...}."""
        self.core.faults = FaultConfig.from_json(await request.json())
        return web.json_response(self.core.faults.to_json())

    async def get_calls(self, request: web.Request) -> web.Response:
        """GET /_client/calls?bot=&method=&since_index=."""
        start = int(request.query.get("since_index", "0"))
        method = (request.query.get("method") or "").lower()
        bot_ref = request.query.get("bot")
        bot_id = self._bot(bot_ref).bot_id if bot_ref else None
        calls = [
            c.to_json()
            for c in self.core.calls[start:]
            if (not method or c.method.lower() == method) and bot_id in (None, c.bot_id)
        ]
        return web.json_response({"calls": calls, "next_index": len(self.core.calls)})

    async def clear_calls(self, request: web.Request) -> web.Response:
        """DELETE /_client/calls."""
        self.core.calls.clear()
        return web.json_response({"ok": True})
