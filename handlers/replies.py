"""Message ids a handler keeps: a reply is sent after the update commits (bot.updates), so until
then its id is a placeholder ``-<reply row id>``; ``real_message_id`` gives the platform's."""

from __future__ import annotations

from storage.replies import ReplyQueue


async def real_message_id(bot: object, message_id: int) -> int:
    """The platform's id for a message id a handler kept (a placeholder until it was sent)."""
    queue = getattr(bot, "reply_queue", None)
    if message_id >= 0 or not isinstance(queue, ReplyQueue):
        return message_id
    real = await queue.real_message_id(message_id)
    return message_id if real is None else real
