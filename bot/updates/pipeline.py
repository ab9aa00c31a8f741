"""The update pipeline of one running bot, built from its Application and store."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from bot.api_client import BotApiClient
from bot.application import HomebizApplication
from bot.ratelimit import OverallRateLimiter
from bot.updates.deferring_bot import DeferringBot
from bot.updates.dispatcher import Dispatcher
from bot.updates.handling import UpdateHandler
from bot.updates.receiver import Receiver
from bot.updates.reply_sender import ReplySender
from storage.inbox import Inbox
from storage.replies import ReplyQueue


@dataclass
class UpdatePipeline:
    """Receiver → inbox → lanes → one unit of work per update → replies after the commit."""

    receiver: Receiver
    dispatcher: Dispatcher
    replies: ReplyQueue
    api: BotApiClient  # the bot's one Bot API client: replies, the outbox and getUpdates

    @classmethod
    def for_application(cls, application: HomebizApplication, api: BotApiClient) -> UpdatePipeline:
        """Build it once the bot knows its id (after initialize): the store is per bot.

        The committed replies go through ``api``, the bot's one Bot API client (not the Bot's
        PTB request: the cost), which the outbox sender shares; its owner (the runtime)
        opens it before the pipeline starts and closes it after the pipeline stopped.
        """
        services = application.services
        db = services.store.db
        platform = services.platform.value
        bot_id = application.bot.id
        inbox = Inbox(db, platform=platform, bot_id=bot_id)
        replies = ReplyQueue(db, platform=platform, bot_id=bot_id)
        bot = application.bot
        if isinstance(bot, DeferringBot):
            bot.use_reply_queue(replies)
        handler = UpdateHandler(application, db=db, inbox=inbox, replies=replies)
        if application.metrics is not None:
            handler.observe = functools.partial(application.metrics.observe_update, platform)
        limiter = bot.rate_limiter
        sender = ReplySender(
            api,
            replies,
            base_delay=services.settings.reply_retry_seconds,
            budget=limiter.budget if isinstance(limiter, OverallRateLimiter) else None,
        )
        dispatcher = Dispatcher(handler, sender, inbox, clock=services.now)
        return cls(Receiver(inbox, dispatcher), dispatcher, replies, api)

    async def start(self) -> None:
        await self.dispatcher.start()

    async def stop(self) -> None:
        await self.dispatcher.stop()
