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
from conversations.form import Answers, Form, FormStep, Rows
from domain.exhibitions import BroadcastFilter
from handlers.auth import acting_officer
from handlers.context import BotContext
from handlers.menu import menu_button
from services import announcements, exhibitions
from services.exhibitions import county_name
from texts import buttons
from texts.formatting import format_number
from texts.i18n import N_, _

CHOOSE, TEXT, COUNTY, GROUP, CONFIRM = "ann_choose", "ann_text", "ann_county", "ann_group", "ann_ok"
KEY = "announce"


def _announcement(text: str, context: BotContext) -> str | None:
    text = text.strip()
    return "📣 " + text[:3500] if len(text) >= 5 else None


def _counties(context: BotContext, answers: Answers) -> Rows:
    pairs = [
        (c.name, buttons.AnnCounty(c.code).pack()) for c in context.services.catalogue.counties
    ]
    everywhere = [(_("All counties"), buttons.AnnCounty("*").pack())]
    return [everywhere, *(pairs[i : i + 3] for i in range(0, len(pairs), 3))]


def _groups(context: BotContext, answers: Answers) -> Rows:
    pairs = [(g.name, buttons.AnnGroup(g.code).pack()) for g in context.services.catalogue.groups]
    every = [(_("All groups"), buttons.AnnGroup("*").pack())]
    return [every, *(pairs[i : i + 2] for i in range(0, len(pairs), 2))]


# An exhibition's announcement answers the first three steps at once (its text and county).
FORM = Form(
    FormStep("exhibition_id", N_("What do you want to announce?"), CHOOSE),  # rows: see _open
    FormStep(
        "text",
        N_("Please send the text of the announcement."),
        TEXT,
        parse=_announcement,
        invalid=N_("The text is too short. Please send the announcement text."),
    ),
    FormStep("county", N_("Which county is it for?"), COUNTY, keyboard=_counties),
    FormStep("group", N_("Which activity group is it for?"), GROUP, keyboard=_groups),
    markup=lambda rows: inline_keyboard(rows, back=False) if rows else None,
)


async def _next(update: Update, context: BotContext) -> str:
    """The first step still unanswered (the group is always the last one asked)."""
    draft = scratch(context, KEY)
    step = FORM.current(draft)
    assert step is not None  # the group's answer goes straight to the preview
    return await FORM.ask(update, context, step, draft)


async def start(update: Update, context: BotContext) -> str:
    """/announce or the desk's button, for officers only (bot.app guards every step)."""
    return await _open(update, context)


async def _open(update: Update, context: BotContext) -> str:
    """What to announce: one of the upcoming exhibitions, or a free text."""
    assert context.user_data is not None
    context.user_data[KEY] = {}
    services = context.services
    found = await exhibitions.upcoming(services.store, services.now, services.settings.zone)
    rows = [[(f"🛍 {e.title}", buttons.AnnExhibition(e.id).pack())] for e in found[:20]]
    rows.append([(_("✏️ A free text"), buttons.ANN_TEXT.pack())])
    return await FORM.ask(update, context, FORM.step("exhibition_id"), {}, rows=rows)


async def chose_exhibition(update: Update, context: BotContext) -> str:
    """An exhibition: its details are the text, its county the audience."""
    query = update.callback_query
    assert query is not None
    services = context.services
    pressed = buttons.AnnExhibition.of(query.data)
    exhibition = await exhibitions.get(services.store, pressed.exhibition_id)
    if exhibition is None:
        return await _open(update, context)
    text = _("📣 New exhibition\n\n{details}\n\nTo ask for a booth, open «🛍 Exhibitions».").format(
        details=render_exhibition(exhibition, services.catalogue)
    )
    scratch(context, KEY).update(text=text, exhibition_id=exhibition.id, county=exhibition.county)
    return await _next(update, context)


async def chose_text(update: Update, context: BotContext) -> str:
    """A free text: ask for it."""
    return await FORM.ask(update, context, FORM.step("text"), scratch(context, KEY))


async def got_text(update: Update, context: BotContext) -> str:
    """The free text; then the county."""
    message = update.effective_message
    assert message is not None
    step = FORM.step("text")
    text = step.read(message.text or "", context)
    if text is None:
        await message.reply_text(step.refusal())
        return step.state
    scratch(context, KEY).update(text=text, exhibition_id=None)
    return await _next(update, context)


async def chose_county(update: Update, context: BotContext) -> str:
    """The county (or all); then the activity group."""
    query = update.callback_query
    assert query is not None
    code = buttons.AnnCounty.of(query.data).code
    scratch(context, KEY)["county"] = None if code == "*" else code
    return await _next(update, context)


async def chose_group(update: Update, context: BotContext) -> str:
    """The group (or all); then the preview with the number of recipients."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    code = buttons.AnnGroup.of(query.data).code
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
            [InlineKeyboardButton(_("✅ Send now"), callback_data=buttons.ANN_SEND.pack())],
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
    services.wake_broadcasts()
    return ConversationHandler.END


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    """The officer's announcement conversation."""
    return [
        Conversation(
            entry_points=[
                CommandHandler("announce", start),
                CallbackQueryHandler(start, pattern=buttons.OFFICER_ANNOUNCE.pattern()),
            ],
            states={
                CHOOSE: [
                    CallbackQueryHandler(chose_exhibition, pattern=buttons.AnnExhibition.pattern()),
                    CallbackQueryHandler(chose_text, pattern=buttons.ANN_TEXT.pattern()),
                ],
                TEXT: [MessageHandler(filters.TEXT & ~filters.COMMAND & ~menu_button(), got_text)],
                COUNTY: [CallbackQueryHandler(chose_county, pattern=buttons.AnnCounty.pattern())],
                GROUP: [CallbackQueryHandler(chose_group, pattern=buttons.AnnGroup.pattern())],
                CONFIRM: [CallbackQueryHandler(send, pattern=buttons.ANN_SEND.pattern())],
            },
            fallbacks=[
                *exits(),
                CallbackQueryHandler(cancel, pattern=buttons.CANCEL.pattern()),
            ],
            name="announce",
            persistent=True,
            allow_reentry=True,
        )
    ]
