"""The dashboard: counts by status, this month against last, charts by month and by county,
and the seed-style paragraph of ``homebiz stats``."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from desk.charts import Series, bar_chart
from desk.web import Desk, Page
from services.desk_figures import dashboard as dashboard_figures
from texts.formatting import JALALI_MONTHS
from texts.i18n import N_, _
from texts.stats import render_stats_paragraph

NAV = (N_("Dashboard"), "dashboard")

# The counties shown in the chart; the rest are summed into one bar.
TOP_COUNTIES = 12


async def dashboard(page: Page) -> Response:
    """The office at a glance."""
    services = page.desk.services
    figures = await dashboard_figures(
        services.store,
        page.officer.actor,
        tz=services.settings.zone,
        catalogue=services.catalogue,
    )
    months = [_(JALALI_MONTHS[m.month - 1]) for m in figures.months]
    by_month = bar_chart(
        _("Applications and payments by month"),
        months,
        [
            Series(_("Applications"), [m.figures.filed for m in figures.months], "s1"),
            Series(_("Payments"), [m.figures.paid for m in figures.months], "s2"),
        ],
    )
    counties = figures.stats.by_county[:TOP_COUNTIES]
    by_county = bar_chart(
        _("Applications by county"),
        [t.name or t.code or "—" for t in counties],
        [Series(_("Applications"), [t.count for t in counties], "s1")],
    )
    return page.render(
        "dashboard.html",
        figures=figures,
        paragraph=render_stats_paragraph(figures.stats),
        by_month=by_month,
        by_county=by_county,
    )


def routes(desk: Desk) -> list[BaseRoute]:
    return [Route("/", desk.page(dashboard), methods=["GET"], name="dashboard")]
