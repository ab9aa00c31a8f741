"""A large bank report on a real SQLite file: short transactions, the bot keeps writing, exactly
the rows one officer's moves would write, and a crash mid-import finished on the next run.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import sqlite3
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.runtime import running_bot
from botapi_emulator import Emulator
from domain.catalogue import Catalogue
from domain.notifications import QuietHours
from domain.statuses import ApplicationStatus as S
from domain.statuses import PlanType
from services.imports.bank_import import (
    ImportResult,
    import_bank_report,
    render_import_result,
)
from services.imports.bank_import_run import resume_imports
from storage import Store
from storage.bank_imports import BankImportRepository, ImportStatus, PlannedPayment
from storage.status_changes import change_status
from tests.catalogues import parsed_catalogue
from tests.clock import FakeClock
from tests.conftest import make_settings
from tests.integration.cli_runner import run_forked
from tests.integration.conftest import SeededStore
from tests.integration.killed_import import import_then_die
from tests.integration.scale_seed import SCALE_APPLICATIONS, SCALE_NOW, introduced_applications
from tests.shared_files import built_once
from texts.formatting import to_persian_digits
from texts.notifications import make_renderer

ROOT = Path(__file__).resolve().parents[2]
NOW = SCALE_NOW
TODAY = date(2026, 1, 10)
NO_QUIET = QuietHours(start_hour=0, end_hour=0)
# Ten chunks of a report paying 400 of the shared store's ~450 applications introduced to a
# bank: what is checked is per chunk (short transactions, the bot writing in between, a crash
# after three), so more rows per chunk would only cost time.
REPORT_ROWS = 400
CHUNK = 40
CRASH_AFTER = 3 * CHUNK
TABLES = ("applications", "status_events", "audit_log", "outbox", "documents")


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return parsed_catalogue()


@pytest.fixture(scope="module")
def seeded(seeded_store: SeededStore) -> Path:
    return seeded_store(SCALE_APPLICATIONS, now=NOW)


@pytest.fixture(scope="module")
def report(seeded: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bank's report paying REPORT_ROWS introduced applications (tracking code or national)."""
    path = tmp_path_factory.mktemp("report") / "mellat-1404-10.csv"
    lines = ["کد رهگیری,کد ملی,بانک,شعبه,مبلغ (ریال),تاریخ پرداخت"]
    for n, (code, national, bank, amount) in enumerate(
        introduced_applications(seeded, REPORT_ROWS)
    ):
        key = (code, "") if n % 3 else ("", national)  # every third row by national code
        lines.append(f"{key[0]},{key[1]},بانک {bank},مرکزی,{amount},۱۴۰۴/۰۸/{1 + n % 28:02d}")
    assert len(lines) == REPORT_ROWS + 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _copy(seeded: Path, folder: Path, name: str = "homebiz.db") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    shutil.copy(seeded, path)
    return path


@pytest.fixture
async def store(seeded: Path, tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(_copy(seeded, tmp_path), clock=FakeClock(NOW))
    yield opened
    await opened.close()


async def _import(
    store: Store, catalogue: Catalogue, report: Path, **kwargs: object
) -> ImportResult:
    return await import_bank_report(
        store,
        catalogue,
        report,
        today=TODAY,
        quiet_hours=NO_QUIET,
        chunk_rows=CHUNK,
        **kwargs,  # type: ignore[arg-type]
    )


def _dump(path: Path, tables: tuple[str, ...] = TABLES) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as conn:
        return {t: list(conn.execute(f"SELECT * FROM {t} ORDER BY id")) for t in tables}


async def test_the_rows_written_are_those_of_one_officer_move_each(
    seeded: Path, report: Path, catalogue: Catalogue, tmp_path: Path
) -> None:
    """Oracle: the old import, change_status once per payment in one transaction."""
    batched = await Store.open(_copy(seeded, tmp_path / "batched"), clock=FakeClock(NOW))
    oracle = await Store.open(_copy(seeded, tmp_path / "oracle"), clock=FakeClock(NOW))
    try:
        result = await _import(batched, catalogue, report)
        assert result.applied, result.problems
        assert len(result.payments) == REPORT_ROWS
        assert result.write_transactions >= REPORT_ROWS // CHUNK
        render = make_renderer(lambda code: code)
        async with oracle.db.transaction() as c:
            for payment in result.payments:
                await change_status(
                    oracle,
                    payment.application_id,
                    S.PAID,
                    actor=f"import:{report.name}",
                    details={
                        "amount_rials": payment.amount_rials,
                        "paid_on": payment.paid_on.isoformat(),
                    },
                    render=render,
                    quiet_hours=NO_QUIET,
                    conn=c,
                )
    finally:
        await batched.close()
        await oracle.close()
    got, expected = _dump(batched.db.path), _dump(oracle.db.path)
    for table in TABLES:
        assert got[table] == expected[table], table
    assert len(got["outbox"]) == REPORT_ROWS


async def test_the_bot_writes_while_a_large_report_is_applied(
    store: Store, report: Path, catalogue: Catalogue, seeded: Path, tmp_path: Path
) -> None:
    """Another connection (the bot's repositories) writes all along and is never locked out."""
    bot = await Store.open(store.db.path)
    bot_writer = bot.db._writer
    assert bot_writer is not None
    # Far below the 10 s default: a write that waits a whole import would fail here at once.
    await bot_writer.execute("PRAGMA busy_timeout=1000")
    citizen = await bot.citizens.get_or_create("telegram", 42, 42)
    draft = await bot.applications.create_draft(citizen.id, PlanType.INDEPENDENT)
    between: list[int] = []
    saved = 0
    importing = True

    async def bot_keeps_writing() -> None:
        nonlocal saved
        while importing:
            await bot.applications.save_answers(draft.id, {"step": saved}, "full_name")
            saved += 1
            # A write every millisecond or so: one that found the lock held for the whole
            # import would wait past busy_timeout and fail, as a write in a busy loop would.
            await asyncio.sleep(0.001)

    async def after_chunk(applied: int) -> None:
        # Between two chunks the write lock is free: a write that may not wait gets through.
        await bot_writer.execute("PRAGMA busy_timeout=0")
        try:
            await bot.citizens.get_or_create("telegram", 10_000 + applied, 10_000 + applied)
        finally:
            await bot_writer.execute("PRAGMA busy_timeout=1000")
        between.append(saved)

    writer = asyncio.create_task(bot_keeps_writing())
    try:
        result = await _import(store, catalogue, report, on_chunk=after_chunk)
    finally:
        importing = False
        await writer  # raises "database is locked" if the bot was ever locked out
        await bot.close()
    assert result.applied, result.problems
    assert len(between) == REPORT_ROWS // CHUNK
    assert between[-1] > between[0]  # the bot's writes went on during the import


def _crash_import_after(seeded: Path, report: Path, rows: int, path: Path) -> None:
    """Into ``path``, a copy of ``seeded`` on which a process applying ``report`` was killed
    (SIGKILL, by itself) once ``rows`` rows were applied."""
    shutil.copy(seeded, path)
    status = run_forked(import_then_die, str(path), str(report), rows, CHUNK)
    assert status == -signal.SIGKILL, status
    # What the killed process committed is in its write-ahead log: into the file with it.
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@pytest.fixture(scope="module")
def crashed(seeded: Path, report: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The store as a killed import left it, CRASH_AFTER rows in (killed once per run)."""
    return built_once(
        tmp_path_factory,
        f"bank-import-killed-{REPORT_ROWS}-{CHUNK}-{CRASH_AFTER}.db",
        lambda path: _crash_import_after(seeded, report, CRASH_AFTER, path),
    )


async def test_the_bot_finishes_an_interrupted_import_when_it_starts(
    crashed: Path, tmp_path: Path
) -> None:
    """A restart of the bot (not only the next import run) finishes a half-applied import."""
    path = _copy(crashed, tmp_path / "restart")
    async with Emulator() as emulator:
        settings = make_settings(emulator, tmp_path / "data", database_url=f"sqlite:///{path}")
        async with running_bot(settings, catalogue=parsed_catalogue()):
            pass
    with sqlite3.connect(path) as conn:
        (status,) = conn.execute("SELECT status FROM bank_imports").fetchone()
        (applied,) = conn.execute(
            "SELECT COUNT(*) FROM bank_import_rows WHERE applied_at IS NOT NULL"
        ).fetchone()
    assert status == "done" and applied == REPORT_ROWS


async def test_a_crash_mid_import_is_finished_by_the_next_run(
    crashed: Path, report: Path, catalogue: Catalogue, tmp_path: Path
) -> None:
    path = _copy(crashed, tmp_path / "crashed")
    with sqlite3.connect(path) as conn:
        (status,) = conn.execute("SELECT status FROM bank_imports").fetchone()
        (applied,) = conn.execute(
            "SELECT COUNT(*) FROM bank_import_rows WHERE applied_at IS NOT NULL"
        ).fetchone()
        (paid_by_import,) = conn.execute(
            "SELECT COUNT(*) FROM status_events WHERE actor = ?", (f"import:{report.name}",)
        ).fetchone()
        (notified,) = conn.execute("SELECT COUNT(*) FROM outbox").fetchone()
    assert status == "applying"
    assert applied == paid_by_import == CRASH_AFTER  # three chunks committed, whole
    assert notified == 0  # nobody is told before every row stands

    # The next run (two of them at once, even) finishes it; nothing is applied twice.
    first = await Store.open(path)
    second = await Store.open(path)
    try:
        done = await asyncio.gather(
            resume_imports(first, catalogue, quiet_hours=NO_QUIET, chunk_rows=CHUNK),
            resume_imports(second, catalogue, quiet_hours=NO_QUIET, chunk_rows=CHUNK),
        )
        assert [r.applied for r in done[0] + done[1]] == [True, True]
        assert await resume_imports(first, catalogue) == []  # nothing left open
    finally:
        await first.close()
        await second.close()

    with sqlite3.connect(path) as conn:
        (status,) = conn.execute("SELECT status FROM bank_imports").fetchone()
        events = conn.execute(
            "SELECT application_id, COUNT(*) FROM status_events WHERE actor = ?"
            " GROUP BY application_id",
            (f"import:{report.name}",),
        ).fetchall()
        audits = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT subject) FROM audit_log WHERE actor = ?",
            (f"import:{report.name}",),
        ).fetchone()
        outbox = conn.execute("SELECT COUNT(*), COUNT(DISTINCT dedupe_key) FROM outbox").fetchone()
        paid = conn.execute(
            "SELECT COUNT(*) FROM applications AS a JOIN bank_import_rows AS r"
            " ON r.application_id = a.id WHERE a.status = 'paid' AND a.paid_rials = r.amount_rials"
        ).fetchone()
    assert status == "done"
    assert len(events) == REPORT_ROWS and {n for _app, n in events} == {1}
    assert tuple(audits) == (REPORT_ROWS, REPORT_ROWS)
    assert tuple(outbox) == (REPORT_ROWS, REPORT_ROWS)
    assert paid[0] == REPORT_ROWS


async def test_a_crash_while_notifying_is_finished_without_doubles(
    store: Store, report: Path, catalogue: Catalogue
) -> None:
    imports = BankImportRepository(store.db)
    result = await _import(store, catalogue, report, dry_run=True)
    assert result.ok
    # Apply every row, then write a single chunk of notifications, then "crash".
    apps = await store.applications.get_many([p.application_id for p in result.payments])
    import_id = await imports.start(
        report.name,
        "0" * 64,
        f"import:{report.name}",
        [
            PlannedPayment(p.row, apps[p.application_id], p.amount_rials, p.paid_on)
            for p in result.payments
        ],
    )
    render = make_renderer(lambda code: code)
    while (await imports.apply_chunk(import_id, 4 * CHUNK, render)).applied:
        pass
    again = await imports.apply_chunk(import_id, 4 * CHUNK, render)  # applied twice: nothing
    assert again.done and not again.applied
    record = await imports.get(import_id)
    assert record is not None and record.status is ImportStatus.NOTIFYING
    last = await imports.notify_chunk(import_id, REPORT_ROWS // 3, quiet_hours=NO_QUIET)
    assert last is not None
    # the same rows again
    await imports.notify_chunk(import_id, REPORT_ROWS // 3, quiet_hours=NO_QUIET)
    finished = await resume_imports(store, catalogue, quiet_hours=NO_QUIET)
    assert [r.applied for r in finished] == [True]
    async with (
        store.db.read() as c,
        c.execute("SELECT COUNT(*), COUNT(DISTINCT dedupe_key) FROM outbox") as cur,
    ):
        row = await cur.fetchone()
    assert row is not None and tuple(row) == (REPORT_ROWS, REPORT_ROWS)


async def test_an_application_changed_meanwhile_rolls_the_whole_import_back(
    store: Store, report: Path, catalogue: Catalogue
) -> None:
    before = _dump(store.db.path)
    officer = await Store.open(store.db.path, clock=FakeClock(NOW))
    planned = await _import(store, catalogue, report, dry_run=True)
    late = planned.payments[-1].application_id  # applied in the last chunk
    moved = False

    async def officer_rejects_one(applied: int) -> None:
        nonlocal moved
        if not moved:
            moved = True
            await change_status(
                officer,
                late,
                S.REJECTED,
                "officer:900001",
                reason="انصراف متقاضی",
                render=make_renderer(),
                quiet_hours=NO_QUIET,
            )

    try:
        result = await _import(store, catalogue, report, on_chunk=officer_rejects_one)
    finally:
        await officer.close()
    assert not result.applied and not result.ok
    assert [p.row for p in result.problems] == [planned.payments[-1].row]
    assert "تغییر کرد" in render_import_result(result)
    after = _dump(store.db.path)
    # Everything is as it was, but for the officer's own move (its event, audit and notice).
    rejected = next(r for r in after["applications"] if r[0] == late)
    assert rejected[4] == "rejected"
    assert [r for r in after["applications"] if r[0] != late] == [
        r for r in before["applications"] if r[0] != late
    ]
    for table in ("status_events", "audit_log", "outbox"):
        assert len(after[table]) == len(before[table]) + 1, table
        assert after[table][:-1] == before[table], table
    record = await BankImportRepository(store.db).get(result.import_id or 0)
    assert record is not None and record.status is ImportStatus.ROLLED_BACK


def _with_bad_row(report: Path, bad: Path) -> None:
    lines = report.read_text(encoding="utf-8").splitlines()
    lines.insert(REPORT_ROWS - 5, "99999999,,بانک ملت,مرکزی,1000,۱۴۰۴/۰۸/۰۱")  # unknown code
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")


async def test_a_bad_row_anywhere_writes_nothing(
    store: Store, report: Path, catalogue: Catalogue, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    await asyncio.to_thread(_with_bad_row, report, bad)
    before = _dump(store.db.path, (*TABLES, "bank_imports"))
    result = await _import(store, catalogue, bad)
    assert not result.applied and len(result.problems) == 1
    assert _dump(store.db.path, (*TABLES, "bank_imports")) == before


class _Crash(Exception):
    """Stands for the process dying between two chunks."""


def test_the_officer_runs_the_interrupted_file_again(
    seeded: Path,
    report: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`homebiz import-bank-report` finishes the interrupted import and does not check it again."""
    from bot.cli import main

    data_dir = tmp_path / "data"
    path = _copy(seeded, data_dir)

    async def crash_after_two_chunks() -> None:
        store = await Store.open(path, clock=FakeClock(NOW))

        async def after_chunk(applied: int) -> None:
            if applied >= 2 * CHUNK:
                raise _Crash

        try:
            with pytest.raises(_Crash):
                await _import(store, parsed_catalogue(), report, on_chunk=after_chunk)
        finally:
            await store.close()

    asyncio.run(crash_after_two_chunks())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["import-bank-report", str(report)]) == 0
    out = capsys.readouterr().out
    assert "نیمه‌تمام" in out and f"{to_persian_digits(str(REPORT_ROWS))} درخواست" in out
    assert "هیچ تغییری اعمال نشد" not in out  # not checked again: nothing to complain about
    with sqlite3.connect(path) as conn:
        (status,) = conn.execute("SELECT status FROM bank_imports").fetchone()
        (paid,) = conn.execute(
            "SELECT COUNT(*) FROM status_events WHERE actor = ?", (f"import:{report.name}",)
        ).fetchone()
    assert status == "done" and paid == REPORT_ROWS
