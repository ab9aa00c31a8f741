"""Persian output: digits, separators, toman amounts and Jalali dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import jdatetime
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.persian import parse_amount_toman, parse_int
from texts.formatting import (
    format_branch,
    format_jalali_date,
    format_jalali_datetime,
    format_jalali_short,
    format_number,
    format_phone,
    format_toman,
    format_toman_short,
    format_tracking_code,
    format_typed_text,
    to_persian_digits,
)

TEHRAN = ZoneInfo("Asia/Tehran")


def test_persian_digits() -> None:
    assert to_persian_digits(1404) == "۱۴۰۴"
    assert to_persian_digits("12:30 ٠٥") == "۱۲:۳۰ ۰۵"


@pytest.mark.parametrize(
    ("n", "shown"), [(0, "۰"), (999, "۹۹۹"), (1000, "۱٬۰۰۰"), (200_000_000, "۲۰۰٬۰۰۰٬۰۰۰")]
)
def test_format_number(n: int, shown: str) -> None:
    assert format_number(n) == shown


@given(st.integers(min_value=0))
def test_format_number_reads_back(n: int) -> None:
    shown = format_number(n)
    assert all(ch in "۰۱۲۳۴۵۶۷۸۹٬" for ch in shown)
    assert parse_int(shown) == n


def test_format_toman_shows_toman_from_rials() -> None:
    assert format_toman(2_000_000_000) == "۲۰۰٬۰۰۰٬۰۰۰ تومان"
    assert format_toman(15) == "۱٫۵ تومان"
    assert format_toman(0) == "۰ تومان"


@pytest.mark.parametrize(
    ("rials", "shown"),
    [
        (2_000_000_000, "۲۰۰ میلیون تومان"),
        (980_000_000_000, "۹۸ میلیارد تومان"),
        (15_000_000_000, "۱٫۵ میلیارد تومان"),
        (10_000_000_000, "۱ میلیارد تومان"),
        (15_000_000, "۱٫۵ میلیون تومان"),
        (5_000_000, "۵۰۰ هزار تومان"),
        (12_345_670, "۱٬۲۳۴٬۵۶۷ تومان"),
        (5_000, "۵۰۰ تومان"),
        (0, "۰ تومان"),
    ],
)
def test_format_toman_short(rials: int, shown: str) -> None:
    assert format_toman_short(rials) == shown


@given(st.integers(min_value=1, max_value=10**15).map(lambda toman: toman * 10))
def test_amounts_shown_are_read_back(rials: int) -> None:
    assert parse_amount_toman(format_toman(rials)) == rials // 10
    assert parse_amount_toman(format_toman_short(rials)) == rials // 10


def test_jalali_date_of_a_plain_date() -> None:
    assert format_jalali_date(date(2026, 2, 24)) == "۵ اسفند ۱۴۰۴"
    assert format_jalali_date(date(2025, 3, 21)) == "۱ فروردین ۱۴۰۴"


def test_naive_datetimes_are_utc_and_shown_in_tehran() -> None:
    # 21:00 UTC is 00:30 the next day in Tehran (UTC+03:30).
    late = datetime(2026, 2, 24, 21, 0)
    assert format_jalali_date(late) == "۶ اسفند ۱۴۰۴"
    assert format_jalali_short(late) == "۱۴۰۴/۱۲/۰۶"
    assert format_jalali_datetime(late) == "۶ اسفند ۱۴۰۴، ساعت ۰۰:۳۰"


def test_aware_datetimes_are_converted() -> None:
    instant = datetime(2026, 2, 24, 14, 30, tzinfo=TEHRAN)
    assert format_jalali_datetime(instant) == "۵ اسفند ۱۴۰۴، ساعت ۱۴:۳۰"
    assert format_jalali_datetime(instant.astimezone(UTC)) == "۵ اسفند ۱۴۰۴، ساعت ۱۴:۳۰"
    assert format_jalali_date(instant, tz=ZoneInfo("UTC")) == "۵ اسفند ۱۴۰۴"


def test_jalali_short_pads() -> None:
    assert format_jalali_short(date(2026, 2, 24)) == "۱۴۰۴/۱۲/۰۵"
    assert format_jalali_short(date(2025, 4, 1)) == "۱۴۰۴/۰۱/۱۲"


@pytest.mark.parametrize("month", range(1, 13))
def test_every_month_has_a_persian_name(month: int) -> None:
    shown = format_jalali_date(jdatetime.date(1404, month, 1).togregorian())
    assert not any("a" <= ch.lower() <= "z" for ch in shown)


# --- one form for codes and phones; typed text shown back (issue 8, items 8-10) ------------------


def test_a_tracking_code_is_shown_one_way() -> None:
    assert format_tracking_code("82633260") == "۸۲۶۳۳۲۶۰"


def test_a_phone_is_shown_as_people_write_it() -> None:
    assert format_phone("+989161234567") == "۰۹۱۶۱۲۳۴۵۶۷"
    assert format_phone(None) == "—"


def test_typed_text_is_shown_back_with_persian_digits() -> None:
    assert format_typed_text("200 میلیون") == "۲۰۰ میلیون"
    assert format_typed_text("کد ٤٥  و 7") == "کد ۴۵  و ۷"  # spacing kept
    # A word with Latin letters says something its digits are part of: kept as typed.
    assert format_typed_text("mojavez.ir/a1 صفحه 2") == "mojavez.ir/a1 صفحه ۲"


def test_a_typed_branch_word_is_not_said_twice() -> None:
    assert format_branch("شعبه مرکزی") == "مرکزی"
    assert format_branch("شعبهٔ 1234") == "۱۲۳۴"
    assert format_branch("مرکزی خرم‌آباد") == "مرکزی خرم‌آباد"
    assert format_branch("شعبه") == "شعبه"
    assert format_branch(None) == ""
