"""The applications list: filters (status, county, activity group, plan, dates, free search),
sorting and pages. The query is ``services.application_list.list_applications``."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from desk.forms import PLAN_LABELS, parse_date, parse_id
from desk.web import Desk, Page
from domain.statuses import ApplicationStatus
from services.application_list import ListFilters, list_applications
from storage.application_list import SORT_COLUMNS
from texts.i18n import N_

NAV = (N_("Applications"), "applications")

SORT_LABELS = {
    "filed": N_("Filing date"),
    "updated": N_("Last change"),
    "name": N_("Name"),
    "status": N_("Status"),
    "county": N_("County"),
    "amount": N_("Requested amount"),
}
FILTER_NAMES = ("status", "county", "group", "plan", "since", "until", "q", "sort", "order")


async def applications(page: Page) -> Response:
    """The table of filed applications."""
    params = page.request.query_params
    raw = {name: params.get(name, "").strip()[:100] for name in FILTER_NAMES}
    filters = ListFilters(
        status=raw["status"],
        county=raw["county"],
        group=raw["group"],
        plan=raw["plan"],
        since=parse_date(raw["since"]),
        until=parse_date(raw["until"]),
        search=raw["q"],
        sort=raw["sort"] if raw["sort"] in SORT_COLUMNS else "filed",
        descending=raw["order"] != "asc",
        page=parse_id(params.get("page", "")) or 1,
    )
    services = page.desk.services
    result = await list_applications(
        services.store,
        page.officer.actor,
        filters,
        catalogue=services.catalogue,
        tz=services.settings.zone,
    )
    kept = {k: v for k, v in raw.items() if v}

    def page_link(number: int) -> str:
        return "?" + urlencode({**kept, "page": number})

    def sort_link(key: str) -> str:
        order = "asc" if filters.sort == key and filters.descending else "desc"
        return "?" + urlencode({**kept, "sort": key, "order": order})

    catalogue = services.catalogue
    return page.render(
        "applications.html",
        result=result,
        filters=filters,
        raw=raw,
        statuses=[s for s in ApplicationStatus if s is not ApplicationStatus.DRAFT],
        counties=catalogue.counties,
        groups=catalogue.groups,
        plans=PLAN_LABELS,
        sort_labels=SORT_LABELS,
        page_link=page_link,
        sort_link=sort_link,
        county_name=lambda code: c.name if (c := catalogue.county(code or "")) else "—",
        activity_name=lambda code: a.name if (a := catalogue.activity(code or "")) else "—",
    )


def routes(desk: Desk) -> list[BaseRoute]:
    return [Route("/applications", desk.page(applications), methods=["GET"], name="applications")]
