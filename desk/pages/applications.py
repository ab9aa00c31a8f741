"""The applications list: filters (status, county, activity group, plan, dates, free search),
sorting and pages. The query is ``services.application_list.list_applications``; the filters
are read by ``read_filters``, which the exports page shares (an export has the list's filters).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from desk.forms import PLAN_LABELS, parse_date, parse_id
from desk.web import Desk, Page
from domain.catalogue import Catalogue
from domain.statuses import ApplicationStatus, PlanType
from services.application_list import ApplicationFilter, ListSort, list_applications
from texts.i18n import N_

NAV = (N_("Applications"), "applications")

SORT_LABELS = {
    ListSort.FILED.value: N_("Filing date"),
    ListSort.UPDATED.value: N_("Last change"),
    ListSort.NAME.value: N_("Name"),
    ListSort.STATUS.value: N_("Status"),
    ListSort.COUNTY.value: N_("County"),
    ListSort.AMOUNT.value: N_("Requested amount"),
}
FILTER_NAMES = ("status", "county", "group", "plan", "since", "until", "q", "sort", "order")
_LISTED = {s.value for s in ApplicationStatus if s is not ApplicationStatus.DRAFT}


def read_filters(
    params: Mapping[str, str], catalogue: Catalogue
) -> tuple[ApplicationFilter, dict[str, str]]:
    """The list's filters from a query string (unknown values are ignored), and the raw
    values to show back in the form."""
    raw = {name: params.get(name, "").strip()[:100] for name in FILTER_NAMES}
    county, group = raw["county"], raw["group"]
    filters = ApplicationFilter(
        statuses=(ApplicationStatus(raw["status"]),) if raw["status"] in _LISTED else (),
        county=county if catalogue.county(county) is not None else None,
        activity_group=group if catalogue.group(group) is not None else None,
        plan_type=PlanType(raw["plan"]) if raw["plan"] in set(PlanType) else None,
        from_date=parse_date(raw["since"]),
        to_date=parse_date(raw["until"]),
        search=raw["q"] or None,
        sort=ListSort(raw["sort"]) if raw["sort"] in set(ListSort) else ListSort.FILED,
        descending=raw["order"] != "asc",
        page=min(parse_id(params.get("page", "")) or 1, 1_000_000),
    )
    return filters, raw


async def applications(page: Page) -> Response:
    """The table of filed applications."""
    services = page.desk.services
    catalogue = services.catalogue
    filters, raw = read_filters(page.request.query_params, catalogue)
    result = await list_applications(
        services.store, page.officer.actor, catalogue, filters, tz=services.settings.zone
    )
    kept = {k: v for k, v in raw.items() if v}

    def page_link(number: int) -> str:
        return "?" + urlencode({**kept, "page": number})

    def sort_link(key: str) -> str:
        order = "asc" if filters.sort == key and filters.descending else "desc"
        return "?" + urlencode({**kept, "sort": key, "order": order})

    return page.render(
        "applications.html",
        result=result,
        filters=filters,
        raw=raw,
        export_query=urlencode({k: v for k, v in kept.items() if k not in ("sort", "order")}),
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
