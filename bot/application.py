"""The Application: PTB's, carrying the bot's services and its exactly-once update pipeline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from telegram.ext import Application, ExtBot

from handlers.context import BotContext, BotData, ChatData, Services, UserData
from storage.unit_of_work import FetchFirst, UnitOfWork

if TYPE_CHECKING:
    from bot.operations import BotMetrics
    from bot.updates.pipeline import UpdatePipeline
    from bot.web_server import WebServer
    from bot.webhooks import WebhookEndpoint


class Receiving(Protocol):
    """What brings this application its updates (the poller or the webhook), for /healthz."""

    @property
    def alive(self) -> bool: ...


class HomebizApplication(Application[ExtBot[None], BotContext, UserData, ChatData, BotData, Any]):
    """The Application, carrying its services so callbacks need not fish them out of bot_data."""

    def __init__(self, *, services: Services, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services = services
        # Receives, stores and handles updates; set once the bot runs (bot.runtime).
        self.pipeline: UpdatePipeline | None = None
        # The process's HTTP server (desk, webhooks, health); set once the bot runs.
        self.web: WebServer | None = None
        # Every platform's Application in this process, by platform (this one included);
        # set once the bot runs (bot.runtime).
        self.bots: dict[str, HomebizApplication] = {}
        # With WEBHOOK_BASE_URL, this platform's webhook endpoint (bot.webhooks).
        self.webhook: WebhookEndpoint | None = None
        # The process's metrics (/metrics); set once the bot runs.
        self.metrics: BotMetrics | None = None
        # The poller, when it polls (the webhook otherwise): /healthz asks it if it lives.
        self.receiving: Receiving | None = None

    async def process_error(
        self,
        update: object | None,
        error: Exception,
        job: Any = None,
        coroutine: Any = None,
    ) -> bool:
        """Inside an update's unit of work, a handler's error rolls its writes back.

        A request for work outside the transaction (a download) is not an error: the unit
        runs it and handles the update again, so no other handler runs now.
        """
        unit = UnitOfWork.current()
        if unit is not None:
            if isinstance(error, FetchFirst):
                unit.fetch = error
                return True
            unit.record_failure(error)
            await super().process_error(update, error, job, coroutine)
            return True  # the update's writes roll back: no further handler may act on it
        return await super().process_error(update, error, job, coroutine)
