"""The application's questions: one message per step, with «گام n از N», back and cancel."""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)

from conversations.application.checklist import documents_message, missing_documents
from conversations.application.drafts import Draft
from conversations.application.form import ApplicationForm, Step, documents_for
from conversations.application.steps import (
    CONSENT_NOTICE,
    STEPS,
    activity_name,
    county_name,
    form_step,
    plan_name,
    position,
)
from conversations.common import inline_keyboard, step_header
from domain.catalogue import Catalogue
from domain.statuses import PlanType
from handlers.context import BotContext
from services.documents import latest_own
from texts import buttons
from texts.formatting import (
    format_jalali_date,
    format_phone,
    format_toman,
    format_typed_text,
    to_persian_digits,
)
from texts.i18n import _

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


def header(form: ApplicationForm, step: Step) -> str:
    """The step header ("Step {step} of {total}") for this step on this citizen's path."""
    number, total = position(form, step)
    return step_header(number, total)


def phone_for_display(phone: str | None) -> str:
    """+989121234567 as «۰۹۱۲۱۲۳۴۵۶۷» (the one form citizens and officers see)."""
    return format_phone(phone) if phone else "-"


def consent_question() -> tuple[str, Markup]:
    """The privacy notice (step 1 is always step 1: nothing is stored yet)."""
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
    return _(CONSENT_NOTICE), keyboard


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
        answers = draft.form.answers()
        return await STEPS.ask(update, context, form_step(step), answers, note=note, answer=False)
    parts = [p for p in (note, title, text) if p]
    await context.bot.send_message(chat.id, "\n\n".join(parts), reply_markup=markup)
    return step.value
