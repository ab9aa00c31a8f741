"""The citizen's Persian notification for a status event (change_status's default render)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from domain.lifecycle import EventKind
from domain.models import Application, StatusEvent
from domain.statuses import ApplicationStatus as S
from texts import buttons
from texts.formatting import (
    format_branch,
    format_jalali_date,
    format_toman,
    format_tracking_code,
    format_typed_text,
    to_persian_digits,
)
from texts.i18n import N_, _

Renderer = Callable[[StatusEvent, Application], str]

# What a citizen calls each status (PRODUCT.md's names).
STATUS_LABELS: dict[S, str] = {
    S.DRAFT: N_("Draft"),
    S.SUBMITTED: N_("Submitted"),
    S.UNDER_REVIEW: N_("Under review"),
    S.NEEDS_CORRECTION: N_("Needs correction"),
    S.APPROVED: N_("Approved by the county working group"),
    S.INTRODUCED_TO_BANK: N_("Introduced to the bank"),
    S.PAID: N_("Loan paid"),
    S.REJECTED: N_("Rejected"),
}

_TEXTS: dict[S, str] = {
    S.SUBMITTED: N_("Your application {code} was registered. We will tell you how it goes."),
    S.UNDER_REVIEW: N_("Your application {code} is now being reviewed by our experts."),
    S.NEEDS_CORRECTION: N_(
        "Your application {code} needs correction.\n"
        "Documents to send again: {documents}\n"
        "Reason: {reason}\n"
        "Please open «Track my application» and send the corrected documents."
    ),
    S.APPROVED: N_(
        "Good news: the county working group approved your application {code}. "
        "The next step is the introduction to a bank."
    ),
    S.INTRODUCED_TO_BANK: N_(
        "Your application {code} was introduced to {bank}, {branch} branch. "
        "Please visit the branch with your documents."
    ),
    S.PAID: N_("The loan of your application {code} was paid: {amount} on {date}."),
    S.REJECTED: N_(
        "Unfortunately your application {code} was rejected.\nReason: {reason}\n"
        "For questions, contact your county office."
    ),
}
_PERMIT = N_("The permit for your application {code} was issued. Permit number: {number}")
_FALLBACK = N_("The status of your application {code} is now: {status}")


def status_label(status: S) -> str:
    """The Persian name of a status."""
    return _(STATUS_LABELS[S(status)])


def make_renderer(document_name: Callable[[str], str] | None = None) -> Renderer:
    """A renderer that names documents with ``document_name`` (e.g. from the catalogue)."""
    name = document_name or (lambda code: code)

    def render(event: StatusEvent, app: Application) -> str:
        """Render the notification for one event of this application."""
        code = format_tracking_code(app.tracking_code or str(app.id))
        details = event.details
        if details.get("event") == EventKind.PERMIT_ISSUED:
            number = to_persian_digits(str(details.get("permit_number", "")))
            return _(_PERMIT).format(code=code, number=number)
        template = _TEXTS.get(event.to_status)
        if template is None:
            return _(_FALLBACK).format(code=code, status=status_label(event.to_status))
        return _(template).format(
            code=code,
            reason=format_typed_text(event.reason or ""),
            documents="، ".join(name(d) for d in details.get("documents", [])),
            bank=details.get("bank", ""),
            branch=format_branch(details.get("branch")),
            amount=format_toman(int(details.get("amount_rials", 0))),
            date=format_jalali_date(date.fromisoformat(details["paid_on"]))
            if "paid_on" in details
            else "",
        )

    return render


render_status_notification: Renderer = make_renderer()
"""The default renderer (documents named by their codes; wire make_renderer with the catalogue)."""


# The citizen's «send again» buttons under a correction request (conversations.tracking_fix
# answers them); every door that asks for a correction attaches the same ones.
def fix_markup(
    application_id: int, codes: list[str], document_name: Callable[[str], str]
) -> dict[str, Any]:
    """The inline keyboard (Bot API JSON) with one «send again» button per document."""
    return buttons.inline_keyboard(
        *(
            [
                (
                    _("📤 Send {document} again").format(document=document_name(code)),
                    buttons.SendAgain(application_id, code).pack(),
                )
            ]
            for code in codes
        )
    )
