"""The officer menu (/officer): find an application, tickets, statistics, exhibitions,
announcements.

Every step is guarded (``officer_steps`` in bot.app): to anyone else the menu does not exist.
The «tickets», «exhibitions» and «announce» buttons carry data other conversations claim.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers.auth import acting_officer
from handlers.context import BotContext
from services import desk_auth, statistics
from texts import buttons
from texts.formatting import to_persian_digits
from texts.i18n import _

LOGGER = logging.getLogger(__name__)

MENU_DATA = buttons.OFFICER_MENU.pack()
STATS_DATA = buttons.OFFICER_STATS.pack()
EXHIBITIONS_DATA = buttons.OFFICER_EXHIBITIONS.pack()
ANNOUNCE_DATA = buttons.OFFICER_ANNOUNCE.pack()
TICKETS_DATA = buttons.OFFICER_TICKETS.pack()  # conversations/officer/tickets.py
WEB_DATA = buttons.OFFICER_WEB.pack()
# The desk conversation's states: waiting for a button, or for typed input (PENDING_KEY says what).
IDLE, TYPING = "off_idle", "off_typing"
PENDING_KEY = "off_pending"


def forget_pending(context: BotContext) -> None:
    """Drop a half-done officer action (typed input awaited, documents being chosen)."""
    if context.user_data is not None:
        for key in (PENDING_KEY, "off_fix"):
            context.user_data.pop(key, None)


def officer_menu_keyboard() -> InlineKeyboardMarkup:
    """The officer menu's inline buttons (record ids only in callback data, never people)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("🔎 Find by tracking code"), callback_data=buttons.Find("code").pack()
                )
            ],
            [
                InlineKeyboardButton(
                    _("🪪 By national code"), callback_data=buttons.Find("nc").pack()
                ),
                InlineKeyboardButton(_("📱 By phone"), callback_data=buttons.Find("phone").pack()),
            ],
            [InlineKeyboardButton(_("👤 By name"), callback_data=buttons.Find("name").pack())],
            [
                InlineKeyboardButton(_("🎫 Tickets"), callback_data=TICKETS_DATA),
                InlineKeyboardButton(_("📊 Statistics"), callback_data=STATS_DATA),
            ],
            [
                InlineKeyboardButton(_("🛍 Exhibitions"), callback_data=EXHIBITIONS_DATA),
                InlineKeyboardButton(_("📣 Announcements"), callback_data=ANNOUNCE_DATA),
            ],
            [InlineKeyboardButton(_("🖥 Web desk"), callback_data=WEB_DATA)],
        ]
    )


def back_to_menu_button() -> InlineKeyboardButton:
    """«Officer menu» under an officer's screens."""
    return InlineKeyboardButton(_("🏠 Officer menu"), callback_data=MENU_DATA)


async def _send_menu(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    await context.bot.send_message(
        chat.id,
        _("Officer desk. What would you like to do?"),
        reply_markup=officer_menu_keyboard(),
    )


async def open_menu(update: Update, context: BotContext) -> str:
    """/officer or «officer menu»: forget any half-done action and show the menu."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    forget_pending(context)
    await _send_menu(update, context)
    return IDLE


async def show_stats(update: Update, context: BotContext) -> str:
    """This year's figures: the paragraph in the seed's words, then the chart image."""
    # Imported here: the statistics modules pull in matplotlib, which /officer alone never needs.
    from texts.charts import render_stats_chart
    from texts.stats import render_stats_paragraph

    query = update.callback_query
    if query is not None:
        await query.answer()
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return IDLE
    services = context.services
    stats = await statistics.year_figures(
        services.store,
        acting_officer(services, user.id),
        tz=services.settings.zone,
        catalogue=services.catalogue,
    )
    await context.bot.send_message(chat.id, render_stats_paragraph(stats))
    chart = await asyncio.to_thread(render_stats_chart, stats)
    await context.bot.send_photo(
        chat.id,
        chart,
        caption=_("Applications of this year at a glance."),
        reply_markup=InlineKeyboardMarkup([[back_to_menu_button()]]),
    )
    return IDLE


async def web_desk_link(update: Update, context: BotContext) -> str:
    """«Web desk»: a single-use sign-in link, valid ten minutes, for this officer only."""
    query = update.callback_query
    if query is not None:
        await query.answer()
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return IDLE
    services = context.services
    if services.web_url is None:
        unavailable = _(
            "The web desk is not running now. Please try again in a few minutes, or use this menu."
        )
        await context.bot.send_message(chat.id, unavailable)
        return IDLE
    token = await desk_auth.issue_link(
        services.store, services.clock, acting_officer(services, user.id)
    )
    link = f"{services.web_url.rstrip('/')}/signin/{token}"
    await context.bot.send_message(
        chat.id,
        _(
            "Your link to the web desk. It works once, within {minutes} minutes; do not share "
            "it.\n{link}"
        ).format(
            minutes=to_persian_digits(int(desk_auth.LINK_LIFETIME.total_seconds() // 60)),
            link=link,
        ),
        reply_markup=InlineKeyboardMarkup([[back_to_menu_button()]]),
    )
    return IDLE
