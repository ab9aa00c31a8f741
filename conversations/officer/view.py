"""What an officer sees of an application: its fields, documents (the files) and timeline."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from conversations.tracking_view import (
    PLAN_LABELS,
    display_code,
    document_name,
    render_timeline,
)
from domain.lifecycle import ActorKind, allowed_transitions
from domain.models import Application, Document
from domain.statuses import ApplicationStatus, DocumentStatus
from handlers import auth
from handlers.context import BotContext, Services
from handlers.officer_menu import back_to_menu_button
from services.actors import Actor
from services.applications import ApplicationView, officer_view
from services.documents import ACCEPTABLE, accepting_open, read_stored
from texts import buttons
from texts.formatting import (
    format_branch,
    format_jalali_date,
    format_phone,
    format_toman,
    format_typed_text,
    to_persian_digits,
)
from texts.i18n import N_, _
from texts.notifications import status_label

LOGGER = logging.getLogger(__name__)

DOCUMENT_STATUS_LABELS: dict[DocumentStatus, str] = {
    DocumentStatus.RECEIVED: "📥",
    DocumentStatus.ACCEPTED: "✅",
    DocumentStatus.NEEDS_CORRECTION: "⚠️",
    DocumentStatus.REPLACED: "♻️",
}

# The document's state in words, beside its icon on the card.
DOCUMENT_STATE_TEXTS: dict[DocumentStatus, str] = {
    DocumentStatus.RECEIVED: N_("received, not yet reviewed"),
    DocumentStatus.ACCEPTED: N_("accepted"),
    DocumentStatus.NEEDS_CORRECTION: N_("needs correction"),
    DocumentStatus.REPLACED: N_("replaced"),
}


def acting_officer(update: Update, context: BotContext) -> Actor:
    """The officer pressing or typing, as the services know them (checked there again)."""
    user = update.effective_user
    assert user is not None
    return auth.acting_officer(context.services, user.id)


def document_line(services: Services, doc: Document) -> str:
    """«📥 National card — received, not yet reviewed» (icon, name, state in words)."""
    return _("{icon} {document} — {state}").format(
        icon=DOCUMENT_STATUS_LABELS[doc.status],
        document=document_name(services.catalogue, doc.kind),
        state=_(DOCUMENT_STATE_TEXTS[doc.status]),
    )


def _or_dash(value: object) -> str:
    return "—" if value in (None, "") else to_persian_digits(str(value))


def _fields(services: Services, app: Application) -> list[str]:
    catalogue = services.catalogue
    county = catalogue.county(app.county) if app.county else None
    activity = catalogue.activity(app.activity_code) if app.activity_code else None
    lines = [
        _("📄 Application {code} — {plan}").format(
            code=display_code(app), plan=_(PLAN_LABELS[app.plan_type])
        ),
        _("Status: {status}").format(status=status_label(app.status)),
        _("Name: {value}").format(value=format_typed_text(app.full_name or "—")),
        _("National code: {value}").format(value=_or_dash(app.national_code)),
        _("Phone: {value}").format(value=format_phone(app.phone)),
        _("County: {value}").format(value=county.name if county else _or_dash(app.county)),
        _("Activity: {value}").format(
            value=activity.name if activity else _or_dash(app.activity_code)
        ),
    ]
    if app.requested_rials:
        lines.append(_("Requested: {amount}").format(amount=format_toman(app.requested_rials)))
    if app.bank:
        lines.append(
            _("Bank: {bank}, {branch} branch").format(
                bank=app.bank, branch=format_branch(app.bank_branch)
            )
        )
    if app.paid_rials:
        paid_on = format_jalali_date(app.paid_on) if app.paid_on else "—"
        lines.append(
            _("Paid: {amount} on {date}").format(amount=format_toman(app.paid_rials), date=paid_on)
        )
    if app.permit_number:
        lines.append(_("Permit number: {number}").format(number=_or_dash(app.permit_number)))
    return lines


def render_card(services: Services, view: ApplicationView) -> str:
    """Fields, the latest document of each kind with its state, and the timeline."""
    docs = view.documents
    lines = _fields(services, view.application)
    lines += ["", _("Documents:")]
    if not docs.latest:
        lines.append(_("• No documents yet"))
    lines += [document_line(services, doc) for doc in docs.latest.values()]
    lines += ["", _("Timeline:"), render_timeline(services, view.timeline)]
    return "\n".join(lines)


def card_keyboard(app: Application, can_accept: bool = False) -> InlineKeyboardMarkup:
    """A button per move the life cycle allows an officer; documents, accept, permit; menu."""
    rows = [
        [
            InlineKeyboardButton(
                _("➡️ {status}").format(status=status_label(target)),
                callback_data=buttons.Move(app.id, target).pack(),
            )
        ]
        for target in allowed_transitions(app.status, ActorKind.OFFICER)
    ]
    extra = [
        InlineKeyboardButton(_("📎 Documents"), callback_data=buttons.ShowDocuments(app.id).pack())
    ]
    if can_accept:
        extra.append(
            InlineKeyboardButton(
                _("✅ Accept documents"), callback_data=buttons.AcceptDocuments(app.id).pack()
            )
        )
    if app.status not in (ApplicationStatus.DRAFT, ApplicationStatus.REJECTED):
        extra.append(
            InlineKeyboardButton(
                _("🪪 Permit number"), callback_data=buttons.AskPermit(app.id).pack()
            )
        )
    rows.append(extra)
    rows.append([back_to_menu_button()])
    return InlineKeyboardMarkup(rows)


async def send_card(update: Update, context: BotContext, app_id: int) -> bool:
    """Send the officer the card of an application; False if there is no such application."""
    services, chat = context.services, update.effective_chat
    assert chat is not None
    view = await officer_view(services.store, acting_officer(update, context), app_id)
    if view is None:
        return False
    app, latest = view.application, view.documents.latest
    can_accept = accepting_open(app) and any(doc.status in ACCEPTABLE for doc in latest.values())
    text = render_card(services, view)
    await context.bot.send_message(chat.id, text, reply_markup=card_keyboard(app, can_accept))
    return True


async def send_documents(update: Update, context: BotContext, app_id: int) -> int:
    """Send back the stored file of every document kind (latest upload); return how many."""
    services, chat = context.services, update.effective_chat
    assert chat is not None
    chat_id = chat.id
    view = await officer_view(services.store, acting_officer(update, context), app_id)
    latest = {} if view is None else view.documents.latest
    sent = 0
    for code, doc in latest.items():
        caption = f"{DOCUMENT_STATUS_LABELS[doc.status]} {document_name(services.catalogue, code)}"
        try:
            data = await read_stored(services.settings.data_dir, doc)
        except OSError:
            LOGGER.error("Stored file missing for document %s of application %s", doc.id, app_id)
            await context.bot.send_message(
                chat_id, _("The file of {document} is missing.").format(document=caption)
            )
            continue
        await _send_file(context, chat_id, doc, data, caption)
        sent += 1
    return sent


async def _send_file(
    context: BotContext, chat_id: int, doc: Document, data: bytes, caption: str
) -> None:
    name = doc.stored_name.rsplit("/", 1)[-1]
    if doc.mime_type.startswith("image/"):
        try:
            await context.bot.send_photo(chat_id, data, caption=caption, filename=name)
            return
        except TelegramError as exc:  # an odd image the platform refuses as a photo
            LOGGER.warning("send_photo failed (%s); sending document %s as a file", exc, doc.id)
    await context.bot.send_document(chat_id, data, caption=caption, filename=name)


def results_keyboard(apps: list[Application]) -> InlineKeyboardMarkup:
    """Search results as buttons: code and status (no names in the data, only ids)."""
    rows = [
        [
            InlineKeyboardButton(
                f"{display_code(app)} — {status_label(app.status)}",
                callback_data=buttons.OpenApplication(app.id).pack(),
            )
        ]
        for app in apps[:20]
    ]
    rows.append([back_to_menu_button()])
    return InlineKeyboardMarkup(rows)
