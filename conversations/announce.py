"""An officer announces an exhibition or a free text to the matching subscribers.

    /announce | off:announce → CHOOSE ─ann:ex:<id>─▶ GROUP
                                      ─ann:text──▶ TEXT ─text─▶ COUNTY ─▶ GROUP
    GROUP ─ann:g:<code|*>─▶ CONFIRM ─ann:send─▶ broadcast row + progress message (end)

The broadcast itself is run by ``bot.workers.broadcast.BroadcastRunner`` from the store.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from conversations.common import (
    CANCEL_DATA,
    Conversation,
    cancel,
    exits,
    inline_keyboard,
    say,
    scratch,
)
from conversations.exhibitions import render_exhibition
from domain.exhibitions import BroadcastFilter
from handlers.auth import acting_officer
from handlers.context import BotContext
from handlers.menu import menu_button
from services import announcements, exhibitions
from services.exhibitions import county_name
from texts.formatting import format_number
from texts.i18n import _

CHOOSE, TEXT, COUNTY, GROUP, CONFIRM = "ann_choose", "ann_text", "ann_county", "ann_group", "ann_ok"
KEY = "announce"


async def start(update: Update, context: BotContext) -> str:
    """/announce or the desk's button, for officers only (bot.app guards every step)."""
    return await _open(update, context)


async def _open(update: Update, context: BotContext) -> str:
    """What to announce: one of the upcoming exhibitions, or a free text."""
    assert context.user_data is not None
    context.user_data[KEY] = {}
    services = context.services
    found = await exhibitions.upcoming(services.store, services.now, services.settings.zone)
    rows = [[(f"🛍 {e.title}", f"ann:ex:{e.id}")] for e in found[:20]]
    rows.append([(_("✏️ A free text"), "ann:text")])
    await say(
        update, context, _("What do you want to announce?"), inline_keyboard(rows, back=False)
    )
    return CHOOSE


async def chose_exhibition(update: Update, context: BotContext) -> str:
    """An exhibition: its details are the text, its county the audience."""
    query = update.callback_query
    assert query is not None and query.data is not None
    services = context.services
    exhibition = await exhibitions.get(services.store, int(query.data.rsplit(":", 1)[1]))
    if exhibition is None:
        return await _open(update, context)
    text = _("📣 New exhibition\n\n{details}\n\nTo ask for a booth, open «🛍 Exhibitions».").format(
        details=render_exhibition(exhibition, services.catalogue)
    )
    scratch(context, KEY).update(text=text, exhibition_id=exhibition.id, county=exhibition.county)
    return await _ask_group(update, context)


async def chose_text(update: Update, context: BotContext) -> str:
    """A free text: ask for it."""
    await say(update, context, _("Please send the text of the announcement."))
    return TEXT


async def got_text(update: Update, context: BotContext) -> str:
    """The free text; then the county."""
    message = update.effective_message
    assert message is not None
    text = (message.text or "").strip()
    if len(text) < 5:
        await message.reply_text(_("The text is too short. Please send the announcement text."))
        return TEXT
    scratch(context, KEY).update(text="📣 " + text[:3500], exhibition_id=None)
    rows = [[(_("All counties"), "ann:c:*")]]
    counties = context.services.catalogue.counties
    pairs = [(c.name, f"ann:c:{c.code}") for c in counties]
    rows += [pairs[i : i + 3] for i in range(0, len(pairs), 3)]
    await message.reply_text(
        _("Which county is it for?"), reply_markup=inline_keyboard(rows, back=False)
    )
    return COUNTY


async def chose_county(update: Update, context: BotContext) -> str:
    """The county (or all); then the activity group."""
    query = update.callback_query
    assert query is not None and query.data is not None
    code = query.data.rsplit(":", 1)[1]
    scratch(context, KEY)["county"] = None if code == "*" else code
    return await _ask_group(update, context)


async def _ask_group(update: Update, context: BotContext) -> str:
    rows = [[(_("All groups"), "ann:g:*")]]
    pairs = [(g.name, f"ann:g:{g.code}") for g in context.services.catalogue.groups]
    rows += [pairs[i : i + 2] for i in range(0, len(pairs), 2)]
    await say(
        update, context, _("Which activity group is it for?"), inline_keyboard(rows, back=False)
    )
    return GROUP


async def chose_group(update: Update, context: BotContext) -> str:
    """The group (or all); then the preview with the number of recipients."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and query.data is not None and user is not None
    code = query.data.rsplit(":", 1)[1]
    draft = scratch(context, KEY)
    draft["group"] = None if code == "*" else code
    services = context.services
    flt = BroadcastFilter(county=draft.get("county"), group=draft["group"])
    count = await announcements.audience(services.store, acting_officer(services, user.id), flt)
    group = services.catalogue.group(flt.group) if flt.group else None
    summary = _("Recipients: {count}\nCounty: {county}\nActivity group: {group}").format(
        count=format_number(count),
        county=county_name(services.catalogue, flt.county) if flt.county else _("all counties"),
        group=group.name if group else _("all groups"),
    )
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("✅ Send now"), callback_data="ann:send")],
            [InlineKeyboardButton(_("✖️ Cancel"), callback_data=CANCEL_DATA)],
        ]
    )
    await say(update, context, f"{draft['text']}\n\n———\n{summary}", markup)
    return CONFIRM


async def send(update: Update, context: BotContext) -> int:
    """Store the broadcast (audited), post the progress message; the runner does the rest."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    await query.answer()
    draft = context.user_data.pop(KEY, {})
    user, chat = update.effective_user, update.effective_chat
    if not draft.get("text") or user is None or chat is None:
        return ConversationHandler.END
    services = context.services
    flt = BroadcastFilter(county=draft.get("county"), group=draft.get("group"))
    # The progress message first, so the runner always has it (and the report's chat).
    progress = await context.bot.send_message(
        chat.id, _("The announcement is being prepared. Progress will show here.")
    )
    await announcements.create_broadcast(
        services.store,
        acting_officer(services, user.id),
        draft["text"],
        flt,
        exhibition_id=draft.get("exhibition_id"),
        progress=(chat.id, progress.message_id),
    )
    return ConversationHandler.END


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    """The officer's announcement conversation."""
    return [
        Conversation(
            entry_points=[
                CommandHandler("announce", start),
                CallbackQueryHandler(start, pattern=r"^off:announce$"),
            ],
            states={
                CHOOSE: [
                    CallbackQueryHandler(chose_exhibition, pattern=r"^ann:ex:\d+$"),
                    CallbackQueryHandler(chose_text, pattern=r"^ann:text$"),
                ],
                TEXT: [MessageHandler(filters.TEXT & ~filters.COMMAND & ~menu_button(), got_text)],
                COUNTY: [CallbackQueryHandler(chose_county, pattern=r"^ann:c:[a-z0-9_*]+$")],
                GROUP: [CallbackQueryHandler(chose_group, pattern=r"^ann:g:[a-z0-9_*]+$")],
                CONFIRM: [CallbackQueryHandler(send, pattern=r"^ann:send$")],
            },
            fallbacks=[
                *exits(),
                CallbackQueryHandler(cancel, pattern=f"^{CANCEL_DATA}$"),
            ],
            name="announce",
            persistent=True,
            allow_reentry=True,
        )
    ]
