"""The officers' applications list (the web desk): filters, free search, sort, pages.

``list_applications`` is the one entry point the desk calls; the query behind it
(``storage.application_list``) is a first version another may replace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from domain.catalogue import Catalogue
from domain.models import Application
from domain.persian import normalize_input, normalize_mobile, normalize_national_code
from domain.statuses import ApplicationStatus
from domain.tracking import normalize_tracking_code
from services import applications
from services.actors import Actor
from services.officers import require_officer
from storage import Store
from storage.application_list import SORT_COLUMNS, ListQuery, list_page

PER_PAGE = 50


@dataclass(frozen=True)
class ListFilters:
    """What an officer asked for; every value is checked before it is used."""

    status: str = ""
    county: str = ""
    group: str = ""
    plan: str = ""
    since: date | None = None
    until: date | None = None
    search: str = ""
    sort: str = "filed"
    descending: bool = True
    page: int = 1


@dataclass(frozen=True)
class ListResult:
    """A page of the list."""

    rows: list[Application]
    total: int
    page: int
    pages: int


async def _search_ids(store: Store, actor: Actor, text: str) -> list[int]:
    """Applications a free search finds: tracking code, national code, phone, else a name."""
    typed = normalize_input(text)
    found: list[Application] = []
    code = normalize_tracking_code(typed)
    if code is not None:
        found = await applications.search(store, actor, "code", code)
    if not found and (national := normalize_national_code(typed)) is not None:
        found = await applications.search(store, actor, "nc", national)
    if not found and (phone := normalize_mobile(typed)) is not None:
        found = await applications.search(store, actor, "phone", phone)
    if not found:
        found = await applications.search(store, actor, "name", typed)
    return [app.id for app in found]


async def list_applications(
    store: Store, actor: Actor, filters: ListFilters, *, catalogue: Catalogue, tz: ZoneInfo
) -> ListResult:
    """One page of filed applications for an officer (NotAllowed for anyone else)."""
    await require_officer(store, actor)
    statuses = [filters.status] if filters.status in set(ApplicationStatus) else []
    activity_codes = None
    if filters.group and catalogue.group(filters.group) is not None:
        activity_codes = [a.code for a in catalogue.activities_in(filters.group)]
    ids = await _search_ids(store, actor, filters.search) if filters.search.strip() else None
    page = max(filters.page, 1)
    query = ListQuery(
        statuses=statuses,
        county=filters.county if catalogue.county(filters.county) is not None else None,
        activity_codes=activity_codes,
        plan_type=filters.plan if filters.plan in {"independent", "supporting"} else None,
        since=filters.since,
        until=filters.until,
        ids=ids,
        sort=filters.sort if filters.sort in SORT_COLUMNS else "filed",
        descending=filters.descending,
        offset=(page - 1) * PER_PAGE,
        limit=PER_PAGE,
    )
    rows, total = await list_page(store, query, tz)
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    return ListResult(rows, total, page, pages)
