"""The desk's dashboard: where applications stand, this Jalali month against the last, the last
twelve months and the counties, and the seed-style paragraph of ``homebiz stats``.

An officer's read (checked now, not audited). Every figure is an index range or the year's
tallies (``storage.dashboard``, ``storage.reports.collect_stats``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from domain.catalogue import Catalogue
from domain.stats import LoanTotals, Stats
from domain.statuses import ApplicationStatus
from services.actors import Actor
from services.officers import require_officer
from storage import Store
from storage.dashboard import (
    JalaliMonth,
    MonthFigures,
    month_figures,
    months_up_to,
    paid_by_county,
    status_counts,
)
from storage.reports import TEHRAN, collect_stats, local_today
from texts.formatting import JALALI_MONTHS, to_persian_digits
from texts.i18n import _
from texts.labels import not_given
from texts.stats import render_stats_paragraph
from texts.svg_chart import COLOURS, Group, Series, bar_chart, column_chart

MONTHS_SHOWN = 12


@dataclass(frozen=True)
class CountyFigures:
    """One county's applications filed in the year and its loans paid in the year."""

    code: str  # '' when the county is missing
    name: str | None
    filed: int
    paid: LoanTotals


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard page shows."""

    today: date
    by_status: dict[ApplicationStatus, int]
    this_month: MonthFigures
    last_month: MonthFigures
    months: list[MonthFigures]  # oldest first, this month last
    counties: list[CountyFigures]  # the year's, most applications first
    stats: Stats  # the current Jalali year's figures
    paragraph: str  # the seed-style paragraph

    @property
    def open_count(self) -> int:
        """Applications an officer still has to move (filed, not yet paid or rejected)."""
        closed = {ApplicationStatus.DRAFT, ApplicationStatus.PAID, ApplicationStatus.REJECTED}
        return sum(n for s, n in self.by_status.items() if s not in closed)


async def dashboard(
    store: Store,
    actor: Actor,
    catalogue: Catalogue,
    *,
    tz: ZoneInfo = TEHRAN,
    today: date | None = None,
) -> Dashboard:
    """The dashboard's figures (NotAllowed unless the actor is an officer now)."""
    await require_officer(store, actor)
    today = today or local_today(store, tz)
    months = await month_figures(store, months_up_to(JalaliMonth.of(today), MONTHS_SHOWN), tz=tz)
    stats = await collect_stats(store, today=today, catalogue=catalogue, tz=tz)
    paid = await paid_by_county(store, stats.start, stats.end)
    counties = [
        CountyFigures(code=t.code, name=t.name, filed=t.count, paid=paid.pop(t.code, LoanTotals()))
        for t in stats.by_county
    ]
    for code, totals in sorted(paid.items()):  # paid this year, filed in an earlier one
        county = catalogue.county(code)
        counties.append(
            CountyFigures(code=code, name=county.name if county else None, filed=0, paid=totals)
        )
    return Dashboard(
        today=today,
        by_status=await status_counts(store),
        this_month=months[-1],
        last_month=months[-2],
        months=months,
        counties=counties,
        stats=stats,
        paragraph=render_stats_paragraph(stats),
    )


@dataclass(frozen=True)
class DashboardCharts:
    """The dashboard's two charts, as SVG markup to inline in the page."""

    months: str
    counties: str


def charts(board: Dashboard) -> DashboardCharts:
    """Applications and paid loans by month (the last twelve) and by county (the year's)."""
    filed, paid = _("Applications filed"), _("Loans paid")
    series = [Series(filed, COLOURS[0]), Series(paid, COLOURS[1])]
    months = column_chart(
        _("Applications and paid loans by month"),
        series,
        [Group(_month_label(f.month), (f.filed, f.paid.count)) for f in board.months],
    )
    counties = bar_chart(
        _("Applications and paid loans by county in {year}").format(
            year=to_persian_digits(board.stats.year)
        ),
        series,
        [Group(c.name or not_given(), (c.filed, c.paid.count)) for c in board.counties],
    )
    return DashboardCharts(months=months, counties=counties)


def _month_label(month: JalaliMonth) -> str:
    return f"{_(JALALI_MONTHS[month.month - 1])} {to_persian_digits(f'{month.year % 100:02d}')}"
