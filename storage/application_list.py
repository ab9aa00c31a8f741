"""The officers' applications list: filters, sorting and one page, with the total count.

One read snapshot per page: the count and the page's ids come from indexes (migrations 0009 and
0016), then only the page's rows are read. Dates are days in the office's time zone (the caller
passes ``tz``), both ends included. A search term is already classified by the service
(``services.application_list``): a tracking code, national code, phone or name prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple
from zoneinfo import ZoneInfo

import aiosqlite
from pydantic import BaseModel, ConfigDict, Field

from domain.statuses import ApplicationStatus, PlanType
from storage.application_search import SearchTerm, search_where
from storage.db import from_db_time, opt_db_time
from storage.reports import TEHRAN, local_day_start
from storage.store import Store

MAX_PER_PAGE = 200


class ListSort(StrEnum):
    """What the list is ordered by (then by id, so a page is stable)."""

    FILED = "filed"
    UPDATED = "updated"
    STATUS = "status"
    COUNTY = "county"
    NAME = "name"
    AMOUNT = "amount"


class ListQuery(BaseModel):
    """Which applications, in which order, which page."""

    model_config = ConfigDict(frozen=True)

    statuses: tuple[ApplicationStatus, ...] = ()  # none: every status but draft
    county: str | None = None
    activity_codes: tuple[str, ...] | None = None  # an activity group's codes; None: any
    plan_type: PlanType | None = None
    from_date: date | None = None
    to_date: date | None = None
    search: SearchTerm | None = None
    sort: ListSort = ListSort.FILED
    descending: bool = True
    page: int = Field(default=1, ge=1)
    per_page: int = Field(default=50, ge=1, le=MAX_PER_PAGE)


class ListRow(NamedTuple):
    """One line of the list."""

    id: int
    tracking_code: str | None
    full_name: str | None
    national_code: str | None
    phone: str | None
    plan_type: PlanType
    status: ApplicationStatus
    county: str | None
    activity_code: str | None
    requested_rials: int | None
    filed_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True)
class Page:
    """One page of a list and where it stands in the whole."""

    rows: list[ListRow]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the whole list has (at least one, even when empty)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


_ORDER: dict[ListSort, str] = {
    ListSort.FILED: "filed_at",
    ListSort.UPDATED: "updated_at",
    ListSort.STATUS: "status_rank",  # the life cycle's order (migration 0016)
    ListSort.COUNTY: "county",
    ListSort.NAME: "name_sort",  # Persian alphabetical order (migration 0016)
    ListSort.AMOUNT: "requested_rials",
}
# The covering index that walks each order (migration 0016); None: SQLite's own choice.
_ORDER_INDEX: dict[ListSort, str | None] = {
    ListSort.FILED: "applications_list_filed",
    ListSort.UPDATED: None,
    ListSort.STATUS: "applications_list_status",
    ListSort.COUNTY: "applications_list_county",
    ListSort.NAME: "applications_list_name",
    ListSort.AMOUNT: None,
}

_COLUMNS = (
    "id, tracking_code, full_name, national_code, phone, plan_type, status, county,"
    " activity_code, requested_rials, filed_at, updated_at"
)


def _where(query: ListQuery, tz: ZoneInfo) -> tuple[str, list[object]]:
    where: list[str] = []
    params: list[object] = []
    if query.statuses:
        where.append(f"status IN ({', '.join('?' for _ in query.statuses)})")
        params += [s.value for s in query.statuses]
    else:
        where.append("status != 'draft'")
    if query.county:
        where.append("county = ?")
        params.append(query.county)
    if query.activity_codes is not None:
        codes = query.activity_codes or ("",)  # a group with no activity lists nothing
        where.append(f"activity_code IN ({', '.join('?' for _ in codes)})")
        params += list(codes)
    if query.plan_type:
        where.append("plan_type = ?")
        params.append(query.plan_type.value)
    if query.from_date:
        where.append("filed_at >= ?")
        params.append(local_day_start(query.from_date, tz))
    if query.to_date:
        where.append("filed_at < ?")
        params.append(local_day_start(date.fromordinal(query.to_date.toordinal() + 1), tz))
    if query.search is not None:
        clause, more = search_where(query.search)
        where.append(clause)
        params += more
    return " AND ".join(where), params


def _row(row: aiosqlite.Row) -> ListRow:
    return ListRow(
        id=row[0],
        tracking_code=row[1],
        full_name=row[2],
        national_code=row[3],
        phone=row[4],
        plan_type=PlanType(row[5]),
        status=ApplicationStatus(row[6]),
        county=row[7],
        activity_code=row[8],
        requested_rials=row[9],
        filed_at=opt_db_time(row[10]),
        updated_at=from_db_time(row[11]),
    )


def _hints(query: ListQuery) -> tuple[str, str]:
    """``INDEXED BY`` clauses for the count and the page.

    SQLite has no statistics here (no ANALYZE), so without a hint it would pick the narrow
    single-column index of the filter and read a table row per candidate to test the others.
    A search or a status filter is already selective: its own indexes win, no hint.
    """
    if query.search is not None or query.statuses:
        return "", ""
    if query.county:
        count = "applications_list_county"
        page = (
            "applications_list_county"
            if query.sort in (ListSort.FILED, ListSort.COUNTY)
            else _ORDER_INDEX[query.sort]
        )
    else:
        count = "applications_list_filed"
        page = _ORDER_INDEX[query.sort]
    return f" INDEXED BY {count}", f" INDEXED BY {page}" if page else ""


def _order(query: ListQuery, reverse: bool = False) -> str:
    descending = query.descending != reverse
    direction = "DESC" if descending else "ASC"
    return f"{_ORDER[query.sort]} {direction}, id {direction}"


async def list_applications(store: Store, query: ListQuery, *, tz: ZoneInfo = TEHRAN) -> Page:
    """One page of the matching applications and how many match in all."""
    if query.search is not None and query.search.empty:
        return Page(rows=[], page=1, per_page=query.per_page, total=0)
    where, params = _where(query, tz)
    count_hint, page_hint = _hints(query)
    async with store.db.read() as c:
        async with c.execute(
            f"SELECT COUNT(*) FROM applications{count_hint} WHERE {where}", params
        ) as cur:
            found = await cur.fetchone()
        total = int(found[0]) if found else 0
        pages = max(1, -(-total // query.per_page))
        page = min(query.page, pages)  # past the end (a stale link): the last page
        offset = (page - 1) * query.per_page
        limit = query.per_page
        # A page in the second half is read from the other end: the walk is never longer
        # than half the list.
        reverse = offset > total - offset - limit
        if reverse:
            limit = min(limit, total - offset)
            offset = max(0, total - offset - query.per_page)
        # The page's ids first (a walk of one index), then only the page's rows.
        sql = (
            f"SELECT {_COLUMNS} FROM applications WHERE id IN ("
            f"SELECT id FROM applications{page_hint} WHERE {where}"
            f" ORDER BY {_order(query, reverse)} LIMIT ? OFFSET ?"
            f") ORDER BY {_order(query)}"
        )
        async with c.execute(sql, [*params, max(0, limit), offset]) as cur:
            rows = [_row(row) for row in await cur.fetchall()]
    return Page(rows=rows, page=page, per_page=query.per_page, total=total)


async def explain(store: Store, query: ListQuery, *, tz: ZoneInfo = TEHRAN) -> list[str]:
    """The query plans of the count and of a first page (tests check no table scan)."""
    where, params = _where(query, tz)
    count_hint, page_hint = _hints(query)
    plans: list[str] = []
    for sql in (
        f"SELECT COUNT(*) FROM applications{count_hint} WHERE {where}",
        f"SELECT id FROM applications{page_hint} WHERE {where} ORDER BY {_order(query)} LIMIT 50",
    ):
        async with store.db.read() as c, c.execute(f"EXPLAIN QUERY PLAN {sql}", params) as cur:
            plans += [str(row[3]) for row in await cur.fetchall()]
    return plans
