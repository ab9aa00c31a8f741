"""Contact an officer: the office's details (data/office.yaml) and a short message to officers.

[*] --> shown: "☎️ Contact an officer" (details + "leave a message")
shown --> ASK_MESSAGE: contact:write
ASK_MESSAGE --> [*]: the text → one outbox row per officer chat (or OFFICERS_CHAT_ID)
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from conversations.common import CANCEL_DATA, Conversation, cancel, exits, inline_keyboard
from domain.catalogue import CatalogueError, error_place
from handlers.auth import roster
from handlers.context import BotContext
from handlers.menu import MenuItem, main_menu_keyboard, menu_button
from handlers.start import register_citizen
from services import contact
from services.actors import Actor
from services.contact import MAX_MESSAGE_CHARS
from texts.formatting import to_persian_digits
from texts.i18n import _

LOGGER = logging.getLogger(__name__)

ASK_MESSAGE = "contact_ask_message"
WRITE_DATA = "contact:write"
OFFICE_FILE = "office.yaml"


class OfficeInfo(BaseModel):
    """The office's contact details, as an officer wrote them in data/office.yaml."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    # Empty until the office writes its real address and number: never show an invented one.
    address: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, max_length=100)
    hours: str | None = Field(default=None, max_length=200)


@functools.lru_cache(maxsize=4)
def load_office(data_dir: Path) -> OfficeInfo:
    """Read and validate data/office.yaml once (start-up); an edit takes effect on restart,
    like every data file. A broken file is reported like the other data files."""
    path = data_dir / OFFICE_FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return OfficeInfo.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError([f"{OFFICE_FILE}: {exc}"]) from None
    except ValidationError as exc:
        raise CatalogueError(
            [f"{OFFICE_FILE}: {error_place(e['loc'])}: {e['msg']}" for e in exc.errors()]
        ) from None


async def show_contact(update: Update, context: BotContext) -> int:
    """The office's name, address, phone and hours, and a button to write to an officer."""
    message = update.effective_message
    if message is None:
        return ConversationHandler.END
    office = load_office(context.services.settings.catalogue_dir)  # read at start-up
    lines = [office.name, ""]
    if office.address:
        lines.append(_("Address: {address}").format(address=office.address))
    if office.phone:
        lines.append(_("Phone: {phone}").format(phone=office.phone))
    if office.hours:
        lines.append(_("Working hours: {hours}").format(hours=office.hours))
    lines += ["", _("You can also leave a short message for our officers here.")]
    await message.reply_text(
        "\n".join(lines),
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("✉️ Leave a message"), callback_data=WRITE_DATA)]]
        ),
    )
    return ConversationHandler.END


async def ask_message(update: Update, context: BotContext) -> str:
    """Ask for the message text."""
    query, chat = update.callback_query, update.effective_chat
    if query is not None:
        await query.answer()
    assert chat is not None
    await context.bot.send_message(
        chat.id,
        _(
            "Please write your message in one text (at most {limit} characters). Include your "
            "tracking code if you have one."
        ).format(limit=to_persian_digits(MAX_MESSAGE_CHARS)),
        reply_markup=inline_keyboard([], back=False),
    )
    return ASK_MESSAGE


async def got_message(update: Update, context: BotContext) -> int | str:
    """Queue the message for the officers (outbox), then thank the citizen."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    text = (message.text or "").strip()
    if len(text) > MAX_MESSAGE_CHARS:
        await message.reply_text(
            _("Your message is too long. Please shorten it to {limit} characters.").format(
                limit=to_persian_digits(MAX_MESSAGE_CHARS)
            )
        )
        return ASK_MESSAGE
    services = context.services
    settings = services.settings
    citizen = await register_citizen(update, context)
    assert citizen is not None
    await contact.message_officers(
        services.store,
        Actor("citizen", citizen.id),
        sender_name=user.full_name,
        text=text,
        roster=roster(services),
        officers_chat_id=settings.officers_chat_id,
        reference=f"{settings.bot_platform.value}:{update.update_id}",
    )
    services.wake_sender()
    LOGGER.info("Contact message from citizen %s queued for officers", citizen.id)
    await message.reply_text(
        _("Thank you. Your message was sent to our officers; they will contact you if needed."),
        reply_markup=main_menu_keyboard(),
    )
    return ConversationHandler.END


def build() -> Conversation:
    """The contact section (register before the sections catch-all)."""
    return Conversation(
        entry_points=[
            MessageHandler(menu_button(MenuItem.CONTACT), show_contact),
            CallbackQueryHandler(ask_message, pattern=f"^{WRITE_DATA}$"),
        ],
        states={
            ASK_MESSAGE: [
                MessageHandler(filters.TEXT & ~filters.COMMAND & ~menu_button(), got_message)
            ]
        },
        fallbacks=[*exits(), CallbackQueryHandler(cancel, pattern=f"^{CANCEL_DATA}$")],
        name="contact",
        persistent=True,
        allow_reentry=True,
    )
