"""The application's answers: identity (phone, name, national code, birth date) and business."""

from __future__ import annotations

from datetime import date

from telegram import Message, Update

from config.platforms import traits
from conversations.application.drafts import Draft, change_plan_type, save
from conversations.application.flow import advance, again, data_of, open_exists_text, text_of
from conversations.application.form import Step, cap_rials
from conversations.application.questions import ask, header
from conversations.common import inline_keyboard
from domain.models import OpenApplicationExists
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
from handlers.context import BotContext
from texts import buttons
from texts.formatting import format_toman_short, format_typed_text, to_persian_digits
from texts.i18n import _

ACTIVITY_RESULTS = 8


# --- identity --------------------------------------------------------------------------------


async def got_contact(update: Update, context: BotContext, draft: Draft) -> str:
    """Only the sender's own contact is accepted as their phone."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    contact = message.contact
    trust_bare_card = not traits(context.services.platform).contact_has_user_id
    if contact is None or not is_own_contact(message, user.id, trust_bare_card):
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


def is_own_contact(message: Message, user_id: int, trust_bare_card: bool) -> bool:
    """The sender shared their own number (the contact button), not someone else's card.

    Telegram always fills ``contact.user_id`` for the contact button. Bale's API mirrors it but
    its documentation does not promise the field (``config.platforms``: contact_has_user_id),
    so there (``trust_bare_card``) a contact without ``user_id`` is taken as the sender's own
    when it was not forwarded; a card naming another user is refused on both platforms.
    """
    contact = message.contact
    if contact is None:
        return False
    if contact.user_id is not None:
        return contact.user_id == user_id
    return trust_bare_card and message.forward_origin is None


async def typed_phone(update: Update, context: BotContext, draft: Draft) -> str:
    """A typed number is not proof of the account's own number."""
    note = _(
        "Please use the «Share my mobile number» button below; a typed number is not accepted."
    )
    return await again(update, context, draft, note)


async def got_full_name(update: Update, context: BotContext, draft: Draft) -> str:
    """First name and surname, in letters."""
    name = normalize_input(text_of(update) or "")
    words = name.split()
    if len(words) < 2 or not 5 <= len(name) <= 80 or any(ch.isdigit() for ch in name):
        note = _("Please type your first name and surname in letters (an example name follows).")
        return await again(update, context, draft, note)
    draft.form.full_name = name
    return await advance(update, context, draft, citizen_fields={"full_name": name}, full_name=name)


async def got_national_code(update: Update, context: BotContext, draft: Draft) -> str:
    """Ten digits with a valid check digit, in any digit script."""
    code = normalize_national_code(text_of(update) or "")
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
    born = parse_birth_date(text_of(update) or "", today)
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
    draft.form.gender = buttons.AppGender.of(data_of(update)).gender
    return await advance(update, context, draft)


# --- the business ----------------------------------------------------------------------------


async def keep_or_change(update: Update, context: BotContext, draft: Draft) -> str:
    """«Confirm» a pre-filled county, activity or plan, or «Change» it."""
    if buttons.APP_CHANGE.matches(data_of(update)):
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
    code = buttons.AppCounty.of(data_of(update)).code
    if context.services.catalogue.county(code) is None:
        return await ask(update, context, draft, draft.step)
    draft.form.county = code
    return await advance(update, context, draft, county=code)


async def typed_county(update: Update, context: BotContext, draft: Draft) -> str:
    """A typed county name, matched like the buttons (spaces, ZWNJ and letter forms aside)."""
    typed = text_of(update) or ""
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
    draft.form.home_rented = buttons.AppRented.of(data_of(update)).answer == "yes"
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
    activities = catalogue.activities_in(buttons.AppGroup.of(data_of(update)).code)
    if not activities:
        return await ask(update, context, draft, draft.step)
    codes = [(a.name, buttons.AppActivity(a.code).pack()) for a in activities]
    return await _activity_choices(update, context, draft, _("Choose your activity:"), codes)


async def searched_activity(update: Update, context: BotContext, draft: Draft) -> str:
    """Typed part of an activity's name: the matches as buttons."""
    query = text_of(update) or ""
    found = context.services.catalogue.search_activities(query, limit=ACTIVITY_RESULTS)
    if not found:
        note = _("No activity matched «{query}». Try another word, or choose a group.").format(
            query=format_typed_text(normalize_input(query)[:40])
        )
        draft.form.changing = Step.ACTIVITY
        return await again(update, context, draft, note)
    codes = [(a.name, buttons.AppActivity(a.code).pack()) for a in found]
    return await _activity_choices(update, context, draft, _("Choose your activity:"), codes)


async def picked_activity(update: Update, context: BotContext, draft: Draft) -> str:
    """An activity button."""
    code = buttons.AppActivity.of(data_of(update)).code
    return await _take_activity(update, context, draft, code)


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
    return await _take_plan(update, context, draft, buttons.AppPlan.of(data_of(update)).plan)


async def _take_plan(update: Update, context: BotContext, draft: Draft, plan: PlanType) -> str:
    try:
        await change_plan_type(context, draft, plan)
    except OpenApplicationExists:
        note = open_exists_text(plan) + "\n" + _("Please choose the other plan, or cancel.")
        draft.form.changing = Step.PLAN_TYPE
        return await again(update, context, draft, note)
    draft.form.plan_type = plan
    return await advance(update, context, draft)


async def got_covered_workers(update: Update, context: BotContext, draft: Draft) -> str:
    """How many home workers a supporting plan covers (it sets the cap)."""
    count = parse_int(text_of(update) or "")
    if count is None or not 1 <= count <= 100_000:
        note = _("Please type the number of home workers in digits, for example 10.")
        return await again(update, context, draft, note)
    draft.form.covered_workers = count
    return await advance(update, context, draft)


async def got_amount(update: Update, context: BotContext, draft: Draft) -> str:
    """The requested loan in toman, within the plan's cap."""
    toman = parse_amount_toman(text_of(update) or "")
    if toman is None:
        note = _(
            "I could not read this amount. Please type it in toman, for example 200 million "
            "or 200,000,000."
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
