"""The application conversation: consent, phone, identity, business, amount, documents, submit.

States are the ``Step`` values (also stored as the draft's ``step``): every answer is saved in
the store before the next question is sent, and a citizen who comes back (``/start`` →
«continue», the menu, ``/apply``) resumes from the stored step, even if the conversation's
persistence was lost or they write from another device. Diagram: ``conversation.mmd``.
Answers are handled in ``answers``, documents in ``documents`` (modules beside this one).
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from conversations.application import answers as answers
from conversations.application.documents import document_code, pick_document, receive_document
from conversations.application.drafts import Draft, create_draft, load_draft, save
from conversations.application.flow import (
    StepCallback,
    answer_query,
    data_of,
    on_step,
    open_exists_text,
    text_of,
    unexpected,
)
from conversations.application.form import ApplicationForm, Step, carried_over
from conversations.application.questions import ask, consent_question, header
from conversations.application.submit import submit
from conversations.common import CANCEL_DATA, Conversation, exits, is_cancel, leave
from domain.models import Citizen, OpenApplicationExists
from domain.statuses import PlanType
from handlers.context import BotContext
from handlers.menu import MenuItem, menu_button
from handlers.start import register_citizen
from texts import buttons
from texts.callback_data import any_of, family
from texts.i18n import _

NAME = "application"
ELIGIBILITY_KEY = "eligibility"  # the check's answers, left in user_data by the eligibility check
TEXT_INPUT = filters.TEXT & ~filters.COMMAND & ~menu_button()
ANYTHING_ELSE = ~filters.COMMAND & ~menu_button() & ~filters.StatusUpdate.ALL
FILES = filters.PHOTO | filters.Document.ALL
NAV_PATTERN = any_of(buttons.BACK, buttons.CANCEL)
OWN_BUTTONS = family("app", "nav")  # its older buttons, answered as stale


# --- entry and consent -----------------------------------------------------------------------


async def start_apply(update: Update, context: BotContext) -> str | int:
    """Menu button, /apply, «apply» after the check or «continue»: resume a draft or begin."""
    await answer_query(update)
    citizen = await register_citizen(update, context)
    if citizen is None:
        return ConversationHandler.END
    draft = await load_draft(update, context)
    if draft is not None:
        note = _("You have an unfinished application. Let us continue where you stopped.")
        return await ask(update, context, draft, draft.step, note)
    form = _carried(context)
    text, markup = consent_question()
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(
        chat.id, header(form, Step.CONSENT) + "\n\n" + text, reply_markup=markup
    )
    return Step.CONSENT.value


def _carried(context: BotContext) -> ApplicationForm:
    check = (context.user_data or {}).get(ELIGIBILITY_KEY)
    return carried_over(check if isinstance(check, dict) else None, context.services.catalogue)


async def consent_answer(update: Update, context: BotContext) -> str | int:
    """Agree: create (or continue) the draft and ask for the phone; disagree: stop here."""
    await answer_query(update)
    if buttons.AppConsent.of(data_of(update)).answer != "yes":
        return await leave(
            update,
            context,
            _(
                "Without your consent we cannot take your application. You are welcome back "
                "whenever you wish."
            ),
        )
    draft = await load_draft(update, context)
    if draft is None:
        citizen = await register_citizen(update, context)
        assert citizen is not None
        form = _carried(context)
        form.consented_at = context.services.now()
        found = await _new_draft(update, context, citizen, form)
        if isinstance(found, int):
            return found
        draft = found
    else:
        draft.form.consented_at = draft.form.consented_at or context.services.now()
        await save(context, draft, Step.PHONE)
    return await ask(update, context, draft, Step.PHONE)


async def _new_draft(
    update: Update, context: BotContext, citizen: Citizen, form: ApplicationForm
) -> Draft | int:
    """A draft of the carried plan type, or of the other one when the first is open already."""
    choices = [form.plan_type] if form.plan_type else [PlanType.INDEPENDENT, PlanType.SUPPORTING]
    for plan_type in choices:
        try:
            return await create_draft(context, citizen, form, plan_type)
        except OpenApplicationExists:
            continue
    return await leave(update, context, open_exists_text(choices[0]))


async def consent_other(update: Update, context: BotContext) -> str | int:
    """Anything but the two buttons at the consent step."""
    await answer_query(update)
    if is_cancel(text_of(update)) or data_of(update) == CANCEL_DATA:
        return await leave(update, context)
    text, markup = consent_question()
    chat = update.effective_chat
    assert chat is not None
    note = _("Please answer with one of the buttons below.")
    await context.bot.send_message(chat.id, note + "\n\n" + text, reply_markup=markup)
    return Step.CONSENT.value


# --- documents and submission ------------------------------------------------------------------


async def picked_document(update: Update, context: BotContext, draft: Draft) -> str:
    """A document button: the next upload is this document."""
    return await pick_document(update, context, draft, document_code(data_of(update)))


async def review(update: Update, context: BotContext, draft: Draft) -> str | int:
    """«Review and submit»: the summary."""
    await save(context, draft, Step.SUMMARY)
    return await ask(update, context, draft, Step.SUMMARY)


async def stale_button(update: Update, context: BotContext) -> str | int:
    """A button of an older question: answer it and repeat the current one."""
    await answer_query(update)
    draft = await load_draft(update, context)
    if draft is None:
        return await leave(update, context, _("You have no unfinished application."))
    return await ask(update, context, draft, draft.step)


# --- the factory -----------------------------------------------------------------------------


def _buttons(
    step: Step, pattern: str, callback: StepCallback
) -> CallbackQueryHandler[BotContext, str | int]:
    return CallbackQueryHandler(on_step(step, callback), pattern=pattern)


def _typed(step: Step, callback: StepCallback) -> MessageHandler[BotContext, str | int]:
    return MessageHandler(TEXT_INPUT, on_step(step, callback))


def _state(
    step: Step, *specific: BaseHandler[Update, BotContext, Any]
) -> list[BaseHandler[Update, BotContext, Any]]:
    """A state's own handlers, then back/cancel buttons and a polite answer to anything else."""
    return [
        *specific,
        CallbackQueryHandler(on_step(step, unexpected), pattern=NAV_PATTERN),
        MessageHandler(ANYTHING_ELSE, on_step(step, unexpected)),
    ]


def build() -> Conversation:
    """The persistent application conversation (register before the menu handlers)."""
    keep = any_of(buttons.APP_KEEP, buttons.APP_CHANGE)
    states: dict[object, list[BaseHandler[Update, BotContext, Any]]] = {
        Step.CONSENT.value: [
            CallbackQueryHandler(consent_answer, pattern=buttons.AppConsent.pattern()),
            CallbackQueryHandler(consent_other, pattern=NAV_PATTERN),
            MessageHandler(ANYTHING_ELSE, consent_other),
        ],
        Step.PHONE.value: _state(
            Step.PHONE,
            MessageHandler(filters.CONTACT, on_step(Step.PHONE, answers.got_contact)),
            _typed(Step.PHONE, answers.typed_phone),
        ),
        Step.FULL_NAME.value: _state(Step.FULL_NAME, _typed(Step.FULL_NAME, answers.got_full_name)),
        Step.NATIONAL_CODE.value: _state(
            Step.NATIONAL_CODE, _typed(Step.NATIONAL_CODE, answers.got_national_code)
        ),
        Step.BIRTH_DATE.value: _state(
            Step.BIRTH_DATE, _typed(Step.BIRTH_DATE, answers.got_birth_date)
        ),
        Step.GENDER.value: _state(
            Step.GENDER, _buttons(Step.GENDER, buttons.AppGender.pattern(), answers.got_gender)
        ),
        Step.COUNTY.value: _state(
            Step.COUNTY,
            _buttons(Step.COUNTY, keep, answers.keep_or_change),
            _buttons(Step.COUNTY, buttons.AppCounty.pattern(), answers.picked_county),
            _typed(Step.COUNTY, answers.typed_county),
        ),
        Step.HOME_RENTED.value: _state(
            Step.HOME_RENTED,
            _buttons(Step.HOME_RENTED, buttons.AppRented.pattern(), answers.got_rented),
        ),
        Step.ACTIVITY.value: _state(
            Step.ACTIVITY,
            _buttons(Step.ACTIVITY, keep, answers.keep_or_change),
            _buttons(Step.ACTIVITY, buttons.AppGroup.pattern(), answers.picked_group),
            _buttons(Step.ACTIVITY, buttons.AppActivity.pattern(), answers.picked_activity),
            _typed(Step.ACTIVITY, answers.searched_activity),
        ),
        Step.PLAN_TYPE.value: _state(
            Step.PLAN_TYPE,
            _buttons(Step.PLAN_TYPE, keep, answers.keep_or_change),
            _buttons(Step.PLAN_TYPE, buttons.AppPlan.pattern(), answers.picked_plan),
        ),
        Step.COVERED_WORKERS.value: _state(
            Step.COVERED_WORKERS, _typed(Step.COVERED_WORKERS, answers.got_covered_workers)
        ),
        Step.AMOUNT.value: _state(Step.AMOUNT, _typed(Step.AMOUNT, answers.got_amount)),
        Step.DOCUMENTS.value: _state(
            Step.DOCUMENTS,
            _buttons(Step.DOCUMENTS, buttons.AppDocument.pattern(), picked_document),
            _buttons(Step.DOCUMENTS, buttons.APP_REVIEW.pattern(), review),
            MessageHandler(FILES, on_step(Step.DOCUMENTS, receive_document)),
        ),
        Step.SUMMARY.value: _state(
            Step.SUMMARY, _buttons(Step.SUMMARY, buttons.APP_SUBMIT.pattern(), submit)
        ),
    }
    with warnings.catch_warnings():
        # Buttons of any message are routed by chat and user on purpose (per_message=False).
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return Conversation(
            entry_points=[
                MessageHandler(menu_button(MenuItem.APPLY), start_apply),
                CommandHandler("apply", start_apply),
                CallbackQueryHandler(
                    start_apply, pattern=any_of(buttons.APPLY_FROM_CHECK, buttons.RESUME_DRAFT)
                ),
            ],
            states=states,
            # Its own older buttons only: another section's button goes on to that section.
            fallbacks=[*exits(), CallbackQueryHandler(stale_button, pattern=OWN_BUTTONS)],
            name=NAME,
            persistent=True,
            allow_reentry=True,
        )
