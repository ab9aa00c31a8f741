"""The citizen's Persian reminder texts: what to do next, with a button where one helps."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from domain.models import Application
from domain.reminders import Reminder, ReminderKind
from texts.buttons import RESUME_DRAFT, inline_keyboard
from texts.formatting import (
    format_branch,
    format_jalali_date,
    format_tracking_code,
    format_typed_text,
)
from texts.i18n import _

# Handled by the application conversation: reopen the draft where the citizen stopped.
RESUME_DRAFT_DATA = RESUME_DRAFT.pack()


def render_reminder(
    reminder: Reminder, application: Application | None, zone: ZoneInfo
) -> tuple[str, dict[str, Any] | None]:
    """The text and inline keyboard (as a dict for the outbox) of a reminder."""
    kind = reminder.kind
    code = (
        format_tracking_code(application.tracking_code or str(application.id))
        if application
        else ""
    )
    if kind == ReminderKind.DRAFT_UNFINISHED:
        text = _(
            "You started an application for the home-business loan but have not sent it yet. "
            "Your answers are saved: press the button below to continue where you stopped."
        )
        return text, inline_keyboard([(_("▶️ Continue my application"), RESUME_DRAFT_DATA)])
    if kind == ReminderKind.CORRECTION_PENDING:
        return _(
            "Your application {code} is still waiting for your corrected documents. "
            "Please open «🔎 Track my application» in the menu (or send /status) "
            "and send them, so the review can continue."
        ).format(code=code), None
    if kind == ReminderKind.BANK_VISIT:
        bank = application.bank if application and application.bank else ""
        branch = format_branch(application.bank_branch if application else None)
        return _(
            "A reminder: your application {code} was introduced to {bank}, {branch} branch. "
            "If you have not gone yet, please visit the branch with your documents "
            "to follow up on your loan."
        ).format(code=code, bank=bank, branch=branch), None
    if kind == ReminderKind.EXHIBITION_TOMORROW:
        payload = reminder.payload
        starts = payload.get("starts_on")
        when = format_jalali_date(date.fromisoformat(starts), zone) if starts else ""
        return _(
            "A reminder: the exhibition «{title}» starts tomorrow, {date}, at {venue}. "
            "We hope to see you there."
        ).format(
            title=format_typed_text(payload.get("title", "")),
            date=when,
            venue=format_typed_text(payload.get("venue", "")),
        ), None
    return _("A reminder from the home-business office. Please open the menu to see more."), None
