"""Officers create, edit and cancel exhibitions (audited); booth requesters hear of changes.

/exhibitions_admin | off:exhibitions → IDLE (the list)
IDLE ─exa:new─▶ TYPING (title → kind → county → venue → start → end → deadline →
                        description → poster) ─▶ IDLE (the new exhibition's card)
IDLE ─exa:open:<id>─▶ card ─exa:edit:<id>:<field>─▶ TYPING (one field) ─▶ card
                           ─exa:cancel:<id>─▶ exa:cancelok:<id> ─▶ card
IDLE ─exa:booths─▶ booth requests to answer (conversations.booth_requests) ─▶ IDLE
Cancelling, or changing the dates or the place, tells every pending or approved booth requester.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from conversations import booth_requests
from conversations.common import Conversation, exits, say, scratch
from conversations.exhibitions import KIND_LABELS, render_exhibition
from conversations.form import Answers, Form, FormStep, Rows
from domain.exhibitions import (
    ExhibitionDraft,
    ExhibitionKind,
    ExhibitionStatus,
    parse_exhibition_date,
)
from handlers.auth import acting_officer
from handlers.context import BotContext
from handlers.menu import menu_button
from services import booths, exhibitions
from services.exhibitions import DuplicateExhibition
from texts import buttons
from texts.formatting import format_number, format_typed_text
from texts.i18n import N_, _

IDLE, TYPING = "exa_idle", "exa_typing"
KEY = "exhibition_admin"
MENU_DATA = buttons.EXA_MENU.pack()
SKIP = "-"

OPTIONAL = frozenset({"venue", "booth_deadline", "description", "poster_file_id"})


def _button(text: str, data: str) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text, callback_data=data)]


# --- the form: one step per field, in the order of creation --------------------------------


def _title(text: str, context: BotContext) -> str | None:
    text = text.strip()
    return text if 2 <= len(text) <= 200 else None


def _free_text(text: str, context: BotContext) -> str | None:
    text = text.strip()
    return text[:2000] if text else None


def _date(text: str, context: BotContext) -> str | None:
    parsed = parse_exhibition_date(text.strip())
    return None if parsed is None else parsed.isoformat()


def _kinds(context: BotContext, answers: Answers) -> Rows:
    return [
        [(_(label), buttons.ExaValue(kind.value).pack())] for kind, label in KIND_LABELS.items()
    ]


def _counties(context: BotContext, answers: Answers) -> Rows:
    pairs = [(c.name, buttons.ExaValue(c.code).pack()) for c in context.services.catalogue.counties]
    rows = [pairs[i : i + 3] for i in range(0, len(pairs), 3)]
    return [*rows, [(_("Virtual (online)"), buttons.ExaValue(SKIP).pack())]]


def _skip(context: BotContext, answers: Answers) -> Rows:
    return [[(_("⏭ Skip"), buttons.ExaValue(SKIP).pack())]]


def _with_cancel(rows: Rows) -> InlineKeyboardMarkup:
    """A step's buttons, then «Cancel» back to the exhibitions (not the citizens' nav row)."""
    keyboard = [
        [InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows
    ]
    return InlineKeyboardMarkup([*keyboard, _button(_("✖️ Cancel"), MENU_DATA)])


FORM = Form(
    FormStep("title", N_("Send the title of the exhibition."), TYPING, parse=_title),
    FormStep("kind", N_("Choose the kind of exhibition."), TYPING, keyboard=_kinds),
    FormStep(
        "county",
        N_("Choose the county (a virtual exhibition may have none)."),
        TYPING,
        keyboard=_counties,
        when=lambda answers: answers.get("kind") != ExhibitionKind.VIRTUAL.value,
    ),
    FormStep("venue", N_("Send the venue (address or hall)."), TYPING, _free_text, _skip),
    FormStep("starts_on", N_("Send the start date, e.g. 1404/12/20."), TYPING, parse=_date),
    FormStep("ends_on", N_("Send the end date, e.g. 1404/12/25."), TYPING, parse=_date),
    FormStep(
        "booth_deadline",
        N_("Send the last day for booth requests, or skip (the start day)."),
        TYPING,
        _date,
        _skip,
    ),
    FormStep("description", N_("Send a short description, or skip."), TYPING, _free_text, _skip),
    # A typed text is taken as the poster's file id, as before the form (kept as it was).
    FormStep(
        "poster_file_id", N_("Send the poster as a photo, or skip."), TYPING, _free_text, _skip
    ),
    markup=_with_cancel,
)
FIELDS = tuple(step.name for step in FORM.steps)


async def open_menu(update: Update, context: BotContext) -> str:
    """/exhibitions_admin or the desk's button, for officers only (bot.app guards every step)."""
    return await _menu(update, context)


async def _menu(update: Update, context: BotContext) -> str:
    """Upcoming exhibitions (cancelled ones too), new, and the booth requests."""
    assert context.user_data is not None and update.effective_user is not None
    context.user_data[KEY] = {}
    services = context.services
    found = await exhibitions.upcoming(
        services.store, services.now, services.settings.zone, include_cancelled=True
    )
    pending = await booths.count_pending_booths(
        services.store, acting_officer(services, update.effective_user.id)
    )
    rows = [
        _button(
            ("🚫 " if e.status is ExhibitionStatus.CANCELLED else "🛍 ")
            + format_typed_text(e.title),
            buttons.ExaOpen(e.id).pack(),
        )
        for e in found[:30]
    ]
    rows.append(_button(_("➕ New exhibition"), buttons.EXA_NEW.pack()))
    rows.append(
        _button(
            _("📋 Booth requests ({count})").format(count=format_number(pending)),
            booth_requests.BOOTHS_DATA,
        )
    )
    await say(update, context, _("Exhibitions"), InlineKeyboardMarkup(rows))
    return IDLE


async def _ask(update: Update, context: BotContext, field: str) -> str:
    state = scratch(context, KEY)
    state["field"] = field
    return await FORM.ask(update, context, FORM.step(field), state.get("draft", {}))


async def new(update: Update, context: BotContext) -> str:
    """Start a new exhibition: the first field."""
    scratch(context, KEY).update(mode="create", draft={}, id=None)
    return await _ask(update, context, FIELDS[0])


async def got_text(update: Update, context: BotContext) -> str:
    """A typed value (or a photo for the poster)."""
    message = update.effective_message
    assert message is not None
    field = scratch(context, KEY).get("field", "")
    if field == "poster_file_id" and message.photo:
        return await _accept(update, context, message.photo[-1].file_id)
    if field not in FIELDS:  # no field asked (an old state): the exhibitions again
        return await _menu(update, context)
    step = FORM.step(field)
    value = step.read(message.text or "", context)
    if value is None:
        await message.reply_text(step.refusal())
        return TYPING
    return await _accept(update, context, value)


async def got_choice(update: Update, context: BotContext) -> str:
    """A button value: kind, county, or skip."""
    query = update.callback_query
    assert query is not None
    value = buttons.ExaValue.of(query.data).value
    return await _accept(update, context, None if value == SKIP else value)


async def _accept(update: Update, context: BotContext, value: object) -> str:
    state = scratch(context, KEY)
    field = state.get("field", "")
    draft: dict[str, Any] = state.setdefault("draft", {})
    if value is None and field not in OPTIONAL and field != "county":
        return await _ask(update, context, field)
    draft[field] = "" if value is None and field in ("venue", "description") else value
    if field == "kind" and value == ExhibitionKind.VIRTUAL.value:
        draft["county"] = None
    problem = _check(draft, field)
    if problem is not None:
        await say(update, context, problem)
        return await _ask(update, context, field)
    if state.get("mode") == "edit":
        return await _save(update, context)
    following = FORM.current(draft)  # the first field still unanswered (none: save)
    if following is not None:
        return await _ask(update, context, following.name)
    return await _save(update, context)


def _check(draft: dict[str, Any], field: str) -> str | None:
    """Cross-field rules as soon as both sides are known."""
    starts = draft.get("starts_on")
    ends = draft.get("ends_on")
    deadline = draft.get("booth_deadline")
    if field in ("ends_on", "starts_on") and starts and ends and ends < starts:
        return _("The end date is before the start date.")
    if field in ("booth_deadline", "ends_on") and deadline and ends and deadline > ends:
        return _("The booth-request deadline is after the end date.")
    if field == "county" and draft.get("county") is None and draft.get("kind") != "virtual":
        return _("Only a virtual exhibition may have no county.")
    return None


async def _save(update: Update, context: BotContext) -> str:
    state = scratch(context, KEY)
    user = update.effective_user
    assert user is not None
    services = context.services
    try:
        draft = ExhibitionDraft.model_validate(state.get("draft", {}))
    except ValidationError:
        await say(update, context, _("Some details are missing or wrong. Please start again."))
        return await _menu(update, context)
    actor = acting_officer(services, user.id)
    try:
        if state.get("mode") == "edit" and state.get("id"):
            saved = await exhibitions.edit(
                services.store,
                services.now,
                actor,
                int(state["id"]),
                draft,
                catalogue=services.catalogue,
                zone=services.settings.zone,
                reminders=services.reminders,
            )
        else:
            saved = await exhibitions.create(services.store, actor, draft)
    except DuplicateExhibition:
        await say(update, context, _("An exhibition with this title and start date exists."))
        return await _menu(update, context)
    if saved is None:  # edited one that is gone
        return await _menu(update, context)
    if saved.told:
        services.wake_sender()
    await say(update, context, _("Saved."))
    return await _card(update, context, saved.exhibition.id)


async def open_card(update: Update, context: BotContext) -> str:
    """exa:open:<id>."""
    query = update.callback_query
    assert query is not None
    return await _card(update, context, buttons.ExaOpen.of(query.data).exhibition_id)


async def _card(update: Update, context: BotContext, exhibition_id: int) -> str:
    exhibition = await exhibitions.get(context.services.store, exhibition_id)
    if exhibition is None:
        return await _menu(update, context)
    text = render_exhibition(exhibition, context.services.catalogue)
    rows: list[list[InlineKeyboardButton]] = []
    if exhibition.status is ExhibitionStatus.CANCELLED:
        text = _("🚫 Cancelled") + "\n" + text
    else:
        edits = [
            InlineKeyboardButton(
                _(label), callback_data=buttons.ExaEdit(exhibition.id, field).pack()
            )
            for field, label in EDIT_LABELS.items()
        ]
        rows = [edits[i : i + 3] for i in range(0, len(edits), 3)]
        rows.append(_button(_("🚫 Cancel the exhibition"), buttons.ExaCancel(exhibition.id).pack()))
    rows.append(_button(_("↩️ Back"), MENU_DATA))
    await say(update, context, text, InlineKeyboardMarkup(rows))
    return IDLE


EDIT_LABELS: dict[str, str] = {
    "title": N_("Title"),
    "county": N_("County"),
    "venue": N_("Venue"),
    "starts_on": N_("Start"),
    "ends_on": N_("End"),
    "booth_deadline": N_("Deadline"),
    "description": N_("Description"),
    "poster_file_id": N_("Poster"),
}


async def edit_field(update: Update, context: BotContext) -> str:
    """exa:edit:<id>:<field>: ask for one field's new value."""
    query = update.callback_query
    assert query is not None
    pressed = buttons.ExaEdit.of(query.data)
    field = pressed.field
    exhibition = await exhibitions.get(context.services.store, pressed.exhibition_id)
    if exhibition is None or field not in FIELDS:
        return await _menu(update, context)
    scratch(context, KEY).update(
        mode="edit", id=exhibition.id, draft=exhibition.draft().model_dump(mode="json")
    )
    return await _ask(update, context, field)


async def ask_cancel(update: Update, context: BotContext) -> str:
    """exa:cancel:<id>: confirm first."""
    query = update.callback_query
    assert query is not None
    exhibition_id = buttons.ExaCancel.of(query.data).exhibition_id
    rows = [
        _button(_("🚫 Yes, cancel it"), buttons.ExaCancelConfirm(exhibition_id).pack()),
        _button(_("↩️ Back"), buttons.ExaOpen(exhibition_id).pack()),
    ]
    await say(
        update,
        context,
        _("Cancel this exhibition? Its reminders stop; booth requests stay on record."),
        InlineKeyboardMarkup(rows),
    )
    return IDLE


async def confirm_cancel(update: Update, context: BotContext) -> str:
    """exa:cancelok:<id>: cancel, audit, and stop its reminders."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    exhibition_id = buttons.ExaCancelConfirm.of(query.data).exhibition_id
    services = context.services
    cancelled = await exhibitions.cancel(
        services.store,
        acting_officer(services, user.id),
        exhibition_id,
        reminders=services.reminders,
    )
    if cancelled is None:
        return await _menu(update, context)
    if cancelled.told:
        services.wake_sender()
    return await _card(update, context, exhibition_id)


async def back_to_menu(update: Update, context: BotContext) -> str:
    """exa:menu."""
    return await _menu(update, context)


def _buttons() -> list[BaseHandler[Update, BotContext, Any]]:
    return [
        CallbackQueryHandler(back_to_menu, pattern=buttons.EXA_MENU.pattern()),
        CallbackQueryHandler(new, pattern=buttons.EXA_NEW.pattern()),
        CallbackQueryHandler(open_card, pattern=buttons.ExaOpen.pattern()),
        CallbackQueryHandler(edit_field, pattern=buttons.ExaEdit.pattern()),
        CallbackQueryHandler(ask_cancel, pattern=buttons.ExaCancel.pattern()),
        CallbackQueryHandler(confirm_cancel, pattern=buttons.ExaCancelConfirm.pattern()),
        *booth_requests.build(IDLE, MENU_DATA),
    ]


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    """The officer's exhibitions conversation."""
    return [
        Conversation(
            entry_points=[
                CommandHandler("exhibitions_admin", open_menu),
                CallbackQueryHandler(open_menu, pattern=buttons.OFFICER_EXHIBITIONS.pattern()),
            ],
            states={
                IDLE: _buttons(),
                TYPING: [
                    CallbackQueryHandler(got_choice, pattern=buttons.ExaValue.pattern()),
                    MessageHandler(
                        (filters.TEXT & ~filters.COMMAND & ~menu_button()) | filters.PHOTO,
                        got_text,
                    ),
                    *_buttons(),
                ],
            },
            fallbacks=[*exits()],
            name="exhibition_admin",
            persistent=True,
            allow_reentry=True,
        )
    ]
