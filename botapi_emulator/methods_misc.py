"""Bot API methods other than message sending: updates, webhook, commands, files, chats."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from .core import Core, Ctx
from .errors import ApiError, bad_request
from .params import chat_id_of, opt_bool, opt_int, opt_json, opt_str
from .state import MAX_DOWNLOAD, chat_json
from .webhooks import WebhookDelivery, acceptable_url

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
WEBHOOK_CONFLICT = ApiError(
    409,
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first",
)

POLL_CONFLICT = ApiError(
    409,
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
)


async def get_me(ctx: Ctx) -> dict[str, Any]:
    """getMe."""
    return ctx.bot.me()


async def get_updates(ctx: Ctx) -> list[dict[str, Any]]:
    """getUpdates with offset acknowledgement and long polling."""
    bot = ctx.bot
    if bot.webhook is not None:
        raise WEBHOOK_CONFLICT
    offset = opt_int(ctx.params, "offset")
    limit = min(max(opt_int(ctx.params, "limit") or 100, 1), 100)
    timeout = max(opt_int(ctx.params, "timeout") or 0, 0)
    allowed = opt_json(ctx.params, "allowed_updates")
    if isinstance(allowed, list):
        bot.allowed_updates = [str(a) for a in allowed]
    if bot.ignore_acks:
        offset = None
    if offset is not None and offset < 0:
        if len(bot.updates) > -offset:
            bot.acknowledge(bot.updates[offset]["update_id"])
    elif offset is not None:
        bot.acknowledge(offset)
    # A newer getUpdates ends an older long-poll with 409, as Telegram does.
    bot.poll_generation += 1
    generation = bot.poll_generation
    bot.update_signal.fire()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if bot.webhook is not None:
            raise WEBHOOK_CONFLICT
        if bot.poll_generation != generation:
            raise POLL_CONFLICT
        if bot.updates:
            return [dict(u) for u in bot.updates[:limit]]
        remaining = deadline - loop.time()
        if remaining <= 0 or bot.closing:
            return []
        await bot.update_signal.wait(remaining)


async def set_webhook(ctx: Ctx) -> bool:
    """setWebhook: from now on updates are POSTed to the URL (botapi_emulator.webhooks)."""
    url = opt_str(ctx.params, "url") or ""
    secret = opt_str(ctx.params, "secret_token")
    if secret is not None:
        if ctx.bot.mode == "bale":
            raise bad_request("secret_token is not supported")
        if not _SECRET_RE.match(secret):
            raise bad_request("secret token contains unallowed characters")
    if url and not acceptable_url(url):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if opt_bool(ctx.params, "drop_pending_updates") and ctx.bot.mode == "telegram":
        ctx.bot.drop_pending()
    allowed = opt_json(ctx.params, "allowed_updates")
    if isinstance(allowed, list):
        ctx.bot.allowed_updates = [str(a) for a in allowed]
    ctx.bot.webhook_generation += 1
    if not url:
        await _stop_delivery(ctx)
        return True
    connections = min(max(opt_int(ctx.params, "max_connections") or 40, 1), 100)
    ctx.bot.webhook = {"url": url, "secret_token": secret, "max_connections": connections}
    delivery = ctx.bot.delivery
    if delivery is None:
        delivery = WebhookDelivery(
            ctx.bot,
            retry_base=ctx.core.webhook_retry_base,
            retry_max=ctx.core.webhook_retry_max,
        )
        ctx.bot.delivery = delivery
    delivery.max_connections = connections
    delivery.start()
    ctx.bot.update_signal.fire()  # a long-poll in progress ends with 409
    return True


async def _stop_delivery(ctx: Ctx) -> None:
    ctx.bot.webhook = None
    delivery = ctx.bot.delivery
    ctx.bot.delivery = None
    if delivery is not None:
        await delivery.stop()


async def delete_webhook(ctx: Ctx) -> bool:
    """deleteWebhook (drop_pending_updates only works in telegram mode)."""
    if opt_bool(ctx.params, "drop_pending_updates") and ctx.bot.mode == "telegram":
        ctx.bot.drop_pending()
    await _stop_delivery(ctx)
    return True


async def get_webhook_info(ctx: Ctx) -> dict[str, Any]:
    """getWebhookInfo."""
    hook = ctx.bot.webhook
    out: dict[str, Any] = {
        "url": hook["url"] if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(ctx.bot.updates),
    }
    if hook:
        out["max_connections"] = hook["max_connections"]
        if ctx.bot.allowed_updates:
            out["allowed_updates"] = list(ctx.bot.allowed_updates)
        delivery = ctx.bot.delivery
        if delivery is not None and delivery.last_error_date is not None:
            out["last_error_date"] = delivery.last_error_date
            out["last_error_message"] = delivery.last_error_message
    return out


def _commands_key(ctx: Ctx) -> str:
    scope = opt_json(ctx.params, "scope") or {"type": "default"}
    scope_type = scope.get("type", "default") if isinstance(scope, dict) else "default"
    return f"{scope_type}:{opt_str(ctx.params, 'language_code') or ''}"


async def set_my_commands(ctx: Ctx) -> bool:
    """setMyCommands."""
    commands = opt_json(ctx.params, "commands")
    if not isinstance(commands, list):
        raise bad_request('parameter "commands" is required')
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    clean: list[dict[str, Any]] = []
    for item in commands:
        if not isinstance(item, dict) or not _COMMAND_RE.match(str(item.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        desc = str(item.get("description", ""))
        if not 1 <= len(desc) <= 256:
            raise bad_request("command description must be non-empty")
        clean.append({"command": item["command"], "description": desc})
    ctx.bot.commands[_commands_key(ctx)] = clean
    return True


async def delete_my_commands(ctx: Ctx) -> bool:
    """deleteMyCommands."""
    ctx.bot.commands.pop(_commands_key(ctx), None)
    return True


async def get_my_commands(ctx: Ctx) -> list[dict[str, Any]]:
    """getMyCommands."""
    return list(ctx.bot.commands.get(_commands_key(ctx), []))


async def answer_callback_query(ctx: Ctx) -> bool:
    """answerCallbackQuery: each query can be answered once."""
    qid = opt_str(ctx.params, "callback_query_id")
    record = ctx.bot.callbacks.get(qid or "")
    if record is None or record.answered:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = opt_str(ctx.params, "text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    record.answered = True
    record.answer = {
        "text": text,
        "show_alert": opt_bool(ctx.params, "show_alert"),
        "url": opt_str(ctx.params, "url"),
        "cache_time": opt_int(ctx.params, "cache_time"),
    }
    ctx.bot.callback_signal.fire()
    return True


async def get_file(ctx: Ctx) -> dict[str, Any]:
    """getFile (files over 20 MB cannot be downloaded by bots)."""
    file_id = opt_str(ctx.params, "file_id")
    if not file_id:
        raise bad_request("file_id not specified")
    rec = ctx.core.files.get(file_id)
    if rec is None or not rec.usable_by(ctx.bot.bot_id):  # another bot's file id
        raise bad_request("invalid file_id")
    if rec.size > MAX_DOWNLOAD:
        raise bad_request("file is too big")
    return {
        "file_id": rec.file_id,
        "file_unique_id": rec.file_unique_id,
        "file_size": rec.size,
        "file_path": rec.file_path,
    }


async def send_chat_action(ctx: Ctx) -> bool:
    """sendChatAction."""
    ctx.chat()
    if opt_str(ctx.params, "action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


async def get_chat(ctx: Ctx) -> dict[str, Any]:
    """getChat for private chats (ChatFullInfo)."""
    chat = ctx.bot.chats.get(chat_id_of(ctx.params))
    if chat is None:
        raise bad_request("chat not found")
    out = chat_json(chat)
    out.update(
        {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
    )
    return out


async def log_out_or_close(ctx: Ctx) -> bool:
    """logOut / close: accepted and ignored."""
    return True


def register(core: Core) -> None:
    """Install these methods on a Core."""
    for name, handler in {
        "getMe": get_me,
        "getUpdates": get_updates,
        "setWebhook": set_webhook,
        "deleteWebhook": delete_webhook,
        "getWebhookInfo": get_webhook_info,
        "setMyCommands": set_my_commands,
        "deleteMyCommands": delete_my_commands,
        "getMyCommands": get_my_commands,
        "answerCallbackQuery": answer_callback_query,
        "getFile": get_file,
        "sendChatAction": send_chat_action,
        "getChat": get_chat,
        "logOut": log_out_or_close,
        "close": log_out_or_close,
    }.items():
        core.register(name, handler)
