"""Export and statistics on a real SQLite file: filters, Persian spreadsheets, year figures."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from domain.catalogue import Catalogue
from domain.statuses import ApplicationStatus as S
from domain.statuses import PlanType
from services.export import HEADERS, export_applications, parse_filter_date, resolve_county
from storage import Store
from storage.reports import ExportFilter, collect_stats
from storage.status_changes import record_permit
from tests.catalogues import parsed_catalogue
from tests.clock import FakeClock
from tests.conftest import migrated
from tests.integration.office_seed import NATIONAL, OFFICER, RENDER, TRACKING, seed_application
from texts.formatting import to_persian_digits
from texts.i18n import _
from texts.stats import render_stats_paragraph, render_stats_text

TEHRAN = ZoneInfo("Asia/Tehran")  # the office's time zone (the TIMEZONE setting)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return parsed_catalogue()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 6, 1, 8, 0, tzinfo=UTC))  # 1404/03/11


@pytest.fixture
async def store(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Store]:
    opened = await Store.open(migrated(tmp_path / "data" / "homebiz.db"), clock=clock)
    yield opened
    await opened.close()


async def seed(store: Store, clock: FakeClock) -> None:
    """Five applications of 1404 (June–Nov 2025) and one of 1403 (Feb 2025)."""
    clock.now = datetime(2025, 2, 1, 8, 0, tzinfo=UTC)  # 1403/11/13
    await seed_application(
        store, user_id=10, status=S.SUBMITTED, tracking_code=TRACKING[5], county="azna"
    )
    clock.now = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
    await seed_application(
        store,
        user_id=1,
        status=S.PAID,
        tracking_code=TRACKING[0],
        national_code=NATIONAL[0],
        paid_rials=2_000_000_000,
        paid_on=date(2025, 11, 6),
    )
    clock.now += timedelta(days=30)
    await seed_application(
        store,
        user_id=2,
        status=S.PAID,
        plan_type=PlanType.SUPPORTING,
        tracking_code=TRACKING[1],
        national_code=NATIONAL[1],
        county="borujerd",
        activity_code="honey",
        requested_rials=45_000_000_000,
        paid_rials=45_500_000_000,
        paid_on=date(2025, 11, 8),
    )
    clock.now += timedelta(days=30)
    await seed_application(
        store,
        user_id=3,
        status=S.INTRODUCED_TO_BANK,
        plan_type=PlanType.SUPPORTING,
        tracking_code=TRACKING[2],
        county="borujerd",
        requested_rials=30_000_000_000,
    )
    intro = await seed_application(
        store, user_id=4, status=S.UNDER_REVIEW, tracking_code=TRACKING[3], county=None
    )
    await seed_application(store, user_id=5, status=S.REJECTED, tracking_code=TRACKING[4])
    await record_permit(store, intro.id, "۱۲۳۴۵", OFFICER, render=RENDER)
    citizen = await store.citizens.get_or_create("telegram", 6, 6)
    await store.applications.create_draft(citizen.id, PlanType.INDEPENDENT)


async def test_export_xlsx_with_filters(
    store: Store, clock: FakeClock, catalogue: Catalogue, tmp_path: Path
) -> None:
    await seed(store, clock)
    path = tmp_path / "out" / "all.xlsx"
    path.parent.mkdir()
    count = await export_applications(store, catalogue, path, ExportFilter(), tz=TEHRAN)
    assert count == 6  # the draft is left out

    book = await asyncio.to_thread(load_workbook, path)
    sheet = book.active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == [_(h) for h in HEADERS]
    assert rows[0][2] == "کد ملی"
    paid = next(r for r in rows if r[0] == to_persian_digits(TRACKING[0]))
    assert paid[2] == to_persian_digits(NATIONAL[0])  # leading zero kept, as text
    assert paid[3] == "۰۹۱۲۱۲۳۴۵۶۷"
    assert paid[4] == "مستقل" and paid[5] == "پرداخت شده"
    assert paid[6] == "خرم‌آباد" and paid[7] == "گلیم‌بافی" and paid[8] == "صنایع دستی"
    assert paid[9] == 2_000_000_000 and paid[12] == 2_000_000_000
    assert paid[10] == "ملت"
    assert paid[13] == "۱۴۰۴/۰۸/۱۵"
    assert paid[15] == "۱۴۰۴/۰۳/۱۱"
    assert sheet.sheet_view.rightToLeft

    supporting = ExportFilter(
        county=resolve_county("بروجرد", catalogue), plan_type=PlanType.SUPPORTING
    )
    assert await export_applications(store, catalogue, path, supporting, tz=TEHRAN) == 2
    only_paid = ExportFilter(status=S.PAID, county="borujerd")
    assert await export_applications(store, catalogue, path, only_paid, tz=TEHRAN) == 1
    drafts = ExportFilter(status=S.DRAFT)
    assert await export_applications(store, catalogue, path, drafts, tz=TEHRAN) == 1


async def test_export_csv_with_date_range(
    store: Store, clock: FakeClock, catalogue: Catalogue, tmp_path: Path
) -> None:
    await seed(store, clock)
    path = tmp_path / "range.csv"
    in_1404 = ExportFilter(
        from_date=parse_filter_date("1404/01/01"), to_date=parse_filter_date("2025-07-01")
    )
    assert await export_applications(store, catalogue, path, in_1404, tz=TEHRAN) == 2
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the Persian text with the BOM
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][0] == "کد رهگیری" and len(rows) == 3
    assert {r[0] for r in rows[1:]} == {
        to_persian_digits(TRACKING[0]),
        to_persian_digits(TRACKING[1]),
    }
    before = ExportFilter(to_date=date(2025, 3, 20))  # last day of 1403
    assert await export_applications(store, catalogue, path, before, tz=TEHRAN) == 1


async def test_stats_on_seeded_data(store: Store, clock: FakeClock, catalogue: Catalogue) -> None:
    await seed(store, clock)
    stats = await collect_stats(
        store, tz=TEHRAN, year=1404, today=date(2025, 12, 1), catalogue=catalogue
    )
    assert stats.submitted == 5 and stats.drafts == 1
    assert stats.by_status == {
        "under_review": 1,
        "introduced_to_bank": 1,
        "paid": 2,
        "rejected": 1,
    }
    assert stats.by_plan_type == {"independent": 3, "supporting": 2}
    counties = {t.code: (t.name, t.count) for t in stats.by_county}
    assert counties == {"khorramabad": ("خرم‌آباد", 2), "borujerd": ("بروجرد", 2), "": (None, 1)}
    assert stats.by_county[-1].code == ""  # the unknown comes last
    groups = {t.code: t.count for t in stats.by_group}
    assert groups == {"handicrafts": 4, "livestock": 1}
    assert stats.paid_for(PlanType.INDEPENDENT).count == 1
    assert stats.paid_for(PlanType.SUPPORTING).rials == 45_500_000_000
    assert stats.introduced_total.count == 3  # two of them paid since
    assert stats.introduced_for(PlanType.SUPPORTING).rials == 75_000_000_000
    assert stats.permits_issued == 1
    paragraph = render_stats_paragraph(stats)
    assert "از ابتدای سال ۱۴۰۴ تاکنون تعداد ۱ طرح به صورت مستقل و ۱ طرح پشتیبان" in paragraph
    assert "۴٫۷ میلیارد تومان" in paragraph  # 4.75 billion toman, rounded down
    assert "بیش از" in paragraph
    text = render_stats_text(stats)
    assert "خرم‌آباد: ۲" in text and "صنایع دستی: ۴" in text
    from texts.charts import render_stats_chart  # matplotlib: loaded by this test, not collection

    png = render_stats_chart(stats)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000

    last_year = await collect_stats(
        store, tz=TEHRAN, year=1403, today=date(2025, 12, 1), catalogue=catalogue
    )
    assert last_year.submitted == 1 and last_year.paid_total.count == 0
    assert render_stats_paragraph(last_year).startswith("در سال ۱۴۰۳")
