"""The office's reports: the year's statistics and the applications an export lists.

Read-only queries in one read snapshot. Times are stored in UTC; a "day" or a "year" here is
a calendar day or Jalali year in the office's time zone (``tz``, the TIMEZONE setting, given
by the caller), so the boundaries are converted before comparing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import aiosqlite
from pydantic import BaseModel, ConfigDict

from domain.catalogue import Catalogue, load_catalogue
from domain.lifecycle import EventKind
from domain.models import Application
from domain.stats import LoanTotals, Stats, Tally, jalali_year_bounds, jalali_year_of
from domain.statuses import ApplicationStatus, PlanType
from storage.applications import application_from_row
from storage.db import to_db_time
from storage.store import Store

# When an application counts as "filed": its submission, or its creation for a draft.
_FILED_AT = "COALESCE(submitted_at, created_at)"


def local_day_start(day: date, tz: ZoneInfo) -> str:
    """The stored (UTC) text of the first instant of a local calendar day."""
    return to_db_time(datetime.combine(day, time(), tz).astimezone(UTC))


def local_today(store: Store, tz: ZoneInfo) -> date:
    """Today in the time zone ``tz`` by the store's clock."""
    return store.db.now().astimezone(tz).date()


# --- statistics ---------------------------------------------------------------------------


async def collect_stats(
    store: Store,
    *,
    tz: ZoneInfo,
    year: int | None = None,
    today: date | None = None,
    catalogue: Catalogue | None = None,
) -> Stats:
    """The figures of one Jalali year (the current one when not given).

    ``tz`` is the office's time zone (``settings.zone``). ``catalogue`` names counties and
    activity groups; the bot passes ``services.catalogue`` (the default reads the packaged data
    files).
    """
    today = today or local_today(store, tz)
    year = year or jalali_year_of(today)
    catalogue = catalogue or load_catalogue()
    start, end = jalali_year_bounds(year)
    span = (local_day_start(start, tz), local_day_start(end, tz))
    async with store.db.read() as c:
        drafts = await _scalar(
            c,
            "SELECT COUNT(*) FROM applications WHERE status = 'draft'"
            " AND created_at >= ? AND created_at < ?",
            span,
        )
        filed = f"status != 'draft' AND {_FILED_AT} >= ? AND {_FILED_AT} < ?"
        by_status = await _grouped(c, "status", filed, span)
        by_county = await _grouped(c, "county", filed, span)
        by_activity = await _grouped(c, "activity_code", filed, span)
        by_plan = await _grouped(c, "plan_type", filed, span)
        introduced = await _loan_totals(
            c,
            "SELECT plan_type, COUNT(*), COALESCE(SUM(requested_rials), 0) FROM applications"
            " WHERE id IN (SELECT application_id FROM status_events"
            "   WHERE to_status = 'introduced_to_bank'"
            "   AND (from_status IS NULL OR from_status != to_status)"
            "   AND created_at >= ? AND created_at < ?)"
            " GROUP BY plan_type",
            span,
        )
        paid = await _loan_totals(
            c,
            "SELECT plan_type, COUNT(*), COALESCE(SUM(paid_rials), 0) FROM applications"
            " WHERE status = 'paid' AND paid_on >= ? AND paid_on < ? GROUP BY plan_type",
            (start.isoformat(), end.isoformat()),
        )
        permits = await _scalar(
            c,
            "SELECT COUNT(DISTINCT application_id) FROM status_events"
            " WHERE json_extract(details_json, '$.event') = ?"
            " AND created_at >= ? AND created_at < ?",
            (EventKind.PERMIT_ISSUED.value, *span),
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


async def _scalar(c: aiosqlite.Connection, sql: str, params: tuple[object, ...]) -> int:
    async with c.execute(sql, params) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row is not None and row[0] is not None else 0


async def _grouped(
    c: aiosqlite.Connection, column: str, where: str, params: tuple[object, ...]
) -> Counter[str]:
    sql = f"SELECT COALESCE({column}, ''), COUNT(*) FROM applications WHERE {where} GROUP BY 1"
    async with c.execute(sql, params) as cur:
        rows = await cur.fetchall()
    return Counter({str(row[0]): int(row[1]) for row in rows})


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
    """Which applications an export lists; dates are local days (the office's), both ends in."""

    model_config = ConfigDict(frozen=True)

    status: ApplicationStatus | None = None
    county: str | None = None  # county code
    plan_type: PlanType | None = None
    from_date: date | None = None
    to_date: date | None = None


async def list_for_export(
    store: Store, filters: ExportFilter, *, tz: ZoneInfo
) -> list[Application]:
    """The applications matching the filters, oldest first (drafts only when asked for).

    The filter's dates are days in the time zone ``tz`` (``settings.zone``).
    """
    where = ["status = ?" if filters.status else "status != 'draft'"]
    params: list[object] = [filters.status.value] if filters.status else []
    if filters.county:
        where.append("county = ?")
        params.append(filters.county)
    if filters.plan_type:
        where.append("plan_type = ?")
        params.append(filters.plan_type.value)
    if filters.from_date:
        where.append(f"{_FILED_AT} >= ?")
        params.append(local_day_start(filters.from_date, tz))
    if filters.to_date:
        where.append(f"{_FILED_AT} < ?")
        params.append(local_day_start(date.fromordinal(filters.to_date.toordinal() + 1), tz))
    sql = f"SELECT * FROM applications WHERE {' AND '.join(where)} ORDER BY id"
    async with store.db.read() as c, c.execute(sql, params) as cur:
        rows = await cur.fetchall()
    return [application_from_row(row) for row in rows]
