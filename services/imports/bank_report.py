"""Reading an agent bank's payment report (CSV or XLSX) into checked rows.

Headers are matched against the names in data/import_columns.yaml (section ``bank_report``),
ignoring case, spaces, ZWNJ and a unit in brackets (e.g. "amount (rials)"). Amounts are whole
rials in any digit script with any thousands separators; dates are Jalali (e.g. 1404/08/15) or
Gregorian (e.g. 2025-11-06).
Row numbers are the spreadsheet's own (the header is row 1), so the officer finds them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import StrEnum
from functools import cache, lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from domain.persian import date_from_parts, normalize_for_search, normalize_input, parse_int
from services.imports.csv_file import read_csv_rows
from services.imports.import_columns import header_index, import_columns
from texts.i18n import N_, _


class Column(StrEnum):
    TRACKING_CODE = "tracking_code"
    NATIONAL_CODE = "national_code"
    BANK = "bank"
    BRANCH = "branch"
    AMOUNT = "amount"
    PAID_ON = "paid_on"


_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def _header_key(text: str) -> str:
    return normalize_for_search(_BRACKETS.sub("", text).replace("_", " ").replace("-", " "))


@cache
def _header_index() -> dict[str, Column]:
    """Compared header form → column, from data/import_columns.yaml (read at first use)."""
    aliases = import_columns().bank_report.aliases()
    return {
        key: Column(column)
        for key, column in header_index("bank_report", aliases, _header_key).items()
    }


# Persian names of the required columns, for the "missing columns" message.
COLUMN_LABELS: dict[str, str] = {
    "key": N_("tracking code or national code (column)"),
    Column.BANK: N_("bank (column)"),
    Column.AMOUNT: N_("amount (column)"),
    Column.PAID_ON: N_("payment date (column)"),
}

Cell = str | int | float | date | datetime | None


class BankReportError(Exception):
    """The file as a whole cannot be imported; the message is Persian, for the officer."""


class RawRow(BaseModel):
    """One data row: its spreadsheet row number and its cells by column."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    row: int
    cells: dict[Column, Cell]


def _rows_from_csv(path: Path) -> list[tuple[int, list[Cell]]]:
    try:
        rows = read_csv_rows(path)
    except UnicodeDecodeError:
        raise BankReportError(_("The file is not UTF-8 text. Save it as CSV UTF-8.")) from None
    return [(n, list(cells)) for n, cells in enumerate(rows, 1)]


def _rows_from_xlsx(path: Path) -> list[tuple[int, list[Cell]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise BankReportError(_("The Excel file cannot be opened.")) from exc
    try:
        sheet = book.worksheets[0]
        return [(n, list(cells)) for n, cells in enumerate(sheet.iter_rows(values_only=True), 1)]
    finally:
        book.close()


def read_rows(path: Path) -> list[RawRow]:
    """Read the file's data rows by column; raise BankReportError for a file-level problem."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise BankReportError(_("Only .csv and .xlsx files can be imported."))
    if not path.is_file():
        raise BankReportError(_("The file was not found."))
    lines = _rows_from_csv(path) if suffix == ".csv" else _rows_from_xlsx(path)
    lines = [(n, cells) for n, cells in lines if not _blank(cells)]
    if not lines:
        raise BankReportError(_("The file is empty."))
    _header_row, header = lines[0]
    columns = [_header_index().get(_header_key(str(h))) if h is not None else None for h in header]
    _check_columns(set(c for c in columns if c is not None))
    rows = []
    for number, cells in lines[1:]:
        by_column: dict[Column, Cell] = {}
        for column, cell in zip(columns, cells, strict=False):
            if column is not None and column not in by_column:
                by_column[column] = cell
        rows.append(RawRow(row=number, cells=by_column))
    if not rows:
        raise BankReportError(_("The file has a header but no rows."))
    return rows


def _blank(cells: Sequence[Cell]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _check_columns(found: set[Column]) -> None:
    missing = []
    if not found & {Column.TRACKING_CODE, Column.NATIONAL_CODE}:
        missing.append(COLUMN_LABELS["key"])
    missing += [
        COLUMN_LABELS[c] for c in (Column.BANK, Column.AMOUNT, Column.PAID_ON) if c not in found
    ]
    if missing:
        raise BankReportError(
            _("The file has no column for: {columns}").format(
                columns="، ".join(_(m) for m in missing)
            )
        )


# --- cell values ----------------------------------------------------------------------------


@lru_cache(maxsize=8_192, typed=True)  # banks, branches and dates repeat down a report
def cell_text(cell: Cell) -> str:
    """A cell as normalised text ('' when empty); whole floats lose their «.0»."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return normalize_input(str(cell))


_RIAL_SUFFIX = re.compile(r"\s*(ریال|rials?)$", re.IGNORECASE)


def parse_amount_rials(cell: Cell) -> int | None:
    """Whole rials from a number or text (in any digits, maybe ending in "rial"); else None."""
    if isinstance(cell, bool | date | datetime):
        return None
    if isinstance(cell, float):
        if not cell.is_integer():
            return None
        cell = int(cell)
    if isinstance(cell, int):
        return cell if cell > 0 else None
    amount = parse_int(_RIAL_SUFFIX.sub("", cell_text(cell)))
    return amount if amount else None


_DATE_PARTS = re.compile(r"\s*[/\-.\\]\s*")


@lru_cache(maxsize=4_096, typed=True)
def parse_payment_date(cell: Cell) -> date | None:
    """A Gregorian date from a date cell, «1404/08/15» (Jalali) or «2025-11-06»; else None.

    A year below 1700 is Jalali; «15/08/1404» (day first) is read too.
    """
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = cell_text(cell).split(" ")[0]  # «2025-11-06 00:00:00» from a spreadsheet
    return date_from_parts(_DATE_PARTS.split(text))


_BANK_PREFIX = ("بانک", "bank")


@lru_cache(maxsize=1_024)
def bank_key(name: str) -> str:
    """A bank name in comparison form, without a leading word "bank" (Persian or English)."""
    key = normalize_for_search(name)
    for prefix in _BANK_PREFIX:
        if key.startswith(prefix) and len(key) > len(prefix):
            key = key.removeprefix(prefix)
    return key


def match_bank(name: str, agent_banks: Iterable[str]) -> str | None:
    """The agent bank (as written in rules.yaml) this name refers to, or None."""
    key = bank_key(name)
    if not key:
        return None
    return _banks_by_key(tuple(agent_banks)).get(key)


@lru_cache(maxsize=16)
def _banks_by_key(agent_banks: tuple[str, ...]) -> dict[str, str]:
    by_key: dict[str, str] = {}
    for bank in agent_banks:
        by_key.setdefault(bank_key(bank), bank)  # the first bank of a key, as before
    return by_key
