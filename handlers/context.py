"""Typed access to the bot's long-lived services from any callback (``context.services``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.settings import Settings
from bot.updates.unit_of_work import FetchFirst, UnitOfWork, after_commit

if TYPE_CHECKING:
    from bot.reminders import ReminderService
    from bot.sender import OutboxSender
    from bot.updates.pipeline import UpdatePipeline
    from domain.catalogue import Catalogue
    from storage import Store

UserData = dict[str, Any]
ChatData = dict[str, Any]
BotData = dict[str, Any]


@dataclass
class Services:
    """Everything a handler may need, built once at start-up and passed down."""

    settings: Settings
    store: Store
    catalogue: Catalogue
    # Injectable time: tests move a clock instead of sleeping.
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    # Delivers the outbox (notifications, reminders, broadcasts); set once the bot runs.
    sender: OutboxSender | None = None
    # Reminders (schedule, cancel_for, on_status_change); set once the bot runs.
    reminders: ReminderService | None = None

    def wake_sender(self) -> None:
        """Deliver freshly enqueued messages now (inside an update: once it has committed)."""
        if self.sender is not None:
            after_commit(self.sender.wake)

    def now(self) -> datetime:
        """The current time, aware, from the injectable clock."""
        return self.clock()


class HomebizApplication(Application[ExtBot[None], "BotContext", UserData, ChatData, BotData, Any]):
    """The Application, carrying its services so callbacks need not fish them out of bot_data."""

    def __init__(self, *, services: Services, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services = services
        # Receives, stores and handles updates; set once the bot runs (bot.runtime).
        self.pipeline: UpdatePipeline | None = None

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


class BotContext(CallbackContext[ExtBot[None], UserData, ChatData, BotData]):
    """Callback context with typed access to the services."""

    @property
    def services(self) -> Services:
        application = self.application
        if not isinstance(application, HomebizApplication):  # pragma: no cover - wiring bug
            raise TypeError("BotContext needs a HomebizApplication")
        return application.services
