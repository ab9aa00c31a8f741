"""A few hundred random inputs, seeded: every /start and every menu button gets an answer,
whatever conversations the presses before left open (issue 8, item 12); every pressed
button's query is answered.

The inputs: menu buttons (pressed or typed), /start variants (``/start@bot``, a payload),
the commands that open conversations, /cancel, buttons of older messages of any section,
and random text. A failure prints the seed and the inputs that led to it.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable

import pytest

from botapi_emulator import BotMessage, Citizen
from handlers.menu import MenuItem, label
from tests.conftest import OFFICER_ID, CitizenFactory, RunningBot

# Four walks of 100 inputs rather than two of 200: as many inputs, and the two test workers
# share them evenly (a 10 s case landing last set the suite's wall time).
STEPS = 100
COMMANDS = (
    "/cancel",
    "/help",
    "/check",
    "/apply",
    "/status",
    "/stop",
    "/officer",
    "/officers",
    "/exhibitions_admin",
    "/announce",
)
TEXTS = (
    "سلام",
    "بله",
    "خیر",
    "۱۳۷۰",
    "1370/05/12",
    "۰۹۱۶۱۲۳۴۵۶۷",
    "0012345679",
    "۲۰۰ میلیون",
    "خیاطی",
    "خرم‌آباد",
    "علي كريمي",
    "↩️ بازگشت",
    "✖️ انصراف",
    "راهنما",
    "?!",
)
# Buttons left out of the walk: the statistics chart is slow to draw and adds nothing here.
SKIPPED_DATA = ("off:stats",)


def _older_buttons(user: Citizen) -> list[tuple[BotMessage, str]]:
    """Every inline button on any message so far (a stale one, mostly)."""
    return [
        (message, text)
        for message in user.messages
        for row in message.inline_buttons
        for text, data in row
        if data and not data.startswith(SKIPPED_DATA)
    ]


def _start_variants(username: str, rng: random.Random) -> list[str]:
    junk = "".join(rng.choice("abcxyz019_-") for _ in range(rng.randint(1, 40)))
    return [
        "/start",
        f"/start@{username}",
        f"/start {junk}",
        f"/start@{username} {junk}",
        "/start exhibition_12",
    ]


Action = Callable[[], Awaitable[list[BotMessage]]]


@pytest.mark.parametrize(
    ("who", "seed"), [("citizen", 8), ("citizen", 21), ("officer", 12), ("officer", 30)]
)
async def test_every_start_and_menu_button_is_answered(
    who: str, seed: int, bot: RunningBot, make_citizen: CitizenFactory
) -> None:
    rng = random.Random(seed)
    user = await make_citizen(user_id=OFFICER_ID if who == "officer" else None)
    username = bot.application.bot.username
    history: list[str] = []
    unanswered: list[str] = []
    for _step in range(STEPS):
        roll = rng.random()
        must_answer = False
        if roll < 0.25:
            item = rng.choice(list(MenuItem))
            text = label(item) if rng.random() < 0.8 else label(item)[2:]  # typed, no emoji
            described, must_answer = f"menu {item.name}: {text!r}", True
            action: Action = _says(user, text)
        elif roll < 0.40:
            text = rng.choice(_start_variants(username, rng))
            described, must_answer = text, True
            action = _command(user, text)
        elif roll < 0.55:
            text = rng.choice(COMMANDS)
            described, action = text, _command(user, text)
        elif roll < 0.85 and (buttons := _older_buttons(user)):
            message, text = rng.choice(buttons)
            described = f"button {text!r} of message {message.message_id}"
            action = _presses(user, text, message)
        else:
            text = rng.choice(TEXTS)
            described, action = f"text {text!r}", _says(user, text)
        history.append(described)
        replies = await action()
        if must_answer and not replies:
            unanswered.append(described)
            break
        if described.startswith("/start") and not any(r.buttons for r in replies):
            unanswered.append(described + " (no main menu)")
            break
        if described.startswith("button") and user.last_callback_answer is None:
            unanswered.append(described + " (the query was not answered)")
            break
    assert not unanswered, f"seed {seed}: no answer to {unanswered}; inputs: {history[-12:]}"


def _says(user: Citizen, text: str) -> Action:
    return lambda: user.says(text)


def _command(user: Citizen, text: str) -> Action:
    return lambda: user.sends_command(text)


def _presses(user: Citizen, text: str, message: BotMessage) -> Action:
    return lambda: user.presses(text, on=message)
