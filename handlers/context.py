"""Typed access to the bot's long-lived services from any callback (``context.services``).

The interface layer's view of the runtime: ``Services`` names what a handler may use, and the
workers it may poke (the outbox sender, the reminders) by the small protocols below, so this
module imports nothing from ``bot`` (the runtime builds ``Services`` and hangs it on its
Application, ``bot.application.HomebizApplication``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import aiosqlite
from telegram.ext import CallbackContext, ExtBot

from config.platforms import Platform
from config.settings import Settings
from services.tickets import TicketReminders
from storage.status_changes import ReminderSync
from storage.unit_of_work import after_commit

if TYPE_CHECKING:
    from domain.catalogue import Catalogue
    from domain.reminders import Reminder
    from storage import Store

UserData = dict[str, Any]
ChatData = dict[str, Any]
BotData = dict[str, Any]


class Sender(Protocol):
    """The outbox sender (``bot.workers.sender.OutboxSender``), as handlers see it."""

    def wake(self) -> None:
        """Look for due rows now instead of at the next poll."""
        ...


class Broadcasts(Protocol):
    """A platform's broadcast runner (``bot.workers.broadcast.BroadcastRunner``)."""

    def wake(self) -> None:
        """Look for running broadcasts now instead of at the next look."""
        ...


class Reminders(ReminderSync, TicketReminders, Protocol):
    """The reminder service (``bot.workers.reminders.ReminderService``), as handlers see it."""

    async def schedule(
        self,
        kind: str,
        subject: str,
        chat_id: int,
        due_at: datetime,
        *,
        citizen_id: int | None = None,
        sequence: str = "1",
        payload: dict[str, Any] | None = None,
        conn: aiosqlite.Connection | None = None,
    ) -> Reminder | None:
        """Store a reminder (once per kind/subject/sequence) and schedule its job."""
        ...

    async def cancel_for(
        self,
        subject: str,
        *,
        reason: str = "cancelled",
        kinds: list[str] | None = None,
        conn: aiosqlite.Connection | None = None,
    ) -> int:
        """Cancel the pending reminders of a subject and of its children; return how many."""
        ...


@dataclass
class Services:
    """Everything a handler may need, built once at start-up and passed down."""

    settings: Settings
    store: Store
    catalogue: Catalogue
    # The one clock (bot.runtime makes it; the store, sender, reminders and broadcasts share it).
    clock: Callable[[], datetime]
    # Delivers the outbox (notifications, reminders, broadcasts); set once the bot runs.
    # With two platforms: this bot's sender (``senders`` has every platform's).
    sender: Sender | None = None
    # Reminders (schedule, cancel_for, sync_application); set once the bot runs.
    reminders: Reminders | None = None
    # The platform of the bot this Services belongs to (each platform's Application has its
    # own Services over the same store, clock and catalogue). None: the settings' first bot.
    platform: Platform = None  # type: ignore[assignment]  # set in __post_init__
    # Every platform's outbox sender, shared by the platforms' Services: an officer on Bale
    # moving a Telegram citizen's application wakes the Telegram sender.
    senders: dict[str, Sender] = field(default_factory=dict)
    # Every platform's broadcast runner, shared likewise: a broadcast just stored starts at
    # once instead of at the runner's next look (every second).
    broadcast_runners: list[Broadcasts] = field(default_factory=list)
    # The web desk's address (WEB_BASE_URL, else where the server listens); set once it runs.
    web_url: str | None = None

    def __post_init__(self) -> None:
        if self.platform is None:
            self.platform = self.settings.primary.platform

    def on(self, platform: Platform) -> Services:
        """The same services for another platform's bot (the store, clock, senders shared)."""
        return replace(self, platform=platform, sender=self.senders.get(platform.value))

    def wake_sender(self) -> None:
        """Deliver freshly enqueued messages now (inside an update: once it has committed).

        Every platform's sender is woken: the rows may be for a citizen on the other one.
        """
        senders = list(self.senders.values()) or ([self.sender] if self.sender else [])
        for sender in senders:
            after_commit(sender.wake)

    def wake_broadcasts(self) -> None:
        """Start a broadcast just stored now (inside an update: once it has committed)."""
        for runner in self.broadcast_runners:
            after_commit(runner.wake)

    def now(self) -> datetime:
        """The current time, aware, from the injected clock."""
        return self.clock()


class BotContext(CallbackContext[ExtBot[None], UserData, ChatData, BotData]):
    """Callback context with typed access to the services."""

    @property
    def services(self) -> Services:
        services = getattr(self.application, "services", None)
        if not isinstance(services, Services):  # pragma: no cover - wiring bug
            raise TypeError("BotContext needs an Application carrying Services")
        return services
