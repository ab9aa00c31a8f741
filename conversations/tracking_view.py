"""How an application reads to a citizen (and an officer): status, timeline, what to correct."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from domain.catalogue import Catalogue
from domain.lifecycle import EventKind
from domain.models import Application, StatusEvent
from domain.statuses import ApplicationStatus, PlanType
from handlers.context import Services
from handlers.menu import MenuItem, label
from services.applications import ApplicationView
from services.lifecycle import Renderer
from texts.formatting import (
    format_branch,
    format_jalali_date,
    format_toman,
    format_tracking_code,
    format_typed_text,
    to_persian_digits,
)
from texts.i18n import N_, _
from texts.notifications import FIX_PREFIX, make_renderer, status_label

PLAN_LABELS: dict[PlanType, str] = {
    PlanType.INDEPENDENT: N_("Independent plan"),
    PlanType.SUPPORTING: N_("Supporting plan"),
}


def document_name(catalogue: Catalogue, code: str) -> str:
    """The Persian name of a document requirement (its code if the catalogue lost it)."""
    requirement = catalogue.document(code)
    return requirement.name if requirement is not None else code


def renderer(services: Services) -> Renderer:
    """The status-notification renderer naming documents from the catalogue."""
    return make_renderer(lambda code: document_name(services.catalogue, code))


def display_code(app: Application) -> str:
    """«۱۲۳۴۵۶۷۸», or a dash for a draft that has no code yet."""
    if not app.tracking_code:
        return "—"
    return format_tracking_code(app.tracking_code)


def _event_lines(services: Services, event: StatusEvent) -> list[str]:
    zone = services.settings.zone
    when = format_jalali_date(event.created_at, zone) if event.created_at else ""
    details = event.details
    if details.get("event") == EventKind.PERMIT_ISSUED:
        number = to_persian_digits(str(details.get("permit_number", "")))
        return [
            _("• Permit issued — {date}").format(date=when),
            _("  Permit number: {number}").format(number=number),
        ]
    lines = [_("• {status} — {date}").format(status=status_label(event.to_status), date=when)]
    if details.get("documents"):
        names = "، ".join(document_name(services.catalogue, c) for c in details["documents"])
        lines.append(_("  Documents: {documents}").format(documents=names))
    if details.get("bank"):
        lines.append(
            _("  Bank: {bank}, {branch} branch").format(
                bank=details["bank"], branch=format_branch(details.get("branch"))
            )
        )
    if details.get("amount_rials"):
        paid_on = details.get("paid_on")
        lines.append(
            _("  Amount: {amount}, paid on {date}").format(
                amount=format_toman(int(details["amount_rials"])),
                date=format_jalali_date(date.fromisoformat(paid_on), zone) if paid_on else "",
            )
        )
    if event.reason:
        lines.append(_("  Reason: {reason}").format(reason=format_typed_text(event.reason)))
    return lines


def render_timeline(services: Services, events: list[StatusEvent]) -> str:
    """Each step with its Jalali date, and the reason and details where there are some."""
    if not events:
        return _("• Not submitted yet")
    return "\n".join(line for event in events for line in _event_lines(services, event))


def fix_keyboard(services: Services, app_id: int, codes: list[str]) -> InlineKeyboardMarkup:
    """One «send again» button per document still to correct (ids and codes only)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("📤 Send {document} again").format(
                        document=document_name(services.catalogue, code)
                    ),
                    callback_data=f"{FIX_PREFIX}:{app_id}:{code}",
                )
            ]
            for code in codes
        ]
    )


def render_application(
    services: Services, view: ApplicationView, *, with_fix_buttons: bool
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A citizen's card: code, plan, status, timeline and what to correct (with buttons)."""
    app = view.application
    parts = [
        _("📄 Application {code} — {plan}").format(
            code=display_code(app), plan=_(PLAN_LABELS[app.plan_type])
        ),
        _("Status: {status}").format(status=status_label(app.status)),
        "",
        _("Timeline:"),
        render_timeline(services, view.timeline),
    ]
    keyboard = None
    pending = view.corrections.pending
    if pending:
        parts += ["", _("Documents to send again:")]
        for code, reason in pending.items():
            parts.append(
                _("• {document}: {reason}").format(
                    document=document_name(services.catalogue, code),
                    reason=format_typed_text(reason),
                )
            )
        if with_fix_buttons:
            keyboard = fix_keyboard(services, app.id, list(pending))
    if app.status is ApplicationStatus.DRAFT:
        parts += [
            "",
            _(
                "This application is not submitted yet. Continue it from «{button}» in the menu."
            ).format(button=label(MenuItem.APPLY)),
        ]
    return "\n".join(parts), keyboard
