"""What a user's app does: send messages, press buttons, share files, block the bot."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import time
from typing import Any

from .core import Core
from .methods_messages import document_json, photo_json
from .state import BotState, CallbackRecord, ChatState


def user_json(user_id: int, first_name: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A User object for a human."""
    out: dict[str, Any] = {
        "id": user_id,
        "is_bot": False,
        "first_name": first_name,
        "language_code": "fa",
    }
    for key, value in (extra or {}).items():
        if value is not None and key in ("last_name", "username", "language_code"):
            out[key] = value
    return out


class Users:
    """Citizen-side operations on a Core (used by the client API)."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def _message_update(
        self, bot: BotState, user: dict[str, Any], fields: dict[str, Any]
    ) -> dict[str, Any]:
        chat = bot.chat(user)
        message = self.core.new_message(bot, chat, from_bot=False)
        message.update(fields)
        chat.messages[int(message["message_id"])] = message
        update = bot.push_update("message", copy.deepcopy(message))
        return {"update_id": update["update_id"], "seq": chat.seq, "message": message}

    def text(self, bot: BotState, user: dict[str, Any], text: str) -> dict[str, Any]:
        """A plain text message (a leading /command gets its bot_command entity)."""
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0] if text.strip() else text
            fields["entities"] = [
                {
                    "type": "bot_command",
                    "offset": 0,
                    "length": len(command.encode("utf-16-le")) // 2,
                }
            ]
        return self._message_update(bot, user, fields)

    def contact(
        self,
        bot: BotState,
        user: dict[str, Any],
        phone: str,
        contact_user_id: int | None,
        first_name: str | None = None,
        *,
        omit_user_id: bool = False,
    ) -> dict[str, Any]:
        """A shared contact; Telegram sends the phone without '+'.

        ``omit_user_id`` leaves ``user_id`` out, as a client may that does not promise it.
        """
        contact: dict[str, Any] = {
            "phone_number": phone.lstrip("+"),
            "first_name": first_name or user["first_name"],
        }
        if not omit_user_id:
            contact["user_id"] = int(user["id"]) if contact_user_id is None else contact_user_id
        return self._message_update(bot, user, {"contact": contact})

    def document(
        self,
        bot: BotState,
        user: dict[str, Any],
        data: bytes,
        file_name: str,
        mime_type: str,
        caption: str | None = None,
    ) -> dict[str, Any]:
        """A document upload, stored exactly as the bot will getFile it."""
        rec = self.core.store_file(data, "documents", file_name, mime_type, bot.bot_id)
        fields: dict[str, Any] = {"document": document_json(rec)}
        if caption:
            fields["caption"] = caption
        return self._message_update(bot, user, fields)

    def photo(
        self, bot: BotState, user: dict[str, Any], data: bytes, caption: str | None = None
    ) -> dict[str, Any]:
        """A photo upload."""
        rec = self.core.store_file(data, "photos", None, "image/jpeg", bot.bot_id)
        fields: dict[str, Any] = {"photo": photo_json(rec)}
        if caption:
            fields["caption"] = caption
        return self._message_update(bot, user, fields)

    def callback(
        self, bot: BotState, user: dict[str, Any], message_id: int, data: str
    ) -> dict[str, Any]:
        """Press an inline button under a bot message."""
        chat = bot.chat(user)
        message = chat.messages.get(message_id)
        if message is None or message_id not in chat.from_bot:
            raise LookupError(f"no bot message {message_id} in chat {chat.chat_id}")
        qid = bot.new_callback_id()
        bot.callbacks[qid] = CallbackRecord(qid, int(user["id"]), time.time())
        instance = hashlib.sha1(f"{bot.bot_id}:{chat.chat_id}".encode()).hexdigest()[:16]
        query = {
            "id": qid,
            "from": {k: v for k, v in chat.user.items()},
            "message": copy.deepcopy(message),
            "chat_instance": str(int(instance, 16)),
            "data": data,
        }
        update = bot.push_update("callback_query", query)
        return {"update_id": update["update_id"], "seq": chat.seq, "callback_query_id": qid}

    def set_blocked(self, bot: BotState, user: dict[str, Any], blocked: bool) -> None:
        """Block or unblock the bot; Telegram tells the bot with a my_chat_member update."""
        chat = bot.chat(user)
        if chat.blocked == blocked:
            return
        chat.blocked = blocked
        status = "kicked" if blocked else "member"
        old = "member" if blocked else "kicked"
        bot.push_update(
            "my_chat_member",
            {
                "chat": {"id": chat.chat_id, "type": "private", "first_name": user["first_name"]},
                "from": dict(chat.user),
                "date": int(time.time()),
                "old_chat_member": {"status": old, "user": _bot_user(bot)},
                "new_chat_member": {
                    "status": status,
                    "user": _bot_user(bot),
                    **({"until_date": 0} if blocked else {}),
                },
            },
        )

    async def wait_ack(self, bot: BotState, update_id: int, seconds: float) -> bool:
        """Wait until the bot acknowledged update_id (getUpdates offset, or webhook 2xx)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not bot.is_acknowledged(update_id):
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            await bot.ack_signal.wait(remaining)
        return True

    async def wait_changes(
        self, chat: ChatState, since_seq: int, after_id: int, seconds: float
    ) -> dict[str, Any]:
        """Bot messages changed after since_seq (or newer than after_id), long-polling."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            changed, deleted = chat.changes_since(since_seq)
            changed = [m for m in changed if int(m["message_id"]) > after_id]
            if changed or deleted:
                break
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            await chat.signal.wait(remaining)
        return {
            "messages": [self.core.client_view(chat, m) for m in changed],
            "deleted": deleted,
            "seq": chat.seq,
        }

    async def wait_callback_answer(
        self, bot: BotState, query_id: str, seconds: float
    ) -> CallbackRecord | None:
        """Wait until the bot answered a callback query."""
        record = bot.callbacks.get(query_id)
        if record is None:
            return None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not record.answered:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            await bot.callback_signal.wait(remaining)
        return record


def _bot_user(bot: BotState) -> dict[str, Any]:
    me = bot.me()
    return {k: me[k] for k in ("id", "is_bot", "first_name", "username")}
