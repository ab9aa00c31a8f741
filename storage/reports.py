"""The office's reports: the year's statistics and the applications an export lists.

Read-only queries, each answered by an index: the statistics in one read snapshot (from the
per-year tallies migration 0009 keeps), the export in keyset pages, each its own short read.
Times are stored in UTC; a "day" or a "year" here is the Tehran calendar day or Jalali year, so
the boundaries are converted before comparing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, time
from typing import NamedTuple
from zoneinfo import ZoneInfo

import aiosqlite
from pydantic import BaseModel, ConfigDict

from domain.catalogue import Catalogue, load_catalogue
from domain.lifecycle import EventKind
from domain.stats import LoanTotals, Stats, Tally, jalali_year_bounds, jalali_year_of
from domain.statuses import ApplicationStatus, PlanType
from storage.application_search import SearchTerm, search_where
from storage.db import to_db_time
from storage.store import Store

TEHRAN = ZoneInfo("Asia/Tehran")


def local_day_start(day: date, tz: ZoneInfo = TEHRAN) -> str:
    """The stored (UTC) text of the first instant of a local calendar day."""
    return to_db_time(datetime.combine(day, time(), tz).astimezone(UTC))


def local_today(store: Store, tz: ZoneInfo = TEHRAN) -> date:
    """Today in Tehran by the store's clock."""
    return store.db.now().astimezone(tz).date()


# --- statistics ---------------------------------------------------------------------------


async def collect_stats(
    store: Store,
    *,
    year: int | None = None,
    today: date | None = None,
    catalogue: Catalogue | None = None,
    tz: ZoneInfo = TEHRAN,
) -> Stats:
    """The figures of one Jalali year (the current one when not given).

    ``catalogue`` names counties and activity groups; the bot passes ``services.catalogue``
    (the default reads the packaged data files). Every figure is read from an index or from
    the year's tallies (migration 0009), so the cost follows the year's size, not the store's.
    """
    today = today or local_today(store, tz)
    year = year or jalali_year_of(today)
    catalogue = catalogue or load_catalogue()
    start, end = jalali_year_bounds(year)
    span = (local_day_start(start), local_day_start(end))
    async with store.db.read() as c:
        drafts = await _scalar(
            c,
            "SELECT COUNT(*) FROM applications INDEXED BY applications_drafts"
            " WHERE status = 'draft' AND created_at >= ? AND created_at < ?",
            span,
        )
        tallies = await _year_tallies(c, year, span)
        if tallies is None:
            tallies = await _filed_tallies(c, span)
        by_status, by_county, by_activity, by_plan = _marginals(tallies)
        introduced = await _loan_totals(
            c,
            "SELECT plan_type, COUNT(*), COALESCE(SUM(requested_rials), 0)"
            " FROM applications INDEXED BY applications_introduced"
            " WHERE introduced_at IS NOT NULL AND introduced_at >= ? AND introduced_at < ?"
            " GROUP BY plan_type",
            span,
        )
        paid = await _loan_totals(
            c,
            "SELECT plan_type, COUNT(*), COALESCE(SUM(paid_rials), 0)"
            " FROM applications INDEXED BY applications_paid"
            " WHERE status = 'paid' AND paid_on >= ? AND paid_on < ? GROUP BY plan_type",
            (start.isoformat(), end.isoformat()),
        )
        # The literal matches the partial index's WHERE (a bound value could not use it).
        permits = await _scalar(
            c,
            "SELECT COUNT(DISTINCT application_id) FROM status_events"
            " INDEXED BY status_events_permits"
            f" WHERE json_extract(details_json, '$.event') = '{EventKind.PERMIT_ISSUED.value}'"
            " AND created_at >= ? AND created_at < ?",
            span,
        )
    return Stats(
        year=year,
        start=start,
        end=end,
        today=today,
        submitted=sum(by_status.values()),
        drafts=drafts,
        by_status=_in_status_order(by_status),
        by_county=_tallies(by_county, lambda code: _county_name(catalogue, code)),
        by_group=_tallies(
            _activity_groups(catalogue, by_activity), lambda code: _group_name(catalogue, code)
        ),
        by_plan_type={p.value: by_plan[p.value] for p in PlanType if by_plan.get(p.value)},
        introduced=introduced,
        paid=paid,
        permits_issued=permits,
    )


# (status, county or '', activity or '', plan type, count) of the year's filed applications.
_Tally = tuple[str, str, str, str, int]


async def _year_tallies(
    c: aiosqlite.Connection, year: int, span: tuple[str, str]
) -> list[_Tally] | None:
    """The year's tallies, or None when the stored year bounds are not this year's span."""
    async with c.execute(
        "SELECT year, starts_at FROM jalali_years WHERE year IN (?, ?) ORDER BY year",
        (year, year + 1),
    ) as cur:
        bounds = tuple(str(row[1]) for row in await cur.fetchall())
    if bounds != span:  # outside the table, or the time zone rules moved a year's start
        return None
    async with c.execute(
        "SELECT status, county, activity_code, plan_type, n FROM application_tallies"
        " WHERE year = ? AND n != 0",
        (year,),
    ) as cur:
        return [(r[0], r[1], r[2], r[3], int(r[4])) for r in await cur.fetchall()]


async def _filed_tallies(c: aiosqlite.Connection, span: tuple[str, str]) -> list[_Tally]:
    """The same tallies counted from the filed_at index (a year the tallies cannot answer)."""
    async with c.execute(
        "SELECT status, COALESCE(county, ''), COALESCE(activity_code, ''), plan_type, COUNT(*)"
        " FROM applications INDEXED BY applications_filed"
        " WHERE filed_at >= ? AND filed_at < ? AND status != 'draft' GROUP BY 1, 2, 3, 4",
        span,
    ) as cur:
        return [(r[0], r[1], r[2], r[3], int(r[4])) for r in await cur.fetchall()]


def _marginals(
    tallies: list[_Tally],
) -> tuple[Counter[str], Counter[str], Counter[str], Counter[str]]:
    by_status: Counter[str] = Counter()
    by_county: Counter[str] = Counter()
    by_activity: Counter[str] = Counter()
    by_plan: Counter[str] = Counter()
    for status, county, activity, plan, n in tallies:
        by_status[status] += n
        by_county[county] += n
        by_activity[activity] += n
        by_plan[plan] += n
    return by_status, by_county, by_activity, by_plan


async def _scalar(c: aiosqlite.Connection, sql: str, params: tuple[object, ...]) -> int:
    async with c.execute(sql, params) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row is not None and row[0] is not None else 0


async def _loan_totals(
    c: aiosqlite.Connection, sql: str, params: tuple[object, ...]
) -> dict[str, LoanTotals]:
    async with c.execute(sql, params) as cur:
        rows = await cur.fetchall()
    return {str(row[0]): LoanTotals(count=int(row[1]), rials=int(row[2])) for row in rows}


def _in_status_order(counts: Counter[str]) -> dict[str, int]:
    return {s.value: counts[s.value] for s in ApplicationStatus if counts.get(s.value)}


def _county_name(catalogue: Catalogue, code: str) -> str | None:
    county = catalogue.county(code)
    return county.name if county else None


def _group_name(catalogue: Catalogue, code: str) -> str | None:
    group = catalogue.group(code)
    return group.name if group else None


def _activity_groups(catalogue: Catalogue, by_activity: Counter[str]) -> Counter[str]:
    """Fold activity counts into their groups ('' when the activity is unknown or missing)."""
    groups: Counter[str] = Counter()
    for code, count in by_activity.items():
        activity = catalogue.activity(code)
        groups[activity.group if activity else ""] += count
    return groups


def _tallies(counts: Counter[str], name: Callable[[str], str | None]) -> list[Tally]:
    """Largest first; ties in code order; the unknown ('') last."""
    ordered = sorted(counts.items(), key=lambda item: (item[0] == "", -item[1], item[0]))
    return [Tally(code=code, name=name(code) if code else None, count=n) for code, n in ordered]


# --- export -------------------------------------------------------------------------------


class ExportFilter(BaseModel):
    """Which applications an export lists; dates are Tehran days, both ends included."""

    model_config = ConfigDict(frozen=True)

    status: ApplicationStatus | None = None
    county: str | None = None  # county code
    plan_type: PlanType | None = None
    from_date: date | None = None
    to_date: date | None = None
    # The web desk's list filters too (an export "with the list's filters").
    statuses: tuple[ApplicationStatus, ...] = ()
    activity_codes: tuple[str, ...] | None = None
    search: SearchTerm | None = None


class ExportRow(NamedTuple):
    """The columns an export shows, as stored (times are UTC text, dates ISO text)."""

    id: int
    tracking_code: str | None
    full_name: str | None
    national_code: str | None
    phone: str | None
    plan_type: str
    status: str
    county: str | None
    activity_code: str | None
    requested_rials: int | None
    bank: str | None
    bank_branch: str | None
    paid_rials: int | None
    paid_on: str | None
    permit_number: str | None
    submitted_at: str | None
    updated_at: str


_EXPORT_COLUMNS = ", ".join(ExportRow._fields)
EXPORT_PAGE_ROWS = 2_000


def _export_where(filters: ExportFilter, tz: ZoneInfo) -> tuple[list[str], list[object]]:
    where = ["status = ?" if filters.status else "status != 'draft'"]
    params: list[object] = [filters.status.value] if filters.status else []
    if filters.statuses:
        where.append(f"status IN ({', '.join('?' for _ in filters.statuses)})")
        params += [s.value for s in filters.statuses]
    if filters.activity_codes is not None:
        codes = filters.activity_codes or ("",)
        where.append(f"activity_code IN ({', '.join('?' for _ in codes)})")
        params += list(codes)
    if filters.search is not None:
        clause, more = search_where(filters.search)
        where.append(clause)
        params += more
    if filters.county:
        where.append("county = ?")
        params.append(filters.county)
    if filters.plan_type:
        where.append("plan_type = ?")
        params.append(filters.plan_type.value)
    # The date terms filter the id-ordered walk (unary +: not the filed_at index, whose range
    # would have to be sorted again for every page); the walk reads each row once in all.
    if filters.from_date:
        where.append("+filed_at >= ?")
        params.append(local_day_start(filters.from_date, tz))
    if filters.to_date:
        where.append("+filed_at < ?")
        params.append(local_day_start(date.fromordinal(filters.to_date.toordinal() + 1), tz))
    return where, params


async def export_page(
    store: Store,
    filters: ExportFilter,
    after_id: int = 0,
    limit: int = EXPORT_PAGE_ROWS,
    *,
    tz: ZoneInfo = TEHRAN,
) -> list[ExportRow]:
    """The next ``limit`` matching applications with an id above ``after_id``, oldest first.

    A keyset page: only the exported columns, found by index (status, county) or by walking
    ids, never an offset; drafts only when asked for.
    """
    where, params = _export_where(filters, tz)
    sql = (
        f"SELECT {_EXPORT_COLUMNS} FROM applications WHERE id > ? AND {' AND '.join(where)}"
        " ORDER BY id LIMIT ?"
    )
    async with store.db.read() as c, c.execute(sql, (after_id, *params, limit)) as cur:
        rows = await cur.fetchall()
    return [ExportRow(*row) for row in rows]


async def iter_export(
    store: Store,
    filters: ExportFilter,
    page_rows: int = EXPORT_PAGE_ROWS,
    *,
    tz: ZoneInfo = TEHRAN,
) -> AsyncIterator[list[ExportRow]]:
    """Every matching application, page by page (each page its own short read).

    The filter's dates are days in the office's time zone ``tz`` (``settings.zone``).
    """
    after = 0
    while page := await export_page(store, filters, after, page_rows, tz=tz):
        yield page
        after = page[-1].id
