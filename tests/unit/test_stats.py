"""The statistics model, its rounding, and the seed article's paragraph rebuilt from figures."""

from __future__ import annotations

from datetime import date

from domain.stats import (
    LoanTotals,
    Stats,
    jalali_year_bounds,
    jalali_year_of,
    round_down_count,
    round_down_rials,
)
from domain.statuses import PlanType
from texts.stats import more_than_amount, render_stats_paragraph, render_stats_text

SEED_LOANS = (
    "از ابتدای سال ۱۴۰۴ تاکنون تعداد ۲۴۱ طرح به صورت مستقل و ۴۶۸ طرح پشتیبان از طریق معرفی به "
    "بانک‌های عامل استان بیش از ۹۸ میلیارد تومان تسهیلات قرض‌الحسنه مشاغل خانگی دریافت کرده‌اند."
)
SEED_PERMITS = "از ابتدای سال ۱۴۰۴ تاکنون بیش از ۴٬۷۰۰ مجوز مشاغل خانگی در استان صادر شده است."


def seed_stats(today: date = date(2025, 12, 1)) -> Stats:
    """Lorestan's year as the article reports it: 241 + 468 plans, 98+ billion toman, 4,700+."""
    start, end = jalali_year_bounds(1404)
    independent = 241 * 2_000_000_000  # 48.2 billion toman
    supporting = 984_300_000_000 - independent  # 98.43 billion toman in all
    return Stats(
        year=1404,
        start=start,
        end=end,
        today=today,
        submitted=1_300,
        by_status={"submitted": 200, "approved": 391, "paid": 709},
        by_plan_type={"independent": 600, "supporting": 700},
        introduced={
            "independent": LoanTotals(count=260, rials=260 * 2_000_000_000),
            "supporting": LoanTotals(count=480, rials=480 * 20_000_000_000),
        },
        paid={
            "independent": LoanTotals(count=241, rials=independent),
            "supporting": LoanTotals(count=468, rials=supporting),
        },
        permits_issued=4_738,
    )


def test_the_paragraph_reproduces_the_seed_article() -> None:
    stats = seed_stats()
    assert stats.paid_total == LoanTotals(count=709, rials=984_300_000_000)
    paragraph = render_stats_paragraph(stats)
    assert paragraph == f"{SEED_PERMITS} {SEED_LOANS}"
    for figure in ("۲۴۱", "۴۶۸", "بیش از ۹۸ میلیارد تومان", "بیش از ۴٬۷۰۰ مجوز"):
        assert figure in paragraph


def test_a_past_year_is_told_in_the_past() -> None:
    stats = seed_stats(today=date(2026, 5, 1))  # 1405
    assert not stats.is_current_year
    assert render_stats_paragraph(stats).startswith("در سال ۱۴۰۴ تعداد بیش از ۴٬۷۰۰ مجوز")


def test_exact_figures_say_no_more_than() -> None:
    start, end = jalali_year_bounds(1404)
    stats = Stats(
        year=1404,
        start=start,
        end=end,
        today=start,
        paid={"independent": LoanTotals(count=1, rials=2_000_000_000)},
        permits_issued=12,
    )
    paragraph = render_stats_paragraph(stats)
    assert "بیش از" not in paragraph
    assert "۲۰۰ میلیون تومان" in paragraph and "۱۲ مجوز" in paragraph
    assert "۰ طرح پشتیبان" in paragraph


def test_rounding_down() -> None:
    assert round_down_count(4_738).model_dump() == {"value": 4_700, "exact": False}
    assert round_down_count(4_700).exact
    assert round_down_count(241).value == 240
    assert round_down_count(99).model_dump() == {"value": 99, "exact": True}
    assert round_down_rials(984_300_000_000).value == 980_000_000_000
    assert round_down_rials(47_500_000_000).value == 47_000_000_000  # 4.7 billion toman
    assert round_down_rials(2_345_678_900).value == 2_340_000_000  # 234 million toman
    assert more_than_amount(984_300_000_000) == "بیش از ۹۸ میلیارد تومان"
    assert more_than_amount(980_000_000_000) == "۹۸ میلیارد تومان"


def test_year_bounds() -> None:
    assert jalali_year_bounds(1404) == (date(2025, 3, 21), date(2026, 3, 21))
    assert jalali_year_of(date(2025, 3, 20)) == 1403
    assert jalali_year_of(date(2025, 3, 21)) == 1404


def test_the_text_report_has_every_section() -> None:
    text = render_stats_text(seed_stats())
    for heading in ("بر پایهٔ وضعیت:", "بر پایهٔ نوع طرح:", "تسهیلات:", "مجوزهای صادرشده: ۴٬۷۳۸"):
        assert heading in text
    assert "پرداخت‌شده، مستقل: ۲۴۱ طرح" in text
    assert SEED_LOANS in text
    assert PlanType.INDEPENDENT.value not in text
