"""The office's figures for one Jalali year, and the "more than" rounding the seed article uses.

Pure: ``storage.reports.collect_stats`` fills a ``Stats`` from the database; the bot renders it
(``texts.stats``) and draws it (``texts.charts``).

What each figure counts, for the Jalali year [start, end):
- ``by_status``, ``by_county``, ``by_group``, ``by_plan_type``: applications submitted in the
  year (drafts are counted apart in ``drafts``, by creation time);
- ``introduced``: applications introduced to a bank in the year (by the event's time);
- ``paid``: loans paid in the year (by the payment date), with their amounts in rials;
- ``permits_issued``: permits recorded in the year.
"""

from __future__ import annotations

from datetime import date

import jdatetime
from pydantic import BaseModel, ConfigDict, Field

from domain.statuses import PlanType


class Tally(BaseModel):
    """One line of a breakdown: a code, its display name from the catalogue, and a count."""

    model_config = ConfigDict(frozen=True)

    code: str  # "" when the application has no value (e.g. county not yet given)
    name: str | None = None  # None when the catalogue does not know the code
    count: int = Field(ge=0)


class LoanTotals(BaseModel):
    """A count of plans and the sum of their amounts in rials."""

    model_config = ConfigDict(frozen=True)

    count: int = Field(default=0, ge=0)
    rials: int = Field(default=0, ge=0)


class Stats(BaseModel):
    """Everything the office reports for one Jalali year."""

    model_config = ConfigDict(frozen=True)

    year: int  # Jalali
    start: date  # first Gregorian day of the Jalali year
    end: date  # first Gregorian day after it (exclusive)
    today: date
    submitted: int = 0
    drafts: int = 0
    by_status: dict[str, int] = Field(default_factory=dict)
    by_county: list[Tally] = Field(default_factory=list)
    by_group: list[Tally] = Field(default_factory=list)
    by_plan_type: dict[str, int] = Field(default_factory=dict)
    introduced: dict[str, LoanTotals] = Field(default_factory=dict)  # plan type → requested
    paid: dict[str, LoanTotals] = Field(default_factory=dict)  # plan type → paid amounts
    permits_issued: int = 0

    @property
    def is_current_year(self) -> bool:
        """Whether ``today`` falls in the year ("since the start of the year" vs "in the year")."""
        return self.start <= self.today < self.end

    def paid_for(self, plan_type: PlanType) -> LoanTotals:
        """Paid loans of one plan type (zero when none)."""
        return self.paid.get(plan_type.value, LoanTotals())

    def introduced_for(self, plan_type: PlanType) -> LoanTotals:
        """Introductions of one plan type (zero when none)."""
        return self.introduced.get(plan_type.value, LoanTotals())

    @property
    def paid_total(self) -> LoanTotals:
        """All paid loans of the year."""
        return LoanTotals(
            count=sum(t.count for t in self.paid.values()),
            rials=sum(t.rials for t in self.paid.values()),
        )

    @property
    def introduced_total(self) -> LoanTotals:
        """All introductions of the year."""
        return LoanTotals(
            count=sum(t.count for t in self.introduced.values()),
            rials=sum(t.rials for t in self.introduced.values()),
        )


def jalali_year_bounds(year: int) -> tuple[date, date]:
    """The Gregorian [first day, first day of the next year) of a Jalali year."""
    start: date = jdatetime.date(year, 1, 1).togregorian()
    end: date = jdatetime.date(year + 1, 1, 1).togregorian()
    return start, end


def jalali_year_of(day: date) -> int:
    """The Jalali year a Gregorian day falls in."""
    year: int = jdatetime.date.fromgregorian(date=day).year
    return year


class Rounded(BaseModel):
    """A figure rounded down for "more than …" (``exact`` when nothing was dropped)."""

    model_config = ConfigDict(frozen=True)

    value: int
    exact: bool


def round_down_count(n: int) -> Rounded:
    """Counts the way the article says them: 4,712 → more than 4,700; 241 → more than 240.

    Below 100 the count is exact; from 100 the last digit goes, from 1,000 the last two.
    """
    if n < 100:
        return Rounded(value=n, exact=True)
    step = 10 if n < 1_000 else 100
    value = n - n % step
    return Rounded(value=value, exact=value == n)


BILLION_TOMAN_RIALS = 10_000_000_000
MILLION_TOMAN_RIALS = 10_000_000


def round_down_rials(rials: int) -> Rounded:
    """Rials rounded down to what reads well in toman, in rials.

    From 10 billion toman: whole billions (98.4 → 98); from 1 billion: tenths of a billion;
    from 10 million: whole millions; below that, whole thousands of toman.
    """
    if rials >= 10 * BILLION_TOMAN_RIALS:
        step = BILLION_TOMAN_RIALS
    elif rials >= BILLION_TOMAN_RIALS:
        step = BILLION_TOMAN_RIALS // 10
    elif rials >= MILLION_TOMAN_RIALS:
        step = MILLION_TOMAN_RIALS
    else:
        step = 10_000
    value = rials - rials % step
    return Rounded(value=value, exact=value == rials)
