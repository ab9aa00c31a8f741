"""One application: answers, documents in the page (accept, or tick to ask again), timeline,
the status moves the life cycle allows an officer (with what each needs), bank, payment and
permit. Every change goes through the same services as the bot (``services.lifecycle``,
``services.documents``): the same audit row and the same outbox notification to the citizen.
A form carries the status the officer saw; if the application moved meanwhile, nothing changes.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from desk.forms import PLAN_LABELS, parse_date, parse_id
from desk.web import Desk, DeskServices, Page
from domain.documents import application_documents
from domain.lifecycle import ActorKind, LifecycleError, allowed_transitions
from domain.models import Application, StatusEvent
from domain.persian import parse_amount_toman, strip_branch_word, toman_to_rials
from domain.statuses import ApplicationStatus as S
from domain.statuses import DocumentStatus
from services import lifecycle
from services.applications import ApplicationView, officer_view
from services.documents import ACCEPTABLE, accept, accepting_open
from services.errors import NotAllowed
from services.lifecycle import StatusChanged
from texts.i18n import N_, _
from texts.notifications import fix_markup, make_renderer, status_label

LOGGER = logging.getLogger(__name__)

# What the page says after a change (?done=...).
DONE = {
    "moved": N_("Done: the status is now «{status}». The citizen will be notified."),
    "accepted": N_("The document is accepted."),
    "permit": N_("The permit number is recorded; the citizen is notified."),
}
DOCUMENT_STATES = {
    DocumentStatus.RECEIVED: N_("received, not yet reviewed"),
    DocumentStatus.ACCEPTED: N_("accepted"),
    DocumentStatus.NEEDS_CORRECTION: N_("needs correction"),
    DocumentStatus.REPLACED: N_("replaced"),
}
MAX_TEXT = 1000  # a reason or a branch longer than this is refused, not cut


def _document_name(services: DeskServices, code: str) -> str:
    requirement = services.catalogue.document(code)
    return requirement.name if requirement is not None else code


def _actor_label(actor: str) -> str:
    kind = actor.split(":", 1)[0]
    return {
        "officer": _("Officer"),
        "citizen": _("Applicant"),
        "import": _("Bank report"),
    }.get(kind, _("System"))


def _event_details(services: DeskServices, event: StatusEvent) -> list[str]:
    details = event.details
    lines: list[str] = []
    if details.get("documents"):
        names = "، ".join(_document_name(services, c) for c in details["documents"])
        lines.append(_("Documents: {documents}").format(documents=names))
    if details.get("bank"):
        lines.append(
            _("Bank: {bank}, {branch} branch").format(
                bank=details["bank"], branch=details.get("branch", "")
            )
        )
    if details.get("permit_number"):
        lines.append(_("Permit number: {number}").format(number=details["permit_number"]))
    return lines


def _render_view(page: Page, view: ApplicationView, notice: str | None = None) -> Response:
    services = page.desk.services
    app = view.application
    catalogue = services.catalogue
    latest = view.documents.latest
    requirements = application_documents(app, catalogue, latest)
    open_for_review = accepting_open(app)
    county = catalogue.county(app.county or "")
    activity = catalogue.activity(app.activity_code or "")
    return page.render(
        "application.html",
        app=app,
        view=view,
        notice=notice,
        plan=_(PLAN_LABELS[app.plan_type.value]),
        county=county.name if county else (app.county or "—"),
        activity=activity.name if activity else (app.activity_code or "—"),
        requirements=requirements,
        latest=latest,
        states={k: _(v) for k, v in DOCUMENT_STATES.items()},
        acceptable={doc.id for doc in latest.values() if doc.status in ACCEPTABLE}
        if open_for_review
        else set(),
        pending=view.corrections.pending,
        moves=allowed_transitions(app.status, ActorKind.OFFICER),
        S=S,
        banks=catalogue.rules.agent_banks,
        actor_label=_actor_label,
        event_details=lambda event: _event_details(services, event),
        answers=_answers(app),
    )


def _answers(app: Application) -> list[tuple[str, str]]:
    """The answers beside the application's own columns that an officer weighs."""
    answers = app.answers
    shown: list[tuple[str, str]] = []
    gender = answers.get("gender")
    if gender in ("woman", "man"):
        shown.append((_("Gender"), _("Woman") if gender == "woman" else _("Man")))
    rented = answers.get("home_rented")
    if isinstance(rented, bool):
        shown.append((_("Rented home"), _("Yes") if rented else _("No")))
    workers = answers.get("covered_workers")
    if isinstance(workers, int):
        shown.append((_("Covered home workers"), str(workers)))
    return shown


async def _view(page: Page) -> ApplicationView | None:
    app_id = int(page.request.path_params["application_id"])
    return await officer_view(page.desk.services.store, page.officer.actor, app_id)


async def application(page: Page) -> Response:
    """The application's page."""
    view = await _view(page)
    if view is None or view.application.status is S.DRAFT:
        return page.error(_("No application found."), status=404, back=page.url("applications"))
    done = DONE.get(page.request.query_params.get("done", ""))
    notice = None
    if done is not None:
        notice = _(done).format(status=status_label(view.application.status))
    return _render_view(page, view, notice)


def _seen_status(page: Page) -> S | None:
    raw = page.form.get("seen")
    return S(raw) if raw in set(S) else None


def _stale(page: Page, app_id: int, current: S) -> Response:
    return page.error(
        _(
            "This application changed meanwhile (it is now «{status}»). Nothing was changed; "
            "look at it again."
        ).format(status=status_label(current)),
        status=409,
        back=page.url("application", application_id=app_id),
    )


def _back(page: Page, app_id: int, done: str) -> Response:
    return page.redirect(page.url("application", application_id=app_id) + f"?done={done}")


async def move(page: Page) -> Response:
    """A status move with what it needs (documents and reason, bank and branch, payment)."""
    view = await _view(page)
    if view is None or view.application.status is S.DRAFT:
        return page.error(_("No application found."), status=404, back=page.url("applications"))
    app = view.application
    seen = _seen_status(page)
    if seen is None or seen is not app.status:
        return _stale(page, app.id, app.status)
    target_raw = page.form.get("to")
    target = S(target_raw) if target_raw in set(S) else None
    if target is None or target not in allowed_transitions(app.status, ActorKind.OFFICER):
        return _refused(page, app.id)
    problem, call = _prepare(page, view, target)
    if problem is not None:
        return page.error(problem, back=page.url("application", application_id=app.id))
    try:
        await call(seen)
    except StatusChanged as exc:
        return _stale(page, app.id, exc.current)
    except (LifecycleError, NotAllowed) as exc:
        LOGGER.info("Web desk: officer %s: change refused: %s", page.officer.user_id, exc)
        return _refused(page, app.id)
    page.desk.services.wake_sender()
    return _back(page, app.id, "moved")


def _refused(page: Page, app_id: int) -> Response:
    return page.error(
        _("This change is not possible now."),
        status=409,
        back=page.url("application", application_id=app_id),
    )


def _text(page: Page, name: str) -> str | None:
    """A typed field, None when it is too long to be meant."""
    value = page.form.get(name)
    return None if len(value) > MAX_TEXT else value


def _prepare(page: Page, view: ApplicationView, target: S) -> tuple[str | None, Any]:
    """Check the form for this move: (a Persian problem, None) or (None, the service call)."""
    services = page.desk.services
    store, actor, app = services.store, page.officer.actor, view.application
    render = make_renderer(lambda code: _document_name(services, code))
    common: dict[str, Any] = {
        "render": render,
        "quiet_hours": services.settings.quiet_hours,
        "reminders": services.reminders,
    }
    reason = _text(page, "reason")
    if reason is None:
        return _("What was sent is too large."), None
    if target is S.NEEDS_CORRECTION:
        offered = [
            d.code for d in application_documents(app, services.catalogue, view.documents.latest)
        ]
        codes = [code for code in dict.fromkeys(page.form.getlist("documents")) if code in offered]
        if not codes:
            return _("Tick at least one document."), None
        if not reason:
            return _("Type what is wrong with them; the citizen will read it."), None

        async def correction(seen: S) -> StatusEvent:
            return await lifecycle.request_correction(
                store,
                actor,
                app.id,
                codes,
                reason,
                reply_markup=fix_markup(app.id, codes, lambda c: _document_name(services, c)),
                expected=seen,
                **common,
            )

        return None, correction
    if target is S.INTRODUCED_TO_BANK:
        bank = page.form.get("bank")
        branch = strip_branch_word(_text(page, "branch") or "")
        if bank not in services.catalogue.rules.agent_banks:
            return _("Choose the agent bank."), None
        if not branch:
            return _("Type the branch name or code."), None

        async def to_bank(seen: S) -> StatusEvent:
            return await lifecycle.introduce_to_bank(
                store, actor, app.id, bank, branch, expected=seen, **common
            )

        return None, to_bank
    if target is S.PAID:
        toman = parse_amount_toman(page.form.get("amount"))
        paid_on = parse_date(page.form.get("paid_on"))
        today = services.clock().astimezone(services.settings.zone).date()
        if toman is None or toman <= 0:
            return _("Please type the amount in toman, digits only."), None
        if paid_on is None or paid_on > today:
            return _("Please type a valid date that is not in the future."), None
        rials, day = toman_to_rials(toman), paid_on

        async def paid(seen: S) -> StatusEvent:
            return await lifecycle.record_payment(
                store, actor, app.id, rials, day, expected=seen, **common
            )

        return None, paid
    if target is S.REJECTED and not reason:
        return _("Type the reason; the citizen will read it."), None

    async def change(seen: S) -> StatusEvent:
        return await lifecycle.change_status(
            store, actor, app.id, target, reason or None, None, expected=seen, **common
        )

    return None, change


async def accept_document(page: Page) -> Response:
    """Accept one document (it can no longer be replaced), audited like in the bot."""
    view = await _view(page)
    if view is None or view.application.status is S.DRAFT:
        return page.error(_("No application found."), status=404, back=page.url("applications"))
    app = view.application
    doc_id = parse_id(page.form.get("document"))
    if doc_id is None:
        return page.error(
            _("There is no such document."), back=page.url("application", application_id=app.id)
        )
    accepted = await accept(page.desk.services.store, page.officer.actor, app.id, [doc_id])
    if not accepted:
        # Another officer accepted it, the citizen replaced it, or it is not this application's.
        return page.error(
            _("This document cannot be accepted now (it changed meanwhile). Nothing was changed."),
            status=409,
            back=page.url("application", application_id=app.id),
        )
    return _back(page, app.id, "accepted")


async def permit(page: Page) -> Response:
    """Record the permit number from the national permits portal (the citizen is told)."""
    view = await _view(page)
    if view is None or view.application.status is S.DRAFT:
        return page.error(_("No application found."), status=404, back=page.url("applications"))
    app = view.application
    number = _text(page, "permit_number") or ""
    if not number or len(number) > 60:
        return page.error(
            _("Type the permit number from the national permits portal."),
            back=page.url("application", application_id=app.id),
        )
    services = page.desk.services
    try:
        await lifecycle.record_permit(
            services.store,
            page.officer.actor,
            app.id,
            number,
            render=make_renderer(lambda code: _document_name(services, code)),
            quiet_hours=services.settings.quiet_hours,
        )
    except (LifecycleError, NotAllowed) as exc:
        LOGGER.info("Web desk: officer %s: permit refused: %s", page.officer.user_id, exc)
        return _refused(page, app.id)
    services.wake_sender()
    return _back(page, app.id, "permit")


def routes(desk: Desk) -> list[BaseRoute]:
    path = "/applications/{application_id:int}"
    return [
        Route(path, desk.page(application), methods=["GET"], name="application"),
        Route(path + "/move", desk.page(move), methods=["POST"], name="application_move"),
        Route(
            path + "/accept", desk.page(accept_document), methods=["POST"], name="document_accept"
        ),
        Route(path + "/permit", desk.page(permit), methods=["POST"], name="application_permit"),
    ]
