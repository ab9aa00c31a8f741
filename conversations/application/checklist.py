"""The documents step's message: the checklist (✅ / ⬜, «۳ از ۶») and what to send next."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from conversations.application.form import ApplicationForm, documents_for
from conversations.common import inline_keyboard
from domain.catalogue import Catalogue, DocumentRequirement, FileKind
from domain.models import Document
from texts.formatting import to_persian_digits
from texts.i18n import _

REVIEW_DATA = "app:review"
DOC_DATA_PREFIX = "app:doc:"


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
        [(("✅ " if doc.code in latest else "⬜ ") + doc.name, DOC_DATA_PREFIX + doc.code)]
        for doc in required
    ]
    if not missing_documents(required, latest):
        rows.append([(_("➡️ Review and submit"), REVIEW_DATA)])
    return "\n\n".join(parts), inline_keyboard(rows)
