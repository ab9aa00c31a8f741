"""The export streamed on a real SQLite file: the same cells as before, page by page, and a
workbook that continues on a second sheet when Excel's row limit is reached.
"""

from __future__ import annotations

import asyncio
import csv
import shutil
from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from domain.catalogue import Catalogue
from domain.models import Application
from domain.statuses import ApplicationStatus as S
from domain.statuses import PlanType
from services import export as office_export
from services.export import HEADERS, Value, export_to
from storage import Store
from storage.applications import application_from_row
from storage.reports import ExportFilter, export_page, local_day_start
from tests.catalogues import parsed_catalogue
from tests.integration.conftest import SeededStore
from tests.integration.scale_seed import SCALE_APPLICATIONS, SCALE_NOW
from texts.formatting import format_jalali_short, to_persian_digits
from texts.i18n import _
from texts.labels import plan_type_label
from texts.notifications import status_label


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return parsed_catalogue()


@pytest.fixture(scope="module")
def seeded(seeded_store: SeededStore) -> Path:
    return seeded_store(SCALE_APPLICATIONS, now=SCALE_NOW)


@pytest.fixture
async def store(seeded: Path, tmp_path: Path) -> AsyncIterator[Store]:
    path = tmp_path / "homebiz.db"
    shutil.copy(seeded, path)
    opened = await Store.open(path)
    yield opened
    await opened.close()


# --- the oracle: the export as it was written before it streamed ----------------------------


def _old_text(value: str | None) -> str | None:
    return to_persian_digits(value) if value else None


def _old_mobile(phone: str | None) -> str | None:
    if not phone:
        return None
    local = "0" + phone.removeprefix("+98") if phone.startswith("+98") else phone
    return to_persian_digits(local)


def old_export_row(app: Application, catalogue: Catalogue) -> list[Value]:
    county = catalogue.county(app.county) if app.county else None
    activity = catalogue.activity(app.activity_code) if app.activity_code else None
    group = catalogue.group(activity.group) if activity else None
    return [
        _old_text(app.tracking_code),
        app.full_name,
        _old_text(app.national_code),
        _old_mobile(app.phone),
        plan_type_label(app.plan_type),
        status_label(app.status),
        county.name if county else app.county,
        activity.name if activity else app.activity_code,
        group.name if group else None,
        app.requested_rials,
        app.bank,
        app.bank_branch,
        app.paid_rials,
        format_jalali_short(app.paid_on) if app.paid_on else None,
        _old_text(app.permit_number),
        format_jalali_short(app.submitted_at) if app.submitted_at else None,
        format_jalali_short(app.updated_at),
    ]


async def old_list_for_export(store: Store, filters: ExportFilter) -> list[Application]:
    filed = "COALESCE(submitted_at, created_at)"
    where = ["status = ?" if filters.status else "status != 'draft'"]
    params: list[object] = [filters.status.value] if filters.status else []
    if filters.county:
        where.append("county = ?")
        params.append(filters.county)
    if filters.plan_type:
        where.append("plan_type = ?")
        params.append(filters.plan_type.value)
    if filters.from_date:
        where.append(f"{filed} >= ?")
        params.append(local_day_start(filters.from_date))
    if filters.to_date:
        where.append(f"{filed} < ?")
        params.append(local_day_start(date.fromordinal(filters.to_date.toordinal() + 1)))
    sql = f"SELECT * FROM applications WHERE {' AND '.join(where)} ORDER BY id"
    async with store.db.read() as c, c.execute(sql, params) as cur:
        rows = await cur.fetchall()
    return [application_from_row(row) for row in rows]


def _as_csv(cells: list[Value]) -> list[str]:
    return ["" if v is None else str(v) for v in cells]


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


FILTERS = (
    ExportFilter(),
    ExportFilter(status=S.PAID),
    ExportFilter(status=S.DRAFT),
    ExportFilter(county="borujerd", plan_type=PlanType.SUPPORTING),
    ExportFilter(status=S.INTRODUCED_TO_BANK, county="khorramabad"),
    ExportFilter(from_date=date(2025, 3, 21), to_date=date(2025, 9, 22)),
    ExportFilter(from_date=date(2025, 10, 1), county="khorramabad", plan_type=PlanType.INDEPENDENT),
)


async def test_streamed_csv_has_the_old_cells_for_every_filter(
    store: Store, catalogue: Catalogue, tmp_path: Path
) -> None:
    for number, filters in enumerate(FILTERS):
        path = tmp_path / f"export-{number}.csv"
        result = await export_to(store, catalogue, path, filters)
        expected = [
            _as_csv(old_export_row(app, catalogue))
            for app in await old_list_for_export(store, filters)
        ]
        rows = await asyncio.to_thread(_read_csv, path)
        assert rows[0] == [_(h) for h in HEADERS]
        assert rows[1:] == expected, filters
        assert result.rows == len(expected) > 0 and result.sheets == 1


def _sheets(book: Workbook) -> list[tuple[str, list[list[object]]]]:
    return [
        (sheet.title, [list(r) for r in sheet.iter_rows(values_only=True)])
        for sheet in book.worksheets
    ]


async def test_a_full_sheet_continues_on_the_next(
    store: Store, catalogue: Catalogue, tmp_path: Path
) -> None:
    filters = ExportFilter(status=S.PAID)
    expected = [old_export_row(app, catalogue) for app in await old_list_for_export(store, filters)]
    per_sheet = 300  # rows per sheet with the header, instead of Excel's 1,048,576
    path = tmp_path / "paid.xlsx"
    result = await export_to(store, catalogue, path, filters, max_sheet_rows=per_sheet)
    # One load for the cells and the formatting (a read-only load has no sheet view).
    book = await asyncio.to_thread(load_workbook, path)
    sheets = _sheets(book)
    assert result.sheets == len(sheets) == -(-len(expected) // (per_sheet - 1)) > 1
    header = [_(h) for h in HEADERS]
    assert sheets[0][0] == "درخواست‌ها" and sheets[1][0] == "درخواست‌ها ۲"
    rows: list[list[object]] = []
    for _title, sheet_rows in sheets:
        assert sheet_rows[0] == header and len(sheet_rows) <= per_sheet
        rows += sheet_rows[1:]
    assert rows == expected
    first = book.worksheets[0]
    assert first.sheet_view.rightToLeft and first.freeze_panes == "A2"
    assert first["A1"].font.bold and first["A2"].number_format == "@"


def test_the_command_says_the_rows_continue_on_more_sheets(
    seeded: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cli import main

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(seeded, data_dir / "homebiz.db")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    # ~900 paid applications: three sheets of 400 rows; ~170 to correct: one sheet.
    monkeypatch.setattr(office_export, "EXCEL_MAX_ROWS", 400)
    assert main(["export", str(tmp_path / "paid.xlsx"), "--status", "paid"]) == 0
    out = capsys.readouterr().out
    assert "در ۳ برگه ادامه یافته‌اند" in out
    assert main(["export", str(tmp_path / "fix.xlsx"), "--status", "needs_correction"]) == 0
    assert "برگه" not in capsys.readouterr().out  # one sheet: nothing more to say


async def test_pages_are_index_walks_with_no_sort(store: Store) -> None:
    """Each page is found by index (or by id) from where the last one stopped."""
    statements: list[str] = []
    reader = store.db._reader
    assert reader is not None
    await reader.set_trace_callback(statements.append)
    try:
        for filters in FILTERS:
            first = await export_page(store, filters, 0, 50)
            assert first
            await export_page(store, filters, first[-1].id, 50)
    finally:
        await reader.set_trace_callback(None)
    pages = [s for s in statements if s.lstrip().startswith("SELECT")]
    assert len(pages) == 2 * len(FILTERS)
    async with store.db.read() as c:
        for sql in pages:
            assert "answers_json" not in sql and "*" not in sql  # the exported columns only
            async with c.execute(f"EXPLAIN QUERY PLAN {sql}") as cur:
                plan = [str(row[3]) for row in await cur.fetchall()]
            assert not any("TEMP B-TREE" in line for line in plan), plan
            assert all(line.startswith("SEARCH") for line in plan), plan


def test_jalali_dates_are_converted_once_per_day() -> None:
    convert: Callable[[str], str] = office_export._jalali_of_day
    office_export._jalali_of_day.cache_clear()
    for _time in range(3):
        assert convert("2025-11-06") == "۱۴۰۴/۰۸/۱۵"
    assert office_export._jalali_of_time("2025-11-06T21:00:00.000000+00:00") == "۱۴۰۴/۰۸/۱۶"
    info = office_export._jalali_of_day.cache_info()
    assert info.misses == 2 and info.hits == 2
