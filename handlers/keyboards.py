"""Inline buttons shared by the workers and the conversations that answer them."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from texts.i18n import _

UNSUBSCRIBE_DATA = "unsub"


def unsubscribe_markup() -> InlineKeyboardMarkup:
    """The "🔕 Unsubscribe" button every announcement carries."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("🔕 Unsubscribe"), callback_data=UNSUBSCRIBE_DATA)]]
    )
