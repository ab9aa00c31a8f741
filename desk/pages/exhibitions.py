"""Exhibitions and booth requests: the upcoming exhibitions (cancelled ones marked), a form to
add one, cancel one, and the booth requests waiting for an answer (approve or decline; the
citizen is told). The same services as the bot (``services.exhibitions``, ``services.booths``):
officers checked now, audited."""

from __future__ import annotations

from pydantic import ValidationError
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from desk.forms import parse_id
from desk.web import Desk, Page
from domain.exhibitions import (
    ExhibitionDraft,
    ExhibitionKind,
    ExhibitionStatus,
    parse_exhibition_date,
)
from services import booths, exhibitions
from storage.exhibitions import DuplicateExhibition
from texts.i18n import N_, _

NAV = (N_("Exhibitions"), "exhibitions")

KIND_LABELS = {
    ExhibitionKind.SEASONAL.value: N_("Seasonal"),
    ExhibitionKind.PERMANENT.value: N_("Permanent"),
    ExhibitionKind.VIRTUAL.value: N_("Virtual (online)"),
}
DONE = {
    "created": N_("Saved."),
    "cancelled": N_("The exhibition is cancelled; those who asked for a booth are told."),
    "approved": N_("The booth request is approved; the citizen is told."),
    "declined": N_("The booth request is declined; the citizen is told."),
}


async def exhibition_list(page: Page) -> Response:
    """Upcoming exhibitions and the booth requests waiting for an answer."""
    services = page.desk.services
    store = services.store
    found = await exhibitions.upcoming(
        store, services.clock, services.settings.zone, include_cancelled=True
    )
    pending = await booths.pending_booths(store, page.officer.actor, limit=50)
    done = DONE.get(page.request.query_params.get("done", ""))
    return page.render(
        "exhibitions.html",
        found=found,
        pending=pending,
        kinds=KIND_LABELS,
        counties=services.catalogue.counties,
        county_name=lambda code: c.name if (c := services.catalogue.county(code or "")) else "—",
        cancelled=ExhibitionStatus.CANCELLED,
        done=_(done) if done else None,
    )


async def create(page: Page) -> Response:
    """Add an exhibition from the form (every field checked, nothing stored when one is wrong)."""
    services = page.desk.services
    back = page.url("exhibitions")
    form = page.form
    county = form.get("county")
    dates = {name: form.get(name) for name in ("starts_on", "ends_on", "booth_deadline")}
    parsed = {name: parse_exhibition_date(text) if text else None for name, text in dates.items()}
    if parsed["starts_on"] is None or parsed["ends_on"] is None:
        return page.error(_("Give the start and end dates, e.g. 1404/12/20."), back=back)
    if dates["booth_deadline"] and parsed["booth_deadline"] is None:
        return page.error(_("Give the start and end dates, e.g. 1404/12/20."), back=back)
    try:
        draft = ExhibitionDraft(
            title=form.get("title")[:200],
            kind=ExhibitionKind(form.get("kind")),
            county=county if services.catalogue.county(county) is not None else None,
            venue=form.get("venue")[:300],
            starts_on=parsed["starts_on"],
            ends_on=parsed["ends_on"],
            booth_deadline=parsed["booth_deadline"],
            description=form.get("description")[:2000],
        )
    except (ValidationError, ValueError):
        return page.error(
            _("The exhibition is not valid: check the title, kind, county and dates."), back=back
        )
    try:
        await exhibitions.create(services.store, page.officer.actor, draft)
    except DuplicateExhibition:
        return page.error(_("An exhibition with this title and start date exists."), back=back)
    return page.redirect(back + "?done=created")


async def cancel(page: Page) -> Response:
    """Cancel an exhibition; those who asked for a booth are told."""
    services = page.desk.services
    back = page.url("exhibitions")
    exhibition_id = parse_id(page.form.get("exhibition"))
    cancelled = (
        await exhibitions.cancel(
            services.store,
            page.officer.actor,
            exhibition_id,
            reminders=services.reminders,  # type: ignore[arg-type]
        )
        if exhibition_id is not None
        else None
    )
    if cancelled is None:
        return page.error(_("There is no such exhibition, or it is already cancelled."), back=back)
    if cancelled.told:
        services.wake_sender()
    return page.redirect(back + "?done=cancelled")


async def decide(page: Page) -> Response:
    """Approve or decline a booth request."""
    services = page.desk.services
    back = page.url("exhibitions")
    request_id = parse_id(page.form.get("request"))
    answer = page.form.get("answer")
    if request_id is None or answer not in ("approve", "decline"):
        return page.error(_("This booth request was already answered."), back=back)
    decided = await booths.decide_booth(
        services.store,
        page.officer.actor,
        request_id,
        approve=answer == "approve",
    )
    if decided is None:
        return page.error(_("This booth request was already answered."), back=back)
    if decided.told:
        services.wake_sender()
    return page.redirect(back + ("?done=approved" if answer == "approve" else "?done=declined"))


def routes(desk: Desk) -> list[BaseRoute]:
    return [
        Route("/exhibitions", desk.page(exhibition_list), methods=["GET"], name="exhibitions"),
        Route("/exhibitions/add", desk.page(create), methods=["POST"], name="exhibition_add"),
        Route("/exhibitions/cancel", desk.page(cancel), methods=["POST"], name="exhibition_cancel"),
        Route("/exhibitions/booth", desk.page(decide), methods=["POST"], name="booth_decide"),
    ]
