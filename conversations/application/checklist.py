"""The documents step's message: the checklist (✅ / ⬜, «۳ از ۶») and what to send next."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from conversations.application.form import ApplicationForm, documents_for
from conversations.common import inline_keyboard
from domain.catalogue import Catalogue, DocumentRequirement, FileKind
from domain.file_checks import Rejection
from domain.models import Document
from texts import buttons
from texts.formatting import to_persian_digits
from texts.i18n import _

REVIEW_DATA = buttons.APP_REVIEW.pack()


def missing_documents(
    required: list[DocumentRequirement], latest: dict[str, Document]
) -> list[DocumentRequirement]:
    """Required documents with no upload yet."""
    return [doc for doc in required if doc.code not in latest]


def accepted_kinds_text(doc: DocumentRequirement | None, max_mb: int) -> str:
    """«a photo or a PDF file, at most 10 MB» for this document."""
    mb = to_persian_digits(max_mb)
    kinds = set(doc.kinds) if doc is not None else {FileKind.PHOTO, FileKind.PDF}
    if kinds == {FileKind.PHOTO}:
        return _("as a photo (JPG or PNG), at most {mb} MB").format(mb=mb)
    if kinds == {FileKind.PDF}:
        return _("as a PDF file, at most {mb} MB").format(mb=mb)
    return _("as a photo (JPG or PNG) or a PDF file, at most {mb} MB").format(mb=mb)


def _accepts_both(doc: DocumentRequirement | None) -> bool:
    return doc is None or {FileKind.PHOTO, FileKind.PDF} <= set(doc.kinds)


def wrong_kind_text(doc: DocumentRequirement, max_mb: int) -> str:
    """A file this document does not take (a PDF for a photo-only one, an archive, …)."""
    return _("{name} cannot be accepted as this kind of file. Please send it {accepted}.").format(
        name=doc.name, accepted=accepted_kinds_text(doc, max_mb)
    )


def refusal_text(reason: Rejection, doc: DocumentRequirement | None, max_mb: int) -> str:
    """Why an upload was refused, and what to send instead, by this document's own rules."""
    accepted = accepted_kinds_text(doc, max_mb)
    if reason is Rejection.TOO_LARGE:
        return _("This file is larger than {mb} MB. Please send a smaller file {accepted}.").format(
            mb=to_persian_digits(max_mb), accepted=accepted
        )
    if reason is Rejection.NOT_ACCEPTED:
        if doc is not None and not _accepts_both(doc):
            return wrong_kind_text(doc, max_mb)
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


def not_a_file_text(doc: DocumentRequirement | None, max_mb: int) -> str:
    """Text, a sticker, a voice message… where a document is expected."""
    accepted = accepted_kinds_text(doc, max_mb)
    if doc is not None and not _accepts_both(doc):
        return _(
            "Text, stickers, voice and other messages cannot be accepted here. "
            "Please send {name} {accepted}."
        ).format(name=doc.name, accepted=accepted)
    return _(
        "Only a photo or a PDF file can be accepted here; text, stickers, voice and other "
        "messages cannot. Please send the document {accepted}."
    ).format(accepted=accepted)


def checklist_text(required: list[DocumentRequirement], latest: dict[str, Document]) -> str:
    """«Documents received: ۳ of ۶» and one ✅/⬜ line per document."""
    received = sum(1 for doc in required if doc.code in latest)
    lines = [
        _("Documents received: {received} of {total}").format(
            received=to_persian_digits(received), total=to_persian_digits(len(required))
        )
    ]
    for doc in required:
        lines.append(("✅ " if doc.code in latest else "⬜ ") + doc.name)
    return "\n".join(lines)


def documents_message(
    header: str,
    form: ApplicationForm,
    catalogue: Catalogue,
    latest: dict[str, Document],
    max_mb: int,
    note: str | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """The whole documents message and its buttons (pick a document; review when complete)."""
    required = documents_for(form, catalogue)
    parts = [note] if note else []
    parts += [header, checklist_text(required, latest)]
    awaiting = catalogue.document(form.awaiting_document) if form.awaiting_document else None
    if awaiting is not None:
        parts.append(
            _("Now please send: {name}\n{hint}\nSend it {accepted}.").format(
                name=awaiting.name,
                hint=awaiting.hint,
                accepted=accepted_kinds_text(awaiting, max_mb),
            )
        )
    elif not missing_documents(required, latest):
        parts.append(
            _(
                "All your documents are received. To replace one, choose it below; "
                "otherwise press «Review and submit»."
            )
        )
    else:
        parts.append(_("Choose the document you want to send."))
    rows = [
        [
            (
                ("✅ " if doc.code in latest else "⬜ ") + doc.name,
                buttons.AppDocument(doc.code).pack(),
            )
        ]
        for doc in required
    ]
    if not missing_documents(required, latest):
        rows.append([(_("➡️ Review and submit"), REVIEW_DATA)])
    return "\n\n".join(parts), inline_keyboard(rows)
