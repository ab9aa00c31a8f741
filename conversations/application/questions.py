"""The application's questions: one message per step, with «گام n از N», back and cancel."""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)

from conversations.application.checklist import documents_message, missing_documents
from conversations.application.drafts import Draft
from conversations.application.form import (
    ApplicationForm,
    Step,
    cap_rials,
    documents_for,
    position,
)
from conversations.common import inline_keyboard, nav_labels, reply_keyboard, step_header
from domain.answers import Gender
from domain.catalogue import Catalogue
from domain.statuses import PlanType
from handlers.context import BotContext
from services.documents import latest_own
from texts import buttons
from texts.formatting import (
    format_jalali_date,
    format_phone,
    format_toman,
    format_toman_short,
    format_typed_text,
    to_persian_digits,
)
from texts.i18n import N_, _

SHARE_PHONE = N_("📱 Share my mobile number")
PLAN_NAMES: dict[PlanType, str] = {
    PlanType.INDEPENDENT: N_("Independent plan"),
    PlanType.SUPPORTING: N_("Supporting plan"),
}
GENDER_NAMES: dict[Gender, str] = {Gender.WOMAN: N_("Woman"), Gender.MAN: N_("Man")}
KEEP_DATA = buttons.APP_KEEP.pack()
CHANGE_DATA = buttons.APP_CHANGE.pack()
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


def header(form: ApplicationForm, step: Step) -> str:
    """The step header ("Step {step} of {total}") for this step on this citizen's path."""
    number, total = position(form, step)
    return step_header(number, total)


def plan_name(plan_type: PlanType | None) -> str:
    """The Persian name of a plan type."""
    return _(PLAN_NAMES[plan_type or PlanType.INDEPENDENT])


def county_name(catalogue: Catalogue, code: str | None) -> str:
    county = catalogue.county(code) if code else None
    return county.name if county is not None else "-"


def activity_name(catalogue: Catalogue, code: str | None) -> str:
    activity = catalogue.activity(code) if code else None
    return activity.name if activity is not None else "-"


def phone_for_display(phone: str | None) -> str:
    """+989121234567 as «۰۹۱۲۱۲۳۴۵۶۷» (the one form citizens and officers see)."""
    return format_phone(phone) if phone else "-"


def _confirm_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([[(_("✅ Confirm"), KEEP_DATA), (_("✏️ Change"), CHANGE_DATA)]])


def consent_question() -> tuple[str, Markup]:
    """The privacy notice (step 1 is always step 1: nothing is stored yet)."""
    text = _(
        "Before we start, please read this short privacy notice.\n\n"
        "What we store: your mobile number, name, national code, birth date, county, activity, "
        "the loan you request and the documents you send.\n"
        "Why: only to review your home-business application and, if approved, introduce you "
        "to an agent bank.\n"
        "Who sees it: only the officers of the Directorate General of Cooperatives, Labour and "
        "Social Welfare and its county offices.\n\n"
        "Do you agree?"
    )
    # No separate cancel button here: «I do not agree» is the way out, and two ✖️ side by side
    # left a citizen guessing which one to press.
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("✅ I agree"), callback_data=buttons.AppConsent("yes").pack()
                ),
                InlineKeyboardButton(
                    _("✖️ I do not agree"), callback_data=buttons.AppConsent("no").pack()
                ),
            ]
        ]
    )
    return text, keyboard


def _phone_keyboard() -> ReplyKeyboardMarkup:
    rows = [[KeyboardButton(_(SHARE_PHONE), request_contact=True)]]
    rows.append([KeyboardButton(label) for label in nav_labels()])
    return ReplyKeyboardMarkup(rows, resize_keyboard=True)


def question(draft: Draft, step: Step, catalogue: Catalogue) -> tuple[str, Markup]:
    """The text and keyboard of a step other than consent and documents."""
    form = draft.form
    typed = reply_keyboard([])
    if step is Step.PHONE:
        return _(
            "Please share your mobile number with the button below. Only the number of this "
            "account is accepted."
        ), _phone_keyboard()
    if step is Step.FULL_NAME:
        return _(
            "Please type your full name (first name and surname) as on your national card."
        ), typed
    if step is Step.NATIONAL_CODE:
        return _("Please type your 10-digit national code."), typed
    if step is Step.BIRTH_DATE:
        return _(
            "Please type your birth date in the Jalali calendar, for example 1370/05/12."
        ), typed
    if step is Step.GENDER:
        rows = [[(_(GENDER_NAMES[g]), buttons.AppGender(g).pack()) for g in Gender]]
        return _("Are you a woman or a man?"), inline_keyboard(rows)
    if step is Step.COUNTY:
        if form.county and form.changing is not Step.COUNTY:
            return _("Your county: {county}. Is this right?").format(
                county=county_name(catalogue, form.county)
            ), _confirm_keyboard()
        counties = [(c.name, buttons.AppCounty(c.code).pack()) for c in catalogue.province.counties]
        rows = [counties[i : i + 3] for i in range(0, len(counties), 3)]
        return _("In which county will you run your business?"), inline_keyboard(rows)
    if step is Step.HOME_RENTED:
        rows = [
            [
                (_("Yes, it is rented"), buttons.AppRented("yes").pack()),
                (_("No"), buttons.AppRented("no").pack()),
            ]
        ]
        return _("Is the home where you will work rented?"), inline_keyboard(rows)
    if step is Step.ACTIVITY:
        if form.activity and form.changing is not Step.ACTIVITY:
            return _("Your activity: {activity}. Is this right?").format(
                activity=activity_name(catalogue, form.activity)
            ), _confirm_keyboard()
        groups = [(g.name, buttons.AppGroup(g.code).pack()) for g in catalogue.groups]
        rows = [groups[i : i + 2] for i in range(0, len(groups), 2)]
        return _(
            "Choose the group of your activity, or type part of its name (for example «قالی»)."
        ), inline_keyboard(rows)
    if step is Step.PLAN_TYPE:
        if form.plan_type and form.changing is not Step.PLAN_TYPE:
            return _("Your plan type: {plan}. Is this right?").format(
                plan=plan_name(form.plan_type)
            ), _confirm_keyboard()
        rows = [[(_(PLAN_NAMES[p]), buttons.AppPlan(p).pack())] for p in PlanType]
        return _(
            "Which plan do you apply for? Independent: your own business. Supporting: you "
            "supply and market the products of several home workers."
        ), inline_keyboard(rows)
    if step is Step.COVERED_WORKERS:
        return _("How many home workers will your supporting plan cover? Type a number."), typed
    if step is Step.AMOUNT:
        return _(
            "How much loan do you request, in toman? The cap for your plan is {cap}. "
            "For example: 150 million"
        ).format(cap=format_toman_short(cap_rials(form, catalogue))), typed
    raise ValueError(f"no plain question for {step}")


def summary_text(draft: Draft, catalogue: Catalogue, received: int, total: int) -> str:
    """Every answer and the documents count, for a last look before submitting."""
    form = draft.form
    lines = [
        _("Please check your application:"),
        _("Name: {value}").format(value=format_typed_text(form.full_name or "-")),
        _("National code: {value}").format(value=to_persian_digits(form.national_code or "-")),
        _("Mobile: {value}").format(value=phone_for_display(form.phone)),
        _("Birth date: {value}").format(
            value=format_jalali_date(form.birth_date) if form.birth_date else "-"
        ),
        _("County: {value}").format(value=county_name(catalogue, form.county)),
        _("Activity: {value}").format(value=activity_name(catalogue, form.activity)),
        _("Plan type: {value}").format(value=plan_name(form.plan_type)),
    ]
    if form.plan_type is PlanType.SUPPORTING and form.covered_workers:
        lines.append(
            _("Covered home workers: {value}").format(value=to_persian_digits(form.covered_workers))
        )
    amount = form.requested_toman or 0
    lines += [
        _("Requested loan: {value}").format(value=format_toman(amount * 10)),
        _("Documents: {received} of {total}").format(
            received=to_persian_digits(received), total=to_persian_digits(total)
        ),
        "",
        _("If everything is right, press «Confirm and submit». To change something, press Back."),
    ]
    return "\n".join(lines)


async def ask(
    update: Update, context: BotContext, draft: Draft, step: Step, note: str | None = None
) -> str:
    """Send the question of a step (with an optional note above it); return it as the state."""
    chat = update.effective_chat
    assert chat is not None
    services = context.services
    catalogue = services.catalogue
    title = header(draft.form, step)
    if step is Step.CONSENT:
        text, markup = consent_question()
    elif step is Step.DOCUMENTS:
        latest = await latest_own(services.store, draft.actor, draft.app.id)
        text, markup = documents_message(
            title, draft.form, catalogue, latest, services.settings.max_upload_mb, note
        )
        await context.bot.send_message(chat.id, text, reply_markup=markup)
        return step.value
    elif step is Step.SUMMARY:
        required = documents_for(draft.form, catalogue)
        latest = await latest_own(services.store, draft.actor, draft.app.id)
        received = len(required) - len(missing_documents(required, latest))
        text = summary_text(draft, catalogue, received, len(required))
        markup = inline_keyboard([[(_("✅ Confirm and submit"), buttons.APP_SUBMIT.pack())]])
    else:
        text, markup = question(draft, step, catalogue)
    parts = [p for p in (note, title, text) if p]
    await context.bot.send_message(chat.id, "\n\n".join(parts), reply_markup=markup)
    return step.value
