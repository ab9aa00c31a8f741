"""What every conversation shares: back / cancel buttons, «step 3 of 8», and the ways out.

One conversation at a time is open in a chat, so typed text always reaches the one the
citizen is in:
- every conversation is a ``Conversation``: entering one ends whichever other was open;
- /start and the main-menu buttons end every open conversation before any handler sees them
  (``leave_for_menu()``, registered in a group of its own ahead of the rest), so the section
  asked for answers in the same pass, whatever was open;
- a conversation lists ``exits()`` among its fallbacks: /cancel ends it (and any other) with
  the menu.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    BaseHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)

from domain.persian import normalize_input
from handlers.auth import open_to_anyone
from handlers.context import BotContext
from handlers.menu import main_menu_keyboard, menu_button
from texts import buttons
from texts.formatting import to_persian_digits
from texts.i18n import N_, _

BACK = N_("↩️ Back")
CANCEL = N_("✖️ Cancel")
# Inline buttons carry these as callback data; both are far below the 64-byte limit.
BACK_DATA = buttons.BACK.pack()
CANCEL_DATA = buttons.CANCEL.pack()


def step_header(step: int, total: int) -> str:
    """«گام ۳ از ۸»: where the citizen is in a conversation."""
    return _("Step {step} of {total}").format(
        step=to_persian_digits(step), total=to_persian_digits(total)
    )


def nav_labels(*, back: bool = True) -> list[str]:
    """The Persian texts of the navigation buttons."""
    return [_(BACK), _(CANCEL)] if back else [_(CANCEL)]


def reply_keyboard(rows: Sequence[Sequence[str]], *, back: bool = True) -> ReplyKeyboardMarkup:
    """A one-time reply keyboard of choices, with back and cancel on the last row."""
    keyboard = [[KeyboardButton(text) for text in row] for row in rows]
    keyboard.append([KeyboardButton(text) for text in nav_labels(back=back)])
    return ReplyKeyboardMarkup(keyboard, resize_keyboard=True, one_time_keyboard=False)


def inline_keyboard(
    rows: Sequence[Sequence[tuple[str, str]]], *, back: bool = True
) -> InlineKeyboardMarkup:
    """Inline (text, callback_data) choices with back and cancel beneath them."""
    keyboard = [
        [InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows
    ]
    nav = [InlineKeyboardButton(_(CANCEL), callback_data=CANCEL_DATA)]
    if back:
        nav.insert(0, InlineKeyboardButton(_(BACK), callback_data=BACK_DATA))
    keyboard.append(nav)
    return InlineKeyboardMarkup(keyboard)


def _same(text: str | None, msgid: str) -> bool:
    return bool(text) and normalize_input(text or "") == normalize_input(_(msgid))


def is_back(text: str | None) -> bool:
    """The citizen pressed (or typed) «back»."""
    return _same(text, BACK)


def is_cancel(text: str | None) -> bool:
    """The citizen pressed (or typed) «cancel»."""
    return _same(text, CANCEL)


def scratch(context: BotContext, key: str) -> dict[str, Any]:
    """The conversation's working dict in user_data under ``key`` (created when missing)."""
    assert context.user_data is not None
    data: dict[str, Any] = context.user_data.setdefault(key, {})
    return data


async def send_text(
    update: Update,
    context: BotContext,
    text: str,
    reply_markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None = None,
) -> None:
    """Send ``text`` to the update's chat as a new message."""
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, text, reply_markup=reply_markup)


async def say(
    update: Update,
    context: BotContext,
    text: str,
    reply_markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None = None,
) -> None:
    """Answer a pressed button, then send ``text`` to the chat as a new message."""
    if update.callback_query is not None:
        with contextlib.suppress(BadRequest):  # a second message in one step: answered already
            await update.callback_query.answer()
    await send_text(update, context, text, reply_markup)


async def leave(update: Update, context: BotContext, text: str | None = None) -> int:
    """End the conversation with a message and the main menu (answers stay saved)."""
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(
            chat.id,
            text or _("Cancelled. Your answers so far are saved. Here is the main menu."),
            reply_markup=main_menu_keyboard(),
        )
    return ConversationHandler.END


async def end_with_menu(update: Update, context: BotContext, text: str | None = None) -> int:
    """Answer a pressed button, then ``leave``: end, say so, and show the main menu."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    return await leave(update, context, text)


@open_to_anyone
async def cancel(update: Update, context: BotContext) -> int:
    """/cancel or the cancel button: leave the conversation (and any other open) for the menu."""
    end_open_conversations(context.application, update)
    return await end_with_menu(update, context)


class Conversation(ConversationHandler[BotContext]):
    """A ConversationHandler that is the only open conversation of its chat.

    Entering it through an entry point ends any other conversation open in the chat, once
    the entry callback has left this one open (an officer-only entry refused to a citizen
    ends nothing, like any unknown command).
    """

    def is_open_for(self, update: Update) -> bool:
        """Whether this conversation is open in the update's chat (for its user)."""
        key = self._key_of(update)
        return key is not None and key in self._conversations

    def end_for(self, update: Update) -> bool:
        """End this conversation in the update's chat (for its user); whether it was open."""
        key = self._key_of(update)
        if key is None or key not in self._conversations:
            return False
        self._update_state(self.END, key)
        return True

    def _key_of(self, update: Update) -> tuple[int | str, ...] | None:
        try:
            return self._get_key(update)
        except RuntimeError:  # no chat or user to key on: nothing can be open
            return None

    async def handle_update(
        self,
        update: Update,
        application: Application[Any, BotContext, Any, Any, Any, Any],
        check_result: Any,
        context: BotContext,
    ) -> object | None:
        """Handle as a ConversationHandler does; once entered, end the chat's other ones."""
        _state, _key, handler, _check = check_result
        entered = any(handler is entry for entry in self.entry_points)
        result = await super().handle_update(update, application, check_result, context)
        if entered and self.is_open_for(update):
            end_open_conversations(application, update, keep=self)
        return result


def end_open_conversations(
    application: Application[Any, Any, Any, Any, Any, Any],
    update: Update,
    *,
    keep: Conversation | None = None,
) -> int:
    """End every conversation open in the update's chat (but ``keep``); how many were open."""
    ended = 0
    for group in application.handlers.values():
        for handler in group:
            if isinstance(handler, Conversation) and handler is not keep:
                ended += handler.end_for(update)
    return ended


async def _leave_all(update: Update, context: BotContext) -> None:
    """/start or a menu button: whatever was open ends; the section asked for answers next."""
    end_open_conversations(context.application, update)


def leave_for_menu() -> list[BaseHandler[Update, BotContext, None]]:
    """Handlers for a group of their own, ahead of every conversation (see the module doc)."""
    return [CommandHandler("start", _leave_all), MessageHandler(menu_button(), _leave_all)]


def exits() -> list[BaseHandler[Update, BotContext, object]]:
    """Fallbacks every conversation carries (put them first among its fallbacks)."""
    return [CommandHandler("cancel", cancel)]
