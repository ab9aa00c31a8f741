"""The desk dashboard's figures per period: applications filed and loans paid (index ranges)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from storage.reports import TEHRAN, local_day_start
from storage.store import Store


@dataclass(frozen=True)
class PeriodFigures:
    """One period [start, end): applications filed, loans paid and their rials."""

    start: date
    end: date
    filed: int
    paid: int
    paid_rials: int


async def period_figures(
    store: Store, periods: list[tuple[date, date]], tz: ZoneInfo = TEHRAN
) -> list[PeriodFigures]:
    """Filed applications (by filed_at, local days) and payments (by paid_on) per period."""
    figures: list[PeriodFigures] = []
    async with store.db.read() as c:
        for start, end in periods:
            span = (local_day_start(start, tz), local_day_start(end, tz))
            async with c.execute(
                "SELECT COUNT(*) FROM applications INDEXED BY applications_filed"
                " WHERE filed_at >= ? AND filed_at < ? AND status != 'draft'",
                span,
            ) as cur:
                row = await cur.fetchone()
                filed = int(row[0]) if row else 0
            async with c.execute(
                "SELECT COUNT(*), COALESCE(SUM(paid_rials), 0) FROM applications"
                " INDEXED BY applications_paid"
                " WHERE status = 'paid' AND paid_on >= ? AND paid_on < ?",
                (start.isoformat(), end.isoformat()),
            ) as cur:
                row = await cur.fetchone()
                paid, rials = (int(row[0]), int(row[1])) if row else (0, 0)
            figures.append(PeriodFigures(start, end, filed, paid, rials))
    return figures
