"""Officers answer booth requests (approve / decline, audited); the citizen hears via the outbox.

These buttons live in the states of the officers' exhibitions conversation
(``conversations.exhibition_admin``), which wires them in with ``build(...)``:

    exa:booths ─▶ pending requests ─exa:ok:<id> | exa:no:<id>─▶ the citizen is told
                                                            ─▶ pending requests again
               ─exa:menu─▶ the exhibitions list
"""

from __future__ import annotations

from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from conversations.common import say
from domain.exhibitions import BoothStatus
from domain.notifications import OutboxKind, OutboxMessage
from handlers.auth import officer_actor
from handlers.context import BotContext
from texts.formatting import format_jalali_date, format_number, format_typed_text
from texts.i18n import _

BOOTHS_DATA = "exa:booths"


async def _show(update: Update, context: BotContext, back: str) -> None:
    """Pending booth requests, each with approve / decline, and ``back`` to the menu."""
    services = context.services
    store = services.store
    pending = await store.exhibitions.booths(BoothStatus.PENDING, limit=10)
    if not pending:
        await say(update, context, _("There are no booth requests waiting for an answer."))
        return
    lines, rows = [], []
    for request in pending:
        exhibition = await store.exhibitions.get(request.exhibition_id)
        citizen = await store.citizens.get(request.citizen_id)
        title = format_typed_text(exhibition.title) if exhibition else "—"
        name = format_typed_text((citizen.full_name if citizen else None) or "—")
        number = format_number(request.id)
        lines.append(
            _("#{number} · {title} · {name}").format(number=number, title=title, name=name)
        )
        rows.append(
            [
                InlineKeyboardButton(f"✅ {number}", callback_data=f"exa:ok:{request.id}"),
                InlineKeyboardButton(f"❌ {number}", callback_data=f"exa:no:{request.id}"),
            ]
        )
    rows.append([InlineKeyboardButton(_("↩️ Back"), callback_data=back)])
    text = _("Booth requests waiting for an answer:") + "\n" + "\n".join(lines)
    await say(update, context, text, InlineKeyboardMarkup(rows))


async def _decide(update: Update, context: BotContext) -> None:
    """exa:ok:<id> / exa:no:<id>: answer, audit, and tell the citizen through the outbox."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and query.data is not None and user is not None
    _prefix, verb, raw_id = query.data.split(":")
    status = BoothStatus.APPROVED if verb == "ok" else BoothStatus.DECLINED
    services = context.services
    store = services.store
    actor = officer_actor(user.id)
    async with store.db.transaction() as c:
        decided = await store.exhibitions.decide_booth(int(raw_id), status, actor, c)
        if decided is not None:
            exhibition = await store.exhibitions.get(decided.exhibition_id, c)
            citizen = await store.citizens.get(decided.citizen_id, c)
            await store.audit.record(
                actor, f"booth.{status.value}", f"booth_request:{decided.id}", conn=c
            )
            if citizen is not None and exhibition is not None:
                await store.outbox.enqueue(
                    OutboxMessage(
                        chat_id=citizen.chat_id,
                        citizen_id=citizen.id,
                        kind=OutboxKind.STATUS_CHANGE.value,
                        text=_booth_answer(
                            status, format_typed_text(exhibition.title), exhibition.starts_on
                        ),
                        dedupe_key=f"booth:{decided.id}:{status.value}",
                    ),
                    conn=c,
                )
    services.wake_sender()


def _booth_answer(status: BoothStatus, typed_title: str, starts_on: date) -> str:
    title = format_typed_text(typed_title)
    if status is BoothStatus.APPROVED:
        return _(
            "Good news: your booth request for «{title}» was approved. "
            "The exhibition starts on {date}; the office will contact you about the details."
        ).format(title=title, date=format_jalali_date(starts_on))
    return _(
        "We are sorry: your booth request for «{title}» could not be accepted this time. "
        "Please look out for the next exhibitions."
    ).format(title=title)


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
        CallbackQueryHandler(show_booths, pattern=f"^{BOOTHS_DATA}$"),
        CallbackQueryHandler(decide, pattern=r"^exa:(ok|no):\d+$"),
    ]
