"""Reading an officer's CSV file: UTF-8 with or without a BOM; comma, semicolon or tab."""

from __future__ import annotations

import csv
import io
from pathlib import Path


def read_csv_rows(path: Path) -> list[list[str]]:
    """Every row of the file, blank ones too; UnicodeDecodeError when it is not UTF-8."""
    text = path.read_text(encoding="utf-8-sig")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:4096], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel  # one column, or a sample the sniffer cannot read
    return list(csv.reader(io.StringIO(text), dialect))
