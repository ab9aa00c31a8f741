"""Office hours: the working week, the daily hours and the holidays (data/holidays.yaml).

Pure calendar arithmetic for the helpdesk: whether the office is open at a moment, when it
opens next, and the moment a number of *working* hours after another (service levels count
only the hours the office is open). Days, hours and the zone come from the settings
(OFFICE_DAYS, OFFICE_HOURS_START, OFFICE_HOURS_END, TIMEZONE); holidays from the data file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import jdatetime
from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.persian import to_latin_digits

HOLIDAYS_FILE = "holidays.yaml"

# Python's weekday numbers (Monday 0 … Sunday 6) by the names OFFICE_DAYS uses.
WEEKDAYS: dict[str, int] = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
# Iranian offices work Saturday to Wednesday.
DEFAULT_DAYS: tuple[int, ...] = (5, 6, 0, 1, 2)

Day = date  # a Gregorian day (the name ``date`` is a Holiday's field)
_JALALI = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
# Looking further than this for a working day means the calendar has none (every day a holiday).
_MAX_DAYS = 400


def jalali_to_gregorian(text: str) -> date:
    """«1404/01/01» (Persian or Latin digits) as a Gregorian date; ValueError if it is none."""
    match = _JALALI.match(to_latin_digits(text.strip()))
    if match is None:
        raise ValueError("a Jalali date written as YYYY/MM/DD, e.g. 1404/01/01")
    year, month, day = (int(part) for part in match.groups())
    try:
        result: date = jdatetime.date(year, month, day).togregorian()
    except ValueError:
        raise ValueError(f"{text} is not a day of the Jalali calendar") from None
    return result


class Holiday(BaseModel):
    """An official holiday: the office is closed all day."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    date: str = Field(min_length=8, max_length=10)  # Jalali, YYYY/MM/DD, as the office writes it
    name: str = Field(min_length=1, max_length=120)

    @field_validator("date", mode="before")
    @classmethod
    def _jalali(cls, value: object) -> object:
        if isinstance(value, str):
            jalali_to_gregorian(value)  # raises with the reason
        return value

    @property
    def day(self) -> Day:
        """The Gregorian day."""
        return jalali_to_gregorian(self.date)


class HolidaysFile(BaseModel):
    """data/holidays.yaml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    holidays: tuple[Holiday, ...] = ()


def holiday_problems(file: HolidaysFile) -> list[str]:
    """What the schema cannot see: a day listed twice."""
    seen: set[date] = set()
    problems = []
    for index, holiday in enumerate(file.holidays):
        if holiday.day in seen:
            problems.append(f"holidays[{index}].date: {holiday.date} is listed twice")
        seen.add(holiday.day)
    return problems


class OfficeHours(BaseModel):
    """When officers answer: working days, daily hours (local), holidays."""

    model_config = ConfigDict(frozen=True)

    days: frozenset[int] = frozenset(DEFAULT_DAYS)  # Python weekday numbers
    opens: time = time(8)
    closes: time = time(14)
    holidays: frozenset[date] = frozenset()
    timezone: str = "Asia/Tehran"

    @classmethod
    def of(
        cls,
        days: Iterable[int],
        opens: time,
        closes: time,
        holidays: Iterable[Holiday] = (),
        timezone: str = "Asia/Tehran",
    ) -> OfficeHours:
        """A calendar from the settings and the holidays file."""
        return cls(
            days=frozenset(days),
            opens=opens,
            closes=closes,
            holidays=frozenset(h.day for h in holidays),
            timezone=timezone,
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_working_day(self, day: date) -> bool:
        """A day of the working week that is no holiday."""
        return day.weekday() in self.days and day not in self.holidays

    def _window(self, day: date) -> tuple[datetime, datetime]:
        zone = self.zone
        return datetime.combine(day, self.opens, zone), datetime.combine(day, self.closes, zone)

    def is_open(self, moment: datetime) -> bool:
        """Whether officers are at work at this moment."""
        local = moment.astimezone(self.zone)
        if not self.is_working_day(local.date()):
            return False
        start, end = self._window(local.date())
        return start <= local < end

    def next_opening(self, moment: datetime) -> datetime:
        """The moment itself when open, else the next opening (UTC)."""
        return self.add_working_hours(moment, 0)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment ``hours`` working hours after ``start`` (UTC); 0: the next open moment."""
        if not self.days or self.opens >= self.closes:
            raise ValueError("the office has no working hours")
        remaining = timedelta(hours=hours)
        cursor = start.astimezone(self.zone)
        day = cursor.date()
        for _ in range(_MAX_DAYS):
            if self.is_working_day(day):
                window_start, window_end = self._window(day)
                begin = max(cursor, window_start)
                if begin < window_end:
                    available = window_end - begin
                    if remaining <= available:
                        return (begin + remaining).astimezone(UTC)
                    remaining -= available
            day += timedelta(days=1)
            cursor = datetime.combine(day, time(0), self.zone)
        raise ValueError("no working day within a year: check OFFICE_DAYS and holidays.yaml")

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """How many working hours passed from ``start`` to ``end`` (0 when end is earlier)."""
        if end <= start:
            return 0.0
        total = timedelta()
        cursor = start.astimezone(self.zone)
        stop = end.astimezone(self.zone)
        day = cursor.date()
        while day <= stop.date():
            if self.is_working_day(day):
                window_start, window_end = self._window(day)
                begin, finish = max(cursor, window_start), min(stop, window_end)
                if begin < finish:
                    total += finish - begin
            day += timedelta(days=1)
        return total.total_seconds() / 3600
