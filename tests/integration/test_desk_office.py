"""The desk's office services on a real store: an upload is a spreadsheet or refused, its dry
run changes nothing, its apply is whole and audited with the officer; the export has the
list's filters and is audited; the audit log is filtered and paged; only officers now."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from domain.accounts import Account
from domain.catalogue import Catalogue
from domain.statuses import ApplicationStatus as S
from services.actors import Actor
from services.application_list import ApplicationFilter
from services.audit_trail import AuditFilter, audit_log
from services.errors import NotAllowed
from services.export import export_list
from services.imports.uploads import (
    ImportKind,
    UploadRefused,
    apply,
    dry_run,
    kept,
    receive,
)
from storage import Store
from tests.catalogues import parsed_catalogue
from tests.clock import FakeClock
from tests.conftest import migrated
from tests.integration.office_seed import TRACKING
from tests.integration.test_import_bank_report import DATA, TEHRAN, seed_office

OFFICER_ID = 900_001
OFFICER = Actor("officer", OFFICER_ID)
CLOCK = FakeClock(datetime(2026, 1, 10, 8, 0, tzinfo=UTC))


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return parsed_catalogue()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(migrated(tmp_path / "homebiz.db"), clock=CLOCK)
    opened.officers.configure({Account("telegram", OFFICER_ID)}, "telegram")
    yield opened
    await opened.close()


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_a_bank_report_dry_run_then_apply(
    store: Store, catalogue: Catalogue, tmp_path: Path
) -> None:
    ids = await seed_office(store)
    data = (DATA / "bank_report_good.csv").read_bytes()
    upload = await receive(store, OFFICER, tmp_path, ImportKind.BANK_REPORT, "report.csv", data)
    trial = await dry_run(store, OFFICER, catalogue, upload, tz=TEHRAN)
    assert trial.ok and [line.row for line in trial.lines] == [2, 3, 4]
    assert all(line.change and not line.problem for line in trial.lines)
    app = await store.applications.get(ids[TRACKING[0]])
    assert app is not None and app.status is S.INTRODUCED_TO_BANK  # nothing changed

    again = await kept(store, OFFICER, tmp_path, ImportKind.BANK_REPORT, upload.token, "r.csv")
    done = await apply(store, OFFICER, catalogue, again, tz=TEHRAN)
    assert done.ok and done.changed == 3
    app = await store.applications.get(ids[TRACKING[0]])
    assert app is not None and app.status is S.PAID
    last = (await store.status_events.timeline(app.id))[-1]
    assert last.actor == f"officer:{OFFICER_ID}"
    entry = (await store.audit.list(limit=1))[0]
    assert (entry.actor, entry.action) == (f"officer:{OFFICER_ID}", "import_bank")
    assert entry.after["changed"] == 3
    with pytest.raises(UploadRefused):  # applied: its token is spent
        await kept(store, OFFICER, tmp_path, ImportKind.BANK_REPORT, upload.token, "r.csv")


async def test_a_bad_row_applies_nothing(
    store: Store, catalogue: Catalogue, tmp_path: Path
) -> None:
    await seed_office(store)
    data = (DATA / "bank_report_mixed.csv").read_bytes()
    upload = await receive(store, OFFICER, tmp_path, ImportKind.BANK_REPORT, "mixed.csv", data)
    trial = await dry_run(store, OFFICER, catalogue, upload, tz=TEHRAN)
    assert not trial.ok and any(line.problem for line in trial.lines)
    done = await apply(store, OFFICER, catalogue, upload, tz=TEHRAN)
    assert not done.ok and done.changed == 0 and done.lines
    paid = await store.applications.list_by_status(S.PAID)
    assert paid == []


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("report.csv", b""),
        ("report.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00"),
        ("report.xlsx", b"PK\x03\x04 not really a zip"),
        ("report.pdf", b"%PDF-1.4 tracking,bank"),
        ("report.csv", "کد رهگیری".encode("utf-16")),
        ("report.csv", xlsx([["a"]])),  # an .xlsx named .csv
        ("report.csv", b"a," * (3 * 1024 * 1024)),  # too big
    ],
)
async def test_what_is_not_a_spreadsheet_is_refused(
    store: Store, tmp_path: Path, name: str, data: bytes
) -> None:
    with pytest.raises(UploadRefused) as refused:
        await receive(store, OFFICER, tmp_path, ImportKind.BANK_REPORT, name, data)
    assert any("\u0600" <= ch <= "\u06ff" for ch in str(refused.value))  # Persian
    assert not list((tmp_path / "imports").glob("*"))


async def test_a_forged_or_foreign_token_is_refused(store: Store, tmp_path: Path) -> None:
    data = (DATA / "bank_report_good.csv").read_bytes()
    upload = await receive(store, OFFICER, tmp_path, ImportKind.BANK_REPORT, "r.csv", data)
    await store.officers.add("telegram", 777, f"officer:{OFFICER_ID}")
    other = Actor("officer", 777)
    for actor, token in ((other, upload.token), (OFFICER, "../../etc/passwd"), (OFFICER, "0" * 32)):
        with pytest.raises(UploadRefused):
            await kept(store, actor, tmp_path, ImportKind.BANK_REPORT, token, "r.csv")


async def test_exhibitions_from_an_xlsx(store: Store, catalogue: Catalogue, tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["title", "kind", "county", "venue", "starts_on", "ends_on"],
        ["نمایشگاه یلدا", "seasonal", "khorramabad", "سالن", "1404/09/25", "1404/09/30"],
        ["بازارچه", "نوعی دیگر", "khorramabad", "", "1404/10/01", "1404/10/05"],
    ]
    upload = await receive(store, OFFICER, tmp_path, ImportKind.EXHIBITIONS, "ex.xlsx", xlsx(rows))
    trial = await dry_run(store, OFFICER, catalogue, upload)
    assert not trial.ok
    assert [(line.row, bool(line.change), bool(line.problem)) for line in trial.lines] == [
        (2, True, False),
        (3, False, True),
    ]
    good = await receive(
        store, OFFICER, tmp_path, ImportKind.EXHIBITIONS, "ex.xlsx", xlsx(rows[:2])
    )
    done = await apply(store, OFFICER, catalogue, good)
    assert done.ok and done.changed == 1


async def test_the_export_has_the_lists_filters_and_is_audited(
    store: Store, catalogue: Catalogue, tmp_path: Path
) -> None:
    ids = await seed_office(store)
    filters = ApplicationFilter(statuses=(S.INTRODUCED_TO_BANK,), search=TRACKING[1])
    path, result = await export_list(
        store, OFFICER, catalogue, filters, tmp_path / "exports", ".csv", tz=TEHRAN
    )
    assert result.rows == 1
    lines = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert len(lines) == 2
    entry = (await store.audit.list(limit=1))[0]
    assert entry.action == "export" and entry.after["rows"] == 1
    assert entry.after["filters"]["search"] == TRACKING[1]
    assert ids  # the seeded applications


async def test_the_audit_log_filters_and_pages(store: Store, catalogue: Catalogue) -> None:
    ids = await seed_office(store)
    for n in range(7):
        await store.audit.record(f"officer:{OFFICER_ID}", "note", f"application:{ids[TRACKING[0]]}")
        await store.audit.record("officer:5", "other", f"application:{n}")
    wanted = AuditFilter(officer=OFFICER_ID, action="note", per_page=3)
    mine = await audit_log(store, OFFICER, wanted)
    assert mine.total == 7 and mine.pages == 3 and len(mine.entries) == 3
    assert all(e.actor == f"officer:{OFFICER_ID}" for e in mine.entries)
    by_code = await audit_log(store, OFFICER, AuditFilter(application=TRACKING[0]))
    assert {e.subject for e in by_code.entries} == {f"application:{ids[TRACKING[0]]}"}
    assert {"note", "other"} <= set(by_code.actions)
    today = await audit_log(
        store,
        OFFICER,
        AuditFilter(action="other", from_date=date(2026, 1, 10), to_date=date(2026, 1, 10)),
    )
    assert today.total == 7
    tomorrow = await audit_log(store, OFFICER, AuditFilter(from_date=date(2026, 1, 11)))
    assert tomorrow.total == 0


async def test_only_an_officer_now(store: Store, catalogue: Catalogue, tmp_path: Path) -> None:
    stranger = Actor("officer", 4)
    with pytest.raises(NotAllowed):
        await audit_log(store, stranger, AuditFilter())
    with pytest.raises(NotAllowed):
        await export_list(store, stranger, catalogue, ApplicationFilter(), tmp_path, ".csv")
    with pytest.raises(NotAllowed):
        await receive(store, stranger, tmp_path, ImportKind.BANK_REPORT, "r.csv", b"a,b\n")
