"""The dashboard: counts by status, this month against last, charts by month and by county,
and the seed-style paragraph of ``homebiz stats`` (``services.dashboard``)."""

from __future__ import annotations

from markupsafe import Markup
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from desk.web import Desk, Page
from domain.statuses import ApplicationStatus
from services.dashboard import charts, dashboard
from texts.i18n import N_

NAV = (N_("Dashboard"), "dashboard")


async def dashboard_page(page: Page) -> Response:
    """The office at a glance."""
    services = page.desk.services
    figures = await dashboard(
        services.store, page.officer.actor, services.catalogue, tz=services.settings.zone
    )
    drawn = charts(figures)
    return page.render(
        "dashboard.html",
        figures=figures,
        statuses=[s for s in ApplicationStatus if s is not ApplicationStatus.DRAFT],
        paragraph=figures.paragraph,
        # Built from escaped texts by texts.svg_chart: safe to inline.
        by_month=Markup(drawn.months),
        by_county=Markup(drawn.counties),
    )


def routes(desk: Desk) -> list[BaseRoute]:
    return [Route("/", desk.page(dashboard_page), methods=["GET"], name="dashboard")]
