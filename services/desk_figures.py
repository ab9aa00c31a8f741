"""The web desk's dashboard: the year's figures, month by month, this month against last.

A simple first version (index range counts per Jalali month, ``storage.desk_figures``) beside
the year's statistics ``homebiz stats`` reports (``storage.reports.collect_stats``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import jdatetime

from domain.catalogue import Catalogue
from domain.stats import Stats
from services.actors import Actor
from services.officers import require_officer
from storage import Store
from storage.desk_figures import PeriodFigures, period_figures
from storage.reports import collect_stats


@dataclass(frozen=True)
class MonthFigures:
    """One Jalali month's figures."""

    year: int
    month: int  # 1..12
    figures: PeriodFigures


@dataclass(frozen=True)
class Dashboard:
    """What the dashboard shows: the year's statistics and its months so far."""

    stats: Stats
    months: list[MonthFigures]  # the year's months up to this one
    this_month: MonthFigures
    last_month: MonthFigures


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    start: date = jdatetime.date(year, month, 1).togregorian()
    nyear, nmonth = (year + 1, 1) if month == 12 else (year, month + 1)
    end: date = jdatetime.date(nyear, nmonth, 1).togregorian()
    return start, end


async def dashboard(store: Store, actor: Actor, *, tz: ZoneInfo, catalogue: Catalogue) -> Dashboard:
    """The dashboard's figures for an officer (NotAllowed for anyone else)."""
    await require_officer(store, actor)
    stats = await collect_stats(store, tz=tz, catalogue=catalogue)
    today = jdatetime.date.fromgregorian(date=stats.today)
    months = [(today.year, m) for m in range(1, today.month + 1)]
    last = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    wanted = [last, *months] if today.month == 1 else months
    figures = await period_figures(store, [_month_bounds(y, m) for y, m in wanted], tz)
    by_month = {ym: MonthFigures(ym[0], ym[1], f) for ym, f in zip(wanted, figures, strict=True)}
    return Dashboard(
        stats=stats,
        months=[by_month[ym] for ym in months],
        this_month=by_month[(today.year, today.month)],
        last_month=by_month[last],
    )
