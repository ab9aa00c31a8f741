"""/start, /help and /cancel: the ways back to the main menu."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler

from domain.models import Citizen
from handlers.context import BotContext
from handlers.menu import main_menu_keyboard
from services import citizens
from texts import buttons
from texts.i18n import _

START_PAYLOAD_KEY = "start_payload"
RESUME_DATA = buttons.RESUME_DRAFT.pack()  # the application conversation's entry point


async def register_citizen(update: Update, context: BotContext) -> Citizen | None:
    """Make sure the sender has a citizen record, so later steps can refer to it."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    services = context.services
    return await citizens.register(services.store, services.platform.value, user.id, chat.id)


async def offer_resume(update: Update, context: BotContext, citizen: Citizen | None) -> None:
    """A citizen with an unfinished application gets a button to continue it."""
    message = update.effective_message
    if citizen is None or message is None:
        return
    if not await citizens.has_unfinished_application(context.services.store, citizen.id):
        return
    button = InlineKeyboardButton(
        _("Continue the unfinished application"), callback_data=RESUME_DATA
    )
    await message.reply_text(
        _("You have an unfinished application. You can continue it where you stopped."),
        reply_markup=InlineKeyboardMarkup([[button]]),
    )


async def start(update: Update, context: BotContext) -> None:
    """Welcome the citizen and show the main menu; keep a deep-link payload for later."""
    message = update.effective_message
    if message is None:
        return
    if context.args and context.user_data is not None:
        context.user_data[START_PAYLOAD_KEY] = context.args[0][:64]
    citizen = await register_citizen(update, context)
    await message.reply_text(
        _(
            "Hello and welcome! I am the home-business assistant of the Directorate General "
            "of Cooperatives, Labour and Social Welfare.\n\nChoose one of the buttons below."
        ),
        reply_markup=main_menu_keyboard(),
    )
    await offer_resume(update, context, citizen)


async def show_help(update: Update, context: BotContext) -> None:
    """Explain briefly what each section does."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(help_text(), reply_markup=main_menu_keyboard())


def help_text() -> str:
    """The help page, shared by /help and the help button."""
    return _(
        "How this bot helps you:\n"
        "• Check eligibility: find out in a few steps whether you can get a home-business "
        "permit and a loan.\n"
        "• Apply: fill in your application and send your documents; you can stop and come "
        "back later.\n"
        "• Track: see where your application stands.\n"
        "• Exhibitions: upcoming exhibitions for home producers.\n\n"
        "/start shows the main menu, /cancel stops what you are doing."
    )


async def cancel(update: Update, context: BotContext) -> None:
    """Outside any conversation /cancel just brings the menu back."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(
            _("Nothing is in progress. Here is the main menu."), reply_markup=main_menu_keyboard()
        )


def build() -> list[BaseHandler[Update, BotContext, None]]:
    """The command handlers of this module."""
    return [
        CommandHandler("start", start),
        CommandHandler("help", show_help),
        CommandHandler("cancel", cancel),
    ]
