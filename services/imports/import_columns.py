"""The header names the officer imports accept, read from data/import_columns.yaml.

The file is read and checked once, at first use; a bad file raises ImportColumnsError naming the
file and the place. How a header is compared (its normalisation) stays with each import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from domain.catalogue import DEFAULT_DATA_DIR, error_place

IMPORT_COLUMNS_FILE = "import_columns.yaml"

HeaderName = Annotated[str, Field(min_length=1, max_length=80)]
Aliases = Annotated[tuple[HeaderName, ...], Field(min_length=1)]


class ImportColumnsError(Exception):
    """data/import_columns.yaml is wrong; the message names the file and the place."""


class _Section(BaseModel):
    """One import's columns; unknown or missing columns are reported, not guessed."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    def aliases(self) -> dict[str, tuple[str, ...]]:
        """Column name → accepted header names, in file order."""
        return {name: getattr(self, name) for name in type(self).model_fields}


class BankReportColumns(_Section):
    """Headers of an agent bank's payment report (services.imports.bank_report)."""

    tracking_code: Aliases
    national_code: Aliases
    bank: Aliases
    branch: Aliases
    amount: Aliases
    paid_on: Aliases


class ExhibitionColumns(_Section):
    """Headers of an exhibitions CSV (services.imports.exhibitions)."""

    title: Aliases
    kind: Aliases
    county: Aliases
    venue: Aliases
    starts_on: Aliases
    ends_on: Aliases
    booth_deadline: Aliases
    description: Aliases
    poster_file_id: Aliases


class ImportColumns(BaseModel):
    """The whole file: one section per import."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    bank_report: BankReportColumns
    exhibitions: ExhibitionColumns


def load_import_columns(path: Path) -> ImportColumns:
    """Read and validate the file; raise ImportColumnsError listing every problem."""
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ImportColumnsError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(top level)"
        raise ImportColumnsError(f"{path}: {where}: not valid YAML") from exc
    if not isinstance(raw, dict):
        raise ImportColumnsError(f"{path}: (top level): expected a mapping of imports")
    try:
        return ImportColumns.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{path}: {error_place(e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise ImportColumnsError("\n".join(lines)) from None


@cache
def import_columns(data_dir: Path = DEFAULT_DATA_DIR) -> ImportColumns:
    """The accepted headers, read once per data folder."""
    return load_import_columns(data_dir / IMPORT_COLUMNS_FILE)


def header_index(
    section: str, aliases: Mapping[str, Sequence[str]], key: Callable[[str], str]
) -> dict[str, str]:
    """Compared form of every header name → its column; one form under two columns is an error."""
    index: dict[str, str] = {}
    for column, names in aliases.items():
        for position, name in enumerate(names):
            form = key(name)
            if not form:
                raise ImportColumnsError(
                    f"{IMPORT_COLUMNS_FILE}: {section}.{column}[{position}]: "
                    f"{name!r} has no letters left to compare"
                )
            other = index.setdefault(form, column)
            if other != column:
                raise ImportColumnsError(
                    f"{IMPORT_COLUMNS_FILE}: {section}.{column}[{position}]: "
                    f"{name!r} is already a header of {other!r}"
                )
    return index
