"""Bot API methods that create, edit and delete messages."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from .core import Core, Ctx
from .errors import bad_request
from .markup import parse_reply_markup, plain_text, text_length
from .params import message_id_of, opt_int, opt_json, opt_str
from .state import ChatState, FileRecord, now

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_UPLOAD = 50 * 1024 * 1024


def _text(ctx: Ctx) -> str:
    raw = opt_str(ctx.params, "text")
    if raw is None or raw == "":
        raise bad_request("message text is empty")
    text = plain_text(raw, opt_str(ctx.params, "parse_mode"))
    if not text.strip():
        raise bad_request("message text is empty")
    if text_length(text) > MAX_TEXT:
        raise bad_request("message is too long")
    return text


def _caption(ctx: Ctx) -> str | None:
    raw = opt_str(ctx.params, "caption")
    if not raw:
        return None
    caption = plain_text(raw, opt_str(ctx.params, "parse_mode"))
    if text_length(caption) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return caption


def _apply_markup(message: dict[str, Any], markup: dict[str, Any] | None) -> None:
    """Only inline keyboards appear in the Message the bot gets back."""
    message.pop("reply_markup", None)
    if markup is not None and "inline_keyboard" in markup:
        message["reply_markup"] = markup


def _reply_to(ctx: Ctx, chat: ChatState, message: dict[str, Any]) -> None:
    target = opt_int(ctx.params, "reply_to_message_id")
    reply = opt_json(ctx.params, "reply_parameters")
    if isinstance(reply, dict) and reply.get("message_id") is not None:
        target = int(reply["message_id"])
    if target is not None and target in chat.messages:
        original = copy.deepcopy(chat.messages[target])
        original.pop("reply_to_message", None)
        message["reply_to_message"] = original


def _send(ctx: Ctx, chat: ChatState, fields: dict[str, Any]) -> dict[str, Any]:
    markup = parse_reply_markup(ctx.params)
    message = ctx.core.new_message(ctx.bot, chat, from_bot=True)
    message.update(fields)
    _reply_to(ctx, chat, message)
    _apply_markup(message, markup)
    ctx.core.add_bot_message(chat, message, markup)
    return copy.deepcopy(message)


async def send_message(ctx: Ctx) -> dict[str, Any]:
    """sendMessage."""
    chat = ctx.chat()
    text = _text(ctx)
    parse_reply_markup(ctx.params)  # validate before creating anything
    return _send(ctx, chat, {"text": text})


def _bot_message(ctx: Ctx, chat: ChatState, missing: str) -> dict[str, Any]:
    if ctx.params.get("inline_message_id"):
        raise bad_request(missing)
    mid = message_id_of(ctx.params)
    message = chat.messages.get(mid)
    if message is None:
        raise bad_request(missing)
    if mid not in chat.from_bot:
        raise bad_request("message can't be edited")
    return message


def _edit(chat: ChatState, message: dict[str, Any], fields: dict[str, Any], markup: Any) -> None:
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    mid = int(message["message_id"])
    same = all(message.get(k) == v for k, v in fields.items()) and chat.markups.get(mid) == markup
    if same:
        raise bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )
    message.update(fields)
    message["edit_date"] = now()
    _apply_markup(message, markup)
    if markup is None:
        chat.markups.pop(mid, None)
    else:
        chat.markups[mid] = markup
    chat.touch(mid)


async def edit_message_text(ctx: Ctx) -> dict[str, Any]:
    """editMessageText."""
    chat = ctx.chat(writable=False)
    message = _bot_message(ctx, chat, "message to edit not found")
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    _edit(chat, message, {"text": _text(ctx)}, parse_reply_markup(ctx.params))
    return copy.deepcopy(message)


async def edit_message_caption(ctx: Ctx) -> dict[str, Any]:
    """editMessageCaption."""
    chat = ctx.chat(writable=False)
    message = _bot_message(ctx, chat, "message to edit not found")
    fields = {"caption": _caption(ctx)}
    _edit(chat, message, fields, parse_reply_markup(ctx.params))
    if message.get("caption") is None:
        message.pop("caption", None)
    return copy.deepcopy(message)


async def edit_message_reply_markup(ctx: Ctx) -> dict[str, Any]:
    """editMessageReplyMarkup."""
    chat = ctx.chat(writable=False)
    message = _bot_message(ctx, chat, "message to edit not found")
    _edit(chat, message, {}, parse_reply_markup(ctx.params))
    return copy.deepcopy(message)


async def delete_message(ctx: Ctx) -> bool:
    """deleteMessage."""
    chat = ctx.chat(writable=False)
    mid = message_id_of(ctx.params)
    if mid not in chat.messages:
        raise bad_request("message to delete not found")
    del chat.messages[mid]
    chat.markups.pop(mid, None)
    if mid in chat.from_bot:
        chat.seq += 1
        chat.deleted_at[mid] = chat.seq
        chat.signal.fire()
    return True


def _input_file(ctx: Ctx, field: str, kind: str) -> FileRecord:
    upload = ctx.files.get(field)
    ref = opt_str(ctx.params, field)
    if upload is None and ref and ref.startswith("attach://"):
        upload = ctx.files.get(ref.removeprefix("attach://"))
    if upload is not None:
        if len(upload.data) > MAX_UPLOAD:
            raise bad_request("file is too big")
        if not upload.data:
            raise bad_request("file must be non-empty")
        return ctx.core.store_file(
            upload.data, kind, upload.file_name, upload.content_type, ctx.bot.bot_id
        )
    if not ref:
        raise bad_request(f"there is no {field} in the request")
    record = ctx.core.files.get(ref)
    if record is None or not record.usable_by(ctx.bot.bot_id):
        raise bad_request("wrong file identifier/HTTP URL specified")
    return record


def document_json(rec: FileRecord) -> dict[str, Any]:
    """A Document object."""
    out: dict[str, Any] = {
        "file_id": rec.file_id,
        "file_unique_id": rec.file_unique_id,
        "file_size": rec.size,
    }
    if rec.file_name:
        out["file_name"] = rec.file_name
    if rec.mime_type:
        out["mime_type"] = rec.mime_type
    return out


def photo_json(rec: FileRecord) -> list[dict[str, Any]]:
    """A photo as a list of PhotoSize (one size is enough here)."""
    size = {
        "file_id": rec.file_id,
        "file_unique_id": rec.file_unique_id,
        "file_size": rec.size,
        "width": rec.width or 0,
        "height": rec.height or 0,
    }
    return [size]


def _send_file(
    ctx: Ctx, field: str, kind: str, to_json: Callable[[FileRecord], Any]
) -> dict[str, Any]:
    """A file message: the upload or file_id in ``field``, an optional caption."""
    chat = ctx.chat()
    caption = _caption(ctx)
    parse_reply_markup(ctx.params)
    rec = _input_file(ctx, field, kind)
    fields: dict[str, Any] = {field: to_json(rec)}
    if caption:
        fields["caption"] = caption
    return _send(ctx, chat, fields)


async def send_document(ctx: Ctx) -> dict[str, Any]:
    """sendDocument (upload or existing file_id)."""
    return _send_file(ctx, "document", "documents", document_json)


async def send_photo(ctx: Ctx) -> dict[str, Any]:
    """sendPhoto (upload or existing file_id)."""
    return _send_file(ctx, "photo", "photos", photo_json)


def register(core: Core) -> None:
    """Install these methods on a Core."""
    core.register("sendMessage", send_message)
    core.register("editMessageText", edit_message_text)
    core.register("editMessageCaption", edit_message_caption)
    core.register("editMessageReplyMarkup", edit_message_reply_markup)
    core.register("deleteMessage", delete_message)
    core.register("sendDocument", send_document)
    core.register("sendPhoto", send_photo)
