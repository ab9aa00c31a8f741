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

from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from conversations.exhibitions import citizen_actor
from domain.catalogue import Catalogue
from domain.exhibitions import Subscription
from handlers.context import BotContext
from handlers.menu import MenuItem, main_menu_keyboard, menu_button
from services import subscriptions
from texts import buttons
from texts.callback_data import any_of
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
        switch = InlineKeyboardButton(
            _("🔕 Stop all announcements"), callback_data=buttons.SUB_OFF.pack()
        )
    else:
        text = _(
            "You do not receive announcements now. Subscribe to hear about exhibitions "
            "and programmes; you can choose counties and activity groups."
        )
        switch = InlineKeyboardButton(_("🔔 Subscribe"), callback_data=buttons.SUB_ON.pack())
    rows = [
        [
            InlineKeyboardButton(_("📍 Counties"), callback_data=buttons.SUB_COUNTIES.pack()),
            InlineKeyboardButton(_("🧵 Activity groups"), callback_data=buttons.SUB_GROUPS.pack()),
        ],
        [switch],
    ]
    return text, InlineKeyboardMarkup(rows)


def choices_view(
    sub: Subscription, catalogue: Catalogue, dimension: Literal["c", "g"]
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
    toggles = [
        InlineKeyboardButton(
            (CHECK if code in chosen else "") + name,
            callback_data=buttons.SubChoice(dimension, code).pack(),
        )
        for code, name in options
    ]
    rows = [toggles[i : i + 2] for i in range(0, len(toggles), 2)]
    rows.insert(
        0,
        [
            InlineKeyboardButton(
                (CHECK if not chosen else "") + everything,
                callback_data=buttons.SubChoice(dimension, "*").pack(),
            )
        ],
    )
    rows.append([InlineKeyboardButton(_("✔️ Done"), callback_data=buttons.SUB_HOME.pack())])
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
    data, choice = query.data, buttons.SubChoice.unpack(query.data)
    if buttons.SUB_ON.matches(data) or buttons.SUB_OFF.matches(data):
        sub = await subscriptions.set_active(store, actor, buttons.SUB_ON.matches(data))
    elif choice is not None:
        dimension: subscriptions.Dimension = "county" if choice.dimension == "c" else "group"
        if choice.code == "*":
            sub = await subscriptions.choose_all(store, actor, dimension)
        else:
            sub = await subscriptions.toggle(
                store, actor, dimension, choice.code, catalogue=catalogue
            )
    else:
        sub = await subscriptions.get(store, actor)
    shown: Literal["c", "g"] | None = (
        choice.dimension
        if choice is not None
        else "c"
        if buttons.SUB_COUNTIES.matches(data)
        else "g"
        if buttons.SUB_GROUPS.matches(data)
        else None
    )
    if shown is not None:
        text, markup = choices_view(sub, catalogue, shown)
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
        CallbackQueryHandler(
            on_button,
            pattern=any_of(
                buttons.SUB_HOME,
                buttons.SUB_ON,
                buttons.SUB_OFF,
                buttons.SUB_COUNTIES,
                buttons.SUB_GROUPS,
                buttons.SubChoice,
            ),
        ),
        CallbackQueryHandler(unsubscribe_button, pattern=buttons.UNSUBSCRIBE.pattern()),
        CommandHandler("stop", stop_command),
    ]
