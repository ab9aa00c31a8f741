"""Received is stored: updates go to the inbox in one commit, then to the lanes.

Polling acknowledges a batch (the next getUpdates offset) only after ``receive`` returned;
a webhook answers 200 only after it returned. Either way an update the platform considers
delivered is already on disk, and one delivered again is recognised and skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from telegram import Update

from bot.updates.dispatcher import Dispatcher
from storage.inbox import Inbox, Received

LOGGER = logging.getLogger(__name__)

# An update as the platform sent it (its JSON object) and as parsed from that.
Arrival = tuple[dict[str, Any], Update]


class Receiver:
    """The one door for updates, whatever brought them."""

    def __init__(self, inbox: Inbox, dispatcher: Dispatcher) -> None:
        self.inbox = inbox
        self.dispatcher = dispatcher

    async def receive(self, updates: Sequence[Arrival]) -> int:
        """Store the batch durably, hand the new ones to their lanes; return how many were new.

        The JSON is stored as it came, not serialised again from the parsed update.
        """
        fresh = await self.inbox.store([as_received(raw, update) for raw, update in updates])
        if len(fresh) < len(updates):
            LOGGER.info("Skipping %d re-delivered update(s)", len(updates) - len(fresh))
        self.dispatcher.submit(fresh)
        return len(fresh)


def chat_key(update: Update) -> int:
    """The lane of an update: its chat, else its user, else one shared lane."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return 0


def as_received(raw: dict[str, Any], update: Update) -> Received:
    """What the inbox stores of an update: its JSON as it came, in its chat's lane."""
    # Stored before as update.to_dict(): its digest recognises an update delivered again
    # after the upgrade (storage.inbox).
    return Received(update.update_id, chat_key(update), raw, update, former=update.to_dict)
