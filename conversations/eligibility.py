"""The eligibility check: one question at a time, then a verdict for permit and loans.

The question flow is ``domain.questions``; this module only turns updates into answers. The
answers live in ``user_data["eligibility"]`` (JSON), so the persisted conversation resumes after
a restart, and the application conversation can carry them over. One state is enough: the
current question is always the first unanswered one on the citizen's path.

Button presses edit the question message in place (a tidy chat on a phone); typed answers get a
new question message, and the old one loses its buttons. Only the live message's buttons count.

```mermaid
stateDiagram-v2
    [*] --> ASKING: ✅ Check eligibility / /check
    ASKING --> ASKING: button or typed answer → next question
    ASKING --> ASKING: wrong typed answer → error + same question
    ASKING --> ASKING: back → previous question (its answer forgotten)
    ASKING --> ASKING: activity group / page / typed search
    ASKING --> [*]: last answer → verdict (buttons: apply:from_check, other plan, menu)
    [*] --> ASKING: the verdict's «check the other plan too» → both plans, what is missing
    ASKING --> [*]: cancel, /cancel → main menu
    ASKING --> [*]: /start or a main-menu button → that section
```
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from datetime import date
from typing import Any

from pydantic import ValidationError
from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from conversations import eligibility_views as views
from conversations.common import Conversation, end_with_menu, exits, is_back, is_cancel
from domain.answers import EligibilityAnswers, PlanChoice, QuestionId
from domain.eligibility import evaluate
from domain.persian import parse_int, parse_year
from domain.questions import answer, forget, next_question, previous_question
from handlers.context import BotContext
from handlers.menu import MenuItem, main_menu_keyboard, menu_button
from handlers.replies import real_message_id
from texts import buttons
from texts.i18n import _

log = logging.getLogger(__name__)

ASKING = 0

ANSWERS_KEY = "eligibility"  # read by the application conversation: keep the name
MESSAGE_KEY = "eligibility_message"  # the live question message; its buttons alone count

STALE = "This button is no longer active. Please use the menu."

# --- state in user_data ---------------------------------------------------------------------


def _user_data(context: BotContext) -> dict[str, Any]:
    data = context.user_data
    if data is None:  # pragma: no cover - private chats always have user data
        raise RuntimeError("the eligibility check needs user_data")
    return data


def load_answers(context: BotContext) -> EligibilityAnswers:
    """The answers so far (empty when none or unreadable)."""
    raw = _user_data(context).get(ANSWERS_KEY)
    try:
        return EligibilityAnswers.model_validate(raw or {})
    except ValidationError:
        log.warning("unreadable eligibility answers in user_data; starting afresh")
        return EligibilityAnswers()


def _save(context: BotContext, answers: EligibilityAnswers) -> None:
    _user_data(context)[ANSWERS_KEY] = answers.model_dump(mode="json")


def _today(context: BotContext) -> date:
    services = context.services
    return services.now().astimezone(services.settings.zone).date()


# --- showing ----------------------------------------------------------------------------------


async def _strip_buttons(context: BotContext, chat_id: int, message_id: int) -> None:
    """Old question messages lose their buttons (best effort: it may be gone)."""
    with contextlib.suppress(TelegramError):
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)


async def _live_message(context: BotContext) -> int | None:
    """The live question message's id (the platform's: a reply's id is known once it is sent)."""
    data = _user_data(context)
    live = data.get(MESSAGE_KEY)
    if isinstance(live, int) and live < 0:
        live = data[MESSAGE_KEY] = await real_message_id(context.bot, live)
    return live if isinstance(live, int) else None


async def _show(
    update: Update, context: BotContext, text: str, markup: InlineKeyboardMarkup
) -> None:
    """Edit the live message after a button press; otherwise send a new one and track it."""
    chat = update.effective_chat
    assert chat is not None
    data = _user_data(context)
    live = await _live_message(context)
    query = update.callback_query
    if query is not None and query.message is not None and query.message.message_id == live:
        try:
            await context.bot.edit_message_text(
                text, chat_id=chat.id, message_id=live, reply_markup=markup
            )
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
            log.info("could not edit the question message; sending a new one")
    if isinstance(live, int):
        await _strip_buttons(context, chat.id, live)
    sent = await context.bot.send_message(chat.id, text, reply_markup=markup)
    data[MESSAGE_KEY] = sent.message_id


async def _ask(
    update: Update,
    context: BotContext,
    answers: EligibilityAnswers,
    note: str | None = None,
) -> int:
    """Show the next question, or the verdict when none is left."""
    catalogue, today = context.services.catalogue, _today(context)
    question = next_question(answers, catalogue, today)
    if question is None:
        return await _verdict(update, context, answers)
    text, markup = views.question_view(question, answers, catalogue, today, note)
    await _show(update, context, text, markup)
    return ASKING


async def _verdict(update: Update, context: BotContext, answers: EligibilityAnswers) -> int:
    """Show the verdict and end; its buttons belong to the application and the menu."""
    catalogue = context.services.catalogue
    result = evaluate(answers, catalogue, _today(context))
    text, markup = views.verdict_view(answers, result, catalogue)
    await _show(update, context, text, markup)
    _user_data(context).pop(MESSAGE_KEY, None)
    return ConversationHandler.END


async def _answer(update: Update, context: BotContext, question: QuestionId, value: object) -> int:
    """Record one answer and move on; an invalid value re-asks with the question's error."""
    answers = load_answers(context)
    try:
        answers = answer(answers, question, value)
    except ValidationError:
        note = _(views.TYPING_ERRORS.get(question, views.CHOOSE_A_BUTTON))
        return await _ask(update, context, answers, note)
    _save(context, answers)
    return await _ask(update, context, answers)


# --- callbacks: entry ---------------------------------------------------------------------------


async def begin(update: Update, context: BotContext) -> int:
    """Start the check, or continue an unfinished one."""
    answers = load_answers(context)
    catalogue, today = context.services.catalogue, _today(context)
    unfinished = answers != EligibilityAnswers() and (
        next_question(answers, catalogue, today) is not None
    )
    if not unfinished:
        answers = EligibilityAnswers()
        _save(context, answers)
    note = _(views.RESUME if unfinished else views.INTRO)
    return await _ask(update, context, answers, note)


# --- callbacks: buttons -------------------------------------------------------------------------


async def _live_query(update: Update, context: BotContext, *, answer_it: bool = True) -> bool:
    """Answer the query; False (with a hint) when it came from an old message."""
    query = update.callback_query
    assert query is not None
    live = await _live_message(context)
    if query.message is None or query.message.message_id != live:
        await query.answer(_(STALE))
        return False
    if answer_it:
        await query.answer()
    return True


def _current(context: BotContext) -> QuestionId | None:
    return next_question(load_answers(context), context.services.catalogue, _today(context))


def _data(update: Update) -> str | None:
    assert update.callback_query is not None
    return update.callback_query.data


def _for_current(update: Update, context: BotContext, index: int) -> QuestionId | None:
    """The current question, if the button was made for it (else a double tap or old button)."""
    current = _current(context)
    if current is None or views.question_at(index) is not current:
        return None
    return current


async def on_choice(update: Update, context: BotContext) -> int:
    """A choice button: elg:a:<question>:<value>."""
    if not await _live_query(update, context):
        return ASKING
    pressed = buttons.EligibilityAnswer.unpack(_data(update))
    question = None if pressed is None else _for_current(update, context, pressed.question)
    if pressed is None or question is None or question in views.TYPED:
        return ASKING
    value: object = pressed.value
    if question in (QuestionId.COUNTY, QuestionId.ACTIVITY):
        known = (
            context.services.catalogue.county(pressed.value)
            if question is QuestionId.COUNTY
            else context.services.catalogue.activity(pressed.value)
        )
        if known is None:
            return await _ask(update, context, load_answers(context))
    elif pressed.value in ("0", "1"):
        value = pressed.value == "1"
    return await _answer(update, context, question, value)


async def on_back(update: Update, context: BotContext) -> int:
    """Back: elg:b:<question> forgets the previous answer and asks it again."""
    if not await _live_query(update, context):
        return ASKING
    pressed = buttons.EligibilityBack.unpack(_data(update))
    if pressed is None or _for_current(update, context, pressed.question) is None:
        return ASKING
    return await _go_back(update, context)


async def _go_back(update: Update, context: BotContext) -> int:
    answers = load_answers(context)
    previous = previous_question(answers, context.services.catalogue, _today(context))
    if previous is not None:
        answers = forget(answers, previous)
        _save(context, answers)
    return await _ask(update, context, answers)


async def on_groups(update: Update, context: BotContext) -> int:
    """Back from a group's page or a search: the groups again."""
    if not await _live_query(update, context):
        return ASKING
    return await _ask(update, context, load_answers(context))


async def on_group_page(update: Update, context: BotContext) -> int:
    """A group or a page of it: elg:g:<group>:<page>."""
    if not await _live_query(update, context):
        return ASKING
    pressed = buttons.EligibilityGroup.unpack(_data(update))
    if _current(context) is not QuestionId.ACTIVITY or pressed is None:
        return ASKING
    answers = load_answers(context)
    view = views.group_page_view(
        pressed.group, pressed.page, answers, context.services.catalogue, _today(context)
    )
    if view is None:
        return await _ask(update, context, answers)
    await _show(update, context, *view)
    return ASKING


async def on_cancel(update: Update, context: BotContext) -> int:
    """The cancel button: the question loses its buttons, and the menu comes back."""
    if not await _live_query(update, context, answer_it=False):  # end_with_menu answers it
        return ASKING
    live = _user_data(context).pop(MESSAGE_KEY, None)
    chat = update.effective_chat
    if isinstance(live, int) and chat is not None:
        await _strip_buttons(context, chat.id, live)
    return await end_with_menu(update, context)


# --- callbacks: typing --------------------------------------------------------------------------


async def on_text(update: Update, context: BotContext) -> int:
    """A typed answer, a typed activity search, or a typed button label."""
    message = update.effective_message
    assert message is not None
    text = message.text or ""
    if is_cancel(text):
        live = _user_data(context).pop(MESSAGE_KEY, None)
        if isinstance(live, int):
            await _strip_buttons(context, message.chat_id, live)
        return await end_with_menu(update, context)
    if is_back(text):
        return await _go_back(update, context)
    answers = load_answers(context)
    catalogue, today = context.services.catalogue, _today(context)
    question = next_question(answers, catalogue, today)
    if question is None:
        return await _verdict(update, context, answers)
    if question in views.TYPED:
        value = _typed_number(question, text, today)
        if value is None:
            return await _ask(update, context, answers, _(views.TYPING_ERRORS[question]))
        return await _answer(update, context, question, value)
    if question is QuestionId.ACTIVITY:
        return await _search(update, context, answers, text)
    choice = views.typed_choice(question, text, catalogue)
    if choice is None:
        note = views.COUNTY_NOT_FOUND if question is QuestionId.COUNTY else views.CHOOSE_A_BUTTON
        return await _ask(update, context, answers, _(note))
    value_of: object = (choice == "1") if choice in ("0", "1") else choice
    return await _answer(update, context, question, value_of)


def _typed_number(question: QuestionId, text: str, today: date) -> int | None:
    """A birth year (Jalali or Gregorian, not in the future) or a count, in any digits."""
    if question is QuestionId.BIRTH_YEAR:
        year = parse_year(text)
        return year if year is not None and year <= today.year else None
    return parse_int(text)


async def _search(
    update: Update, context: BotContext, answers: EligibilityAnswers, query: str
) -> int:
    """Typed part of an activity's name: one match is taken, several offered, none explained."""
    catalogue, today = context.services.catalogue, _today(context)
    found = catalogue.search_activities(query)
    if len(found) == 1:
        return await _answer(update, context, QuestionId.ACTIVITY, found[0].code)
    if not found:
        return await _ask(update, context, answers, views.nothing_found_note(query[:40]))
    await _show(update, context, *views.search_view(query[:40], found, answers, catalogue, today))
    return ASKING


# --- after the verdict --------------------------------------------------------------------------


async def check_other_plan(update: Update, context: BotContext) -> int:
    """The verdict's «check the other plan too»: both plans, asking only what is still missing."""
    query = update.callback_query
    assert query is not None
    answers = load_answers(context)
    finished = next_question(answers, context.services.catalogue, _today(context)) is None
    if not finished:  # an older verdict's button while a check is under way: continue it
        await query.answer()
        return await begin(update, context)
    if answers.plan not in (PlanChoice.INDEPENDENT, PlanChoice.SUPPORTING):
        await query.answer(_(STALE))
        return ConversationHandler.END
    await query.answer()
    answers = answer(answers, QuestionId.PLAN, PlanChoice.BOTH)
    _save(context, answers)
    return await _ask(update, context, answers)


async def back_to_menu(update: Update, context: BotContext) -> None:
    """The verdict's menu button (outside the conversation, which has ended)."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    if query.message is not None:
        await context.bot.send_message(
            query.message.chat.id, _("Here is the main menu."), reply_markup=main_menu_keyboard()
        )


# --- the factory --------------------------------------------------------------------------------


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    """The check's conversation and the verdict's menu button, in registration order."""
    with warnings.catch_warnings():
        # per_message=False is deliberate: typed answers must reach the same conversation.
        warnings.filterwarnings("ignore", message=".*per_message.*", category=PTBUserWarning)
        conversation = Conversation(
            entry_points=[
                MessageHandler(menu_button(MenuItem.ELIGIBILITY), begin),
                CommandHandler("check", begin),
                CallbackQueryHandler(
                    check_other_plan, pattern=buttons.ELIGIBILITY_OTHER_PLAN.pattern()
                ),
            ],
            states={
                ASKING: [
                    CallbackQueryHandler(on_choice, pattern=buttons.EligibilityAnswer.pattern()),
                    CallbackQueryHandler(on_back, pattern=buttons.EligibilityBack.pattern()),
                    CallbackQueryHandler(on_groups, pattern=buttons.ELIGIBILITY_GROUPS.pattern()),
                    CallbackQueryHandler(on_group_page, pattern=buttons.EligibilityGroup.pattern()),
                    CallbackQueryHandler(on_cancel, pattern=buttons.CANCEL.pattern()),
                    MessageHandler(filters.TEXT & ~filters.COMMAND & ~menu_button(), on_text),
                ],
            },
            fallbacks=[*exits()],
            name="eligibility",
            persistent=True,
            allow_reentry=True,
        )
    return [
        conversation,
        CallbackQueryHandler(back_to_menu, pattern=buttons.ELIGIBILITY_MENU.pattern()),
    ]
