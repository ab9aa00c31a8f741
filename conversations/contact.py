"""Contact an officer: the office's details (data/office.yaml), and writing to the officers.

[*] --> shown: "☎️ Contact an officer" (details; "leave a message", or the open ticket)
shown --> WRITING: contact:write | tk:w:<ticket> (the ticket's steps: conversations/tickets.py)
WRITING --> [*]: tk:done
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
)

from conversations import tickets
from conversations.common import Conversation, cancel, exits
from domain.catalogue import CatalogueError, error_place
from handlers.context import BotContext
from handlers.keyboards import CONTACT_WRITE_DATA
from handlers.menu import MenuItem, menu_button
from services import tickets as ticket_services
from texts import buttons
from texts import tickets as ticket_texts
from texts.i18n import _

WRITE_DATA = CONTACT_WRITE_DATA
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
    services = context.services
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    actor = await ticket_services.citizen_actor(
        services.store, services.platform.value, user.id, chat.id
    )
    open_ticket = await ticket_services.own_open_ticket(services.store, actor)
    if open_ticket is not None:
        lines += [
            "",
            _("You have an open ticket, number {number}: our officers answer it here.").format(
                number=ticket_texts.number(open_ticket.id)
            ),
        ]
        markup = tickets.open_ticket_markup(open_ticket.id)
    else:
        lines += ["", _("You can also leave a short message for our officers here.")]
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("✉️ Leave a message"), callback_data=WRITE_DATA)]]
        )
    await message.reply_text("\n".join(lines), reply_markup=markup)
    return ConversationHandler.END


def build() -> Conversation:
    """The contact section (register before the sections catch-all)."""
    return Conversation(
        entry_points=[
            MessageHandler(menu_button(MenuItem.CONTACT), show_contact),
            *tickets.entry_points(),
        ],
        states=tickets.states(),
        fallbacks=[*exits(), CallbackQueryHandler(cancel, pattern=buttons.CANCEL.pattern())],
        name="contact",
        persistent=True,
        allow_reentry=True,
    )
