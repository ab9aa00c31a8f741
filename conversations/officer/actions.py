"""Officer actions on one application: move its status, ask for corrections, bank, payment, permit.

Every change goes through ``services.lifecycle`` (the officer checked now; event, audit, outbox
and reminders in one transaction), then the sender is woken. Half-done actions live in
user_data (JSON) until the officer types what is missing.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from conversations.common import send_text
from conversations.form import Form, FormStep, Rows
from conversations.officer.view import acting_officer, send_card
from conversations.tracking_view import document_name, fix_keyboard, renderer
from domain.documents import application_documents
from domain.lifecycle import ActorKind, LifecycleError, allowed_transitions
from domain.persian import (
    parse_amount_toman,
    parse_birth_date,
    strip_branch_word,
    toman_to_rials,
)
from domain.statuses import ApplicationStatus as S
from handlers.context import BotContext, Services
from handlers.officer_menu import IDLE, PENDING_KEY, TYPING, back_to_menu_button
from services import lifecycle
from services.actors import Actor
from services.applications import ApplicationView, officer_view
from services.errors import NotAllowed
from texts import buttons
from texts.i18n import N_, _
from texts.notifications import status_label

LOGGER = logging.getLogger(__name__)

FIX_KEY = "off_fix"
NO_REASON_DATA = buttons.NO_REASON.pack()


def _pending(context: BotContext) -> dict[str, Any]:
    assert context.user_data is not None
    value: dict[str, Any] = context.user_data.get(PENDING_KEY) or {}
    return value


def _set_pending(context: BotContext, **values: Any) -> None:
    assert context.user_data is not None
    context.user_data[PENDING_KEY] = values


def _cancel_row() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[back_to_menu_button()]])


# --- what a half-done action waits for: form steps; the pending dict holds their answers ----


def _with_menu(rows: Rows) -> InlineKeyboardMarkup:
    keyboard = [
        [InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows
    ]
    return InlineKeyboardMarkup([*keyboard, [back_to_menu_button()]])


def _rials(text: str, context: BotContext) -> int | None:
    toman = parse_amount_toman(text)
    return None if toman is None else toman_to_rials(toman)


def _paid_on(text: str, context: BotContext) -> str | None:
    today = context.services.now().astimezone(context.services.settings.zone).date()
    paid_on: date | None = parse_birth_date(text, today)
    return None if paid_on is None else paid_on.isoformat()


def _as_typed(text: str, context: BotContext) -> str:
    return text


# A payment: the amount, then the date (both typed), then the move to «paid».
PAYMENT = Form(
    FormStep(
        "rials",
        N_("Type the paid amount in toman (e.g. 200000000 or «200 million»)."),
        TYPING,
        parse=_rials,
        invalid=N_("Please type the amount in toman, digits only."),
    ),
    FormStep(
        "paid_on",
        N_("Type the payment date (Jalali), e.g. 1404/08/15."),
        TYPING,
        parse=_paid_on,
        invalid=N_("Please type a valid date that is not in the future."),
    ),
    markup=_with_menu,
)
# One typed answer each (the bank is chosen with a button first).
BRANCH = FormStep(
    "branch",
    N_("Type the branch name or code."),
    TYPING,
    parse=lambda text, context: strip_branch_word(text),
)
PERMIT = FormStep(
    "permit", N_("Type the permit number from the national permits portal."), TYPING, _as_typed
)
REASON = FormStep("reason", N_("Type the reason; the citizen will read it."), TYPING, _as_typed)
NOTE = FormStep(
    "note",
    N_("Type a short note for the citizen, or press «No note»."),
    TYPING,
    _as_typed,
    keyboard=lambda context, answers: [[(_("No note"), NO_REASON_DATA)]],
)
ONE_STEP = Form(BRANCH, PERMIT, REASON, NOTE, markup=_with_menu)


async def _change(
    services: Services,
    actor: Actor,
    app_id: int,
    to_status: S,
    reason: str | None,
    details: dict[str, Any],
) -> None:
    """The life-cycle service this move is (each checks the officer and the move again)."""
    store, render = services.store, renderer(services)
    quiet_hours, reminders = services.settings.quiet_hours, services.reminders
    if to_status is S.NEEDS_CORRECTION and details:
        codes = list(details["documents"])
        await lifecycle.request_correction(
            store,
            actor,
            app_id,
            codes,
            reason or "",
            render=render,
            reply_markup=fix_keyboard(services, app_id, codes).to_dict(),
            quiet_hours=quiet_hours,
            reminders=reminders,
        )
    elif to_status is S.INTRODUCED_TO_BANK and details:
        await lifecycle.introduce_to_bank(
            store,
            actor,
            app_id,
            details["bank"],
            details["branch"],
            render=render,
            quiet_hours=quiet_hours,
            reminders=reminders,
        )
    elif to_status is S.PAID and details:
        await lifecycle.record_payment(
            store,
            actor,
            app_id,
            int(details["amount_rials"]),
            date.fromisoformat(details["paid_on"]),
            render=render,
            quiet_hours=quiet_hours,
            reminders=reminders,
        )
    else:
        await lifecycle.change_status(
            store,
            actor,
            app_id,
            to_status,
            reason,
            details or None,
            render=render,
            quiet_hours=quiet_hours,
            reminders=reminders,
        )


async def apply_change(
    update: Update,
    context: BotContext,
    app_id: int,
    to_status: S,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> str:
    """Make one move as this officer; tell the officer the outcome and show the card again."""
    services, actor = context.services, acting_officer(update, context)
    try:
        await _change(services, actor, app_id, to_status, reason, details or {})
    except (LifecycleError, NotAllowed) as exc:
        LOGGER.info("Officer %s: change refused: %s", actor.id, exc)
        await send_text(update, context, _("This change is not possible now."))
    else:
        services.wake_sender()
        await send_text(
            update,
            context,
            _("Done: the status is now «{status}». The citizen will be notified.").format(
                status=status_label(to_status)
            ),
        )
    _set_pending(context)
    await send_card(update, context, app_id)
    return IDLE


async def choose_move(update: Update, context: BotContext) -> str:
    """off:to:<id>:<status>: ask what the move needs (documents, bank, amount or a reason)."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    pressed = buttons.Move.of(query.data)
    app_id, target = pressed.app_id, pressed.status
    view = await officer_view(context.services.store, acting_officer(update, context), app_id)
    app = None if view is None else view.application
    if app is None or target not in allowed_transitions(app.status, ActorKind.OFFICER):
        await send_text(update, context, _("This change is not possible now."))
        return IDLE
    if target is S.NEEDS_CORRECTION:
        assert context.user_data is not None and view is not None
        offer = _correctable(context.services, view)
        context.user_data[FIX_KEY] = {"app": app_id, "docs": [], "offer": offer}
        await send_text(
            update,
            context,
            _("Which documents must be sent again? Tick them, then press «Continue»."),
            reply_markup=_fix_choices(context, app_id),
        )
        return IDLE
    if target is S.INTRODUCED_TO_BANK:
        banks = context.services.catalogue.rules.agent_banks
        rows = [
            [InlineKeyboardButton(bank, callback_data=buttons.ChooseBank(app_id, i).pack())]
            for i, bank in enumerate(banks)
        ]
        rows.append([back_to_menu_button()])
        await send_text(
            update,
            context,
            _("Which agent bank?"),
            reply_markup=InlineKeyboardMarkup(rows),
        )
        return IDLE
    if target is S.PAID:
        _set_pending(context, action="amount", app=app_id)
        return await PAYMENT.ask(update, context, PAYMENT.steps[0], _pending(context), answer=False)
    _set_pending(context, action="move", app=app_id, to=target.value)
    step = REASON if target is S.REJECTED else NOTE  # a refusal needs its reason
    return await ONE_STEP.ask(update, context, step, _pending(context), answer=False)


async def no_reason(update: Update, context: BotContext) -> str:
    """«No note»: make the pending move without a reason."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    pending = _pending(context)
    if pending.get("action") != "move":
        return IDLE
    return await apply_change(update, context, int(pending["app"]), S(pending["to"]))


def _correctable(services: Services, view: ApplicationView) -> list[str]:
    """The documents this application requires (by its answers and plan) or has uploaded."""
    uploaded = view.documents.latest
    return [d.code for d in application_documents(view.application, services.catalogue, uploaded)]


def _fix_choices(context: BotContext, app_id: int) -> InlineKeyboardMarkup:
    """The tick list: only the documents offered for this application (a woman has no
    military card to correct)."""
    assert context.user_data is not None
    state = context.user_data.get(FIX_KEY) or {}
    chosen = set(state.get("docs", []))
    rows = [
        [
            InlineKeyboardButton(
                ("☑️ " if code in chosen else "⬜ ")
                + document_name(context.services.catalogue, code),
                callback_data=buttons.FixDocument(app_id, code).pack(),
            )
        ]
        for code in state.get("offer", [])
    ]
    rows.append(
        [InlineKeyboardButton(_("Continue ▶️"), callback_data=buttons.FixConfirm(app_id).pack())]
    )
    rows.append([back_to_menu_button()])
    return InlineKeyboardMarkup(rows)


async def toggle_document(update: Update, context: BotContext) -> str:
    """off:fx:<id>:<code>: tick or untick one document to correct."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    pressed = buttons.FixDocument.of(query.data)
    app_id, code = pressed.app_id, pressed.code
    state = context.user_data.get(FIX_KEY) or {}
    if state.get("app") != app_id or code not in state.get("offer", []):
        await query.answer()
        return IDLE
    docs = list(state.get("docs", []))
    docs = [d for d in docs if d != code] if code in docs else [*docs, code]
    context.user_data[FIX_KEY] = {**state, "docs": docs}
    await query.answer()
    await query.edit_message_reply_markup(_fix_choices(context, app_id))
    return IDLE


async def confirm_documents(update: Update, context: BotContext) -> str:
    """off:fxok:<id>: the documents are chosen; ask why."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    app_id = buttons.FixConfirm.of(query.data).app_id
    state = context.user_data.get(FIX_KEY) or {}
    if state.get("app") != app_id or not state.get("docs"):
        await query.answer(_("Tick at least one document."))
        return IDLE
    await query.answer()
    context.user_data.pop(FIX_KEY, None)
    _set_pending(context, action="fix", app=app_id, docs=state["docs"])
    names = "، ".join(document_name(context.services.catalogue, c) for c in state["docs"])
    await send_text(
        update,
        context,
        _("Documents: {documents}\nType what is wrong with them; the citizen will read it.").format(
            documents=names
        ),
        reply_markup=_cancel_row(),
    )
    return TYPING


async def choose_bank(update: Update, context: BotContext) -> str:
    """off:bk:<id>:<index>: the bank is chosen; ask for the branch."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    pressed = buttons.ChooseBank.of(query.data)
    banks = context.services.catalogue.rules.agent_banks
    if not 0 <= pressed.bank < len(banks):
        return IDLE
    _set_pending(context, action="branch", app=pressed.app_id, bank=banks[pressed.bank])
    return await ONE_STEP.ask(update, context, BRANCH, _pending(context), answer=False)


async def ask_permit(update: Update, context: BotContext) -> str:
    """off:permit:<id>: ask for the permit number."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    _set_pending(context, action="permit", app=buttons.AskPermit.of(query.data).app_id)
    return await ONE_STEP.ask(update, context, PERMIT, _pending(context), answer=False)


async def typed_for_action(update: Update, context: BotContext, text: str) -> str | None:
    """Finish a pending action with the typed text; None when no action is pending."""
    pending = _pending(context)
    action = pending.get("action")
    if action is None or "app" not in pending:
        return None
    app_id = int(pending["app"])
    if action == "move":
        return await apply_change(update, context, app_id, S(pending["to"]), text)
    if action == "fix":
        details = {"documents": pending["docs"]}
        return await apply_change(update, context, app_id, S.NEEDS_CORRECTION, text, details)
    if action == "branch":
        details = {"bank": pending["bank"], "branch": BRANCH.read(text, context)}
        return await apply_change(update, context, app_id, S.INTRODUCED_TO_BANK, None, details)
    if action in ("amount", "paid_on"):  # the step awaited is the first one unanswered
        return await _typed_payment(update, context, app_id, pending, text)
    if action == "permit":
        return await _typed_permit(update, context, app_id, text)
    return None


async def _typed_payment(
    update: Update, context: BotContext, app_id: int, pending: dict[str, Any], text: str
) -> str:
    step = PAYMENT.current(pending)
    value = None if step is None else step.read(text, context)
    if step is None or value is None:
        await send_text(update, context, (step or PAYMENT.steps[0]).refusal())
        return TYPING
    answers = {**pending, step.name: value, "action": "paid_on"}
    following = PAYMENT.current(answers)
    if following is not None:
        _set_pending(context, **answers)
        return await PAYMENT.ask(update, context, following, answers, answer=False)
    details = {"amount_rials": int(answers["rials"]), "paid_on": answers["paid_on"]}
    return await apply_change(update, context, app_id, S.PAID, None, details)


async def _typed_permit(update: Update, context: BotContext, app_id: int, text: str) -> str:
    services, actor = context.services, acting_officer(update, context)
    try:
        await lifecycle.record_permit(
            services.store,
            actor,
            app_id,
            text,
            render=renderer(services),
            quiet_hours=services.settings.quiet_hours,
        )
    except (LifecycleError, NotAllowed) as exc:
        LOGGER.info("Officer %s: permit refused: %s", actor.id, exc)
        await send_text(update, context, _("This change is not possible now."))
    else:
        services.wake_sender()
        await send_text(
            update, context, _("The permit number is recorded; the citizen is notified.")
        )
    _set_pending(context)
    await send_card(update, context, app_id)
    return IDLE
