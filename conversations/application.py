"""The application conversation: consent, phone, identity, business, amount, documents, submit.

States are the ``Step`` values (also stored as the draft's ``step``): every answer is saved in
the store before the next question is sent, and a citizen who comes back (``/start`` →
«continue», the menu, ``/apply``) resumes from the stored step, even if the conversation's
persistence was lost or they write from another device. Diagram: ``application.mmd``.
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable, Coroutine
from datetime import date
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

from bot.context import BotContext
from bot.formatting import format_toman_short, to_persian_digits
from bot.i18n import _
from conversations.application_documents import (
    document_code,
    not_a_document,
    pick_document,
    receive_document,
)
from conversations.application_drafts import (
    Draft,
    change_plan_type,
    citizen_of,
    create_draft,
    load_draft,
    save,
)
from conversations.application_form import (
    ApplicationForm,
    Step,
    cap_rials,
    carried_over,
    documents_for,
    next_step,
    previous_step,
)
from conversations.application_questions import ask, consent_question, header, plan_name
from conversations.application_submit import submit
from conversations.common import BACK_DATA, CANCEL_DATA, exits, inline_keyboard, is_back, is_cancel
from domain.answers import Gender
from domain.models import Citizen, OpenApplicationExists
from domain.persian import (
    normalize_input,
    normalize_mobile,
    normalize_national_code,
    parse_amount_toman,
    parse_birth_date,
    parse_int,
    search_matches,
)
from domain.statuses import PlanType
from handlers.menu import MenuItem, main_menu_keyboard, menu_button

NAME = "application"
ELIGIBILITY_KEY = "eligibility"  # the check's answers, left in user_data by the eligibility check
TEXT_INPUT = filters.TEXT & ~filters.COMMAND & ~menu_button()
ANYTHING_ELSE = ~filters.COMMAND & ~menu_button() & ~filters.StatusUpdate.ALL
FILES = filters.PHOTO | filters.Document.ALL
NAV_PATTERN = r"^nav:(back|cancel)$"
ACTIVITY_RESULTS = 8

StepCallback = Callable[[Update, BotContext, Draft], Awaitable[str | int]]
Callback = Callable[[Update, BotContext], Coroutine[Any, Any, str | int]]


# --- shared plumbing -------------------------------------------------------------------------


async def leave(update: Update, context: BotContext, text: str | None = None) -> int:
    """End the conversation with a message and the main menu (answers stay saved)."""
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(
            chat.id,
            text or _("Cancelled. Your answers so far are saved. Here is the main menu."),
            reply_markup=main_menu_keyboard(),
        )
    return ConversationHandler.END


async def _answer_query(update: Update) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer()


def _text(update: Update) -> str | None:
    message = update.message
    return message.text if message is not None else None


def _data(update: Update) -> str:
    query = update.callback_query
    return query.data or "" if query is not None else ""


def on_step(step: Step, callback: StepCallback) -> Callback:
    """Load the draft, honour back/cancel, and re-ask the stored step if the state is stale."""

    async def handler(update: Update, context: BotContext) -> str | int:
        await _answer_query(update)
        text, data = _text(update), _data(update)
        if is_cancel(text) or data == CANCEL_DATA:
            return await leave(update, context)
        draft = await load_draft(update, context)
        if draft is None:
            return await leave(update, context, _("You have no unfinished application."))
        if draft.step is not step:  # another device, or the persistence was lost
            return await ask(update, context, draft, draft.step)
        if is_back(text) or data == BACK_DATA:
            return await go_back(update, context, draft)
        return await callback(update, context, draft)

    return handler


async def go_back(update: Update, context: BotContext, draft: Draft) -> str:
    """One step back on this citizen's path."""
    target = previous_step(draft.form, draft.step)
    draft.form.changing = None
    await save(context, draft, target)
    return await ask(update, context, draft, target)


async def advance(
    update: Update,
    context: BotContext,
    draft: Draft,
    *,
    citizen_fields: dict[str, str] | None = None,
    **columns: object,
) -> str:
    """Store this step's answer, then ask the next step's question."""
    target = next_step(draft.form, draft.step)
    draft.form.changing = None
    if target is Step.DOCUMENTS and draft.form.awaiting_document is None:
        store = context.services.store
        latest = (await store.documents.list_for_application(draft.app.id)).latest
        missing = [
            d for d in documents_for(draft.form, context.services.catalogue) if d.code not in latest
        ]
        draft.form.awaiting_document = missing[0].code if missing else None
    await save(context, draft, target, citizen_fields=citizen_fields, **columns)
    return await ask(update, context, draft, target)


async def again(update: Update, context: BotContext, draft: Draft, note: str) -> str:
    """The same question once more, with a note on what went wrong."""
    return await ask(update, context, draft, draft.step, note)


async def unexpected(update: Update, context: BotContext, draft: Draft) -> str:
    """Something this step cannot use: explain and ask again."""
    if draft.step is Step.DOCUMENTS:
        return await not_a_document(update, context, draft)
    note = _("I could not use that message here. Please answer the question below.")
    return await again(update, context, draft, note)


# --- entry and consent -----------------------------------------------------------------------


async def start_apply(update: Update, context: BotContext) -> str | int:
    """Menu button, /apply, «apply» after the check or «continue»: resume a draft or begin."""
    await _answer_query(update)
    citizen = await citizen_of(update, context)
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
    await _answer_query(update)
    if _data(update) != "app:consent:yes":
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
        citizen = await citizen_of(update, context)
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
    return await leave(update, context, _open_exists_text(choices[0]))


def _open_exists_text(plan_type: PlanType) -> str:
    return _(
        "You already have an open application for the {plan}. You can follow it with «Track "
        "my application» in the menu."
    ).format(plan=plan_name(plan_type))


async def consent_other(update: Update, context: BotContext) -> str | int:
    """Anything but the two buttons at the consent step."""
    await _answer_query(update)
    if is_cancel(_text(update)) or _data(update) == CANCEL_DATA:
        return await leave(update, context)
    text, markup = consent_question()
    chat = update.effective_chat
    assert chat is not None
    note = _("Please answer with one of the buttons below.")
    await context.bot.send_message(chat.id, note + "\n\n" + text, reply_markup=markup)
    return Step.CONSENT.value


# --- identity --------------------------------------------------------------------------------


async def got_contact(update: Update, context: BotContext, draft: Draft) -> str:
    """Only the sender's own contact is accepted as their phone."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    contact = message.contact
    if contact is None or contact.user_id != user.id:
        note = _(
            "Sorry, for your safety only the mobile number of this account can be accepted. "
            "Please press the button below to share your own number."
        )
        return await again(update, context, draft, note)
    phone = normalize_mobile(contact.phone_number)
    if phone is None:
        note = _("Only an Iranian mobile number (starting with 09) can be accepted.")
        return await again(update, context, draft, note)
    draft.form.phone = phone
    return await advance(update, context, draft, citizen_fields={"phone": phone}, phone=phone)


async def typed_phone(update: Update, context: BotContext, draft: Draft) -> str:
    """A typed number is not proof of the account's own number."""
    note = _(
        "Please use the «Share my mobile number» button below; a typed number is not accepted."
    )
    return await again(update, context, draft, note)


async def got_full_name(update: Update, context: BotContext, draft: Draft) -> str:
    """First name and surname, in letters."""
    name = normalize_input(_text(update) or "")
    words = name.split()
    if len(words) < 2 or not 5 <= len(name) <= 80 or any(ch.isdigit() for ch in name):
        note = _("Please type your first name and surname in letters, for example «مریم احمدی».")
        return await again(update, context, draft, note)
    draft.form.full_name = name
    return await advance(update, context, draft, citizen_fields={"full_name": name}, full_name=name)


async def got_national_code(update: Update, context: BotContext, draft: Draft) -> str:
    """Ten digits with a valid check digit, in any digit script."""
    code = normalize_national_code(_text(update) or "")
    if code is None:
        note = _(
            "This national code is not valid. Please check the 10 digits on your national card "
            "and type it again."
        )
        return await again(update, context, draft, note)
    draft.form.national_code = code
    return await advance(
        update, context, draft, citizen_fields={"national_code": code}, national_code=code
    )


def _today(context: BotContext) -> date:
    return context.services.now().astimezone(context.services.settings.zone).date()


async def got_birth_date(update: Update, context: BotContext, draft: Draft) -> str:
    """A Jalali (or Gregorian) date; the applicant must be of the minimum age."""
    today = _today(context)
    born = parse_birth_date(_text(update) or "", today)
    if born is None:
        note = _(
            "I could not read this date. Please type it as year/month/day in the Jalali "
            "calendar, for example 1370/05/12."
        )
        return await again(update, context, draft, note)
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    minimum = context.services.catalogue.rules.age.minimum
    if age < minimum:
        note = _("Applicants must be at least {age} years old.").format(
            age=to_persian_digits(minimum)
        )
        return await again(update, context, draft, note)
    draft.form.birth_date = born
    return await advance(update, context, draft, birth_date=born)


async def got_gender(update: Update, context: BotContext, draft: Draft) -> str:
    """Woman or man (a man also sends his military-service card)."""
    draft.form.gender = Gender(_data(update).removeprefix("app:gender:"))
    return await advance(update, context, draft)


# --- the business ----------------------------------------------------------------------------


async def keep_or_change(update: Update, context: BotContext, draft: Draft) -> str:
    """«Confirm» a pre-filled county, activity or plan, or «Change» it."""
    if _data(update) == "app:change":
        draft.form.changing = draft.step
        await save(context, draft, draft.step)
        return await ask(update, context, draft, draft.step)
    form = draft.form
    if draft.step is Step.COUNTY and form.county:
        return await advance(update, context, draft, county=form.county)
    if draft.step is Step.ACTIVITY and form.activity:
        return await _take_activity(update, context, draft, form.activity)
    if draft.step is Step.PLAN_TYPE and form.plan_type:
        return await _take_plan(update, context, draft, form.plan_type)
    return await ask(update, context, draft, draft.step)


async def picked_county(update: Update, context: BotContext, draft: Draft) -> str:
    """A county button."""
    code = _data(update).removeprefix("app:county:")
    if context.services.catalogue.county(code) is None:
        return await ask(update, context, draft, draft.step)
    draft.form.county = code
    return await advance(update, context, draft, county=code)


async def typed_county(update: Update, context: BotContext, draft: Draft) -> str:
    """A typed county name, matched like the buttons («خرم آباد», «نورآباد»)."""
    typed = _text(update) or ""
    found = [
        county
        for county in context.services.catalogue.counties
        if any(search_matches(typed, name) for name in (county.name, *county.aliases))
    ]
    if len(found) != 1:
        note = _("Please choose your county from the buttons below.")
        return await again(update, context, draft, note)
    draft.form.county = found[0].code
    return await advance(update, context, draft, county=found[0].code)


async def got_rented(update: Update, context: BotContext, draft: Draft) -> str:
    """A rented home adds the lease and the owner's consent to the documents."""
    draft.form.home_rented = _data(update) == "app:rented:yes"
    return await advance(update, context, draft)


async def _activity_choices(
    update: Update, context: BotContext, draft: Draft, text: str, codes: list[tuple[str, str]]
) -> str:
    """A list of activities as buttons (the step stays the same)."""
    chat = update.effective_chat
    assert chat is not None
    rows = [codes[i : i + 2] for i in range(0, len(codes), 2)]
    await context.bot.send_message(
        chat.id,
        header(draft.form, Step.ACTIVITY) + "\n\n" + text,
        reply_markup=inline_keyboard(rows),
    )
    return Step.ACTIVITY.value


async def picked_group(update: Update, context: BotContext, draft: Draft) -> str:
    """A group button: its activities."""
    catalogue = context.services.catalogue
    activities = catalogue.activities_in(_data(update).removeprefix("app:group:"))
    if not activities:
        return await ask(update, context, draft, draft.step)
    codes = [(a.name, f"app:act:{a.code}") for a in activities]
    return await _activity_choices(update, context, draft, _("Choose your activity:"), codes)


async def searched_activity(update: Update, context: BotContext, draft: Draft) -> str:
    """Typed part of an activity's name: the matches as buttons."""
    query = _text(update) or ""
    found = context.services.catalogue.search_activities(query, limit=ACTIVITY_RESULTS)
    if not found:
        note = _("No activity matched «{query}». Try another word, or choose a group.").format(
            query=normalize_input(query)[:40]
        )
        draft.form.changing = Step.ACTIVITY
        return await again(update, context, draft, note)
    codes = [(a.name, f"app:act:{a.code}") for a in found]
    return await _activity_choices(update, context, draft, _("Choose your activity:"), codes)


async def picked_activity(update: Update, context: BotContext, draft: Draft) -> str:
    """An activity button."""
    return await _take_activity(update, context, draft, _data(update).removeprefix("app:act:"))


async def _take_activity(update: Update, context: BotContext, draft: Draft, code: str) -> str:
    activity = context.services.catalogue.activity(code)
    if activity is None:
        return await ask(update, context, draft, draft.step)
    if activity.closed_to_new_loans:
        note = _(
            "«{activity}» is closed to new loans this year. Please choose another activity."
        ).format(activity=activity.name)
        draft.form.changing = Step.ACTIVITY
        return await again(update, context, draft, note)
    draft.form.activity = code
    return await advance(update, context, draft, activity_code=code)


async def picked_plan(update: Update, context: BotContext, draft: Draft) -> str:
    """A plan-type button."""
    return await _take_plan(
        update, context, draft, PlanType(_data(update).removeprefix("app:plan:"))
    )


async def _take_plan(update: Update, context: BotContext, draft: Draft, plan: PlanType) -> str:
    try:
        await change_plan_type(context, draft, plan)
    except OpenApplicationExists:
        note = _open_exists_text(plan) + "\n" + _("Please choose the other plan, or cancel.")
        draft.form.changing = Step.PLAN_TYPE
        return await again(update, context, draft, note)
    draft.form.plan_type = plan
    return await advance(update, context, draft)


async def got_covered_workers(update: Update, context: BotContext, draft: Draft) -> str:
    """How many home workers a supporting plan covers (it sets the cap)."""
    count = parse_int(_text(update) or "")
    if count is None or not 1 <= count <= 100_000:
        note = _("Please type the number of home workers in digits, for example 10.")
        return await again(update, context, draft, note)
    draft.form.covered_workers = count
    return await advance(update, context, draft)


async def got_amount(update: Update, context: BotContext, draft: Draft) -> str:
    """The requested loan in toman, within the plan's cap."""
    toman = parse_amount_toman(_text(update) or "")
    if toman is None:
        note = _(
            "I could not read this amount. Please type it in toman, for example «۲۰۰ میلیون» "
            "or «۲۰۰٬۰۰۰٬۰۰۰»."
        )
        return await again(update, context, draft, note)
    cap = cap_rials(draft.form, context.services.catalogue)
    if toman * 10 > cap:
        note = _(
            "This amount is above the cap for your plan, {cap}. Please type an amount up to "
            "the cap."
        ).format(cap=format_toman_short(cap))
        return await again(update, context, draft, note)
    draft.form.requested_toman = toman
    return await advance(update, context, draft, requested_rials=toman * 10)


# --- documents and submission ------------------------------------------------------------------


async def picked_document(update: Update, context: BotContext, draft: Draft) -> str:
    """A document button: the next upload is this document."""
    return await pick_document(update, context, draft, document_code(_data(update)))


async def review(update: Update, context: BotContext, draft: Draft) -> str | int:
    """«Review and submit»: the summary."""
    await save(context, draft, Step.SUMMARY)
    return await ask(update, context, draft, Step.SUMMARY)


async def stale_button(update: Update, context: BotContext) -> str | int:
    """A button of an older question: answer it and repeat the current one."""
    await _answer_query(update)
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


def build() -> ConversationHandler[BotContext]:
    """The persistent application conversation (register before the menu handlers)."""
    keep = r"^app:(keep|change)$"
    states: dict[object, list[BaseHandler[Update, BotContext, Any]]] = {
        Step.CONSENT.value: [
            CallbackQueryHandler(consent_answer, pattern=r"^app:consent:(yes|no)$"),
            CallbackQueryHandler(consent_other, pattern=NAV_PATTERN),
            MessageHandler(ANYTHING_ELSE, consent_other),
        ],
        Step.PHONE.value: _state(
            Step.PHONE,
            MessageHandler(filters.CONTACT, on_step(Step.PHONE, got_contact)),
            _typed(Step.PHONE, typed_phone),
        ),
        Step.FULL_NAME.value: _state(Step.FULL_NAME, _typed(Step.FULL_NAME, got_full_name)),
        Step.NATIONAL_CODE.value: _state(
            Step.NATIONAL_CODE, _typed(Step.NATIONAL_CODE, got_national_code)
        ),
        Step.BIRTH_DATE.value: _state(Step.BIRTH_DATE, _typed(Step.BIRTH_DATE, got_birth_date)),
        Step.GENDER.value: _state(
            Step.GENDER, _buttons(Step.GENDER, r"^app:gender:(man|woman)$", got_gender)
        ),
        Step.COUNTY.value: _state(
            Step.COUNTY,
            _buttons(Step.COUNTY, keep, keep_or_change),
            _buttons(Step.COUNTY, r"^app:county:", picked_county),
            _typed(Step.COUNTY, typed_county),
        ),
        Step.HOME_RENTED.value: _state(
            Step.HOME_RENTED, _buttons(Step.HOME_RENTED, r"^app:rented:(yes|no)$", got_rented)
        ),
        Step.ACTIVITY.value: _state(
            Step.ACTIVITY,
            _buttons(Step.ACTIVITY, keep, keep_or_change),
            _buttons(Step.ACTIVITY, r"^app:group:", picked_group),
            _buttons(Step.ACTIVITY, r"^app:act:", picked_activity),
            _typed(Step.ACTIVITY, searched_activity),
        ),
        Step.PLAN_TYPE.value: _state(
            Step.PLAN_TYPE,
            _buttons(Step.PLAN_TYPE, keep, keep_or_change),
            _buttons(Step.PLAN_TYPE, r"^app:plan:(independent|supporting)$", picked_plan),
        ),
        Step.COVERED_WORKERS.value: _state(
            Step.COVERED_WORKERS, _typed(Step.COVERED_WORKERS, got_covered_workers)
        ),
        Step.AMOUNT.value: _state(Step.AMOUNT, _typed(Step.AMOUNT, got_amount)),
        Step.DOCUMENTS.value: _state(
            Step.DOCUMENTS,
            _buttons(Step.DOCUMENTS, r"^app:doc:", picked_document),
            _buttons(Step.DOCUMENTS, r"^app:review$", review),
            MessageHandler(FILES, on_step(Step.DOCUMENTS, receive_document)),
        ),
        Step.SUMMARY.value: _state(Step.SUMMARY, _buttons(Step.SUMMARY, r"^app:submit$", submit)),
    }
    with warnings.catch_warnings():
        # Buttons of any message are routed by chat and user on purpose (per_message=False).
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=[
                MessageHandler(menu_button(MenuItem.APPLY), start_apply),
                CommandHandler("apply", start_apply),
                CallbackQueryHandler(start_apply, pattern=r"^apply:(from_check|resume)$"),
            ],
            states=states,
            fallbacks=[*exits(), CallbackQueryHandler(stale_button)],
            name=NAME,
            persistent=True,
            allow_reentry=True,
        )
