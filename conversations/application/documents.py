"""The documents step: pick a document, send it as a photo or PDF, replace one, see the checklist.

Order on every upload: the file is written (fsynced), then its ``documents`` row and the form,
in one transaction (``services.documents.upload``, the one replacement path), then the reply;
a crash in between loses at most an orphan file.
"""

from __future__ import annotations

import logging

from telegram import Message, Update

from conversations.application.checklist import (
    missing_documents,
    not_a_file_text,
    refusal_text,
    wrong_kind_text,
)
from conversations.application.drafts import Draft, save
from conversations.application.form import Step, documents_for
from conversations.application.questions import ask
from domain.catalogue import DocumentRequirement, FileKind
from domain.file_checks import UploadRejected
from domain.statuses import DocumentStatus
from handlers.context import BotContext
from handlers.uploads import receive_upload
from services.documents import DocumentAccepted, FileRef, latest_own, upload
from texts import buttons
from texts.i18n import _

LOGGER = logging.getLogger(__name__)


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
    context: BotContext, draft: Draft, doc: DocumentRequirement, file: FileRef
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
        note = refusal_text(refused.reason, doc, settings.max_upload_mb)
        return await ask(update, context, draft, Step.DOCUMENTS, note)
    kind = FileKind.PHOTO if stored.file_type.is_image else FileKind.PDF
    if kind not in doc.kinds:
        note = wrong_kind_text(doc, settings.max_upload_mb)
        return await ask(update, context, draft, Step.DOCUMENTS, note)
    if not await _store_upload(context, draft, doc, FileRef.of(stored, file_id)):
        return await _refuse_accepted(update, context, draft, doc)
    note = _("✅ {name} is received.").format(name=doc.name)
    return await ask(update, context, draft, Step.DOCUMENTS, note)


async def not_a_document(update: Update, context: BotContext, draft: Draft) -> str:
    """Text, a sticker, a voice message… in the documents step: say what is accepted."""
    doc = context.services.catalogue.document(draft.form.awaiting_document or "")
    note = not_a_file_text(doc, context.services.settings.max_upload_mb)
    return await ask(update, context, draft, Step.DOCUMENTS, note)


def document_code(data: str | None) -> str:
    """The document code of an «app:doc:<code>» button."""
    return buttons.AppDocument.of(data).code
