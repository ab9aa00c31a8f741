"""Inline buttons shared by the workers and the conversations that answer them."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from texts import buttons
from texts.i18n import _

UNSUBSCRIBE_DATA = buttons.UNSUBSCRIBE.pack()
# «Leave a message» for the officers: a ticket (conversations/tickets.py). The FAQ offers it
# too, with the id of the question it could not answer, which then opens the ticket.
CONTACT_WRITE_DATA = buttons.ContactWrite().pack()


def ask_officer_data(question_id: int | None = None) -> str:
    """«Ask an officer»: the contact flow, carrying the FAQ question to send, if any."""
    return buttons.ContactWrite(question_id).pack()


def unsubscribe_markup() -> InlineKeyboardMarkup:
    """The "🔕 Unsubscribe" button every announcement carries."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("🔕 Unsubscribe"), callback_data=UNSUBSCRIBE_DATA)]]
    )
