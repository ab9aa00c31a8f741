"""Submitting a draft: status submitted (by the citizen) and a fresh tracking code, atomically."""

from __future__ import annotations

import aiosqlite
from telegram import Update
from telegram.ext import ConversationHandler

from conversations.application.checklist import missing_documents
from conversations.application.drafts import Draft, remember
from conversations.application.form import Step, documents_for
from conversations.application.questions import ask
from domain.statuses import ApplicationStatus
from domain.tracking import new_tracking_code
from handlers.context import BotContext
from handlers.menu import main_menu_keyboard
from storage import Store
from storage.status_changes import change_status
from texts.formatting import format_tracking_code
from texts.i18n import _

_CODE_ATTEMPTS = 20


async def _unused_code(store: Store, conn: aiosqlite.Connection) -> str:
    """A tracking code no application has (checked inside the writing transaction)."""
    for _attempt in range(_CODE_ATTEMPTS):
        code = new_tracking_code()
        if await store.applications.find_by_tracking_code(code, conn=conn) is None:
            return code
    raise RuntimeError("no unused tracking code found")  # pragma: no cover - 10^7 codes


async def submit(update: Update, context: BotContext, draft: Draft) -> str | int:
    """Check every document is in, then submit and show the tracking code."""
    services = context.services
    store = services.store
    required = documents_for(draft.form, services.catalogue)
    latest = (await store.documents.list_for_application(draft.app.id)).latest
    if missing_documents(required, latest):
        note = _("Some documents are still missing. Please send them first.")
        return await ask(update, context, draft, Step.DOCUMENTS, note)
    async with store.db.transaction() as conn:
        code = await _unused_code(store, conn)
        await store.applications.update_fields(
            draft.app.id, conn=conn, tracking_code=code, step=None
        )
        await change_status(
            store,
            draft.app.id,
            ApplicationStatus.SUBMITTED,
            actor=f"citizen:{draft.citizen.id}",
            reminders=services.reminders,
            conn=conn,
        )
    remember(context, None)
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(
        chat.id,
        _(
            "Your application is submitted. Thank you!\n\nYour tracking code: {code}\n\n"
            "Please keep this code. You can follow your application with «Track my "
            "application» in the menu."
        ).format(code=format_tracking_code(code)),
        reply_markup=main_menu_keyboard(),
    )
    return ConversationHandler.END
