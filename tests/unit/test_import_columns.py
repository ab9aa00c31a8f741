"""data/import_columns.yaml: the shipped file loads; a bad file names the file and the place."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.imports import bank_report
from services.imports import exhibitions as import_exhibitions
from services.imports.import_columns import (
    ImportColumnsError,
    header_index,
    import_columns,
    load_import_columns,
)


def test_shipped_file_loads_and_every_header_has_one_column() -> None:
    columns = import_columns()
    assert "tracking_code" in columns.bank_report.aliases()["tracking_code"]
    assert "title" in columns.exhibitions.aliases()["title"]
    assert bank_report._header_index()[bank_report._header_key("Amount (rials)")] == "amount"
    assert import_exhibitions._wanted()[import_exhibitions._key("Start_Date")] == "starts_on"


def test_missing_column_and_empty_name_are_reported_with_their_place(tmp_path: Path) -> None:
    shipped = (Path(__file__).parents[2] / "data" / "import_columns.yaml").read_text("utf-8")
    broken = shipped.replace("  kind: [kind, type,", "  sort: [kind, type,", 1)
    broken = broken.replace("[county, ", "['', ", 1)
    path = tmp_path / "import_columns.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ImportColumnsError) as error:
        load_import_columns(path)
    message = str(error.value)
    assert f"{path}: exhibitions.kind: Field required" in message
    assert f"{path}: exhibitions.sort: Extra inputs are not permitted" in message
    assert f"{path}: exhibitions.county[0]:" in message


def test_not_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "import_columns.yaml"
    path.write_text("bank_report:\n  amount: [a, b\n", encoding="utf-8")
    with pytest.raises(ImportColumnsError, match=r"import_columns\.yaml: line \d+: not valid YAML"):
        load_import_columns(path)


def test_one_header_under_two_columns_is_refused() -> None:
    aliases = {"bank": ("bank",), "branch": ("branch", "Bank")}
    with pytest.raises(ImportColumnsError, match=r"bank_report\.branch\[1\]: 'Bank'"):
        header_index("bank_report", aliases, str.casefold)
