"""Submitting a draft: status submitted (by the citizen) and a fresh tracking code, atomically."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler

from conversations.application.drafts import Draft, remember
from conversations.application.form import Step, documents_for
from conversations.application.questions import ask
from handlers.context import BotContext
from handlers.menu import main_menu_keyboard
from services.applications import DocumentsMissing
from services.applications import submit as submit_draft
from texts.formatting import format_tracking_code
from texts.i18n import _


async def submit(update: Update, context: BotContext, draft: Draft) -> str | int:
    """Check every document is in, then submit and show the tracking code."""
    services = context.services
    required = [doc.code for doc in documents_for(draft.form, services.catalogue)]
    try:
        app = await submit_draft(
            services.store, draft.actor, draft.app.id, required, reminders=services.reminders
        )
    except DocumentsMissing:
        note = _("Some documents are still missing. Please send them first.")
        return await ask(update, context, draft, Step.DOCUMENTS, note)
    remember(context, None)
    chat = update.effective_chat
    assert chat is not None and app.tracking_code is not None
    await context.bot.send_message(
        chat.id,
        _(
            "Your application is submitted. Thank you!\n\nYour tracking code: {code}\n\n"
            "Please keep this code. You can follow your application with «Track my "
            "application» in the menu."
        ).format(code=format_tracking_code(app.tracking_code)),
        reply_markup=main_menu_keyboard(),
    )
    return ConversationHandler.END
