"""Citizens browse upcoming exhibitions (nearest first), see details, and ask for a booth.

Stateless: every step is a button carrying a record id (``exh:<id>``, ``booth:<id>``), so
nothing is lost between steps; the booth request is stored before the bot answers.

    menu «🛍 Exhibitions» → list ──exh:<id>──▶ details ──booth:<id>──▶ accepted | refused
                              ◀──exh:list──
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler

from domain.catalogue import Catalogue
from domain.exhibitions import (
    BoothRefusal,
    Exhibition,
    ExhibitionKind,
    ExhibitionStatus,
)
from handlers.context import BotContext
from handlers.menu import MenuItem, main_menu_keyboard, menu_button
from handlers.start import register_citizen
from services import booths, exhibitions
from services.actors import Actor
from services.exhibitions import county_name
from texts import buttons
from texts.formatting import format_jalali_date, format_jalali_short, format_typed_text
from texts.i18n import N_, _

LOGGER = logging.getLogger(__name__)

LIST_DATA = buttons.EXHIBITION_LIST.pack()

KIND_LABELS: dict[ExhibitionKind, str] = {
    ExhibitionKind.SEASONAL: N_("Seasonal"),
    ExhibitionKind.PERMANENT: N_("Permanent"),
    ExhibitionKind.VIRTUAL: N_("Virtual (online)"),
}


def render_exhibition(exhibition: Exhibition, catalogue: Catalogue) -> str:
    """Every detail a citizen needs, with Jalali dates and Persian digits."""
    text = _(
        "🛍 {title}\nKind: {kind}\nCounty: {county}\nVenue: {venue}\n"
        "Dates: {start} to {end}\nBooth requests until: {deadline}"
    ).format(
        title=format_typed_text(exhibition.title),
        kind=_(KIND_LABELS[exhibition.kind]),
        county=county_name(catalogue, exhibition.county),
        venue=format_typed_text(exhibition.venue or "—"),
        start=format_jalali_date(exhibition.starts_on),
        end=format_jalali_date(exhibition.ends_on),
        deadline=format_jalali_date(exhibition.last_booth_day),
    )
    if exhibition.description:
        text += "\n\n" + format_typed_text(exhibition.description)
    return text


async def citizen_id_of(update: Update, context: BotContext) -> int | None:
    """The sender's citizen id (the row is created on first contact)."""
    citizen = await register_citizen(update, context)
    return citizen.id if citizen is not None else None


async def citizen_actor(update: Update, context: BotContext) -> Actor | None:
    """The sender as the actor of a citizen's service call (registered on first contact)."""
    citizen_id = await citizen_id_of(update, context)
    return None if citizen_id is None else Actor("citizen", citizen_id)


async def _listing(update: Update, context: BotContext) -> tuple[str, InlineKeyboardMarkup | None]:
    services = context.services
    ordered = await exhibitions.upcoming_for_citizen(
        services.store,
        services.now,
        await citizen_id_of(update, context),
        catalogue=services.catalogue,
        zone=services.settings.zone,
    )
    if not ordered:
        return _(
            "There are no upcoming exhibitions right now. To hear about new ones, "
            "subscribe in «🔔 Notification settings»."
        ), None
    rows = [
        [
            InlineKeyboardButton(
                f"{format_typed_text(e.title)} · {county_name(services.catalogue, e.county)} · "
                f"{format_jalali_short(e.starts_on)}",
                callback_data=buttons.ExhibitionDetails(e.id).pack(),
            )
        ]
        for e in ordered
    ]
    return _("Upcoming exhibitions, nearest first. Choose one to see the details:"), (
        InlineKeyboardMarkup(rows)
    )


async def show_list(update: Update, context: BotContext) -> None:
    """The menu button: upcoming exhibitions as buttons."""
    message = update.effective_message
    if message is None:
        return
    text, markup = await _listing(update, context)
    await message.reply_text(text, reply_markup=markup or main_menu_keyboard())


async def back_to_list(update: Update, context: BotContext) -> None:
    """«Back to the list» under the details."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    text, markup = await _listing(update, context)
    if query.message is not None:
        await context.bot.send_message(query.message.chat.id, text, reply_markup=markup)


async def show_details(update: Update, context: BotContext) -> None:
    """One exhibition's details, with the booth button while requests are open."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    await query.answer()
    services = context.services
    pressed = buttons.ExhibitionDetails.of(query.data)
    exhibition = await exhibitions.get(services.store, pressed.exhibition_id)
    chat_id = query.message.chat.id
    if exhibition is None or exhibition.status is not ExhibitionStatus.ACTIVE:
        await context.bot.send_message(chat_id, _("Sorry, this exhibition has been cancelled."))
        return
    rows = [
        [
            InlineKeyboardButton(
                _("🙋 Ask for a booth"), callback_data=buttons.AskForBooth(exhibition.id).pack()
            )
        ]
    ]
    rows.append([InlineKeyboardButton(_("↩️ Back to the list"), callback_data=LIST_DATA)])
    if exhibition.poster_file_id:
        try:
            await context.bot.send_photo(chat_id, exhibition.poster_file_id)
        except Exception:  # a poster that cannot be sent must not hide the details
            LOGGER.warning("Exhibition %d: poster could not be sent", exhibition.id)
    await context.bot.send_message(
        chat_id,
        render_exhibition(exhibition, services.catalogue),
        reply_markup=InlineKeyboardMarkup(rows),
    )


def refusal_text(refusal: BoothRefusal, exhibition: Exhibition) -> str:
    """A polite Persian refusal that says what to do next."""
    if refusal is BoothRefusal.CANCELLED:
        return _("Sorry, this exhibition has been cancelled.")
    if refusal is BoothRefusal.ENDED:
        return _("Sorry, this exhibition has already ended.")
    if refusal is BoothRefusal.DEADLINE_PASSED:
        return _(
            "Sorry, the deadline for booth requests ({date}) has passed. "
            "Please look out for the next exhibitions."
        ).format(date=format_jalali_date(exhibition.last_booth_day))
    if refusal is BoothRefusal.ALREADY_REQUESTED:
        return _(
            "You have already asked for a booth at this exhibition. "
            "We will let you know the answer."
        )
    return _(
        "To ask for a booth you need a submitted application or a home-business permit. "
        "You can apply from «📝 Apply and upload documents» in the menu."
    )


async def ask_for_booth(update: Update, context: BotContext) -> None:
    """Store a booth request when the rules allow it; otherwise explain why not."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    await query.answer()
    services = context.services
    chat_id = query.message.chat.id
    pressed = buttons.AskForBooth.of(query.data)
    actor = await citizen_actor(update, context)
    if actor is None:
        return
    answer = await booths.ask_booth(
        services.store,
        services.now,
        actor,
        pressed.exhibition_id,
        zone=services.settings.zone,
        reminders=services.reminders,
    )
    if answer is None:
        return
    if answer.refusal is not None:
        await context.bot.send_message(chat_id, refusal_text(answer.refusal, answer.exhibition))
        return
    await context.bot.send_message(
        chat_id,
        _(
            "Your booth request for «{title}» is registered. An officer will review it and "
            "we will let you know the answer. We will also remind you the day before."
        ).format(title=format_typed_text(answer.exhibition.title)),
    )


def build() -> list[BaseHandler[Update, BotContext, None]]:
    """The menu button and the buttons of the list and details."""
    return [
        MessageHandler(menu_button(MenuItem.EXHIBITIONS), show_list),
        CallbackQueryHandler(back_to_list, pattern=buttons.EXHIBITION_LIST.pattern()),
        CallbackQueryHandler(show_details, pattern=buttons.ExhibitionDetails.pattern()),
        CallbackQueryHandler(ask_for_booth, pattern=buttons.AskForBooth.pattern()),
    ]
