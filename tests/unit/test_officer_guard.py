"""Every step of every officer conversation checks who presses (issue 8, item 1).

Not only the entry points: each state's handlers too, so an officer removed half-way
can finish nothing. A new state or button added later is covered without a decorator.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from telegram.ext import ApplicationBuilder, ConversationHandler, DictPersistence

from bot.app import register_handlers
from bot.application import HomebizApplication
from conversations.common import cancel
from handlers.auth import guarded_by, is_admin, is_officer

OFFICER_CONVERSATIONS = {"officer_desk", "officer_tickets", "announce", "exhibition_admin"}
ADMIN_CONVERSATIONS = {"officer_admin"}


@cache  # two tests read them; building the Application and its handlers is the costly part
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
        steps += [h for h in conversation.fallbacks if h.callback is not cancel]
        assert steps
        for step in steps:
            assert guarded_by(step.callback) is wanted, (name, step)
        # the way out stays open to anyone (a removed officer can still leave)
        ways_out = [h for h in conversation.fallbacks if h.callback is cancel]
        assert ways_out and all(guarded_by(h.callback) is None for h in ways_out)


def test_the_guard_is_the_one_mechanism_no_callback_decorates_itself() -> None:
    """Officer modules carry no guard of their own: bot.app's officer_steps is the one."""
    root = Path(__file__).resolve().parents[2]
    modules = [*(root / "conversations" / "officer").glob("*.py")]
    modules += [root / "conversations" / n for n in ("announce.py", "exhibition_admin.py")]
    modules += [root / "handlers" / "officer_menu.py"]
    for path in modules:
        source = path.read_text(encoding="utf-8")
        assert "officer_only" not in source and "admin_only" not in source, path


def test_citizens_conversations_are_not_guarded() -> None:
    conversations = _conversations()
    for name, conversation in conversations.items():
        if name in OFFICER_CONVERSATIONS | ADMIN_CONVERSATIONS:
            continue
        for step in conversation.entry_points:
            assert guarded_by(step.callback) is None, (name, step)
