"""Who is an officer: OFFICER_IDS (admins) plus officers an admin added in the bot.

Officer callbacks are wrapped with ``officer_only`` (admin ones with ``admin_only``): to anyone
else the bot behaves as if the command or button did not exist, so probing reveals nothing.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import BotContext, Services
from bot.i18n import _
from handlers.menu import main_menu_keyboard

LOGGER = logging.getLogger(__name__)
R = TypeVar("R")


async def is_officer(services: Services, user_id: int) -> bool:
    """An officer: listed in OFFICER_IDS or added by an admin (and not removed)."""
    if user_id in services.settings.officer_ids:
        return True
    platform = services.settings.bot_platform.value
    return await services.store.officers.is_officer(platform, user_id)


async def is_admin(services: Services, user_id: int) -> bool:
    """An admin may add and remove officers: OFFICER_IDS, or an officer marked admin."""
    if user_id in services.settings.officer_ids:
        return True
    officer = await services.store.officers.get(services.settings.bot_platform.value, user_id)
    return officer is not None and officer.is_admin


def officer_actor(user_id: int) -> str:
    """The actor string recorded in status events and the audit log."""
    return f"officer:{user_id}"


async def _refuse(update: Update) -> None:
    """What a non-officer gets: the same answer as for any unknown input."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    message = update.effective_message
    if message is not None and update.callback_query is None:
        await message.reply_text(
            _("Sorry, I did not understand that. Please choose one of the menu buttons below."),
            reply_markup=main_menu_keyboard(),
        )


# A handler callback as PTB's handlers are typed for: a coroutine function.
Callback = Callable[[Update, BotContext], Coroutine[Any, Any, R]]


def _guard(
    allowed: Callable[[Services, int], Awaitable[bool]], role: str
) -> Callable[[Callback[R]], Callback[R | int]]:
    """A decorator running the callback only for users ``allowed`` admits."""

    def decorate(callback: Callback[R]) -> Callback[R | int]:
        @functools.wraps(callback)
        async def guarded(update: Update, context: BotContext) -> R | int:
            user = update.effective_user
            if user is None or not await allowed(context.services, user.id):
                LOGGER.warning(
                    "Refused %s action %s to user %s", role, callback.__name__, user and user.id
                )
                await _refuse(update)
                return ConversationHandler.END
            return await callback(update, context)

        return guarded

    return decorate


def officer_only(callback: Callback[R]) -> Callback[R | int]:
    """Run the callback only for officers; others get the ordinary «not understood»."""
    return _guard(is_officer, "officer")(callback)


def admin_only(callback: Callback[R]) -> Callback[R | int]:
    """Run the callback only for admins; others get the ordinary «not understood»."""
    return _guard(is_admin, "admin")(callback)
