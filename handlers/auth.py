"""Who is an officer: OFFICER_IDS (admins) plus officers an admin added in the bot.

One mechanism (``services.officers``): the bot asks it about the presser's account (this
update's platform and user id), every officer service asks it about its actor. To anyone
else the bot behaves as if an officer's command or button did not exist, so probing reveals
nothing.
``officer_steps`` / ``admin_steps`` apply the check to EVERY step of an officer conversation
(entry points, every state's handlers, fallbacks but the ways out), looked up at each step:
an officer removed half-way gets «not understood» at the next step and the conversation ends.
The check itself is ``services.officers`` (the one every service runs too); a service that
refuses an actor (``NotAllowed``) half-way through a guarded step gets the same answer.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any, TypeVar, cast

from telegram import Update
from telegram.ext import BaseHandler, ConversationHandler

from domain.accounts import Account
from handlers.context import BotContext, Services
from handlers.menu import main_menu_keyboard
from services import officers
from services.actors import Actor
from services.errors import NotAllowed
from texts.i18n import _

LOGGER = logging.getLogger(__name__)
R = TypeVar("R")
# Set on a guarded callback: the check it already runs (so a step is never checked twice).
_GUARD_MARK = "_homebiz_guard"
# Set on a way out of any conversation (/cancel, ✖️): open to anyone, never guarded.
_OPEN_MARK = "_homebiz_open"


def account(services: Services, user_id: int) -> Account:
    """The account of a user of this update's bot: its platform and the user id."""
    return Account(services.platform.value, user_id)


async def is_officer(services: Services, user_id: int) -> bool:
    """An officer now: named in OFFICER_IDS or added by an admin (and not removed)."""
    return await officers.is_officer(services.store, account(services, user_id))


async def is_admin(services: Services, user_id: int) -> bool:
    """An admin may add and remove officers: OFFICER_IDS, or an officer marked admin."""
    return await officers.is_admin(services.store, account(services, user_id))


def acting_officer(services: Services, user_id: int) -> Actor:
    """The actor a service gets for this officer of this bot.

    Audited as ``officer:<user id>`` on the first bot's platform (as before two platforms, so
    a one-platform deployment's audit trail reads as it always did) and as
    ``officer:<platform>:<user id>`` on the other one.
    """
    first = services.settings.primary.platform
    on = services.platform
    return Actor("officer", user_id, None if on is first else on.value)


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
Allowed = Callable[[Services, int], Awaitable[bool]]


def _guard(allowed: Allowed, role: str) -> Callable[[Callback[R]], Callback[R | int]]:
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
            try:
                return await callback(update, context)
            except NotAllowed:  # the service's own check: removed between the two reads
                LOGGER.warning("Service refused %s action %s", role, callback.__name__)
                await _refuse(update)
                return ConversationHandler.END

        setattr(guarded, _GUARD_MARK, allowed)
        return guarded

    return decorate


def guarded_by(callback: object) -> Allowed | None:
    """The check a callback runs before anything else (``is_officer``, ``is_admin``), if any."""
    mark = getattr(callback, _GUARD_MARK, None)
    return cast(Allowed, mark) if mark is not None else None


def open_to_anyone(callback: Callback[R]) -> Callback[R]:
    """Mark a conversation's way out (/cancel, ✖️): the officer guard leaves it open."""
    setattr(callback, _OPEN_MARK, True)
    return callback


def _guard_steps(
    handlers: Iterable[BaseHandler[Update, BotContext, Any]], allowed: Allowed, role: str
) -> list[BaseHandler[Update, BotContext, Any]]:
    """Wrap every step of these handlers (a conversation's entries, states and fallbacks)
    with the check: the ONE officer guard, so no callback carries a decorator of its own.

    The ways out (``open_to_anyone``: /cancel, ✖️) stay open to anyone. A callback that
    already runs this check is not wrapped again.
    """
    result = list(handlers)
    for handler in result:
        steps: list[BaseHandler[Update, BotContext, Any]] = [handler]
        if isinstance(handler, ConversationHandler):
            steps = [
                *handler.entry_points,
                *(h for hs in handler.states.values() for h in hs),
                *handler.fallbacks,
            ]
        for step in steps:
            if getattr(step.callback, _OPEN_MARK, False):
                continue
            if guarded_by(step.callback) is not allowed:
                callback = cast(Callback[object], step.callback)
                step.callback = _guard(allowed, role)(callback)
    return result


def officer_steps(
    handlers: Iterable[BaseHandler[Update, BotContext, Any]],
) -> list[BaseHandler[Update, BotContext, Any]]:
    """Every step of these officer conversations checks, in the store, that the presser is an
    officer now; to anyone else (a removed officer too) it is «not understood», and it ends."""
    return _guard_steps(handlers, is_officer, "officer")


def admin_steps(
    handlers: Iterable[BaseHandler[Update, BotContext, Any]],
) -> list[BaseHandler[Update, BotContext, Any]]:
    """The same as ``officer_steps`` for admins' conversations (managing officers)."""
    return _guard_steps(handlers, is_admin, "admin")
