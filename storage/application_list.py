"""The officers' applications list: filters, sort and a page, in one query (a first version;
the desk calls it through ``services.application_list``, so a faster one can replace it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from domain.models import Application
from storage.applications import application_from_row
from storage.reports import local_day_start
from storage.store import Store

# Sort keys an officer may choose → the column (never a value from the request in SQL).
SORT_COLUMNS = {
    "filed": "filed_at",
    "updated": "updated_at",
    "name": "full_name",
    "status": "status",
    "county": "county",
    "amount": "requested_rials",
}


@dataclass(frozen=True)
class ListQuery:
    """Plain values, already checked: what to list."""

    statuses: Sequence[str] = ()
    county: str | None = None
    activity_codes: Sequence[str] | None = None  # None: any activity
    plan_type: str | None = None
    since: date | None = None  # filed on or after (local days)
    until: date | None = None  # filed on or before
    ids: Sequence[int] | None = None  # a free search's matches (None: no search)
    sort: str = "filed"
    descending: bool = True
    offset: int = 0
    limit: int = 50


async def list_page(store: Store, query: ListQuery, tz: ZoneInfo) -> tuple[list[Application], int]:
    """One page of filed applications matching ``query`` and how many match in all."""
    where = ["status != 'draft'"]
    params: list[object] = []
    if query.statuses:
        where.append(f"status IN ({', '.join('?' * len(query.statuses))})")
        params.extend(query.statuses)
    if query.county:
        where.append("county = ?")
        params.append(query.county)
    if query.activity_codes is not None:
        codes = list(query.activity_codes) or [""]
        where.append(f"activity_code IN ({', '.join('?' * len(codes))})")
        params.extend(codes)
    if query.plan_type:
        where.append("plan_type = ?")
        params.append(query.plan_type)
    if query.since:
        where.append("filed_at >= ?")
        params.append(local_day_start(query.since, tz))
    if query.until:
        where.append("filed_at < ?")
        params.append(local_day_start(date.fromordinal(query.until.toordinal() + 1), tz))
    if query.ids is not None:
        ids = list(query.ids) or [0]
        where.append(f"id IN ({', '.join('?' * len(ids))})")
        params.extend(ids)
    column = SORT_COLUMNS.get(query.sort, "filed_at")
    direction = "DESC" if query.descending else "ASC"
    clause = " AND ".join(where)
    async with store.db.read() as c:
        async with c.execute(f"SELECT COUNT(*) FROM applications WHERE {clause}", params) as cur:
            row = await cur.fetchone()
            total = int(row[0]) if row else 0
        async with c.execute(
            f"SELECT * FROM applications WHERE {clause}"
            f" ORDER BY {column} IS NULL, {column} {direction}, id {direction} LIMIT ? OFFSET ?",
            [*params, query.limit, query.offset],
        ) as cur:
            rows = await cur.fetchall()
    return [application_from_row(r) for r in rows], total
