"""Ticket texts and buttons: callback data within Bale's and Telegram's 64 bytes, read back
only in its own shape; office hours said in Persian; the figures of `homebiz stats`."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.office_hours import OfficeHours
from domain.tickets import TicketStats
from texts import buttons
from texts import tickets as texts
from texts.callback_data import CallbackData

TEHRAN = ZoneInfo("Asia/Tehran")
TICKET_KINDS = [
    kind
    for kind in CallbackData.KINDS
    if kind.__module__ == "texts.buttons" and kind.prefix.startswith("tk")
]


def test_every_ticket_button_fits_in_64_bytes_with_the_largest_ids() -> None:
    biggest = 10**12 - 1
    for data in (
        buttons.TicketRate(biggest, 5).pack(),
        buttons.CannedSend(biggest, "a" * 32).pack(),
        buttons.TicketReopen(biggest).pack(),
    ):
        assert len(data.encode()) <= 64, data


def test_a_button_reads_only_its_own_shape() -> None:
    assert buttons.TicketWrite.unpack("tk:w:12") == buttons.TicketWrite(12)
    assert buttons.TicketRate.unpack("tk:r:12:5") == buttons.TicketRate(12, 5)
    for forged in ("tk:r:12:6", "tk:r:12:0", "tk:w:12:3", "tk:w:x", "tko:o:-1", "tko:cs:1:X"):
        assert all(kind.unpack(forged) is None for kind in TICKET_KINDS), forged


def test_office_hours_are_said_with_the_week_and_the_next_opening() -> None:
    hours = OfficeHours.of((5, 6, 0, 1, 2), time(8), time(14))
    assert texts.office_hours_text(hours) == (
        "کارشناسان شنبه تا چهارشنبه، از ساعت ۸:۰۰ تا ۱۴:۰۰ پاسخ می‌دهند، به‌جز روزهای تعطیل."
    )
    wednesday_night = datetime(2025, 11, 5, 20, 0, tzinfo=TEHRAN)
    said = texts.outside_hours_text(hours, wednesday_night)
    assert said.endswith("از شنبه ۱۷ آبان ۱۴۰۴، از ساعت ۸:۰۰ منتظر پاسخ باشید.")
    odd_days = OfficeHours.of((5, 0, 2), time(7, 30), time(13))
    assert "شنبه، دوشنبه، چهارشنبه، از ساعت ۷:۳۰ تا ۱۳:۰۰" in texts.office_hours_text(odd_days)


def test_the_figures_read_as_hours_days_and_stars() -> None:
    lines = texts.stats_lines(
        TicketStats(
            opened=12,
            answered=10,
            closed=9,
            median_first_reply=timedelta(minutes=90),
            median_close=timedelta(days=3),
            mean_rating=4.25,
            ratings=8,
        )
    )
    assert lines == [
        "تیکت‌های بازشده: ۱۲؛ پاسخ‌گرفته از کارشناس: ۱۰؛ بسته‌شده: ۹",
        "میانهٔ زمان تا نخستین پاسخ: ۱٫۵ ساعت؛ میانهٔ زمان تا بستن: ۳ روز",
        "میانگین امتیاز: ۴٫۲ از ۵، از ۸ امتیاز",
    ]
    assert (
        texts.stats_lines(TicketStats())[1] == "میانهٔ زمان تا نخستین پاسخ: —؛ میانهٔ زمان تا بستن: —"
    )
