"""Inline buttons shared by the workers and the conversations that answer them."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from texts.i18n import _

UNSUBSCRIBE_DATA = "unsub"
# «Leave a message» for the officers (conversations/contact.py); the FAQ offers it too.
CONTACT_WRITE_DATA = "contact:write"


def unsubscribe_markup() -> InlineKeyboardMarkup:
    """The "🔕 Unsubscribe" button every announcement carries."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("🔕 Unsubscribe"), callback_data=UNSUBSCRIBE_DATA)]]
    )
