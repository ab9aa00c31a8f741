"""What a status move from the desk needs, checked from its form, and the service call it makes.

``prepare_move(page, view, target)`` gives a Persian problem (nothing is called) or the call
to make with the status the officer saw (``expected=``): the same life-cycle services, the
same notification (and a correction's «send again» buttons) as from the bot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from desk.forms import parse_date
from desk.web import DeskServices, Page
from domain.documents import application_documents
from domain.models import Application, StatusEvent
from domain.persian import parse_amount_toman, strip_branch_word, toman_to_rials
from domain.statuses import ApplicationStatus as S
from services import lifecycle
from services.applications import ApplicationView
from texts.i18n import _
from texts.notifications import fix_markup, make_renderer

MAX_TEXT = 1000  # a reason or a branch longer than this is refused, not cut


def document_name(services: DeskServices, code: str) -> str:
    requirement = services.catalogue.document(code)
    return requirement.name if requirement is not None else code


def form_text(page: Page, name: str) -> str | None:
    """A typed field, None when it is too long to be meant."""
    value = page.form.get(name)
    return None if len(value) > MAX_TEXT else value


Call = Callable[[S], Awaitable[StatusEvent]]


@dataclass(frozen=True)
class _Move:
    """A move asked for by a form, with what every life-cycle call shares."""

    page: Page
    view: ApplicationView
    target: S
    reason: str

    @property
    def services(self) -> DeskServices:
        return self.page.desk.services

    @property
    def app(self) -> Application:
        return self.view.application

    def common(self) -> dict[str, Any]:
        services = self.services
        return {
            "render": make_renderer(lambda code: document_name(services, code)),
            "quiet_hours": services.settings.quiet_hours,
            "reminders": services.reminders,
        }


def _correction(move: _Move) -> str | Call:
    """The ticked documents (only this application's) and what is wrong with them."""
    services, app = move.services, move.app
    latest = move.view.documents.latest
    offered = [d.code for d in application_documents(app, services.catalogue, latest)]
    codes = [code for code in dict.fromkeys(move.page.form.getlist("documents")) if code in offered]
    if not codes:
        return _("Tick at least one document.")
    if not move.reason:
        return _("Type what is wrong with them; the citizen will read it.")

    async def call(seen: S) -> StatusEvent:
        return await lifecycle.request_correction(
            services.store,
            move.page.officer.actor,
            app.id,
            codes,
            move.reason,
            reply_markup=fix_markup(app.id, codes, lambda c: document_name(services, c)),
            expected=seen,
            **move.common(),
        )

    return call


def _bank(move: _Move) -> str | Call:
    """One of the agent banks in rules.yaml, and a branch."""
    services, form = move.services, move.page.form
    bank = form.get("bank")
    branch = strip_branch_word(form_text(move.page, "branch") or "")
    if bank not in services.catalogue.rules.agent_banks:
        return _("Choose the agent bank.")
    if not branch:
        return _("Type the branch name or code.")

    async def call(seen: S) -> StatusEvent:
        return await lifecycle.introduce_to_bank(
            services.store,
            move.page.officer.actor,
            move.app.id,
            bank,
            branch,
            expected=seen,
            **move.common(),
        )

    return call


def _payment(move: _Move) -> str | Call:
    """The amount in toman and the payment's date (Jalali or Gregorian, not in the future)."""
    services, form = move.services, move.page.form
    toman = parse_amount_toman(form.get("amount"))
    paid_on = parse_date(form.get("paid_on"))
    today = services.clock().astimezone(services.settings.zone).date()
    if toman is None or toman <= 0:
        return _("Please type the amount in toman, digits only.")
    if paid_on is None or paid_on > today:
        return _("Please type a valid date that is not in the future.")
    rials, day = toman_to_rials(toman), paid_on

    async def call(seen: S) -> StatusEvent:
        return await lifecycle.record_payment(
            services.store,
            move.page.officer.actor,
            move.app.id,
            rials,
            day,
            expected=seen,
            **move.common(),
        )

    return call


def _plain(move: _Move) -> str | Call:
    """Any other move: a note, or the reason a rejection needs."""
    if move.target is S.REJECTED and not move.reason:
        return _("Type the reason; the citizen will read it.")

    async def call(seen: S) -> StatusEvent:
        return await lifecycle.change_status(
            move.services.store,
            move.page.officer.actor,
            move.app.id,
            move.target,
            move.reason or None,
            None,
            expected=seen,
            **move.common(),
        )

    return call


PREPARE: dict[S, Callable[[_Move], str | Call]] = {
    S.NEEDS_CORRECTION: _correction,
    S.INTRODUCED_TO_BANK: _bank,
    S.PAID: _payment,
}


def prepare_move(page: Page, view: ApplicationView, target: S) -> str | Call:
    """Check the form for this move: a Persian problem, or the service call to make."""
    reason = form_text(page, "reason")
    if reason is None:
        return _("What was sent is too large.")
    return PREPARE.get(target, _plain)(_Move(page, view, target, reason))
