"""Every conversation can be entered again at any moment, /cancel leaves any of them, and
/start or a menu button is always answered, whatever is open (issue 8, items 11 and 12)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from telegram.ext import CommandHandler, ConversationHandler

from botapi_emulator import BotMessage, Citizen
from conversations.common import Conversation
from handlers.menu import MenuItem, label
from tests.conftest import OFFICER_ID, CitizenFactory, RunningBot
from texts.i18n import _

NOT_UNDERSTOOD = _("Sorry, I did not understand that. Please choose one of the menu buttons below.")
CANCELLED = _("Cancelled. Your answers so far are saved. Here is the main menu.")
STALE = _("This button is no longer active. Please use the menu.")
OFFICER_MENU = _("Officer desk. What would you like to do?")

Step = Callable[[Citizen], Awaitable[list[BotMessage]]]


def shows(replies: list[BotMessage], mark: str) -> bool:
    """Whether ``mark`` is in one of the replies' texts or button labels."""
    for reply in replies:
        labels = [text for row in reply.inline_buttons for text, _data in row]
        labels += [text for row in reply.buttons for text in row]
        if mark in reply.content or any(mark in text for text in labels):
            return True
    return False


def says(text: str) -> Step:
    async def step(user: Citizen) -> list[BotMessage]:
        return await user.says(text)

    return step


def command(text: str) -> Step:
    async def step(user: Citizen) -> list[BotMessage]:
        return await user.sends_command(text)

    return step


def presses(text: str) -> Step:
    async def step(user: Citizen) -> list[BotMessage]:
        return await user.presses(text)

    return step


def answers(typed: str) -> Step:
    """Answer the question on screen: its first choice, or ``typed`` when it has none."""

    async def step(user: Citizen) -> list[BotMessage]:
        shown = [m for m in user.messages if m.inline_buttons]
        choices = [
            text
            for row in (shown[-1].inline_buttons if shown else [])
            for text, data in row
            if data and not data.startswith("nav:")
        ]
        if choices:
            return await user.presses(choices[0], on=shown[-1])
        return await user.says(typed)

    return step


def from_officer_menu(button: str) -> Step:
    """Press a button of the officer menu the officer opened first (an old message by now)."""

    async def step(user: Citizen) -> list[BotMessage]:
        menus = [m for m in user.messages if m.content == OFFICER_MENU]
        assert menus, "the officer opened /officer first"
        return await user.presses(button, on=menus[0])

    return step


@dataclass(frozen=True)
class Walk:
    """How to enter a conversation, go half-way in, and enter it again from elsewhere."""

    officer: bool
    enter: Step
    midway: Step
    again: Step
    mark: str  # something the entry screen shows
    before: Step | None = None


WALKS = {
    "eligibility": Walk(
        officer=False,
        enter=says(label(MenuItem.ELIGIBILITY)),
        midway=answers("۱۳۷۰"),
        again=command("/check"),
        mark=_("Step {step} of {total}").split("{", 1)[0].strip(),
    ),
    "application": Walk(
        officer=False,
        enter=says(label(MenuItem.APPLY)),
        midway=answers("۰۹۱۲۳۴۵۶۷۸۹"),
        again=command("/apply"),
        mark=_("Step {step} of {total}").split("{", 1)[0].strip(),
    ),
    "tracking": Walk(
        officer=False,
        enter=says(label(MenuItem.TRACK)),
        midway=presses(_("🔑 Look up by tracking code")),
        again=command("/status"),
        mark=_("🔑 Look up by tracking code"),
    ),
    "contact": Walk(
        officer=False,
        enter=says(label(MenuItem.CONTACT)),
        midway=presses(_("✉️ Leave a message")),
        again=says(label(MenuItem.CONTACT)),
        mark=_("✉️ Leave a message"),
    ),
    "officer desk": Walk(
        officer=True,
        enter=command("/officer"),
        midway=presses(_("🔎 Find by tracking code")),
        again=command("/officer"),
        mark=OFFICER_MENU,
    ),
    "officer tickets": Walk(
        officer=True,
        enter=command("/tickets"),
        midway=presses(_("🗂 Recently closed")),
        again=from_officer_menu(_("🎫 Tickets")),
        mark=_("🗂 Recently closed"),
        before=command("/officer"),
    ),
    "officers": Walk(
        officer=True,
        enter=command("/officers"),
        midway=presses(_("➕ Add an officer")),
        again=command("/officers"),
        mark=_("Officers:"),
    ),
    "exhibitions desk": Walk(
        officer=True,
        enter=from_officer_menu(_("🛍 Exhibitions")),
        midway=presses(_("➕ New exhibition")),
        again=command("/exhibitions_admin"),
        mark=_("➕ New exhibition"),
        before=command("/officer"),
    ),
    "announcements": Walk(
        officer=True,
        enter=command("/announce"),
        midway=presses(_("✏️ A free text")),
        again=from_officer_menu(_("📣 Announcements")),
        mark=_("✏️ A free text"),
        before=command("/officer"),
    ),
}


# The persistent names of the conversations WALKS walks through.
CONVERSATION_NAMES = {
    "eligibility",
    "application",
    "tracking",
    "contact",
    "officer_desk",
    "officer_tickets",
    "officer_admin",
    "exhibition_admin",
    "announce",
}


@pytest.mark.parametrize("name", list(WALKS))
async def test_every_conversation_can_be_entered_again_and_left(
    name: str, bot: RunningBot, make_citizen: CitizenFactory
) -> None:
    walk = WALKS[name]
    user = await make_citizen(user_id=OFFICER_ID if walk.officer else None)
    await user.sends_command("/start")
    if walk.before is not None:
        await walk.before(user)

    assert shows(await walk.enter(user), walk.mark), f"{name}: not entered"
    assert await walk.midway(user), f"{name}: no answer half-way"
    assert shows(await walk.again(user), walk.mark), f"{name}: not entered again half-way"
    assert shows(await walk.enter(user), walk.mark), f"{name}: not entered a third time"

    await walk.midway(user)
    left = await user.sends_command("/cancel")
    assert [m.content for m in left] == [CANCELLED], f"{name}: /cancel did not leave"
    # What the half-way step would have taken is no longer taken: the conversation is closed.
    assert (await user.says("سلام"))[-1].content == NOT_UNDERSTOOD, f"{name}: still open"

    assert shows(await walk.enter(user), walk.mark), f"{name}: not entered after /cancel"
    assert shows(await walk.again(user), walk.mark), f"{name}: not entered again after /cancel"


async def test_the_officer_gets_back_into_the_exhibitions_desk(
    bot: RunningBot, make_citizen: CitizenFactory
) -> None:
    """The issue's walk: the desk's «exhibitions» twice, /exhibitions_admin after /cancel,
    /announce twice in a row."""
    officer = await make_citizen(user_id=OFFICER_ID)
    menu = (await officer.sends_command("/officer"))[-1]
    listed = await officer.presses(_("🛍 Exhibitions"), on=menu)
    assert shows(listed, _("➕ New exhibition"))
    again = await officer.presses(_("🛍 Exhibitions"), on=menu)
    assert shows(again, _("➕ New exhibition")), "the desk's button a second time"
    assert STALE not in str(officer.last_callback_answer or "")

    await officer.sends_command("/cancel")
    assert shows(await officer.sends_command("/exhibitions_admin"), _("➕ New exhibition"))

    assert shows(await officer.sends_command("/announce"), _("✏️ A free text"))
    assert shows(await officer.sends_command("/announce"), _("✏️ A free text"))


async def test_typed_text_reaches_the_conversation_entered_last(
    bot: RunningBot, make_citizen: CitizenFactory
) -> None:
    """Searching in the desk, then a new exhibition from the old menu: the title typed next
    is the exhibition's, not a tracking code for the desk."""
    officer = await make_citizen(user_id=OFFICER_ID)
    menu = (await officer.sends_command("/officer"))[-1]
    await officer.presses(_("🔎 Find by tracking code"))
    await officer.presses(_("🛍 Exhibitions"), on=menu)
    await officer.presses(_("➕ New exhibition"))
    asked = await officer.says("بازارچهٔ نوروزی ازنا")
    assert shows(asked, _("Choose the kind of exhibition.")), [m.content for m in asked]


async def test_start_is_answered_after_two_conversations_were_opened(
    bot: RunningBot, make_citizen: CitizenFactory
) -> None:
    citizen = await make_citizen()
    await citizen.sends_command("/start")
    contact = await citizen.says(label(MenuItem.CONTACT))
    await citizen.presses(_("✉️ Leave a message"))
    assert await citizen.says(label(MenuItem.APPLY)), "the application opens"
    asked = await citizen.presses(_("✉️ Leave a message"), on=contact[-1])
    assert asked, "the old «leave a message» button opens the contact form again"

    replies = await citizen.sends_command("/start")
    assert replies, "/start got no answer"
    assert replies[0].buttons, "the main menu comes with it"


async def test_a_meaningless_start_payload_is_answered_with_the_menu(
    bot: RunningBot, make_citizen: CitizenFactory
) -> None:
    citizen = await make_citizen()
    await citizen.says(label(MenuItem.ELIGIBILITY))
    for text in ("/start nonsense-%%-payload", "/start " + "x" * 200, "/start ۱۲۳"):
        replies = await citizen.sends_command(text)
        assert replies and replies[0].buttons, f"{text!r}: no menu"
    # Not a question of the check left open: the menu's sections answer next.
    assert shows(await citizen.says(label(MenuItem.HELP)), "/start")


def test_every_registered_conversation_keeps_the_rules(bot: RunningBot) -> None:
    """A conversation added later gets the same ways in and out, or this fails."""
    conversations = [
        handler
        for group in bot.application.handlers.values()
        for handler in group
        if isinstance(handler, ConversationHandler)
    ]
    assert {c.name for c in conversations} == CONVERSATION_NAMES, "a new one needs a walk"
    for conversation in conversations:
        assert isinstance(conversation, Conversation), conversation.name
        assert conversation.allow_reentry, conversation.name
        commands = {
            command
            for fallback in conversation.fallbacks
            if isinstance(fallback, CommandHandler)
            for command in fallback.commands
        }
        assert "cancel" in commands, conversation.name
