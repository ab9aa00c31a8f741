"""The officers' applications list (the web desk's table): filters, free search, sort, page.

``list_applications`` checks that the actor is an officer now, reads what a free search typed
by the officer may be (a tracking code, a national code, a phone in any form, a name), turns an
activity group into its activities, and returns one ``Page`` of typed rows with the total.
A read writes no audit row (as the bot's search); the desk's exports and imports do.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from domain.catalogue import Catalogue
from domain.persian import normalize_input, normalize_mobile, normalize_national_code
from domain.statuses import ApplicationStatus, PlanType
from domain.tracking import normalize_tracking_code
from services.actors import Actor
from services.officers import require_officer
from storage import Store
from storage.application_list import (
    MAX_PER_PAGE,
    ListQuery,
    ListRow,
    ListSort,
    Page,
)
from storage.application_list import list_applications as _list
from storage.application_search import SearchTerm
from storage.reports import TEHRAN

__all__ = ["ApplicationFilter", "ListRow", "ListSort", "Page", "list_applications", "search_term"]


class ApplicationFilter(BaseModel):
    """What the officer chose above the table (all optional; codes, not labels)."""

    model_config = ConfigDict(frozen=True)

    statuses: tuple[ApplicationStatus, ...] = ()
    county: str | None = None
    activity_group: str | None = None
    plan_type: PlanType | None = None
    from_date: date | None = None
    to_date: date | None = None
    search: str | None = None
    sort: ListSort = ListSort.FILED
    descending: bool = True
    page: int = Field(default=1, ge=1)
    per_page: int = Field(default=50, ge=1, le=MAX_PER_PAGE)


def search_term(text: str) -> SearchTerm:
    """Every way a typed search may be meant: digits may be a tracking code, a national code
    or a phone at once (each checked by its own rule); letters are a name."""
    typed = normalize_input(text).strip()
    return SearchTerm(
        tracking_code=normalize_tracking_code(typed),
        national_code=normalize_national_code(typed),
        phone=normalize_mobile(typed),
        name=typed if any(ch.isalpha() for ch in typed) else None,
    )


def to_query(filters: ApplicationFilter, catalogue: Catalogue) -> ListQuery:
    """The storage query of a filter (an activity group becomes its activities' codes)."""
    codes: tuple[str, ...] | None = None
    if filters.activity_group:
        codes = tuple(a.code for a in catalogue.activities_in(filters.activity_group))
    search = filters.search.strip() if filters.search else ""
    return ListQuery(
        statuses=filters.statuses,
        county=filters.county or None,
        activity_codes=codes,
        plan_type=filters.plan_type,
        from_date=filters.from_date,
        to_date=filters.to_date,
        search=search_term(search) if search else None,
        sort=filters.sort,
        descending=filters.descending,
        page=filters.page,
        per_page=filters.per_page,
    )


async def list_applications(
    store: Store,
    actor: Actor,
    catalogue: Catalogue,
    filters: ApplicationFilter,
    *,
    tz: ZoneInfo = TEHRAN,
) -> Page:
    """One page of the applications matching the filter (NotAllowed unless an officer now)."""
    await require_officer(store, actor)
    return await _list(store, to_query(filters, catalogue), tz=tz)
