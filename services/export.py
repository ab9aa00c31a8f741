"""The applications as a Persian spreadsheet (`homebiz export`, the web desk's download).

One row per application (drafts only with ``--status draft``), Persian headers, Jalali dates,
amounts in whole rials as numbers (so they sum), and codes in Persian digits as text (so a
leading zero survives). National codes and phones are included: the file is the office's own
data. They are never logged.

The export streams: pages of applications (only the exported columns) are read one after the
other and written as they come, by one writer thread, so memory stays flat however many rows
there are. XLSX is written by openpyxl's write-only mode; a sheet that reaches Excel's row limit
continues on the next sheet (the command says so).
"""

from __future__ import annotations

import asyncio
import csv
import logging
import secrets
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from domain.catalogue import Catalogue
from domain.persian import normalize_for_search
from domain.statuses import ApplicationStatus
from services.actors import Actor
from services.application_list import ApplicationFilter, to_query
from services.imports.bank_report import parse_payment_date
from services.officers import require_officer
from storage import Store
from storage.reports import ExportFilter, ExportRow, iter_export
from texts.formatting import format_jalali_short, to_persian_digits
from texts.i18n import N_, _
from texts.labels import plan_type_label
from texts.notifications import status_label

LOGGER = logging.getLogger(__name__)

HEADERS: tuple[str, ...] = (
    N_("Tracking code (export)"),
    N_("Full name (export)"),
    N_("National code (export)"),
    N_("Mobile (export)"),
    N_("Plan type (export)"),
    N_("Status (export)"),
    N_("County (export)"),
    N_("Activity (export)"),
    N_("Activity group (export)"),
    N_("Requested amount, rials (export)"),
    N_("Bank (export)"),
    N_("Branch (export)"),
    N_("Paid amount, rials (export)"),
    N_("Payment date (export)"),
    N_("Permit number (export)"),
    N_("Submitted on (export)"),
    N_("Last change (export)"),
)

Value = str | int | None

# Excel's sheet: 1,048,576 rows, the header included.
EXCEL_MAX_ROWS = 1_048_576
TEHRAN = ZoneInfo("Asia/Tehran")

# Column widths (characters), in HEADERS order: wide enough for the usual values, fixed up
# front because a streamed sheet cannot be measured after its rows are written.
_WIDTHS = (12, 24, 13, 14, 10, 20, 14, 24, 18, 16, 14, 18, 16, 12, 14, 12, 12)
# Tracking code, national code, mobile and permit number: digits that must stay text.
_CODE_COLUMNS = frozenset({0, 2, 3, 14})


def _text(value: str | None) -> str | None:
    return to_persian_digits(value) if value else None


def _mobile(phone: str | None) -> str | None:
    """+989121234567 as the «۰۹۱۲۱۲۳۴۵۶۷» people write."""
    if not phone:
        return None
    local = "0" + phone.removeprefix("+98") if phone.startswith("+98") else phone
    return to_persian_digits(local)


@lru_cache(maxsize=8_192)
def _jalali_of_day(day: str) -> str:
    """«۱۴۰۴/۰۸/۱۵» for an ISO day; dates repeat, so each is converted once."""
    return format_jalali_short(date.fromisoformat(day))


def _jalali_of_time(stored: str) -> str:
    """The Tehran calendar day of a stored UTC time, in Jalali."""
    local = datetime.fromisoformat(stored).astimezone(TEHRAN)
    return _jalali_of_day(local.date().isoformat())


class RowMaker:
    """Turns stored rows into spreadsheet cells; names and labels are looked up once each."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._county: dict[str, str] = {}
        self._activity: dict[str, tuple[str, str | None]] = {}
        self._plan: dict[str, str] = {}
        self._status: dict[str, str] = {}

    def county(self, code: str) -> str:
        if code not in self._county:
            county = self.catalogue.county(code)
            self._county[code] = county.name if county else code
        return self._county[code]

    def activity(self, code: str) -> tuple[str, str | None]:
        if code not in self._activity:
            activity = self.catalogue.activity(code)
            group = self.catalogue.group(activity.group) if activity else None
            self._activity[code] = (
                activity.name if activity else code,
                group.name if group else None,
            )
        return self._activity[code]

    def plan(self, value: str) -> str:
        if value not in self._plan:
            self._plan[value] = plan_type_label(value)
        return self._plan[value]

    def status(self, value: str) -> str:
        if value not in self._status:
            self._status[value] = status_label(ApplicationStatus(value))
        return self._status[value]

    def __call__(self, row: ExportRow) -> list[Value]:
        """One application as spreadsheet cells, in HEADERS order."""
        activity, group = self.activity(row.activity_code) if row.activity_code else (None, None)
        return [
            _text(row.tracking_code),
            row.full_name,
            _text(row.national_code),
            _mobile(row.phone),
            self.plan(row.plan_type),
            self.status(row.status),
            self.county(row.county) if row.county else None,
            activity,
            group,
            row.requested_rials,
            row.bank,
            row.bank_branch,
            row.paid_rials,
            _jalali_of_day(row.paid_on) if row.paid_on else None,
            _text(row.permit_number),
            _jalali_of_time(row.submitted_at) if row.submitted_at else None,
            _jalali_of_time(row.updated_at),
        ]


def export_row(row: ExportRow, catalogue: Catalogue) -> list[Value]:
    """One application as spreadsheet cells, in HEADERS order."""
    return RowMaker(catalogue)(row)


class Sink(Protocol):
    """Where exported rows go; every call is made from the export's one writer thread."""

    def write(self, rows: Sequence[Sequence[Value]]) -> None: ...

    def close(self) -> int:
        """Finish the file; return how many sheets it has."""
        ...


class CsvSink:
    """UTF-8 with a BOM, so Excel opens the Persian text as it is."""

    def __init__(self, path: Path) -> None:
        self._handle = path.open("w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._handle)
        self._writer.writerow([_(h) for h in HEADERS])

    def write(self, rows: Sequence[Sequence[Value]]) -> None:
        self._writer.writerows([["" if v is None else v for v in row] for row in rows])

    def close(self) -> int:
        self._handle.close()
        return 1


class XlsxSink:
    """Right-to-left sheets with a bold frozen header; text cells stay text.

    openpyxl's write-only mode writes each row to a temporary file as it comes. A sheet holds
    at most ``max_rows`` rows with its header (Excel's limit); the next rows go on a new sheet.
    """

    def __init__(self, path: Path, max_rows: int = EXCEL_MAX_ROWS) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        self._path = path
        self._max_rows = max_rows
        self._book = Workbook(write_only=True)
        self._bold = Font(bold=True)
        self._cell: Callable[..., Any] = WriteOnlyCell
        self._sheets = 0
        self._rows_in_sheet = 0
        self._sheet: Any = None
        self._text_cells: list[Any] = []  # per column: a styled cell, or None

    def _new_sheet(self) -> None:
        self._sheets += 1
        title = _("Applications (export sheet)")
        if self._sheets > 1:
            title = _("{title} {number} (export sheet)").format(
                title=title, number=to_persian_digits(self._sheets)
            )
        sheet = self._book.create_sheet(title=title)
        sheet.sheet_view.rightToLeft = True
        sheet.freeze_panes = "A2"
        for index, width in enumerate(_WIDTHS):
            sheet.column_dimensions[_column_letter(index)].width = width
        header = []
        for name in HEADERS:
            cell = self._cell(sheet, value=_(name))
            cell.font = self._bold
            header.append(cell)
        sheet.append(header)
        # Codes keep a text format, so an edited cell stays text: one styled cell per code
        # column, reused row after row (the writer copies it out at once). Styling every text
        # cell would double the time of a large export; other text stays text cells anyway.
        self._text_cells = []
        for index in range(len(HEADERS)):
            cell = self._cell(sheet) if index in _CODE_COLUMNS else None
            if cell is not None:
                cell.number_format = "@"
            self._text_cells.append(cell)
        self._sheet = sheet
        self._rows_in_sheet = 1

    def write(self, rows: Sequence[Sequence[Value]]) -> None:
        for row in rows:
            if self._sheet is None or self._rows_in_sheet >= self._max_rows:
                self._new_sheet()
            cells: list[object] = []
            for value, cell in zip(row, self._text_cells, strict=True):
                if cell is not None and isinstance(value, str):
                    cell.value = value
                    cells.append(cell)
                else:
                    cells.append(value)
            self._sheet.append(cells)
            self._rows_in_sheet += 1

    def close(self) -> int:
        if self._sheet is None:
            self._new_sheet()  # a file with its header and no rows
        self._book.save(self._path)
        return self._sheets


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def write_csv(path: Path, rows: Sequence[Sequence[Value]]) -> None:
    """Write rows (already cells) as the export's CSV."""
    sink = CsvSink(path)
    sink.write(rows)
    sink.close()


def write_xlsx(path: Path, rows: Sequence[Sequence[Value]]) -> int:
    """Write rows (already cells) as the export's workbook; return how many sheets."""
    sink = XlsxSink(path)
    sink.write(rows)
    return sink.close()


class ExportResult(BaseModel):
    """What an export wrote."""

    model_config = ConfigDict(frozen=True)

    rows: int
    sheets: int


async def export_to(
    store: Store,
    catalogue: Catalogue,
    path: Path,
    filters: ExportFilter,
    *,
    max_sheet_rows: int | None = None,
    tz: ZoneInfo = TEHRAN,
) -> ExportResult:
    """Stream the matching applications to ``path`` (.xlsx or .csv).

    ``max_sheet_rows`` (rows per XLSX sheet, its header included) is Excel's limit by default.
    """
    sheet_rows = max_sheet_rows or EXCEL_MAX_ROWS
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ValueError("export to a .xlsx or .csv file")
    make_row = RowMaker(catalogue)
    count = 0
    # One thread writes the whole file: openpyxl's streamed sheet is not shared between threads.
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="export") as writer:
        sink: Sink = await loop.run_in_executor(
            writer, lambda: CsvSink(path) if suffix == ".csv" else XlsxSink(path, sheet_rows)
        )
        try:
            async for page in iter_export(store, filters, tz=tz):
                cells = [make_row(row) for row in page]
                await loop.run_in_executor(writer, sink.write, cells)
                count += len(cells)
        finally:
            sheets = await loop.run_in_executor(writer, sink.close)
    LOGGER.info("exported %d applications to %s (%d sheets)", count, path.name, sheets)
    return ExportResult(rows=count, sheets=sheets)


async def export_applications(
    store: Store, catalogue: Catalogue, path: Path, filters: ExportFilter, *, tz: ZoneInfo = TEHRAN
) -> int:
    """Write the matching applications to ``path`` (.xlsx or .csv); return how many."""
    return (await export_to(store, catalogue, path, filters, tz=tz)).rows


# --- filters from the command line ----------------------------------------------------------


class FilterError(Exception):
    """A filter the officer typed is not understood (Persian message)."""


def resolve_county(text: str, catalogue: Catalogue) -> str:
    """A county code from its code, Persian name, centre or alias."""
    key = normalize_for_search(text)
    for county in catalogue.counties:
        names = (county.code, county.name, county.centre, *county.aliases)
        if any(normalize_for_search(n) == key for n in names):
            return county.code
    raise FilterError(_("Unknown county: {county}").format(county=text))


def parse_filter_date(text: str) -> date:
    """A Jalali or Gregorian date typed on the command line."""
    day = parse_payment_date(text)
    if day is None:
        raise FilterError(_("Not a date: {text} (e.g. 1404/08/15 or 2025-11-06)").format(text=text))
    return day


# --- the web desk's download --------------------------------------------------------------


async def export_list(
    store: Store,
    actor: Actor,
    catalogue: Catalogue,
    filters: ApplicationFilter,
    folder: Path,
    suffix: str,
    *,
    tz: ZoneInfo = TEHRAN,
) -> tuple[Path, ExportResult]:
    """The applications the desk's list shows with these filters (every page, in id order),
    written to a new file in ``folder`` (".xlsx" or ".csv"); audited as ``export`` with the
    filters and the count. NotAllowed unless the actor is an officer now."""
    if suffix not in (".xlsx", ".csv"):
        raise ValueError("export to .xlsx or .csv")
    await require_officer(store, actor)
    query = to_query(filters, catalogue)
    export_filter = ExportFilter(
        statuses=query.statuses,
        county=query.county,
        plan_type=query.plan_type,
        from_date=query.from_date,
        to_date=query.to_date,
        activity_codes=query.activity_codes,
        search=query.search,
    )
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    path = folder / f"export-{secrets.token_hex(8)}{suffix}"
    result = await export_to(store, catalogue, path, export_filter, tz=tz)
    await store.audit.record(
        str(actor),
        "export",
        None,
        after={
            "format": suffix.removeprefix("."),
            "rows": result.rows,
            "filters": filters.model_dump(mode="json", exclude_defaults=True, exclude={"page"}),
        },
    )
    return path, result
