"""The application conversation's plumbing: load the draft, back/cancel, save then ask."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update

from conversations.application.documents import not_a_document
from conversations.application.drafts import Draft, load_draft, save
from conversations.application.form import Step, documents_for
from conversations.application.questions import ask
from conversations.application.steps import next_step, plan_name, previous_step
from conversations.common import BACK_DATA, CANCEL_DATA, is_back, is_cancel, leave
from domain.statuses import PlanType
from handlers.context import BotContext
from services.documents import latest_own
from texts.i18n import _

StepCallback = Callable[[Update, BotContext, Draft], Awaitable[str | int]]
Callback = Callable[[Update, BotContext], Coroutine[Any, Any, str | int]]


# --- shared plumbing -------------------------------------------------------------------------


async def answer_query(update: Update) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer()


def text_of(update: Update) -> str | None:
    message = update.message
    return message.text if message is not None else None


def data_of(update: Update) -> str:
    query = update.callback_query
    return query.data or "" if query is not None else ""


def on_step(step: Step, callback: StepCallback) -> Callback:
    """Load the draft, honour back/cancel, and re-ask the stored step if the state is stale."""

    async def handler(update: Update, context: BotContext) -> str | int:
        await answer_query(update)
        text, data = text_of(update), data_of(update)
        if is_cancel(text) or data == CANCEL_DATA:
            return await leave(update, context)
        draft = await load_draft(update, context)
        if draft is None:
            return await leave(update, context, _("You have no unfinished application."))
        if draft.step is not step:  # another device, or the persistence was lost
            return await ask(update, context, draft, draft.step)
        if is_back(text) or data == BACK_DATA:
            return await go_back(update, context, draft)
        return await callback(update, context, draft)

    return handler


async def go_back(update: Update, context: BotContext, draft: Draft) -> str:
    """One step back on this citizen's path."""
    target = previous_step(draft.form, draft.step)
    draft.form.changing = None
    await save(context, draft, target)
    return await ask(update, context, draft, target)


async def advance(
    update: Update,
    context: BotContext,
    draft: Draft,
    *,
    citizen_fields: dict[str, str] | None = None,
    **columns: object,
) -> str:
    """Store this step's answer, then ask the next step's question."""
    target = next_step(draft.form, draft.step)
    draft.form.changing = None
    if target is Step.DOCUMENTS and draft.form.awaiting_document is None:
        latest = await latest_own(context.services.store, draft.actor, draft.app.id)
        missing = [
            d for d in documents_for(draft.form, context.services.catalogue) if d.code not in latest
        ]
        draft.form.awaiting_document = missing[0].code if missing else None
    await save(context, draft, target, citizen_fields=citizen_fields, **columns)
    return await ask(update, context, draft, target)


async def again(update: Update, context: BotContext, draft: Draft, note: str) -> str:
    """The same question once more, with a note on what went wrong."""
    return await ask(update, context, draft, draft.step, note)


async def unexpected(update: Update, context: BotContext, draft: Draft) -> str:
    """Something this step cannot use: explain and ask again."""
    if draft.step is Step.DOCUMENTS:
        return await not_a_document(update, context, draft)
    note = _("I could not use that message here. Please answer the question below.")
    return await again(update, context, draft, note)


def open_exists_text(plan_type: PlanType) -> str:
    return _(
        "You already have an open application for the {plan}. You can follow it with «Track "
        "my application» in the menu."
    ).format(plan=plan_name(plan_type))
