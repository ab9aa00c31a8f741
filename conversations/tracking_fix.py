"""Replacing documents an officer asked to correct: fix:<application id>:<document code>.

Ownership and the pending request are checked on the button AND again on the upload; when
the last requested document arrives the application goes back to review (citizen's move).
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from conversations.application.checklist import (
    accepted_kinds_text,
    not_a_file_text,
    refusal_text,
    wrong_kind_text,
)
from conversations.common import inline_keyboard
from conversations.tracking_view import document_name, fix_keyboard, open_requests
from domain.catalogue import DocumentRequirement, FileKind
from domain.file_checks import UploadRejected
from domain.models import Application, Document
from domain.notifications import OutboxKind, OutboxMessage
from domain.statuses import ApplicationStatus, DocumentStatus
from handlers.auth import is_officer, officer_of, officer_user_ids
from handlers.context import BotContext, Services
from handlers.menu import main_menu_keyboard
from handlers.uploads import receive_upload
from storage.audit import AuditLog
from storage.status_changes import change_status
from texts.formatting import format_tracking_code
from texts.i18n import _

LOGGER = logging.getLogger(__name__)

FIX_UPLOAD = "trk_fix_upload"
FIX_PATTERN = r"^fix:\d{1,12}:[a-z0-9_]{1,40}$"
_KEY = "trk_fix"


class DocumentAccepted(Exception):
    """The document was accepted by an officer before its replacement was stored."""


def forget(context: BotContext) -> None:
    """Drop the fix in progress from user_data."""
    if context.user_data is not None:
        context.user_data.pop(_KEY, None)


async def _owned(update: Update, context: BotContext, app_id: int) -> Application | None:
    """The application, only if it belongs to the sender's citizen row on this platform."""
    user = update.effective_user
    if user is None:
        return None
    services = context.services
    platform = services.settings.bot_platform.value
    citizen = await services.store.citizens.get_by_platform_user(platform, user.id)
    if citizen is None:
        return None
    return await services.store.applications.get_for_citizen(app_id, citizen.id)


def _already_accepted(services: Services, code: str) -> str:
    return _(
        "{document} has already been accepted by the officer, so it cannot be replaced. "
        "There is nothing more to send for it."
    ).format(document=document_name(services.catalogue, code))


async def _prompt(update: Update, services: Services, code: str) -> None:
    """What to send, in the kinds this document accepts (a photo-only one asks for a photo)."""
    message = update.effective_message
    if message is None:
        return
    requirement = services.catalogue.document(code)
    await message.reply_text(
        _("Please send {document} again {accepted}.\n{hint}").format(
            document=document_name(services.catalogue, code),
            accepted=accepted_kinds_text(requirement, services.settings.max_upload_mb),
            hint=requirement.hint if requirement else "",
        ),
        reply_markup=inline_keyboard([], back=False),
    )


async def start_fix(update: Update, context: BotContext) -> int | str:
    """A «send again» button: only the owner, only for a document still requested."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _prefix, raw_id, code = query.data.split(":", 2)
    app = await _owned(update, context, int(raw_id))
    pending, accepted = ({}, set()) if app is None else await open_requests(context.services, app)
    if code in accepted and update.effective_message is not None:
        # Replacing stops once a document is accepted (officers may still ask for it again).
        await query.answer()
        forget(context)
        await update.effective_message.reply_text(
            _already_accepted(context.services, code), reply_markup=main_menu_keyboard()
        )
        return ConversationHandler.END
    if app is None or code not in pending:
        # The same answer as any stale button: a forged id learns nothing.
        await query.answer(_("This button is no longer active. Please use the menu."))
        forget(context)
        return ConversationHandler.END
    await query.answer()
    assert context.user_data is not None
    context.user_data[_KEY] = {"app": app.id, "doc": code}
    await _prompt(update, context.services, code)
    return FIX_UPLOAD


def _wanted_document(context: BotContext) -> DocumentRequirement | None:
    """The requirement of the document this fix waits for (None if unknown)."""
    wanted: dict[str, Any] = (context.user_data or {}).get(_KEY) or {}
    return context.services.catalogue.document(str(wanted.get("doc", "")))


async def not_a_file(update: Update, context: BotContext) -> str:
    """Text while a file is expected: say what to send, by the document's own rules."""
    message = update.effective_message
    if message is not None:
        doc = _wanted_document(context)
        await message.reply_text(
            not_a_file_text(doc, context.services.settings.max_upload_mb),
            reply_markup=inline_keyboard([], back=False),
        )
    return FIX_UPLOAD


def _file_of(update: Update) -> tuple[str, int | None] | None:
    message = update.effective_message
    if message is None:
        return None
    if message.photo:
        largest = message.photo[-1]
        return largest.file_id, largest.file_size
    if message.document is not None:
        return message.document.file_id, message.document.file_size
    return None


async def got_file(update: Update, context: BotContext) -> int | str:
    """Store the new file as the document; back to review when nothing else is pending."""
    message = update.effective_message
    assert message is not None and context.user_data is not None
    wanted: dict[str, Any] | None = context.user_data.get(_KEY)
    app = None if wanted is None else await _owned(update, context, int(wanted["app"]))
    services = context.services
    pending, accepted = ({}, set()) if app is None else await open_requests(services, app)
    if app is None or wanted is None or wanted["doc"] not in pending:
        forget(context)
        await message.reply_text(
            _already_accepted(services, str(wanted["doc"]))
            if wanted is not None and wanted["doc"] in accepted
            else _("This correction is no longer needed. Here is the main menu."),
            reply_markup=main_menu_keyboard(),
        )
        return ConversationHandler.END
    code = str(wanted["doc"])
    found = _file_of(update)
    assert found is not None
    settings = services.settings
    requirement = services.catalogue.document(code)
    try:
        stored = await receive_upload(
            context.bot,
            found[0],
            found[1],
            data_dir=settings.data_dir,
            max_bytes=settings.max_upload_bytes,
            now=services.now(),
            max_pixels=settings.max_image_pixels,
        )
    except UploadRejected as exc:
        text = refusal_text(exc.reason, requirement, settings.max_upload_mb)
        await message.reply_text(text, reply_markup=inline_keyboard([], back=False))
        return FIX_UPLOAD
    kind = FileKind.PHOTO if stored.file_type.is_image else FileKind.PDF
    if requirement is not None and kind not in requirement.kinds:
        text = wrong_kind_text(requirement, settings.max_upload_mb)
        await message.reply_text(text, reply_markup=inline_keyboard([], back=False))
        return FIX_UPLOAD
    remaining = [c for c in pending if c != code]
    try:
        await _save(
            services,
            app,
            code,
            stored.stored_name,
            stored.sha256,
            stored.mime_type,
            stored.size_bytes,
            found[0],
            remaining,
        )
    except DocumentAccepted:
        forget(context)
        await message.reply_text(
            _already_accepted(services, code), reply_markup=main_menu_keyboard()
        )
        return ConversationHandler.END
    forget(context)
    name = document_name(services.catalogue, code)
    if remaining:
        await message.reply_text(
            _("Received {document}. Please also send the other documents below.").format(
                document=name
            ),
            reply_markup=fix_keyboard(services, app.id, remaining),
        )
    else:
        await message.reply_text(
            _(
                "Received {document}. Thank you: all requested documents are in, and your "
                "application is back under review."
            ).format(document=name),
            reply_markup=main_menu_keyboard(),
        )
    services.wake_sender()
    return ConversationHandler.END


async def _save(
    services: Services,
    app: Application,
    code: str,
    stored_name: str,
    sha256: str,
    mime_type: str,
    size_bytes: int,
    file_id: str,
    remaining: list[str],
) -> None:
    """The new document, and (when it was the last one) the move back to review: one commit.

    The move back to review tells the officers in the same commit (see ``_officers_to_tell``).
    """
    store = services.store
    officers = [] if remaining else await _officers_to_tell(services, app)
    actor = f"citizen:{app.citizen_id}"
    new = Document(
        application_id=app.id,
        kind=code,
        stored_name=stored_name,
        sha256=sha256,
        mime_type=mime_type,
        size_bytes=size_bytes,
        platform_file_id=file_id,
    )
    async with store.db.transaction() as c:
        old = (await store.documents.list_for_application(app.id, conn=c)).latest.get(code)
        if old is not None and old.status is DocumentStatus.ACCEPTED:
            # Accepted while the file was downloading: the accepted one stays.
            raise DocumentAccepted(code)
        if old is not None and old.id is not None:
            await store.documents.replace(old.id, new, conn=c)
        else:
            await store.documents.add(new, conn=c)
        await AuditLog(store.db).record(
            actor, "document_replaced", f"application:{app.id}", after={"kind": code}, conn=c
        )
        if remaining:
            return
        event = await change_status(
            store,
            app.id,
            ApplicationStatus.UNDER_REVIEW,
            actor,
            reminders=services.reminders,
            conn=c,
        )
        for alert in _alerts(services, app, event.id, officers):
            await store.outbox.enqueue(alert, conn=c)
    LOGGER.info("Application %s: document %s replaced by its citizen", app.id, code)


async def _officers_to_tell(services: Services, app: Application) -> list[int]:
    """Who hears that corrected documents arrived: the officer who asked for them, while
    still an officer; otherwise every officer (OFFICER_IDS included)."""
    events = await services.store.status_events.timeline(app.id)
    asked = next(
        (e for e in reversed(events) if e.to_status is ApplicationStatus.NEEDS_CORRECTION), None
    )
    requester = None if asked is None else officer_of(asked.actor)
    if requester is not None and await is_officer(services, requester):
        return [requester]
    return await officer_user_ids(services)


def _alerts(
    services: Services, app: Application, event_id: int | None, officers: list[int]
) -> list[OutboxMessage]:
    """«Corrected documents arrived»: each officer's with the card's button, the officers'
    chat (a group, when set) with the line only. A private chat's id is the user's id."""
    text = _("Corrected documents arrived for application {code}.").format(
        code=format_tracking_code(app.tracking_code or str(app.id))
    )
    button = InlineKeyboardButton(_("📂 Open the application"), callback_data=f"off:open:{app.id}")
    card: dict[str, Any] | None = InlineKeyboardMarkup([[button]]).to_dict()
    chats = [(user_id, card) for user_id in officers]
    if services.settings.officers_chat_id is not None:
        chats.append((services.settings.officers_chat_id, None))
    return [
        OutboxMessage(
            chat_id=chat_id,
            kind=OutboxKind.OFFICER_ALERT.value,
            text=text,
            reply_markup=markup,
            dedupe_key=f"resubmitted:{event_id}:{chat_id}",
        )
        for chat_id, markup in chats
    ]
