"""Every step of every officer conversation checks who presses (issue 8, item 1).

Not only the entry points: each state's handlers too, so an officer removed half-way
can finish nothing. A new state or button added later is covered without a decorator.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import ApplicationBuilder, ConversationHandler, DictPersistence

from bot.app import register_handlers
from bot.application import HomebizApplication
from handlers.auth import guarded_by, is_admin, is_officer

OFFICER_CONVERSATIONS = {"officer_desk", "officer_tickets", "announce", "exhibition_admin"}
ADMIN_CONVERSATIONS = {"officer_admin"}


def _conversations() -> dict[str, ConversationHandler[Any]]:
    application = (
        ApplicationBuilder()
        .application_class(HomebizApplication, kwargs={"services": None})
        .token("123456:TEST-token")
        .updater(None)
        .persistence(DictPersistence())
        .build()
    )
    assert isinstance(application, HomebizApplication)
    register_handlers(application)
    return {
        str(handler.name): handler
        for group in application.handlers.values()
        for handler in group
        if isinstance(handler, ConversationHandler)
    }


def test_every_entry_and_state_of_officer_conversations_is_guarded() -> None:
    conversations = _conversations()
    assert set(conversations) >= OFFICER_CONVERSATIONS | ADMIN_CONVERSATIONS
    for name in OFFICER_CONVERSATIONS | ADMIN_CONVERSATIONS:
        conversation = conversations[name]
        wanted = is_admin if name in ADMIN_CONVERSATIONS else is_officer
        steps = [*conversation.entry_points]
        steps += [h for handlers in conversation.states.values() for h in handlers]
        assert steps
        for step in steps:
            assert guarded_by(step.callback) is wanted, (name, step)


def test_citizens_conversations_are_not_guarded() -> None:
    conversations = _conversations()
    for name, conversation in conversations.items():
        if name in OFFICER_CONVERSATIONS | ADMIN_CONVERSATIONS:
            continue
        for step in conversation.entry_points:
            assert guarded_by(step.callback) is None, (name, step)
