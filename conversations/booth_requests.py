"""Officers answer booth requests (approve / decline, audited); the citizen hears via the outbox.

These buttons live in the states of the officers' exhibitions conversation
(``conversations.exhibition_admin``), which wires them in with ``build(...)``:

    exa:booths ─▶ pending requests ─exa:ok:<id> | exa:no:<id>─▶ the citizen is told
                                                            ─▶ pending requests again
               ─exa:menu─▶ the exhibitions list
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from conversations.common import say
from handlers.auth import acting_officer
from handlers.context import BotContext
from services import booths
from texts import buttons
from texts.formatting import format_number
from texts.i18n import _

BOOTHS_DATA = buttons.EXA_BOOTHS.pack()


async def _show(update: Update, context: BotContext, back: str) -> None:
    """Pending booth requests, each with approve / decline, and ``back`` to the menu."""
    services, user = context.services, update.effective_user
    assert user is not None
    pending = await booths.pending_booths(
        services.store, acting_officer(services, user.id), limit=10
    )
    if not pending:
        await say(update, context, _("There are no booth requests waiting for an answer."))
        return
    lines, rows = [], []
    for booth in pending:
        number = format_number(booth.request.id)
        lines.append(
            _("#{number} · {title} · {name}").format(
                number=number, title=booth.title or "—", name=booth.citizen_name or "—"
            )
        )
        rows.append(
            [
                InlineKeyboardButton(
                    f"✅ {number}",
                    callback_data=buttons.BoothDecision("ok", booth.request.id).pack(),
                ),
                InlineKeyboardButton(
                    f"❌ {number}",
                    callback_data=buttons.BoothDecision("no", booth.request.id).pack(),
                ),
            ]
        )
    rows.append([InlineKeyboardButton(_("↩️ Back"), callback_data=back)])
    text = _("Booth requests waiting for an answer:") + "\n" + "\n".join(lines)
    await say(update, context, text, InlineKeyboardMarkup(rows))


async def _decide(update: Update, context: BotContext) -> None:
    """exa:ok:<id> / exa:no:<id>: answer, audit, and tell the citizen through the outbox."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    pressed = buttons.BoothDecision.of(query.data)
    services = context.services
    await booths.decide_booth(
        services.store,
        acting_officer(services, user.id),
        pressed.request_id,
        approve=pressed.verb == "ok",
    )
    services.wake_sender()


def build(state: str, back: str) -> list[BaseHandler[Update, BotContext, Any]]:
    """The booth-request buttons for the states of the officers' exhibitions conversation.

    ``state`` is the conversation state each answer leads to; ``back`` is its menu's callback
    data. Officers only: ``handlers.auth.officer_steps`` guards every step of that conversation.
    """

    async def show_booths(update: Update, context: BotContext) -> str:
        """exa:booths: pending booth requests, each with approve / decline."""
        await _show(update, context, back)
        return state

    async def decide(update: Update, context: BotContext) -> str:
        """exa:ok:<id> / exa:no:<id>: answer and tell the citizen, then the list again."""
        await _decide(update, context)
        return await show_booths(update, context)

    return [
        CallbackQueryHandler(show_booths, pattern=buttons.EXA_BOOTHS.pattern()),
        CallbackQueryHandler(decide, pattern=buttons.BoothDecision.pattern()),
    ]
