"""`homebiz export FILE.xlsx|FILE.csv [filters]`: the applications as a Persian spreadsheet.

The writing is ``services.export`` (the web desk's download uses it too).
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from config.settings import Settings
from domain.catalogue import Catalogue, load_catalogue
from domain.statuses import ApplicationStatus, PlanType
from services.export import FilterError, export_to, parse_filter_date, resolve_county
from storage import Store
from storage.reports import ExportFilter
from texts.formatting import to_persian_digits
from texts.i18n import _


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
        result = await export_to(store, catalogue, path, filters, tz=settings.zone)
    finally:
        await store.close()
    print(
        _("{count} applications were written to {file}.").format(
            count=to_persian_digits(result.rows), file=str(path)
        )
    )
    if result.sheets > 1:
        print(
            _("The rows do not fit on one Excel sheet: they continue over {count} sheets.").format(
                count=to_persian_digits(result.sheets)
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
