"""Replacing documents an officer asked to correct: fix:<application id>:<document code>.

Ownership and the pending request are checked on the button AND again on the upload (by
``services.documents.upload``, the one replacement path); when the last requested document
arrives the application goes back to review (citizen's move) and the officers are told.
"""

from __future__ import annotations

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
from conversations.tracking_view import document_name, fix_keyboard
from domain.catalogue import DocumentRequirement, FileKind
from domain.file_checks import UploadRejected
from domain.models import Application
from handlers.context import BotContext, Services
from handlers.menu import main_menu_keyboard
from handlers.uploads import receive_upload
from services import applications, citizens
from services.actors import Actor
from services.applications import ApplicationView
from services.documents import DocumentAccepted, FileRef, NotRequested, OfficerAlert, upload
from texts import buttons
from texts.formatting import format_tracking_code
from texts.i18n import _

FIX_UPLOAD = "trk_fix_upload"
FIX_PATTERN = buttons.SendAgain.pattern()
_KEY = "trk_fix"


def forget(context: BotContext) -> None:
    """Drop the fix in progress from user_data."""
    if context.user_data is not None:
        context.user_data.pop(_KEY, None)


async def _owned(update: Update, context: BotContext, app_id: int) -> ApplicationView | None:
    """The application, only if it belongs to the sender's citizen row on this platform."""
    user = update.effective_user
    if user is None:
        return None
    services = context.services
    platform = services.platform.value
    citizen = await citizens.find(services.store, platform, user.id)
    if citizen is None:
        return None
    return await applications.find_own(services.store, Actor("citizen", citizen.id), app_id)


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
    assert query is not None
    pressed = buttons.SendAgain.of(query.data)
    code = pressed.code
    view = await _owned(update, context, pressed.app_id)
    pending = {} if view is None else view.corrections.pending
    accepted = set() if view is None else view.corrections.accepted
    if code in accepted and update.effective_message is not None:
        # Replacing stops once a document is accepted (officers may still ask for it again).
        await query.answer()
        forget(context)
        await update.effective_message.reply_text(
            _already_accepted(context.services, code), reply_markup=main_menu_keyboard()
        )
        return ConversationHandler.END
    if view is None or code not in pending:
        # The same answer as any stale button: a forged id learns nothing.
        await query.answer(_("This button is no longer active. Please use the menu."))
        forget(context)
        return ConversationHandler.END
    await query.answer()
    assert context.user_data is not None
    context.user_data[_KEY] = {"app": view.application.id, "doc": code}
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
    view = None if wanted is None else await _owned(update, context, int(wanted["app"]))
    services = context.services
    pending = {} if view is None else view.corrections.pending
    accepted = set() if view is None else view.corrections.accepted
    if view is None or wanted is None or wanted["doc"] not in pending:
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
    app = view.application
    file = FileRef.of(stored, found[0])
    try:
        done = await upload(
            services.store,
            Actor("citizen", app.citizen_id),
            app.id,
            code,
            file,
            alert=_alert(services, app),
            reminders=services.reminders,
        )
    except (DocumentAccepted, NotRequested) as refused:
        # Accepted, or no longer asked for, while the file was downloading.
        forget(context)
        await message.reply_text(
            _already_accepted(services, code)
            if isinstance(refused, DocumentAccepted)
            else _("This correction is no longer needed. Here is the main menu."),
            reply_markup=main_menu_keyboard(),
        )
        return ConversationHandler.END
    remaining = done.remaining
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


def _alert(services: Services, app: Application) -> OfficerAlert:
    """«Corrected documents arrived»: each officer's with the card's button, the officers'
    chat (a group, when set) with the line only."""
    button = InlineKeyboardButton(
        _("📂 Open the application"), callback_data=buttons.OpenApplication(app.id).pack()
    )
    return OfficerAlert(
        text=_("Corrected documents arrived for application {code}.").format(
            code=format_tracking_code(app.tracking_code or str(app.id))
        ),
        reply_markup=InlineKeyboardMarkup([[button]]).to_dict(),
        officers_chat_id=services.settings.officers_chat_id,
    )
