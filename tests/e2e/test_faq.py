"""Questions answered from the FAQ, walked by citizens over HTTP through the emulator."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from botapi_emulator import BotMessage, Citizen, Emulator
from domain.catalogue import Catalogue
from domain.faq import FaqOutcome
from handlers.menu import MenuItem, label
from storage import Store
from storage.faq import FaqQuestion
from tests.conftest import CitizenFactory, RunningBot, bot_running, make_settings
from tests.settle import store_settled
from texts.faq import answer_text, render_answer
from texts.i18n import _
from texts.tickets import number

YES, NO = _("👍 Yes"), _("👎 No")
ASK_OFFICER = _("✉️ Ask an officer")
STALE = _("This button is no longer active. Please use the menu.")
UNMATCHED = _(
    "I could not find an answer to this question. You can ask an officer, or look through "
    "the frequently asked questions."
)


def _catalogue(bot: RunningBot) -> Catalogue:
    return bot.application.services.catalogue


def _store(bot: RunningBot) -> Store:
    return bot.application.services.store


def _inline_labels(message: BotMessage) -> list[str]:
    return [text for row in message.inline_buttons for text, _data in row]


async def _questions(store: Store) -> list[FaqQuestion]:
    async with store.db.read() as c, c.execute("SELECT id FROM faq_questions ORDER BY id") as cur:
        ids = [int(r["id"]) for r in await cur.fetchall()]
    found = [await store.faq.get(i) for i in ids]
    return [q for q in found if q is not None]


async def test_a_typed_question_is_answered_and_the_votes_are_stored(
    citizen: Citizen, bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    catalogue = _catalogue(bot)
    guarantor = catalogue.faq.entry("guarantor")
    assert guarantor is not None
    await citizen.sends_command("/start")
    with caplog.at_level(logging.INFO):
        replies = await citizen.says("ضامن لازمه؟")
    assert replies[-1].text == answer_text(guarantor, catalogue)
    assert _("Did this answer help you?") in replies[-1].content
    assert _inline_labels(replies[-1]) == [YES, NO]
    assert "ضامن لازمه" not in caplog.text  # the citizen's words are stored, never logged

    await citizen.presses(YES)
    assert citizen.last_callback_answer is not None
    assert citizen.last_callback_answer["text"] == _("Thank you for your feedback.")
    (asked,) = await _questions(_store(bot))
    assert (asked.outcome, asked.entry_id, asked.helpful) == (
        FaqOutcome.ANSWERED,
        "guarantor",
        True,
    )
    assert asked.text == "ضامن لازمه؟"
    answered = next(m for m in citizen.messages if m.message_id == replies[-1].message_id)
    assert answered.inline_buttons == []  # voted: the buttons are gone

    # The interest rate comes from rules.yaml, in Persian digits; 👎 offers an officer.
    interest = catalogue.faq.entry("interest_rate")
    assert interest is not None
    replies = await citizen.says("كارمزد وامش چنده؟")  # Arabic ك
    assert replies[-1].text == answer_text(interest, catalogue)
    assert "۴ درصد" in render_answer(interest, catalogue)
    after = await citizen.presses(NO)
    assert after[-1].text == _(
        "Sorry this answer did not help. You can ask an officer your question."
    )
    assert ASK_OFFICER in _inline_labels(after[-1])
    disliked = (await _questions(_store(bot)))[-1]
    assert (disliked.entry_id, disliked.helpful) == ("interest_rate", False)


async def test_a_near_miss_is_picked_from_three_buttons(citizen: Citizen, bot: RunningBot) -> None:
    catalogue = _catalogue(bot)
    replies = await citizen.says("بیمه")
    offer = replies[-1]
    assert offer.text == _("Did you mean?")
    labels = _inline_labels(offer)
    questions = labels[:-1]
    assert 2 <= len(questions) <= 3
    assert labels[-1] == _("None of these: ask an officer")
    insurance = catalogue.faq.entry("insurance")
    assert insurance is not None and insurance.question in questions

    answer = await citizen.presses(insurance.question)
    assert answer[-1].text == answer_text(insurance, catalogue)
    (asked,) = await _questions(_store(bot))
    assert (asked.outcome, asked.entry_id) == (FaqOutcome.PICKED, "insurance")
    assert "insurance" in asked.suggested
    shown = next(m for m in citizen.messages if m.message_id == offer.message_id)
    assert shown.inline_buttons == []  # one pick per question

    await citizen.presses(YES)
    voted = await _store(bot).faq.get(asked.id)
    assert voted is not None and voted.helpful is True


async def test_an_unknown_question_is_offered_an_officer(citizen: Citizen, bot: RunningBot) -> None:
    replies = await citizen.says("قیمت دلار امروز چنده؟")
    assert replies[-1].text == UNMATCHED
    assert _inline_labels(replies[-1]) == [ASK_OFFICER, _("💬 See the frequently asked questions")]
    store = _store(bot)
    (unanswered,) = await store.faq.unanswered()
    assert (unanswered.example, unanswered.count, unanswered.outcome) == (
        "قیمت دلار امروز چنده؟",
        1,
        FaqOutcome.UNMATCHED,
    )

    # «Ask an officer» sends that very question to the officers, as a ticket.
    asked = await citizen.presses(ASK_OFFICER)
    registered = await store.citizens.get_by_platform_user("telegram", citizen.user_id)
    assert registered is not None
    ticket = await store.tickets.open_for_citizen(registered.id)
    assert ticket is not None
    assert asked[-1].text is not None and asked[-1].text.startswith(
        _(
            "Your message was registered as ticket {number}. Our officers answer here, in the "
            "bot. You can send more messages, photos or PDF files: they join the same ticket. "
            "When you have finished, press «✔️ Done»."
        ).format(number=number(ticket.id))
    )
    (question,) = await store.tickets.messages(ticket.id, with_notes=True)
    assert question.text == "قیمت دلار امروز چنده؟"
    assert ticket.source.value == "faq"
    async with (
        store.db.read() as c,
        c.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'officer_alert'") as cur,
    ):
        row = await cur.fetchone()
    assert row is not None and row[0] >= 1
    # What the citizen writes next joins the ticket; it is not a new FAQ question.
    more = await citizen.says("برای خرید مواد اولیه می‌خواستم بدانم")
    assert more[-1].text == _("Added to your ticket {number}.").format(number=number(ticket.id))
    assert len(await _questions(store)) == 1


async def test_greetings_numbers_and_photos_are_not_questions(
    citizen: Citizen, bot: RunningBot
) -> None:
    not_understood = _(
        "Sorry, I did not understand that. Please choose one of the menu buttons below."
    )
    for text in ("سلام", "۱۳۷۰", "🙏"):
        assert (await citizen.says(text))[-1].text == not_understood
    assert await _questions(_store(bot)) == []


async def test_the_faq_is_browsed_by_topic(citizen: Citizen, bot: RunningBot) -> None:
    catalogue = _catalogue(bot)
    book = catalogue.faq
    replies = await citizen.sends_command("/faq")
    topics = replies[-1]
    assert _inline_labels(topics) == [t.name for t in book.topics]

    documents = book.topic("documents")
    assert documents is not None
    listed = await citizen.presses(documents.name)
    assert listed[-1].message_id == topics.message_id  # the same message, now the questions
    entries = book.entries_in("documents")
    assert _inline_labels(listed[-1]) == [e.question for e in entries] + [_("↩️ Back to the topics")]
    answer = await citizen.presses(entries[0].question)
    assert answer[-1].text == answer_text(entries[0], catalogue)
    assert "کارت ملی" in (answer[-1].text or "")  # {always_documents} from documents.yaml
    await citizen.presses(NO)
    (browsed,) = await _questions(_store(bot))
    assert (browsed.outcome, browsed.entry_id, browsed.helpful, browsed.text) == (
        FaqOutcome.BROWSED,
        entries[0].id,
        False,
        None,
    )

    back = await citizen.presses(_("💬 See the frequently asked questions"))
    assert _inline_labels(back[-1]) == [t.name for t in book.topics]
    await citizen.presses(documents.name)
    again = await citizen.presses(_("↩️ Back to the topics"))
    assert _inline_labels(again[-1]) == [t.name for t in book.topics]

    # The main-menu button opens the same list.
    menu = await citizen.says(label(MenuItem.FAQ))
    assert _inline_labels(menu[-1]) == [t.name for t in book.topics]


async def test_nobody_votes_or_picks_for_another_citizen(
    make_citizen: CitizenFactory, bot: RunningBot
) -> None:
    owner, intruder = await make_citizen(), await make_citizen()
    offer = await owner.says("بیمه")
    (asked,) = await _questions(_store(bot))
    mine = await intruder.says("ضامن میخواد؟")
    anchor = mine[-1].message_id
    # Someone else's question, a topic that does not exist, and (below) a vote on buttons.
    for data in (f"faq:v:{asked.id}:n", f"faq:p:{asked.id}:insurance", "faq:t:weather"):
        assert await intruder.sends_callback(anchor, data) == []
        assert intruder.last_callback_answer is not None
        assert intruder.last_callback_answer["text"] == STALE
    untouched = await _store(bot).faq.get(asked.id)
    assert untouched is not None
    assert (untouched.outcome, untouched.helpful) == (FaqOutcome.SUGGESTED, None)
    # The owner cannot vote on buttons that were never an answer either.
    await owner.sends_callback(offer[-1].message_id, f"faq:v:{asked.id}:y")
    still = await _store(bot).faq.get(asked.id)
    assert still is not None and still.helpful is None


async def test_the_faq_on_bale(tmp_path: Path) -> None:
    """Bale: plain text, no parse_mode; answers, buttons and votes work the same."""
    async with Emulator(mode="bale") as emulator:
        settings = make_settings(emulator, tmp_path / "data", bot_platform="bale")
        async with bot_running(settings) as running:
            citizen = Citizen(
                emulator.url,
                user_id=7171,
                first_name="زهرا",
                settle=store_settled(settings.database_path),
            )
            try:
                catalogue = running.application.services.catalogue
                loan = catalogue.faq.entry("loan_independent")
                assert loan is not None
                replies = await citizen.says("وام چقدره؟")
                assert replies[-1].text == answer_text(loan, catalogue)
                assert "۲۰۰ میلیون تومان" in (replies[-1].text or "")  # rules.yaml's cap
                await citizen.presses(YES)
                offer = await citizen.says("بیمه")
                assert offer[-1].text == _("Did you mean?")
                topics = await citizen.sends_command("/faq")
                assert len(_inline_labels(topics[-1])) == len(catalogue.faq.topics)
            finally:
                await citizen.close()
            store = running.application.services.store
            (answered, suggested) = await _questions(store)
            assert (answered.outcome, answered.helpful) == (FaqOutcome.ANSWERED, True)
            assert suggested.outcome is FaqOutcome.SUGGESTED
        assert all(call.ok for call in emulator.calls if call.method != "getUpdates")
        assert not any("parse_mode" in call.params for call in emulator.calls)
