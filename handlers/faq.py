"""Questions answered from the FAQ (data/faq.yaml), and the /faq list of topics.

A typed text no step waits for (handlers/fallback.py):
  a confident match → its answer, then «Did this answer help?» 👍 👎
  close matches     → «Did you mean?» with up to three questions, and «ask an officer»
  nothing close     → «ask an officer» (the question becomes a ticket) or the list of topics
  not a question    → False: the fallback says «not understood»
/faq or the menu button → topics → a topic's questions → its answer, 👍 👎
👎 → sorry, and «ask an officer» (the question becomes a ticket).
Stateless: each button carries the stored question's id or an entry id, checked on every press.
The citizen's words are stored (storage/faq.py) for the office's report, never logged.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from domain.faq import FaqEntry, FaqOutcome
from domain.faq_match import MatchKind
from domain.faq_words import normalize_question
from domain.models import Citizen
from domain.persian import redact
from handlers.context import BotContext
from handlers.keyboards import ask_officer_data
from handlers.menu import MenuItem, menu_button
from storage.faq import FaqQuestion
from texts import buttons
from texts.faq import answer_text
from texts.i18n import _

LOGGER = logging.getLogger(__name__)

MAX_STORED_CHARS = 500  # a question, not a letter: the report needs no more


# --- typed questions ------------------------------------------------------------------------


async def _citizen(update: Update, context: BotContext) -> Citizen | None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    services = context.services
    return await services.store.citizens.get_or_create(services.platform.value, user.id, chat.id)


def _vote_markup(row_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("👍 Yes"), callback_data=buttons.FaqVote(row_id, "y").pack()
                ),
                InlineKeyboardButton(_("👎 No"), callback_data=buttons.FaqVote(row_id, "n").pack()),
            ]
        ]
    )


def _officer_markup(row_id: int) -> InlineKeyboardMarkup:
    """«Ask an officer» (the question goes to them as a ticket) and the list of topics."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("✉️ Ask an officer"), callback_data=ask_officer_data(row_id))],
            [
                InlineKeyboardButton(
                    _("💬 See the frequently asked questions"),
                    callback_data=buttons.FAQ_TOPICS.pack(),
                )
            ],
        ]
    )


async def answer_question(update: Update, context: BotContext) -> bool:
    """Answer a typed text from the FAQ; False when it is not a question (greeting, number)."""
    message = update.effective_message
    text = message.text if message is not None else None
    if message is None or not text:
        return False
    book = context.services.catalogue.faq
    match = book.match(text)
    if match.kind is MatchKind.NOT_A_QUESTION:
        return False
    citizen = await _citizen(update, context)
    if citizen is None:
        return False
    shown = [s.entry for s in match.candidates]
    outcome = {
        MatchKind.ANSWER: FaqOutcome.ANSWERED,
        MatchKind.SUGGEST: FaqOutcome.SUGGESTED,
    }.get(match.kind, FaqOutcome.UNMATCHED)
    row_id = await context.services.store.faq.record(
        citizen.id,
        outcome,
        text=redact(text.strip())[:MAX_STORED_CHARS],
        normalized=normalize_question(text)[:MAX_STORED_CHARS],
        entry_id=shown[0].id if outcome is FaqOutcome.ANSWERED else None,
        suggested=[e.id for e in shown] if outcome is FaqOutcome.SUGGESTED else (),
    )
    LOGGER.info("FAQ question %s: %s", row_id, outcome.value)  # never the citizen's words
    if outcome is FaqOutcome.ANSWERED:
        await _send_answer(update, context, shown[0], row_id)
    elif outcome is FaqOutcome.SUGGESTED:
        rows = [
            [
                InlineKeyboardButton(
                    entry.question, callback_data=buttons.FaqPick(row_id, entry.id).pack()
                )
            ]
            for entry in shown
        ]
        rows.append(
            [
                InlineKeyboardButton(
                    _("None of these: ask an officer"), callback_data=ask_officer_data(row_id)
                )
            ]
        )
        await message.reply_text(_("Did you mean?"), reply_markup=InlineKeyboardMarkup(rows))
    else:
        await message.reply_text(
            _(
                "I could not find an answer to this question. You can ask an officer, or look "
                "through the frequently asked questions."
            ),
            reply_markup=_officer_markup(row_id),
        )
    return True


async def _send_answer(update: Update, context: BotContext, entry: FaqEntry, row_id: int) -> None:
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(
        chat.id,
        answer_text(entry, context.services.catalogue),
        reply_markup=_vote_markup(row_id),
    )


async def _stale(update: Update) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer(_("This button is no longer active. Please use the menu."))


async def _own_question(update: Update, context: BotContext, row: int) -> FaqQuestion | None:
    """The stored question when it is the presser's own, else None (forged or stale data)."""
    user = update.effective_user
    if user is None:
        return None
    services = context.services
    citizen = await services.store.citizens.get_by_platform_user(services.platform.value, user.id)
    stored = await services.store.faq.get(row)
    if citizen is None or stored is None or stored.citizen_id != citizen.id:
        return None
    return stored


async def pick(update: Update, context: BotContext) -> None:
    """A «Did you mean?» button: that entry's answer, and the buttons go."""
    query = update.callback_query
    pressed = buttons.FaqPick.unpack(query.data if query else None)
    if query is None or pressed is None:
        return
    row, entry_id = pressed.question_id, pressed.entry
    stored = await _own_question(update, context, row)
    entry = context.services.catalogue.faq.entry(entry_id)
    if (
        stored is None
        or entry is None
        or stored.outcome is not FaqOutcome.SUGGESTED
        or entry_id not in stored.suggested
    ):
        await _stale(update)
        return
    await context.services.store.faq.pick(stored.id, entry.id)
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await _send_answer(update, context, entry, stored.id)


async def vote(update: Update, context: BotContext) -> None:
    """👍 or 👎: stored; the vote buttons go; 👎 offers an officer."""
    query = update.callback_query
    pressed = buttons.FaqVote.unpack(query.data if query else None)
    if query is None or pressed is None:
        return
    row, choice = pressed.question_id, pressed.helpful
    stored = await _own_question(update, context, row)
    if stored is None or stored.entry_id is None:  # only an answer shown can be voted on
        await _stale(update)
        return
    helpful = choice == "y"
    await context.services.store.faq.vote(stored.id, helpful)
    await query.answer(_("Thank you for your feedback."))
    await query.edit_message_reply_markup(reply_markup=None)
    if not helpful and query.message is not None:
        await context.bot.send_message(
            query.message.chat.id,
            _("Sorry this answer did not help. You can ask an officer your question."),
            reply_markup=_officer_markup(stored.id),
        )


# --- browsing: /faq and the menu button -----------------------------------------------------


def _topics_view(context: BotContext) -> tuple[str, InlineKeyboardMarkup]:
    book = context.services.catalogue.faq
    rows = [
        [InlineKeyboardButton(topic.name, callback_data=buttons.FaqTopic(topic.code).pack())]
        for topic in book.topics
    ]
    text = _(
        "Frequently asked questions. Choose a topic, or simply type your question and I will "
        "look for the answer."
    )
    return text, InlineKeyboardMarkup(rows)


async def show_topics(update: Update, context: BotContext) -> None:
    """/faq, the menu button, or «see the frequently asked questions»: the topics as buttons."""
    text, markup = _topics_view(context)
    query, chat = update.callback_query, update.effective_chat
    if query is not None:
        await query.answer()
    if chat is not None:
        await context.bot.send_message(chat.id, text, reply_markup=markup)


async def back_to_topics(update: Update, context: BotContext) -> None:
    """«Back to the topics» under a topic's questions: the same message shows the topics."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    text, markup = _topics_view(context)
    await query.edit_message_text(text, reply_markup=markup)


async def show_topic(update: Update, context: BotContext) -> None:
    """A topic's questions as buttons, in place of the topics."""
    query = update.callback_query
    pressed = buttons.FaqTopic.unpack(query.data if query else None)
    book = context.services.catalogue.faq
    topic = book.topic(pressed.topic) if pressed else None
    if query is None or topic is None:
        await _stale(update)
        return
    await query.answer()
    rows = [
        [InlineKeyboardButton(entry.question, callback_data=buttons.FaqEntry(entry.id).pack())]
        for entry in book.entries_in(topic.code)
    ]
    rows.append(
        [InlineKeyboardButton(_("↩️ Back to the topics"), callback_data=buttons.FAQ_BACK.pack())]
    )
    await query.edit_message_text(
        _("{topic}: choose a question.").format(topic=topic.name),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def show_entry(update: Update, context: BotContext) -> None:
    """An answer opened from the list: stored as browsed, so its 👍/👎 count too."""
    query = update.callback_query
    pressed = buttons.FaqEntry.unpack(query.data if query else None)
    entry = context.services.catalogue.faq.entry(pressed.entry) if pressed else None
    citizen = await _citizen(update, context)
    if query is None or entry is None or citizen is None:
        await _stale(update)
        return
    row_id = await context.services.store.faq.record(
        citizen.id, FaqOutcome.BROWSED, entry_id=entry.id
    )
    await query.answer()
    await _send_answer(update, context, entry, row_id)


def build() -> list[BaseHandler[Update, BotContext, None]]:
    """/faq, the menu button and the FAQ's buttons; register before the sections' catch-all.

    Typed questions reach ``answer_question`` from handlers/fallback.py, last of all.
    """
    return [
        CommandHandler("faq", show_topics),
        MessageHandler(menu_button(MenuItem.FAQ), show_topics),
        CallbackQueryHandler(show_topics, pattern=buttons.FAQ_TOPICS.pattern()),
        CallbackQueryHandler(back_to_topics, pattern=buttons.FAQ_BACK.pattern()),
        CallbackQueryHandler(show_topic, pattern=buttons.FaqTopic.pattern()),
        CallbackQueryHandler(show_entry, pattern=buttons.FaqEntry.pattern()),
        CallbackQueryHandler(pick, pattern=buttons.FaqPick.pattern()),
        CallbackQueryHandler(vote, pattern=buttons.FaqVote.pattern()),
    ]
