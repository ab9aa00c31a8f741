"""The documents step: pick a document, send it as a photo or PDF, replace one, see the checklist.

Order on every upload: the file is written (fsynced), then its ``documents`` row and the form,
in one transaction (``services.documents.upload``, the one replacement path), then the reply;
a crash in between loses at most an orphan file.
"""

from __future__ import annotations

import logging

from telegram import Message, Update

from bot.context import BotContext
from bot.formatting import to_persian_digits
from bot.i18n import _
from bot.uploads import Rejection, StoredFile, UploadRejected, receive_upload
from conversations.application.checklist import (
    DOC_DATA_PREFIX,
    accepted_kinds_text,
    missing_documents,
)
from conversations.application.drafts import Draft, save
from conversations.application.form import Step, documents_for
from conversations.application.questions import ask
from domain.catalogue import DocumentRequirement, FileKind
from domain.statuses import DocumentStatus
from services.documents import DocumentAccepted, FileRef, latest_own, upload

LOGGER = logging.getLogger(__name__)


def _rejection_text(reason: Rejection, doc: DocumentRequirement | None, max_mb: int) -> str:
    accepted = accepted_kinds_text(doc, max_mb)
    if reason is Rejection.TOO_LARGE:
        return _("This file is larger than {mb} MB. Please send a smaller file {accepted}.").format(
            mb=to_persian_digits(max_mb), accepted=accepted
        )
    if reason is Rejection.NOT_ACCEPTED:
        return _(
            "This file is not a photo or a PDF and cannot be accepted. Please send it {accepted}."
        ).format(accepted=accepted)
    if reason is Rejection.TOO_MANY_PIXELS:
        return _(
            "This picture is too large in pixels to be opened. Please send it {accepted}, "
            "smaller: an ordinary phone photo is fine."
        ).format(accepted=accepted)
    if reason is Rejection.CORRUPT:
        return _(
            "This file is damaged and cannot be opened. Please send it again {accepted}."
        ).format(accepted=accepted)
    return _("The file could not be received. Please send it again {accepted}.").format(
        accepted=accepted
    )


def _accepted_note(doc: DocumentRequirement) -> str:
    return _(
        "{name} has already been accepted by the officer, so it cannot be replaced. "
        "Please choose another document."
    ).format(name=doc.name)


async def _is_accepted(context: BotContext, draft: Draft, code: str) -> bool:
    """Whether an officer has accepted the current upload of this kind (no more replacing)."""
    latest = await latest_own(context.services.store, draft.actor, draft.app.id)
    return code in latest and latest[code].status is DocumentStatus.ACCEPTED


async def _refuse_accepted(
    update: Update, context: BotContext, draft: Draft, doc: DocumentRequirement
) -> str:
    """Nothing is stored: say so, and stop waiting for that document."""
    draft.form.awaiting_document = None
    await save(context, draft, Step.DOCUMENTS)
    return await ask(update, context, draft, Step.DOCUMENTS, _accepted_note(doc))


async def pick_document(update: Update, context: BotContext, draft: Draft, code: str) -> str:
    """The citizen chose which document the next upload is (to send or to replace)."""
    required = {doc.code for doc in documents_for(draft.form, context.services.catalogue)}
    doc = context.services.catalogue.document(code)
    if doc is not None and code in required and await _is_accepted(context, draft, code):
        return await ask(update, context, draft, Step.DOCUMENTS, _accepted_note(doc))
    if code in required:
        draft.form.awaiting_document = code
        await save(context, draft, Step.DOCUMENTS)
    return await ask(update, context, draft, Step.DOCUMENTS)


def _file_of(message: Message) -> tuple[str, int | None, FileKind] | None:
    """(file_id, reported size, what the citizen sent) of a photo or document message."""
    if message.photo:
        largest = message.photo[-1]
        return largest.file_id, largest.file_size, FileKind.PHOTO
    if message.document is not None:
        return message.document.file_id, message.document.file_size, FileKind.PDF
    return None


async def _store_upload(
    context: BotContext, draft: Draft, doc: DocumentRequirement, stored: StoredFile, file_id: str
) -> bool:
    """The documents row (replacing the previous upload of this kind) and the form, together.

    False, storing nothing, when an officer has accepted the current upload of this kind.
    """
    store = context.services.store
    latest = await latest_own(store, draft.actor, draft.app.id)
    required = documents_for(draft.form, context.services.catalogue)
    missing = [d for d in missing_documents(required, latest) if d.code != doc.code]
    awaiting = draft.form.awaiting_document
    draft.form.awaiting_document = missing[0].code if missing else None
    file = FileRef(
        stored_name=stored.stored_name,
        sha256=stored.sha256,
        mime_type=stored.mime_type,
        size_bytes=stored.size_bytes,
        platform_file_id=file_id,
    )
    try:
        done = await upload(
            store,
            draft.actor,
            draft.app.id,
            doc.code,
            file,
            answers=draft.form.dump(),
            step=Step.DOCUMENTS.value,
        )
    except DocumentAccepted:
        draft.form.awaiting_document = awaiting
        return False
    draft.app = done.application
    return True


async def receive_document(update: Update, context: BotContext, draft: Draft) -> str:
    """A photo or file: check it, store it, tick it off, and ask for the next one."""
    message = update.effective_message
    assert message is not None
    services = context.services
    settings = services.settings
    catalogue = services.catalogue
    doc = catalogue.document(draft.form.awaiting_document or "")
    sent = _file_of(message)
    if doc is None or sent is None:
        note = _("First choose below which document you are sending.")
        return await ask(update, context, draft, Step.DOCUMENTS, note)
    if await _is_accepted(context, draft, doc.code):
        return await _refuse_accepted(update, context, draft, doc)
    file_id, size, _sent_as = sent
    try:
        stored = await receive_upload(
            context.bot,
            file_id,
            size,
            data_dir=settings.data_dir,
            max_bytes=settings.max_upload_bytes,
            now=services.now(),
            max_pixels=settings.max_image_pixels,
        )
    except UploadRejected as refused:
        LOGGER.info("upload refused for application %s: %s", draft.app.id, refused.reason)
        note = _rejection_text(refused.reason, doc, settings.max_upload_mb)
        return await ask(update, context, draft, Step.DOCUMENTS, note)
    kind = FileKind.PHOTO if stored.file_type.is_image else FileKind.PDF
    if kind not in doc.kinds:
        note = _(
            "{name} cannot be accepted as this kind of file. Please send it {accepted}."
        ).format(name=doc.name, accepted=accepted_kinds_text(doc, settings.max_upload_mb))
        return await ask(update, context, draft, Step.DOCUMENTS, note)
    if not await _store_upload(context, draft, doc, stored, file_id):
        return await _refuse_accepted(update, context, draft, doc)
    note = _("✅ {name} is received.").format(name=doc.name)
    return await ask(update, context, draft, Step.DOCUMENTS, note)


async def not_a_document(update: Update, context: BotContext, draft: Draft) -> str:
    """Text, a sticker, a voice message… in the documents step: say what is accepted."""
    doc = context.services.catalogue.document(draft.form.awaiting_document or "")
    note = _(
        "Only a photo or a PDF file can be accepted here; text, stickers, voice and other "
        "messages cannot. Please send the document {accepted}."
    ).format(accepted=accepted_kinds_text(doc, context.services.settings.max_upload_mb))
    return await ask(update, context, draft, Step.DOCUMENTS, note)


def document_code(data: str | None) -> str:
    """The document code of an «app:doc:<code>» button."""
    return (data or "").removeprefix(DOC_DATA_PREFIX)
