"""Officers accept documents: tick them one by one, or accept every received one at once.

off:acc:<app> shows the tick list, off:ac:<app>:<document> ticks one, off:acok:<app> accepts
the ticked ones, off:acall:<app> accepts every received one. ``services.documents.accept``
commits each document's new status and its audit row in one transaction; an accepted
document can no longer be replaced.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from conversations.common import send_text
from conversations.officer.view import acting_officer, send_card
from conversations.tracking_view import document_name
from domain.models import Document
from domain.statuses import DocumentStatus
from handlers.context import BotContext, Services
from handlers.officer_menu import IDLE, back_to_menu_button
from services import documents
from texts import buttons
from texts.i18n import _

LOGGER = logging.getLogger(__name__)

ACCEPT_KEY = "off_acc"


async def _acceptable(update: Update, context: BotContext, app_id: int) -> list[Document]:
    """The latest documents an officer may still accept (none for drafts or closed files)."""
    return await documents.acceptable(
        context.services.store, acting_officer(update, context), app_id
    )


def _ticked(context: BotContext, app_id: int) -> list[int] | None:
    """The ticked document ids, or None when the tick list open is not this application's."""
    assert context.user_data is not None
    state = context.user_data.get(ACCEPT_KEY) or {}
    if state.get("app") != app_id:
        return None
    return [int(doc_id) for doc_id in state.get("docs", [])]


def _choices(
    services: Services, app_id: int, docs: list[Document], ticked: list[int]
) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                ("☑️ " if doc.id in ticked else "⬜ ") + document_name(services.catalogue, doc.kind),
                callback_data=buttons.AcceptToggle(app_id, doc.id).pack(),
            )
        ]
        for doc in docs
        if doc.id is not None  # a stored document always has one
    ]
    rows.append(
        [
            InlineKeyboardButton(
                _("Accept the ticked ones ✅"), callback_data=buttons.AcceptTicked(app_id).pack()
            )
        ]
    )
    rows.append(
        [
            InlineKeyboardButton(
                _("✅ Accept all received"), callback_data=buttons.AcceptAll(app_id).pack()
            )
        ]
    )
    rows.append([back_to_menu_button()])
    return InlineKeyboardMarkup(rows)


async def choose_documents(update: Update, context: BotContext) -> str:
    """off:acc:<id>: the tick list of the documents not yet accepted."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    await query.answer()
    app_id = buttons.AcceptDocuments.of(query.data).app_id
    docs = await _acceptable(update, context, app_id)
    if not docs:
        await send_text(update, context, _("There is no document left to accept."))
        return IDLE
    context.user_data[ACCEPT_KEY] = {"app": app_id, "docs": []}
    await send_text(
        update,
        context,
        _(
            "Which documents are acceptable? Tick them, then press «Accept the ticked ones», "
            "or accept all received documents at once. An accepted document can no longer "
            "be replaced by the citizen."
        ),
        reply_markup=_choices(context.services, app_id, docs, []),
    )
    return IDLE


async def toggle_document(update: Update, context: BotContext) -> str:
    """off:ac:<id>:<document id>: tick or untick one document."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    pressed = buttons.AcceptToggle.of(query.data)
    app_id, doc_id = pressed.app_id, pressed.document_id
    ticked = _ticked(context, app_id)
    docs = await _acceptable(update, context, app_id)
    if ticked is None or doc_id not in {doc.id for doc in docs}:
        await query.answer()
        return IDLE
    ticked = [d for d in ticked if d != doc_id] if doc_id in ticked else [*ticked, doc_id]
    context.user_data[ACCEPT_KEY] = {"app": app_id, "docs": ticked}
    await query.answer()
    await query.edit_message_reply_markup(_choices(context.services, app_id, docs, ticked))
    return IDLE


async def accept_ticked(update: Update, context: BotContext) -> str:
    """off:acok:<id>: accept the ticked documents."""
    query = update.callback_query
    assert query is not None
    app_id = buttons.AcceptTicked.of(query.data).app_id
    ticked = _ticked(context, app_id)
    if not ticked:
        await query.answer(_("Tick at least one document."))
        return IDLE
    await query.answer()
    return await _accept(update, context, app_id, ticked)


async def accept_all(update: Update, context: BotContext) -> str:
    """off:acall:<id>: accept every received document (not those flagged for correction)."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    app_id = buttons.AcceptAll.of(query.data).app_id
    docs = await _acceptable(update, context, app_id)
    received = [doc.id for doc in docs if doc.status is DocumentStatus.RECEIVED]
    return await _accept(update, context, app_id, [d for d in received if d is not None])


async def _accept(update: Update, context: BotContext, app_id: int, ids: list[int]) -> str:
    """Accept, tell the officer what was accepted, and show the card again."""
    services, actor = context.services, acting_officer(update, context)
    assert context.user_data is not None
    context.user_data.pop(ACCEPT_KEY, None)
    accepted = await documents.accept(services.store, actor, app_id, ids) if ids else []
    if accepted:
        LOGGER.info("Officer %s accepted %s documents of %s", actor.id, len(accepted), app_id)
        names = "، ".join(document_name(services.catalogue, doc.kind) for doc in accepted)
        await send_text(update, context, _("Accepted: {documents}").format(documents=names))
    else:
        await send_text(update, context, _("There is no document left to accept."))
    await send_card(update, context, app_id)  # nothing is sent for a missing application
    return IDLE
