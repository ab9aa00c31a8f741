"""`homebiz export FILE.xlsx|FILE.csv [filters]`: the applications as a Persian spreadsheet.

One row per application (drafts only with ``--status draft``), Persian headers, Jalali dates,
amounts in whole rials as numbers (so they sum), and codes in Persian digits as text (so a
leading zero survives). National codes and phones are included: the file is the office's own
data. They are never logged.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import logging
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from config.settings import Settings
from domain.catalogue import Catalogue, load_catalogue
from domain.models import Application
from domain.persian import normalize_for_search
from domain.statuses import ApplicationStatus, PlanType
from office.bank_report import parse_payment_date
from storage import Store
from storage.reports import ExportFilter, list_for_export
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


def _text(value: str | None) -> str | None:
    return to_persian_digits(value) if value else None


def _mobile(phone: str | None) -> str | None:
    """+989121234567 as the «۰۹۱۲۱۲۳۴۵۶۷» people write."""
    if not phone:
        return None
    local = "0" + phone.removeprefix("+98") if phone.startswith("+98") else phone
    return to_persian_digits(local)


def export_row(app: Application, catalogue: Catalogue) -> list[Value]:
    """One application as spreadsheet cells, in HEADERS order."""
    county = catalogue.county(app.county) if app.county else None
    activity = catalogue.activity(app.activity_code) if app.activity_code else None
    group = catalogue.group(activity.group) if activity else None
    return [
        _text(app.tracking_code),
        app.full_name,
        _text(app.national_code),
        _mobile(app.phone),
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
        _text(app.permit_number),
        format_jalali_short(app.submitted_at) if app.submitted_at else None,
        format_jalali_short(app.updated_at),
    ]


def write_csv(path: Path, rows: Sequence[Sequence[Value]]) -> None:
    """UTF-8 with a BOM, so Excel opens the Persian text as it is."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([_(h) for h in HEADERS])
        writer.writerows([["" if v is None else v for v in row] for row in rows])


def write_xlsx(path: Path, rows: Sequence[Sequence[Value]]) -> None:
    """One right-to-left sheet with a bold header; text cells stay text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Applications (export sheet)")
    sheet.sheet_view.rightToLeft = True
    sheet.append([_(h) for h in HEADERS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            if isinstance(cell.value, str):
                cell.number_format = "@"
    for column in sheet.columns:
        width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 40)
    sheet.freeze_panes = "A2"
    book.save(path)


async def export_applications(
    store: Store, catalogue: Catalogue, path: Path, filters: ExportFilter, *, tz: ZoneInfo
) -> int:
    """Write the matching applications to ``path`` (.xlsx or .csv); return how many.

    The filter's dates are days in the office's time zone ``tz`` (``settings.zone``).
    """
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ValueError("export to a .xlsx or .csv file")
    apps = await list_for_export(store, filters, tz=tz)
    rows = [export_row(app, catalogue) for app in apps]
    writer = write_csv if suffix == ".csv" else write_xlsx
    await asyncio.to_thread(writer, path, rows)  # file writing off the event loop
    LOGGER.info("exported %d applications to %s", len(rows), path.name)
    return len(rows)


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


def filters_from_args(args: argparse.Namespace, catalogue: Catalogue) -> ExportFilter:
    """The export filters of `homebiz export`."""
    return ExportFilter(
        status=ApplicationStatus(args.status) if args.status else None,
        county=resolve_county(args.county, catalogue) if args.county else None,
        plan_type=PlanType(args.plan_type) if args.plan_type else None,
        from_date=parse_filter_date(args.from_date) if args.from_date else None,
        to_date=parse_filter_date(args.to_date) if args.to_date else None,
    )


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    catalogue = load_catalogue(settings.catalogue_dir)
    path = Path(args.file)
    if path.suffix.lower() not in (".xlsx", ".csv"):
        print(_("Export to a file ending in .xlsx or .csv."))
        return 2
    try:
        filters = filters_from_args(args, catalogue)
    except FilterError as exc:
        print(exc)
        return 2
    settings.ensure_dirs()
    store = await Store.open(settings.database_path)
    try:
        count = await export_applications(store, catalogue, path, filters, tz=settings.zone)
    finally:
        await store.close()
    print(
        _("{count} applications were written to {file}.").format(
            count=to_persian_digits(count), file=str(path)
        )
    )
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `export` on the `homebiz` parser."""
    parser = sub.add_parser("export", help="write applications to a spreadsheet (.xlsx or .csv)")
    parser.add_argument("file", help="FILE.xlsx or FILE.csv")
    parser.add_argument("--status", choices=[s.value for s in ApplicationStatus])
    parser.add_argument("--county", help="county code or Persian name, e.g. khorramabad")
    parser.add_argument("--plan-type", choices=[p.value for p in PlanType])
    parser.add_argument(
        "--from", dest="from_date", help="submitted on or after (1404/01/01 or 2025-03-21)"
    )
    parser.add_argument("--to", dest="to_date", help="submitted on or before")


def command(args: argparse.Namespace, settings: Settings) -> int:
    """`homebiz export FILE [--status S] [--county C] [--plan-type P] [--from D] [--to D]`."""
    return asyncio.run(_run(args, settings))
