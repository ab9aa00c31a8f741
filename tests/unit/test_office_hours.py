"""Office hours: open or not, the next opening, and working hours counted over nights,
weekends and holidays (Tehran's working week, Saturday to Wednesday)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from domain.office_hours import Holiday, OfficeHours, jalali_to_gregorian

TEHRAN = ZoneInfo("Asia/Tehran")
# 1404/08/10 is Saturday 1 November 2025; Wednesday is 5 November.
HOLIDAY = Holiday(date="1404/08/12", name="روز آزمون")  # Monday 3 November
HOURS = OfficeHours.of((5, 6, 0, 1, 2), time(8), time(14), [HOLIDAY])


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of November 2025, Tehran time."""
    return datetime(2025, 11, day, hour, minute, tzinfo=TEHRAN)


def test_a_holiday_is_read_as_a_jalali_date_in_any_digits() -> None:
    assert jalali_to_gregorian("1404/08/12") == date(2025, 11, 3)
    assert jalali_to_gregorian("۱۴۰۴/۰۸/۱۲") == date(2025, 11, 3)
    assert HOLIDAY.day == date(2025, 11, 3)
    for wrong in ("1404-08-12", "1404/13/01", "1404/12/30", "یک فروردین"):
        with pytest.raises(ValueError):
            jalali_to_gregorian(wrong)


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (at(1, 10), True),  # Saturday morning
        (at(1, 7, 59), False),  # before opening
        (at(1, 14), False),  # closing time
        (at(3, 10), False),  # the holiday
        (at(6, 10), False),  # Thursday
        (at(7, 10), False),  # Friday
        (at(5, 13, 59), True),  # Wednesday, the last minute
    ],
)
def test_open_only_in_working_hours_of_working_days(moment: datetime, open_: bool) -> None:
    assert HOURS.is_open(moment) is open_
    assert HOURS.is_open(moment.astimezone(UTC)) is open_  # whatever zone the moment is in


def test_the_next_opening_skips_the_weekend_and_holidays() -> None:
    assert HOURS.next_opening(at(1, 10)) == at(1, 10)  # open now: now
    assert HOURS.next_opening(at(1, 6)) == at(1, 8)
    assert HOURS.next_opening(at(2, 15)) == at(4, 8)  # Sunday evening: Monday is the holiday
    assert HOURS.next_opening(at(5, 14)) == at(8, 8)  # Wednesday's close: Saturday


def test_working_hours_are_added_across_nights_weekends_and_holidays() -> None:
    assert HOURS.add_working_hours(at(1, 9), 4) == at(1, 13)
    assert HOURS.add_working_hours(at(1, 9), 5) == at(1, 14)  # the end of the day
    assert HOURS.add_working_hours(at(1, 12), 4) == at(2, 10)
    assert HOURS.add_working_hours(at(2, 12), 4) == at(4, 10)  # over the holiday
    assert HOURS.add_working_hours(at(5, 12), 4) == at(8, 10)  # over Thursday and Friday
    assert HOURS.add_working_hours(at(6, 20), 1) == at(8, 9)  # asked on Thursday night


def test_working_hours_between_two_moments() -> None:
    assert HOURS.working_hours_between(at(5, 12), at(8, 10)) == 4
    assert HOURS.working_hours_between(at(6, 9), at(7, 12)) == 0  # Thursday to Friday
    assert HOURS.working_hours_between(at(1, 10), at(1, 9)) == 0


def test_a_calendar_with_no_working_day_says_so() -> None:
    closed = OfficeHours.of((), time(8), time(14))
    with pytest.raises(ValueError, match="no working hours"):
        closed.add_working_hours(at(1, 9), 1)
