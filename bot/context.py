"""Typed access to the bot's long-lived services from any callback (``context.services``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.settings import Settings

if TYPE_CHECKING:
    from storage import Store

UserData = dict[str, Any]
ChatData = dict[str, Any]
BotData = dict[str, Any]


@dataclass
class Services:
    """Everything a handler may need, built once at start-up and passed down."""

    settings: Settings
    store: Store
    extras: dict[str, Any] = field(default_factory=dict)


class HomebizApplication(Application[ExtBot[None], "BotContext", UserData, ChatData, BotData, Any]):
    """The Application, carrying its services so callbacks need not fish them out of bot_data."""

    def __init__(self, *, services: Services, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services = services


class BotContext(CallbackContext[ExtBot[None], UserData, ChatData, BotData]):
    """Callback context with typed access to the services."""

    @property
    def services(self) -> Services:
        application = self.application
        if not isinstance(application, HomebizApplication):  # pragma: no cover - wiring bug
            raise TypeError("BotContext needs a HomebizApplication")
        return application.services
