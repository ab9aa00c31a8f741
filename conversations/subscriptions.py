"""Citizens choose which announcements they get: counties and activity groups (toggles),
see and change their choices, and opt out (a button, the "🔕 Unsubscribe" under every
announcement, or /stop).

Stateless: each toggle is stored at once (``sub:c:<county>``, ``sub:g:<group>``; ``*`` =
all), and the message is redrawn from the store.

    menu «🔔 Notification settings» → home ─sub:c─▶ counties ─sub:home─▶ home
                                           ─sub:g─▶ groups   ─sub:home─▶ home
                                           ─sub:on / sub:off─▶ home
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from conversations.exhibitions import citizen_actor
from domain.catalogue import Catalogue
from domain.exhibitions import Subscription
from handlers.context import BotContext
from handlers.keyboards import UNSUBSCRIBE_DATA
from handlers.menu import MenuItem, main_menu_keyboard, menu_button
from services import subscriptions
from texts.i18n import _

CHECK = "✅ "


def _names(codes: tuple[str, ...], lookup: dict[str, str], everything: str) -> str:
    return "، ".join(lookup.get(code, code) for code in codes) if codes else everything


def home_view(sub: Subscription, catalogue: Catalogue) -> tuple[str, InlineKeyboardMarkup]:
    """The citizen's choices and the buttons to change them."""
    counties = _names(sub.counties, {c.code: c.name for c in catalogue.counties}, _("all counties"))
    groups = _names(sub.groups, {g.code: g.name for g in catalogue.groups}, _("all groups"))
    if sub.active:
        text = _(
            "You receive announcements of exhibitions and programmes for:\n"
            "Counties: {counties}\nActivity groups: {groups}\n\n"
            "Change your choices with the buttons below."
        ).format(counties=counties, groups=groups)
        switch = InlineKeyboardButton(_("🔕 Stop all announcements"), callback_data="sub:off")
    else:
        text = _(
            "You do not receive announcements now. Subscribe to hear about exhibitions "
            "and programmes; you can choose counties and activity groups."
        )
        switch = InlineKeyboardButton(_("🔔 Subscribe"), callback_data="sub:on")
    rows = [
        [
            InlineKeyboardButton(_("📍 Counties"), callback_data="sub:c"),
            InlineKeyboardButton(_("🧵 Activity groups"), callback_data="sub:g"),
        ],
        [switch],
    ]
    return text, InlineKeyboardMarkup(rows)


def choices_view(
    sub: Subscription, catalogue: Catalogue, dimension: str
) -> tuple[str, InlineKeyboardMarkup]:
    """Toggle buttons for counties (``c``) or groups (``g``), two a row."""
    if dimension == "c":
        options = [(c.code, c.name) for c in catalogue.counties]
        chosen, text = sub.counties, _("Choose the counties you want to hear about:")
        everything = _("All counties")
    else:
        options = [(g.code, g.name) for g in catalogue.groups]
        chosen, text = sub.groups, _("Choose the activity groups you want to hear about:")
        everything = _("All groups")
    buttons = [
        InlineKeyboardButton(
            (CHECK if code in chosen else "") + name, callback_data=f"sub:{dimension}:{code}"
        )
        for code, name in options
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.insert(
        0,
        [
            InlineKeyboardButton(
                (CHECK if not chosen else "") + everything, callback_data=f"sub:{dimension}:*"
            )
        ],
    )
    rows.append([InlineKeyboardButton(_("✔️ Done"), callback_data="sub:home")])
    return text, InlineKeyboardMarkup(rows)


async def show_home(update: Update, context: BotContext) -> None:
    """The menu button: current choices."""
    message = update.effective_message
    actor = await citizen_actor(update, context)
    if message is None or actor is None:
        return
    sub = await subscriptions.get(context.services.store, actor)
    text, markup = home_view(sub, context.services.catalogue)
    await message.reply_text(text, reply_markup=markup)


async def on_button(update: Update, context: BotContext) -> None:
    """Every ``sub:`` button: store the change, then redraw the message."""
    query = update.callback_query
    actor = await citizen_actor(update, context)
    if query is None or query.data is None or actor is None:
        return
    await query.answer()
    store, catalogue = context.services.store, context.services.catalogue
    parts = query.data.split(":")
    if parts[1] in ("on", "off"):
        sub = await subscriptions.set_active(store, actor, parts[1] == "on")
    elif parts[1] in ("c", "g") and len(parts) == 3:
        dimension: subscriptions.Dimension = "county" if parts[1] == "c" else "group"
        if parts[2] == "*":
            sub = await subscriptions.choose_all(store, actor, dimension)
        else:
            sub = await subscriptions.toggle(store, actor, dimension, parts[2], catalogue=catalogue)
    else:
        sub = await subscriptions.get(store, actor)
    if parts[1] in ("c", "g"):
        text, markup = choices_view(sub, catalogue, parts[1])
    else:
        text, markup = home_view(sub, catalogue)
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest:  # «not modified», or too old to edit: send it afresh
        if query.message is not None:
            await context.bot.send_message(query.message.chat.id, text, reply_markup=markup)


def _stopped_text() -> str:
    return _(
        "Done: you will not receive announcements any more. "
        "To subscribe again, open «🔔 Notification settings» in the menu."
    )


async def unsubscribe_button(update: Update, context: BotContext) -> None:
    """The "🔕 Unsubscribe" button under an announcement: opt out of all, confirm in Persian."""
    query = update.callback_query
    actor = await citizen_actor(update, context)
    if query is None or actor is None:
        return
    await subscriptions.stop(context.services.store, actor)
    await query.answer(_("You are unsubscribed."))
    if query.message is not None:
        await context.bot.send_message(
            query.message.chat.id, _stopped_text(), reply_markup=main_menu_keyboard()
        )


async def stop_command(update: Update, context: BotContext) -> None:
    """/stop: opt out of every announcement."""
    message = update.effective_message
    actor = await citizen_actor(update, context)
    if message is None or actor is None:
        return
    await subscriptions.stop(context.services.store, actor)
    await message.reply_text(_stopped_text(), reply_markup=main_menu_keyboard())


def build() -> list[BaseHandler[Update, BotContext, None]]:
    """The menu button, the settings buttons, the unsubscribe button and /stop."""
    return [
        MessageHandler(menu_button(MenuItem.NOTIFICATIONS), show_home),
        CallbackQueryHandler(on_button, pattern=r"^sub:(home|on|off|c|g)(:[a-z0-9_*]+)?$"),
        CallbackQueryHandler(unsubscribe_button, pattern=f"^{UNSUBSCRIBE_DATA}$"),
        CommandHandler("stop", stop_command),
    ]
