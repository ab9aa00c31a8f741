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
import re
from dataclasses import dataclass

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
from texts.faq import answer_text
from texts.i18n import _

LOGGER = logging.getLogger(__name__)

MAX_STORED_CHARS = 500  # a question, not a letter: the report needs no more


@dataclass(frozen=True)
class _Button:
    """One kind of FAQ button: ``faq:<kind>:<part>:…``, record ids only (≤ 64 bytes)."""

    kind: str
    parts: str = ""  # the regex of what follows the kind, its groups the parts

    def pack(self, *parts: object) -> str:
        return ":".join(("faq", self.kind, *(str(p) for p in parts)))

    def pattern(self) -> str:
        return f"^{self._regex()}$"

    def unpack(self, data: str | None) -> list[str] | None:
        match = re.fullmatch(self._regex(), data or "")
        return None if match is None else list(match.groups())

    def _regex(self) -> str:
        return f"faq:{self.kind}:{self.parts}" if self.parts else f"faq:{self.kind}"


_ID = r"([a-z][a-z0-9_]*)"
TOPICS = _Button("topics")  # the list of topics, as a new message
BACK = _Button("back")  # the list of topics, in place of a topic's questions
TOPIC = _Button("t", _ID)  # a topic's questions
ENTRY = _Button("e", _ID)  # an answer opened from the list
PICK = _Button("p", rf"(\d+):{_ID}")  # a «Did you mean?» button: stored question, entry
VOTE = _Button("v", r"(\d+):([yn])")  # 👍 / 👎 on the answer a stored question got


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
                InlineKeyboardButton(_("👍 Yes"), callback_data=VOTE.pack(row_id, "y")),
                InlineKeyboardButton(_("👎 No"), callback_data=VOTE.pack(row_id, "n")),
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
                    _("💬 See the frequently asked questions"), callback_data=TOPICS.pack()
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
            [InlineKeyboardButton(entry.question, callback_data=PICK.pack(row_id, entry.id))]
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


async def _own_question(update: Update, context: BotContext, row: str) -> FaqQuestion | None:
    """The stored question when it is the presser's own, else None (forged or stale data)."""
    user = update.effective_user
    if user is None:
        return None
    services = context.services
    citizen = await services.store.citizens.get_by_platform_user(services.platform.value, user.id)
    stored = await services.store.faq.get(int(row))
    if citizen is None or stored is None or stored.citizen_id != citizen.id:
        return None
    return stored


async def pick(update: Update, context: BotContext) -> None:
    """A «Did you mean?» button: that entry's answer, and the buttons go."""
    query = update.callback_query
    parts = PICK.unpack(query.data if query else None)
    if query is None or parts is None:
        return
    row, entry_id = parts
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
    parts = VOTE.unpack(query.data if query else None)
    if query is None or parts is None:
        return
    row, choice = parts
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
        [InlineKeyboardButton(topic.name, callback_data=TOPIC.pack(topic.code))]
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
    parts = TOPIC.unpack(query.data if query else None)
    book = context.services.catalogue.faq
    topic = book.topic(parts[0]) if parts else None
    if query is None or topic is None:
        await _stale(update)
        return
    await query.answer()
    rows = [
        [InlineKeyboardButton(entry.question, callback_data=ENTRY.pack(entry.id))]
        for entry in book.entries_in(topic.code)
    ]
    rows.append([InlineKeyboardButton(_("↩️ Back to the topics"), callback_data=BACK.pack())])
    await query.edit_message_text(
        _("{topic}: choose a question.").format(topic=topic.name),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def show_entry(update: Update, context: BotContext) -> None:
    """An answer opened from the list: stored as browsed, so its 👍/👎 count too."""
    query = update.callback_query
    parts = ENTRY.unpack(query.data if query else None)
    entry = context.services.catalogue.faq.entry(parts[0]) if parts else None
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
        CallbackQueryHandler(show_topics, pattern=TOPICS.pattern()),
        CallbackQueryHandler(back_to_topics, pattern=BACK.pattern()),
        CallbackQueryHandler(show_topic, pattern=TOPIC.pattern()),
        CallbackQueryHandler(show_entry, pattern=ENTRY.pattern()),
        CallbackQueryHandler(pick, pattern=PICK.pattern()),
        CallbackQueryHandler(vote, pattern=VOTE.pattern()),
    ]
