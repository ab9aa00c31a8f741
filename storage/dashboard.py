"""The desk's dashboard figures: counts by status, and applications and payments by Jalali month
and by county. Each figure is one index range (filed_at, paid_on, the status index), so the cost
follows the months shown, not the store's size. Months are Jalali months of the Tehran calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import jdatetime

from domain.stats import LoanTotals
from domain.statuses import ApplicationStatus
from storage.reports import TEHRAN, local_day_start
from storage.store import Store


@dataclass(frozen=True)
class JalaliMonth:
    """A Jalali month and its Gregorian [start, end) days."""

    year: int
    month: int  # 1..12

    @property
    def start(self) -> date:
        start: date = jdatetime.date(self.year, self.month, 1).togregorian()
        return start

    @property
    def end(self) -> date:
        return self.next().start

    def next(self) -> JalaliMonth:
        return JalaliMonth(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> JalaliMonth:
        return (
            JalaliMonth(self.year - 1, 12)
            if self.month == 1
            else JalaliMonth(self.year, self.month - 1)
        )

    @classmethod
    def of(cls, day: date) -> JalaliMonth:
        """The Jalali month a Gregorian day falls in."""
        j = jdatetime.date.fromgregorian(date=day)
        return cls(j.year, j.month)


def months_up_to(month: JalaliMonth, count: int) -> list[JalaliMonth]:
    """``count`` months ending with ``month``, oldest first."""
    months = [month]
    while len(months) < count:
        months.append(months[-1].previous())
    return months[::-1]


@dataclass(frozen=True)
class MonthFigures:
    """What happened in one Jalali month."""

    month: JalaliMonth
    filed: int  # applications submitted (drafts are not counted)
    paid: LoanTotals  # loans paid (by payment date)
    introduced: int  # applications introduced to a bank


async def month_figures(
    store: Store, months: list[JalaliMonth], *, tz: ZoneInfo = TEHRAN
) -> list[MonthFigures]:
    """The figures of each month, in one read snapshot (three index ranges a month)."""
    figures: list[MonthFigures] = []
    async with store.db.read() as c:
        for month in months:
            span = (local_day_start(month.start, tz), local_day_start(month.end, tz))
            async with c.execute(
                "SELECT COUNT(*) FROM applications INDEXED BY applications_filed"
                " WHERE filed_at >= ? AND filed_at < ? AND status != 'draft'",
                span,
            ) as cur:
                filed = (await cur.fetchone() or (0,))[0]
            async with c.execute(
                "SELECT COUNT(*), COALESCE(SUM(paid_rials), 0)"
                " FROM applications INDEXED BY applications_paid"
                " WHERE status = 'paid' AND paid_on >= ? AND paid_on < ?",
                (month.start.isoformat(), month.end.isoformat()),
            ) as cur:
                paid = await cur.fetchone() or (0, 0)
            async with c.execute(
                "SELECT COUNT(*) FROM applications INDEXED BY applications_introduced"
                " WHERE introduced_at IS NOT NULL AND introduced_at >= ? AND introduced_at < ?",
                span,
            ) as cur:
                introduced = (await cur.fetchone() or (0,))[0]
            figures.append(
                MonthFigures(
                    month=month,
                    filed=int(filed),
                    paid=LoanTotals(count=int(paid[0]), rials=int(paid[1])),
                    introduced=int(introduced),
                )
            )
    return figures


async def status_counts(store: Store) -> dict[ApplicationStatus, int]:
    """How many applications stand in each status now (every status, zeros included)."""
    async with (
        store.db.read() as c,
        c.execute(
            "SELECT status, COUNT(*) FROM applications INDEXED BY applications_status"
            " GROUP BY status"
        ) as cur,
    ):
        found = {str(row[0]): int(row[1]) for row in await cur.fetchall()}
    return {s: found.get(s.value, 0) for s in ApplicationStatus}


async def paid_by_county(store: Store, start: date, end: date) -> dict[str, LoanTotals]:
    """Loans paid in [start, end) by county code ('' when the county is missing)."""
    async with (
        store.db.read() as c,
        c.execute(
            "SELECT COALESCE(county, ''), COUNT(*), COALESCE(SUM(paid_rials), 0)"
            " FROM applications INDEXED BY applications_paid"
            " WHERE status = 'paid' AND paid_on >= ? AND paid_on < ? GROUP BY 1",
            (start.isoformat(), end.isoformat()),
        ) as cur,
    ):
        rows = await cur.fetchall()
    return {str(r[0]): LoanTotals(count=int(r[1]), rials=int(r[2])) for r in rows}
