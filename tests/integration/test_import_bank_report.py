"""Bank-report import on a real SQLite file: dry run, all-or-none, events, audit and outbox."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from domain.catalogue import Catalogue
from domain.notifications import QuietHours
from domain.statuses import ApplicationStatus as S
from domain.statuses import PlanType
from services.imports.bank_import import ImportResult, import_bank_report, render_import_result
from services.imports.bank_report import parse_amount_rials, parse_payment_date
from storage import Store
from tests.catalogues import parsed_catalogue
from tests.conftest import migrated
from tests.integration.office_seed import NATIONAL, TRACKING, seed_application
from texts.formatting import format_toman, to_persian_digits
from texts.i18n import _

TEHRAN = ZoneInfo("Asia/Tehran")  # the office's time zone (the TIMEZONE setting)
DATA = Path(__file__).resolve().parent.parent / "data"
TODAY = date(2026, 1, 10)
NO_QUIET = QuietHours(start_hour=0, end_hour=0)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return parsed_catalogue()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(migrated(tmp_path / "data" / "homebiz.db"))
    yield opened
    await opened.close()


async def seed_office(store: Store) -> dict[str, int]:
    """The applications tests/data/bank_report_*.csv name; returns tracking code → id."""
    plans = [
        (1, TRACKING[0], NATIONAL[0], PlanType.INDEPENDENT, S.INTRODUCED_TO_BANK),
        (2, TRACKING[1], NATIONAL[1], PlanType.INDEPENDENT, S.INTRODUCED_TO_BANK),
        (3, TRACKING[2], NATIONAL[2], PlanType.SUPPORTING, S.INTRODUCED_TO_BANK),
        (4, TRACKING[4], NATIONAL[3], PlanType.INDEPENDENT, S.INTRODUCED_TO_BANK),
        (4, TRACKING[5], NATIONAL[3], PlanType.SUPPORTING, S.INTRODUCED_TO_BANK),
        (5, TRACKING[3], NATIONAL[4], PlanType.INDEPENDENT, S.APPROVED),
    ]
    ids = {}
    for user, code, national, plan, status in plans:
        app = await seed_application(
            store,
            user_id=user,
            status=status,
            plan_type=plan,
            tracking_code=code,
            national_code=national,
            requested_rials=45_000_000_000 if plan is PlanType.SUPPORTING else 2_000_000_000,
        )
        ids[code] = app.id
    return ids


async def _counts(store: Store) -> tuple[int, int, int]:
    async with store.db.read() as c:
        counts = []
        for table in ("status_events", "audit_log", "outbox"):
            async with c.execute(f"SELECT COUNT(*) FROM {table}") as cur:
                row = await cur.fetchone()
                assert row is not None
                counts.append(int(row[0]))
    return counts[0], counts[1], counts[2]


async def _run(
    store: Store, catalogue: Catalogue, path: Path, *, dry_run: bool = False
) -> ImportResult:
    return await import_bank_report(
        store, catalogue, path, tz=TEHRAN, dry_run=dry_run, today=TODAY, quiet_hours=NO_QUIET
    )


async def test_good_file_dry_run_then_real(store: Store, catalogue: Catalogue) -> None:
    ids = await seed_office(store)
    path = DATA / "bank_report_good.csv"
    before = await _counts(store)

    dry = await _run(store, catalogue, path, dry_run=True)
    assert dry.ok and dry.dry_run and not dry.applied
    assert [p.row for p in dry.payments] == [2, 3, 4]
    assert await _counts(store) == before
    for code in TRACKING[:3]:
        app = await store.applications.get(ids[code])
        assert app is not None and app.status is S.INTRODUCED_TO_BANK
    text = render_import_result(dry)
    assert to_persian_digits(TRACKING[0]) in text and "2" not in text  # Persian digits only

    real = await _run(store, catalogue, path)
    assert real.ok and real.applied
    events, audits, outbox = await _counts(store)
    assert (events, audits, outbox) == (before[0] + 3, before[1] + 3, before[2] + 3)

    expected = {
        TRACKING[0]: (2_000_000_000, date(2025, 11, 6)),
        TRACKING[1]: (1_500_000_000, date(2025, 11, 6)),
        TRACKING[2]: (45_000_000_000, date(2025, 11, 11)),  # 1404-08-20
    }
    for code, (amount, paid_on) in expected.items():
        app = await store.applications.get(ids[code])
        assert app is not None
        assert (app.status, app.paid_rials, app.paid_on) == (S.PAID, amount, paid_on)
        last = (await store.status_events.timeline(app.id))[-1]
        assert last.actor == "import:bank_report_good.csv"
        assert last.details == {"amount_rials": amount, "paid_on": paid_on.isoformat()}
        audit = (await store.audit.list(subject=f"application:{app.id}", limit=1))[0]
        assert audit.actor == "import:bank_report_good.csv"
        assert audit.before["status"] == "introduced_to_bank"
        assert audit.after["status"] == "paid"
        note = await store.outbox.get_by_dedupe_key(f"status_event:{last.id}")
        assert note is not None
        assert to_persian_digits(code) in note.text
        assert format_toman(amount) in note.text
        assert note.text.startswith("تسهیلات")
    assert "3" not in render_import_result(real)

    again = await _run(store, catalogue, path)  # the same file twice: already paid
    assert not again.applied and len(again.problems) == 3


async def test_mixed_file_applies_nothing_and_lists_every_bad_row(
    store: Store, catalogue: Catalogue
) -> None:
    ids = await seed_office(store)
    before = await _counts(store)
    result = await _run(store, catalogue, DATA / "bank_report_mixed.csv")
    assert not result.ok and not result.applied
    assert await _counts(store) == before
    app = await store.applications.get(ids[TRACKING[0]])
    assert app is not None and app.status is S.INTRODUCED_TO_BANK  # its good row was not applied

    reasons = {p.row: p.reason for p in result.problems}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9]
    assert reasons[3] == _("no application has this tracking code")
    assert reasons[4] == _(
        "several applications introduced to a bank have this national code; use the tracking code"
    )
    assert reasons[5].startswith("درخواست تأیید شده")  # approved, not yet introduced
    assert reasons[6] == _("the amount is missing or not a whole number of rials")
    assert reasons[7] == _("the payment date is missing or not a valid date")
    assert reasons[8] == _("«{bank}» is not one of the agent banks").format(bank="بانک آینده")
    assert reasons[9] == _("the tracking code is not valid")

    text = render_import_result(result)
    for row in reasons:
        assert _("Row {row}: {reason}").format(row=to_persian_digits(row), reason=reasons[row]) in (
            text
        )


async def test_xlsx_report(store: Store, catalogue: Catalogue, tmp_path: Path) -> None:
    ids = await seed_office(store)
    book = Workbook()
    sheet = book.active
    sheet.append(["Tracking Code", "National Code", "Bank", "Branch", "Amount", "Paid On"])
    sheet.append([int(TRACKING[0]), None, "بانك ملت", "مرکزی", 2_000_000_000, date(2025, 11, 6)])
    sheet.append([None, NATIONAL[1], "ملت", "بروجرد", 1_500_000_000.0, "۱۴۰۴/۰۸/۱۶"])
    path = tmp_path / "bank_report.xlsx"
    await asyncio.to_thread(book.save, path)

    result = await _run(store, catalogue, path)
    assert result.ok and result.applied, result.problems
    first = await store.applications.get(ids[TRACKING[0]])
    second = await store.applications.get(ids[TRACKING[1]])
    assert first is not None and first.paid_on == date(2025, 11, 6)
    assert second is not None and second.paid_on == date(2025, 11, 7)
    assert second.paid_rials == 1_500_000_000


async def test_wrong_bank_and_duplicates_and_future_dates(
    store: Store, catalogue: Catalogue, tmp_path: Path
) -> None:
    await seed_office(store)
    path = tmp_path / "report.csv"
    path.write_text(
        "کد رهگیری,بانک,مبلغ,تاریخ پرداخت\n"
        f"{TRACKING[0]},تجارت,100,1404/08/15\n"
        f"{TRACKING[1]},ملت,100,1404/08/15\n"
        f"{TRACKING[1]},ملت,100,1404/08/15\n"
        f"{TRACKING[2]},ملت,100,1410/01/01\n",
        encoding="utf-8",
    )
    result = await _run(store, catalogue, path)
    reasons = {p.row: p.reason for p in result.problems}
    assert sorted(reasons) == [2, 4, 5]
    assert "تجارت" in reasons[2] and "ملت" in reasons[2]
    assert to_persian_digits(3) in reasons[4]
    assert reasons[5] == _("the payment date is in the future")


async def test_file_level_problems(store: Store, catalogue: Catalogue, tmp_path: Path) -> None:
    missing = tmp_path / "missing_columns.csv"
    missing.write_text("کد رهگیری,شعبه\n64330128,مرکزی\n", encoding="utf-8")
    result = await _run(store, catalogue, missing)
    assert result.file_problem is not None and "بانک" in result.file_problem
    other = tmp_path / "report.txt"
    other.write_text("x", encoding="utf-8")
    assert (await _run(store, catalogue, other)).file_problem is not None
    empty = tmp_path / "empty.csv"
    empty.write_text("\ufeff\n\n", encoding="utf-8")
    assert (await _run(store, catalogue, empty)).file_problem == _("The file is empty.")


def test_cell_parsers() -> None:
    assert parse_amount_rials("۲٬۰۰۰٬۰۰۰٬۰۰۰") == 2_000_000_000
    assert parse_amount_rials("2,000,000,000 ریال") == 2_000_000_000
    assert parse_amount_rials(1.5) is None
    assert parse_amount_rials("0") is None
    assert parse_payment_date("۱۴۰۴/۰۸/۱۵") == date(2025, 11, 6)
    assert parse_payment_date("٢٠٢٥-١١-٠٦") == date(2025, 11, 6)
    assert parse_payment_date("15/08/1404") == date(2025, 11, 6)
    assert parse_payment_date("1404/12/31") is None  # 1404 is not a leap year
    assert parse_payment_date("soon") is None


def test_cli_dry_run_and_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`homebiz import-bank-report` as the officer runs it: output, exit codes, all or none."""
    from bot.cli import main

    data_dir = tmp_path / "data"
    monkeypatch.chdir(tmp_path)  # no .env from the working tree
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)

    async def seed() -> None:
        store = await Store.open(data_dir / "homebiz.db")
        try:
            await seed_office(store)
        finally:
            await store.close()

    asyncio.run(seed())
    good = tmp_path / "bank_report_good.csv"
    shutil.copy(DATA / "bank_report_good.csv", good)

    assert main(["import-bank-report", str(DATA / "bank_report_mixed.csv")]) == 1
    out = capsys.readouterr().out
    assert out.count("ردیف ") >= 7 and "هیچ تغییری اعمال نشد" in out

    assert main(["import-bank-report", str(good), "--dry-run"]) == 0
    assert "اجرای آزمایشی" in capsys.readouterr().out
    assert main(["import-bank-report", str(good)]) == 0
    out = capsys.readouterr().out
    assert "انجام شد" in out and NATIONAL[1] not in out

    async def statuses() -> list[str]:
        store = await Store.open(data_dir / "homebiz.db")
        try:
            return [a.status.value for a in await store.applications.list_by_status(S.PAID)]
        finally:
            await store.close()

    assert len(asyncio.run(statuses())) == 3
