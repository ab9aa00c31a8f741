"""Importing exhibitions from a CSV file, all rows or none (`homebiz import-exhibitions FILE`).

Headers in English or Persian, as listed in data/import_columns.yaml (section ``exhibitions``);
Jalali or Gregorian dates in any digits; kinds in English (seasonal/permanent/virtual) or in
Persian (see ``domain.exhibitions.parse_kind``); counties by code or Persian name. Every bad row is
listed and nothing is stored unless every row is good. Each created exhibition is audited as
``import:<file>``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from domain.catalogue import Catalogue
from domain.exhibitions import (
    ExhibitionDraft,
    ExhibitionKind,
    parse_exhibition_date,
    parse_kind,
    resolve_county,
)
from domain.persian import normalize_input
from services import exhibitions
from services.actors import Actor
from services.imports.bank_report import cell_text
from services.imports.csv_file import read_csv_rows
from services.imports.import_columns import header_index, import_columns
from storage import Store
from texts.formatting import format_number, to_persian_digits
from texts.i18n import N_, _

REQUIRED = ("title", "kind", "starts_on", "ends_on")
# The domain's rule messages, as the officer reads them.
RULES: dict[str, str] = {
    "the end date is before the start date": N_("The end date is before the start date."),
    "the booth-request deadline is after the end date": N_(
        "The booth-request deadline is after the end date."
    ),
}


@dataclass
class ImportResult:
    """What an import did: the exhibitions created, or the rows that stopped it."""

    created: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _key(header: str) -> str:
    return " ".join(normalize_input(header).lower().replace("_", " ").split())


@cache
def _wanted() -> dict[str, str]:
    """Compared header form → field name, from data/import_columns.yaml (read at first use)."""
    return header_index("exhibitions", import_columns().exhibitions.aliases(), _key)


def _columns(header: list[str]) -> dict[str, int] | str:
    """Map our field names to column positions; a message when a required one is missing."""
    wanted = _wanted()
    found: dict[str, int] = {}
    for position, title in enumerate(header):
        name = wanted.get(_key(title))
        if name is not None and name not in found:
            found[name] = position
    missing = [name for name in REQUIRED if name not in found]
    if missing:
        return _("The header row lacks these columns: {names}").format(names=", ".join(missing))
    return found


def parse_row(
    cells: list[str], columns: dict[str, int], catalogue: Catalogue
) -> ExhibitionDraft | str:
    """One row as a draft, or the reason it cannot be imported."""

    def cell(name: str) -> str:
        position = columns.get(name)
        return cells[position].strip() if position is not None and position < len(cells) else ""

    values: dict[str, object] = {"title": cell("title")}
    if not 2 <= len(cell("title")) <= 200:
        return _("the title is missing or too long")
    kind = parse_kind(cell("kind"))
    if kind is None:
        return _("unknown kind «{value}»").format(value=cell("kind"))
    values["kind"] = kind
    county_text = cell("county")
    county = resolve_county(catalogue, county_text) if county_text else None
    if county_text and county is None:
        return _("unknown county «{value}»").format(value=county_text)
    if county is None and kind is not ExhibitionKind.VIRTUAL:
        return _("a county is needed (only a virtual exhibition may have none)")
    values["county"] = county
    for name in ("starts_on", "ends_on", "booth_deadline"):
        text = cell(name)
        if not text and name == "booth_deadline":
            continue
        parsed = parse_exhibition_date(text)
        if parsed is None:
            return _("not a date in column {column}: «{value}»").format(column=name, value=text)
        values[name] = parsed
    values["venue"] = cell("venue")
    values["description"] = cell("description")
    values["poster_file_id"] = cell("poster_file_id") or None
    try:
        return ExhibitionDraft.model_validate(values)
    except ValidationError as exc:
        messages = (e["msg"].removeprefix("Value error, ") for e in exc.errors())
        return "; ".join(_(RULES.get(m, N_("the row is not valid"))) for m in messages)


def read_csv(path: Path) -> list[list[str]]:
    """The non-blank rows of a UTF-8 CSV file (with or without a BOM; comma, semicolon or tab)."""
    return [row for row in read_csv_rows(path) if any(c.strip() for c in row)]


def read_xlsx(path: Path) -> list[list[str]]:
    """The non-blank rows of the first sheet of an Excel file, every cell as text."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = [
            ["" if cell is None else cell_text(cell) for cell in row]
            for row in book.worksheets[0].iter_rows(values_only=True)
        ]
    finally:
        book.close()
    return [row for row in rows if any(c.strip() for c in row)]


@dataclass
class Checked:
    """A file's rows checked on their own (the store's duplicates are found when applied)."""

    drafts: list[ExhibitionDraft] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # each draft's row number
    problems: list[tuple[int, str]] = field(default_factory=list)


def check_file(path: Path, catalogue: Catalogue) -> Checked:
    """Read and check every row of a .csv or .xlsx file; change nothing."""
    checked = Checked()
    try:
        rows = read_xlsx(path) if path.suffix.lower() == ".xlsx" else read_csv(path)
    except (OSError, UnicodeDecodeError) as exc:
        checked.problems.append(
            (
                0,
                _("The file cannot be read as UTF-8 CSV ({error}).").format(
                    error=type(exc).__name__
                ),
            )
        )
        return checked
    except Exception:  # openpyxl raises many kinds for a broken workbook
        checked.problems.append((0, _("The Excel file cannot be opened.")))
        return checked
    if not rows:
        checked.problems.append((0, _("The file is empty.")))
        return checked
    columns = _columns(rows[0])
    if isinstance(columns, str):
        checked.problems.append((1, columns))
        return checked
    seen: dict[tuple[str, str, str], int] = {}
    for number, cells in enumerate(rows[1:], start=2):
        parsed = parse_row(cells, columns, catalogue)
        if isinstance(parsed, str):
            checked.problems.append((number, parsed))
            continue
        identity = (parsed.title, parsed.starts_on.isoformat(), parsed.county or "")
        if identity in seen:
            checked.problems.append(
                (number, _("repeats row {row}").format(row=to_persian_digits(seen[identity])))
            )
            continue
        seen[identity] = number
        checked.drafts.append(parsed)
        checked.rows.append(number)
    return checked


async def import_exhibitions(
    store: Store,
    catalogue: Catalogue,
    path: Path,
    *,
    actor: Actor | None = None,
) -> ImportResult:
    """Check every row, then create them all in one transaction (or none).

    The actor is ``import:<file name>`` for the command; the web desk passes the officer (checked
    by the one officer mechanism, services.officers).
    """
    result = ImportResult()
    checked = await asyncio.to_thread(check_file, path, catalogue)
    result.problems += checked.problems
    if result.problems:
        return result
    who = actor or Actor("import", path.name)
    duplicates = await exhibitions.import_drafts(store, who, checked.drafts)
    for position in duplicates:
        result.problems.append((checked.rows[position], _("this exhibition is already stored")))
    if not result.problems:
        result.created = len(checked.drafts)
    return result


def render_result(result: ImportResult) -> str:
    """What the officer reads after the command."""
    if result.ok:
        return _("Imported {count} exhibitions.").format(count=format_number(result.created))
    lines = [
        _("Nothing was imported. Rows with problems ({count}):").format(
            count=format_number(len(result.problems))
        )
    ]
    for row, problem in result.problems:
        lines.append(_("Row {row}: {problem}").format(row=to_persian_digits(row), problem=problem))
    return "\n".join(lines)
