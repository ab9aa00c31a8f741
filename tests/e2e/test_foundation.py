"""The first slice, walked by simulated citizens over HTTP through the emulator."""

from __future__ import annotations

import asyncio
import re

from botapi_emulator import Citizen, Emulator, FaultConfig
from config.settings import Settings
from handlers.menu import MenuItem, label
from handlers.start import help_text
from tests.conftest import BOT_TOKEN, CitizenFactory, RunningBot, bot_running
from texts.i18n import _

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
ALLOWED_LATIN = {"start", "cancel", "help", "stop", "PDF", "JPG", "PNG"}


def assert_persian(text: str | None) -> None:
    """A citizen never sees an empty reply, None, or a stray English word."""
    assert text, "empty reply"
    assert "None" not in text
    stray = set(LATIN_WORD.findall(text)) - ALLOWED_LATIN
    assert not stray, f"English words in a citizen's reply: {stray} in {text!r}"


async def test_start_shows_the_welcome_and_the_main_menu(citizen: Citizen) -> None:
    replies = await citizen.sends_command("/start")
    assert len(replies) == 1
    assert_persian(replies[0].text)
    pressed_labels = [text for row in replies[0].buttons for text in row]
    assert pressed_labels == [label(item) for item in _menu_order()]


def _menu_order() -> list[MenuItem]:
    return [
        MenuItem.ELIGIBILITY,
        MenuItem.APPLY,
        MenuItem.TRACK,
        MenuItem.EXHIBITIONS,
        MenuItem.NOTIFICATIONS,
        MenuItem.FAQ,
        MenuItem.HELP,
        MenuItem.CONTACT,
    ]


async def test_every_menu_button_answers_in_persian(citizen: Citizen) -> None:
    await citizen.sends_command("/start")
    for item in MenuItem:
        replies = await citizen.presses(label(item))
        assert replies, f"no answer to {item.name}"
        for reply in replies:
            assert_persian(reply.text)
        await citizen.sends_command("/cancel")


async def test_start_payload_is_kept_and_the_citizen_is_registered(
    citizen: Citizen, bot: RunningBot
) -> None:
    await citizen.sends_command("/start exhibition_12")
    store = bot.application.services.store
    registered = await store.citizens.get_by_platform_user("telegram", citizen.user_id)
    assert registered is not None and registered.chat_id == citizen.user_id
    assert bot.application.user_data[citizen.user_id]["start_payload"] == "exhibition_12"


async def test_cancel_brings_back_the_menu(citizen: Citizen) -> None:
    replies = await citizen.sends_command("/cancel")
    assert replies[-1].text == _("Nothing is in progress. Here is the main menu.")
    assert replies[-1].buttons


async def test_what_is_no_question_gets_a_polite_answer(citizen: Citizen) -> None:
    """A typed question goes to the FAQ (tests/e2e/test_faq.py); a greeting or a sticker-like
    text does not."""
    replies = await citizen.says("سلام 🙂")
    assert replies[-1].text == _(
        "Sorry, I did not understand that. Please choose one of the menu buttons below."
    )


async def test_typed_menu_label_without_emoji_works(citizen: Citizen) -> None:
    replies = await citizen.says("راهنما")
    assert replies[-1].text == help_text()


async def test_replies_survive_injected_429_and_500(citizen: Citizen, emulator: Emulator) -> None:
    # Seeded and counted: two 500s, then one 429 (a 429 costs its whole retry_after second).
    emulator.faults = FaultConfig(
        rate_429=0.3,
        rate_500=0.3,
        retry_after=1,
        count=3,
        methods=frozenset({"sendMessage"}),
        seed=7,
    )
    for _round in range(4):
        replies = await citizen.sends_command("/start")
        assert len(replies) == 1
        assert_persian(replies[0].text)
    faults = {c.fault for c in emulator.calls if c.method == "sendMessage" and not c.ok}
    assert faults >= {"429", "500"}, "the fault injection did not fire; the test proves nothing"


async def test_many_citizens_at_once(make_citizen: CitizenFactory, bot: RunningBot) -> None:
    citizens = [await make_citizen() for _ in range(20)]
    results = await asyncio.gather(*(c.sends_command("/start") for c in citizens))
    assert all(len(r) == 1 for r in results)


async def test_redelivered_update_is_answered_once(
    citizen: Citizen, emulator: Emulator, bot: RunningBot
) -> None:
    """The platform never hears our acknowledgement and sends the update again and again."""
    state = emulator.bot(BOT_TOKEN)
    state.ignore_acks = True
    await citizen.sends_command("/help", wait="reply")
    polls = state.poll_generation
    async with asyncio.timeout(30):
        # three more deliveries of the same update; the emulator's counter has no event
        while state.poll_generation < polls + 3:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    state.ignore_acks = False
    help_replies = [t for t in emulator.delivered_texts(citizen.user_id) if t == help_text()]
    assert len(help_replies) == 1


async def test_a_webhook_left_from_elsewhere_does_not_stop_polling(
    emulator: Emulator, settings: Settings, make_citizen: CitizenFactory
) -> None:
    """Polling cannot work while a webhook is set: the bot removes it at start-up."""
    emulator.bot(BOT_TOKEN).webhook = {"url": "https://example.invalid/hook", "secret_token": None}
    async with bot_running(settings):
        citizen = await make_citizen()
        replies = await citizen.sends_command("/start")
        assert replies and replies[-1].buttons
    assert emulator.bot(BOT_TOKEN).webhook is None
