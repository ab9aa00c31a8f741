"""One application: answers, documents in the page (accept, or tick to ask again), timeline,
the status moves the life cycle allows an officer (with what each needs), bank, payment and
permit. Every change goes through the same services as the bot (``services.lifecycle``,
``services.documents``): the same audit row and the same outbox notification to the citizen.
A form carries the status the officer saw; if the application moved meanwhile, nothing changes.
"""

from __future__ import annotations

import logging

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from desk.forms import PLAN_LABELS, parse_id
from desk.moves import document_name, form_text, prepare_move
from desk.web import Desk, DeskServices, Page
from domain.documents import application_documents
from domain.lifecycle import ActorKind, LifecycleError, allowed_transitions
from domain.models import Application, StatusEvent
from domain.statuses import ApplicationStatus as S
from domain.statuses import DocumentStatus
from services import lifecycle
from services.applications import ApplicationView, officer_view
from services.documents import ACCEPTABLE, accept, accepting_open
from services.errors import NotAllowed
from services.lifecycle import StatusChanged
from texts.i18n import N_, _
from texts.notifications import make_renderer, status_label

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
        names = "، ".join(document_name(services, c) for c in details["documents"])
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
    call = prepare_move(page, view, target)
    if isinstance(call, str):
        return page.error(call, back=page.url("application", application_id=app.id))
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
    number = form_text(page, "permit_number") or ""
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
            render=make_renderer(lambda code: document_name(services, code)),
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
