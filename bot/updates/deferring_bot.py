"""The bot every part of the app uses: inside an update, its replies wait for the commit.

Called while an update is being handled (a unit of work is open in this task), a call that
only has an effect on the platform (send, edit, delete, answer a button) is written to the
reply queue inside the update's transaction and answered at once with what the platform
would say. A message the handler sent is given the id ``-<queue id>``; once the reply is
sent, the queue knows the real id, and this bot puts it back into any later call that
names the placeholder. Calls that read (getFile, getMe, getChat) go to the platform at once.
"""

from __future__ import annotations

import time
from typing import Any

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.ext import ExtBot
from telegram.request._requestparameter import RequestParameter

from storage.replies import FilePart, ReplyQueue
from storage.unit_of_work import DeferredCall, UnitOfWork

JSONDict = dict[str, Any]

# Calls whose answer a handler needs only as "it worked": these wait for the commit.
_RETURNS_MESSAGE = frozenset({"sendMessage", "sendPhoto", "sendDocument", "forwardMessage"})
_RETURNS_MESSAGE_OR_TRUE = frozenset(
    {"editMessageText", "editMessageReplyMarkup", "editMessageCaption"}
)
_RETURNS_TRUE = frozenset({"answerCallbackQuery", "deleteMessage", "sendChatAction"})
DEFERRED_METHODS = _RETURNS_MESSAGE | _RETURNS_MESSAGE_OR_TRUE | _RETURNS_TRUE | {"copyMessage"}


class DeferringBot(ExtBot[None]):
    """ExtBot whose effectful calls join the update's transaction (see the module's text)."""

    # Set once the bot knows who it is (the queue is per bot); None: nothing is deferred.
    reply_queue: ReplyQueue | None = None

    def use_reply_queue(self, queue: ReplyQueue) -> None:
        """Defer this bot's effectful calls inside updates to ``queue`` from now on."""
        with self._unfrozen():
            self.reply_queue = queue

    async def _do_post(
        self,
        endpoint: str,
        data: JSONDict,
        *,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> bool | JSONDict | list[JSONDict]:
        unit = UnitOfWork.current()
        queue = self.reply_queue
        if unit is not None and queue is not None and endpoint in DEFERRED_METHODS:
            return await _defer(unit, queue, endpoint, data)
        if queue is not None:
            await resolve_placeholder(queue, data)
        return await super()._do_post(
            endpoint,
            data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )


def split_call(data: JSONDict) -> tuple[JSONDict, FilePart | None]:
    """A call's values as JSON, and the file it uploads (one at most, as sendDocument has)."""
    params: JSONDict = {}
    file: FilePart | None = None
    for key, value in data.items():
        parameter = RequestParameter.from_input(key, value)
        if parameter.input_files:
            upload = parameter.input_files[0]
            content = upload.input_file_content
            data_bytes = content if isinstance(content, bytes) else content.read()
            file = FilePart(key, upload.filename or "file", data_bytes)
        if parameter.value is not None:
            params[key] = parameter.value
    return params, file


async def _defer(
    unit: UnitOfWork, queue: ReplyQueue, endpoint: str, data: JSONDict
) -> bool | JSONDict:
    params, file = split_call(data)
    reply_id = await queue.add(
        unit.conn,
        chat_key=unit.chat_key,
        update_seq=unit.update_seq,
        method=endpoint,
        params=params,
        file=file,
    )
    # Database keeps its savepoint depth private; unknown counts as inside one (checked later).
    in_savepoint = getattr(queue.db, "_depth", 1) != 0
    unit.calls.append(DeferredCall(endpoint, params, file, reply_id, in_savepoint))
    return _answer(endpoint, params, -reply_id)


def _answer(endpoint: str, params: JSONDict, placeholder: int) -> bool | JSONDict:
    """What the platform would answer, with the placeholder id for a new message."""
    if endpoint in _RETURNS_TRUE:
        return True
    if endpoint == "copyMessage":
        return {"message_id": placeholder}
    if endpoint in _RETURNS_MESSAGE_OR_TRUE and "inline_message_id" in params:
        return True
    chat_id = params.get("chat_id")
    message_id = params.get("message_id") if endpoint in _RETURNS_MESSAGE_OR_TRUE else None
    message: JSONDict = {
        "message_id": message_id if isinstance(message_id, int) else placeholder,
        "date": int(time.time()),
        "chat": {"id": chat_id if isinstance(chat_id, int) else 0, "type": "private"},
    }
    for key in ("text", "caption"):
        if key in params:
            message[key] = params[key]
    markup = params.get("reply_markup")
    if isinstance(markup, dict) and "inline_keyboard" in markup:  # a message has inline only
        message["reply_markup"] = markup
    return message


async def resolve_placeholder(queue: ReplyQueue, data: JSONDict) -> None:
    """Put the real message id in place of a placeholder a handler kept (e.g. to edit later)."""
    message_id = data.get("message_id")
    if isinstance(message_id, int) and message_id < 0:
        real = await queue.real_message_id(message_id)
        if real is not None:
            data["message_id"] = real
