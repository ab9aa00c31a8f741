"""The store on a real SQLite file: migrations, repositories, transactions, concurrency."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

import pytest

from domain.models import Document, OpenApplicationExists, StatusEvent
from domain.statuses import ApplicationStatus, DocumentStatus, PlanType
from storage import Database, Store
from tests.clock import FakeClock
from tests.conftest import migrated


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 3, 1, 8, 30, tzinfo=UTC))


@pytest.fixture
async def store(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Store]:
    opened = await Store.open(migrated(tmp_path / "data" / "bot.sqlite3"), clock=clock)
    yield opened
    await opened.close()


def _versions(path: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(path) as conn:
        return [tuple(r) for r in conn.execute("SELECT version, name FROM schema_version")]


def _package_migrations() -> list[str]:
    folder = resources.files("storage.migrations")
    return sorted(e.name for e in folder.iterdir() if e.name.endswith(".sql"))


# --- database and migrations ----------------------------------------------------------------


async def test_open_creates_wal_database_and_records_migrations(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "bot.sqlite3"
    async with Database(path) as db, db.read() as conn:
        async with conn.execute("PRAGMA journal_mode") as cur:
            row = await cur.fetchone()
        assert row is not None and row[0] == "wal"
        async with conn.execute("PRAGMA foreign_keys") as cur:
            row = await cur.fetchone()
        assert row is not None and row[0] == 1
    recorded = _versions(path)
    assert recorded[0] == (1, "initial")
    assert [f"{v:04d}_{n}.sql" for v, n in recorded] == _package_migrations()


async def test_reopening_applies_nothing_new(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    async with Database(path):
        pass
    first = _versions(path)
    async with Database(path):
        pass
    assert _versions(path) == first


async def test_a_migration_added_later_is_applied_on_next_open(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    source = resources.files("storage.migrations") / "0001_initial.sql"
    shutil.copyfile(str(source), folder / "0001_initial.sql")
    path = tmp_path / "bot.sqlite3"
    async with Database(path, migrations=folder):
        pass
    assert _versions(path) == [(1, "initial")]

    (folder / "0042_notes.sql").write_text(
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n"
        "INSERT INTO notes (body) VALUES ('a; b');\n"
    )
    async with (
        Database(path, migrations=folder) as db,
        db.read() as conn,
        conn.execute("SELECT body FROM notes") as cur,
    ):
        rows = await cur.fetchall()
    assert [r[0] for r in rows] == ["a; b"]
    assert _versions(path) == [(1, "initial"), (42, "notes")]


async def test_a_failing_migration_leaves_nothing_behind(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_good.sql").write_text("CREATE TABLE a (id INTEGER PRIMARY KEY);")
    (folder / "0002_bad.sql").write_text("CREATE TABLE b (id INTEGER);\nTHIS IS NOT SQL;")
    path = tmp_path / "bot.sqlite3"
    with pytest.raises(sqlite3.OperationalError):
        await Database(path, migrations=folder).open()
    assert _versions(path) == [(1, "good")]
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "a" in tables and "b" not in tables


async def test_rollback_on_exception_leaves_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.db.transaction() as conn:
            citizen = await store.citizens.get_or_create("telegram", 7, 7, conn=conn)
            await store.applications.create_draft(citizen.id, PlanType.INDEPENDENT, conn=conn)
            raise RuntimeError("boom")
    assert await store.citizens.get_by_platform_user("telegram", 7) is None
    async with store.db.read() as conn, conn.execute("SELECT COUNT(*) FROM applications") as cur:
        row = await cur.fetchone()
    assert row is not None and row[0] == 0


async def test_nested_transaction_is_a_savepoint(store: Store) -> None:
    async with store.db.transaction():
        kept = await store.citizens.get_or_create("telegram", 1, 1)  # joins the outer one
        with pytest.raises(ValueError):
            async with store.db.transaction() as inner:
                await store.citizens.get_or_create("telegram", 2, 2, conn=inner)
                raise ValueError("undo only the inner part")
    assert await store.citizens.get(kept.id) is not None
    assert await store.citizens.get_by_platform_user("telegram", 2) is None


async def test_reader_sees_committed_data_while_a_write_is_open(store: Store) -> None:
    before = await store.citizens.get_or_create("bale", 5, 5)
    async with store.db.transaction() as conn:
        await store.citizens.update_contact(before.id, full_name="Sara", conn=conn)
        # Another task reads the last committed state...
        seen = await asyncio.create_task(store.citizens.get(before.id))
        assert seen is not None and seen.full_name is None
        # ...while the writing task (an update's unit of work) sees what it just wrote.
        own = await store.citizens.get(before.id)
        assert own is not None and own.full_name == "Sara"
    after = await store.citizens.get(before.id)
    assert after is not None and after.full_name == "Sara"


async def test_fifty_concurrent_writers_all_land(store: Store) -> None:
    async def one(i: int) -> None:
        citizen = await store.citizens.get_or_create("telegram", 1000 + i, 1000 + i)
        app = await store.applications.create_draft(citizen.id, PlanType.INDEPENDENT, {"i": i})
        await store.audit.record(f"citizen:{citizen.id}", "draft", f"application:{app.id}")

    await asyncio.gather(*(one(i) for i in range(50)))
    async with store.db.read() as conn:
        for table in ("citizens", "applications", "audit_log"):
            async with conn.execute(f"SELECT COUNT(*) FROM {table}") as cur:
                row = await cur.fetchone()
            assert row is not None and row[0] == 50, table


async def test_closed_database_refuses_work(tmp_path: Path) -> None:
    db = Database(tmp_path / "bot.sqlite3")
    with pytest.raises(RuntimeError):
        async with db.transaction():
            pass


# --- repositories ---------------------------------------------------------------------------


async def test_citizen_round_trip(store: Store, clock: FakeClock) -> None:
    citizen = await store.citizens.get_or_create("telegram", 42, 4200)
    assert citizen.created_at == clock.now
    again = await store.citizens.get_or_create("telegram", 42, 4200)
    assert again == citizen
    clock.advance(hours=1)
    moved = await store.citizens.get_or_create("telegram", 42, 4201)
    assert moved.id == citizen.id and moved.chat_id == 4201 and moved.updated_at == clock.now

    updated = await store.citizens.update_contact(
        citizen.id, phone="+989121234567", full_name="مریم احمدی", national_code="0499370899"
    )
    assert updated.full_name == "مریم احمدی"
    assert await store.citizens.get(citizen.id) == updated
    assert await store.citizens.get_by_platform_user("telegram", 42) == updated
    assert await store.citizens.get_by_platform_user("bale", 42) is None
    assert await store.citizens.find_by_national_code("0499370899") == [updated]
    assert await store.citizens.find_by_phone("+989121234567") == [updated]
    with pytest.raises(LookupError):
        await store.citizens.update_contact(999, full_name="x")


async def test_application_round_trip(store: Store, clock: FakeClock) -> None:
    citizen = await store.citizens.get_or_create("telegram", 1, 1)
    draft = await store.applications.create_draft(
        citizen.id, PlanType.INDEPENDENT, {"activity": "گلیم‌بافی"}, step="activity"
    )
    assert draft.status is ApplicationStatus.DRAFT
    assert draft.answers == {"activity": "گلیم‌بافی"}
    assert draft.step == "activity"

    clock.advance(minutes=5)
    saved = await store.applications.save_answers(
        draft.id, {"activity": "گلیم‌بافی", "county": "خرم‌آباد"}, "county"
    )
    assert saved.step == "county" and saved.answers["county"] == "خرم‌آباد"
    assert saved.updated_at == clock.now

    submitted_at = clock.now
    updated = await store.applications.update_fields(
        draft.id,
        tracking_code="HB-0001",
        national_code="0499370899",
        birth_date=date(1990, 5, 17),
        requested_rials=2_000_000_000,
        paid_on=date(2025, 6, 1),
        submitted_at=submitted_at,
    )
    assert updated.birth_date == date(1990, 5, 17)
    assert updated.requested_rials == 2_000_000_000
    assert updated.submitted_at == submitted_at
    with pytest.raises(ValueError):
        await store.applications.update_fields(draft.id, status="paid")

    moved = await store.applications.set_status(draft.id, ApplicationStatus.SUBMITTED)
    assert moved.status is ApplicationStatus.SUBMITTED
    assert await store.applications.get(draft.id) == moved
    assert await store.applications.find_by_tracking_code("HB-0001") == moved
    assert await store.applications.find_by_tracking_code("nope") is None
    assert await store.applications.find_by_national_code("0499370899") == [moved]
    assert await store.applications.list_for_citizen(citizen.id) == [moved]
    assert await store.applications.open_draft_for_citizen(citizen.id) is None
    assert await store.applications.list_by_status(ApplicationStatus.SUBMITTED) == [moved]


async def test_one_open_application_per_plan(store: Store) -> None:
    citizen = await store.citizens.get_or_create("telegram", 1, 1)
    first = await store.applications.create_draft(citizen.id, PlanType.INDEPENDENT)
    with pytest.raises(OpenApplicationExists) as caught:
        await store.applications.create_draft(citizen.id, PlanType.INDEPENDENT)
    assert caught.value.citizen_id == citizen.id
    # Another plan type is allowed beside it.
    other = await store.applications.create_draft(citizen.id, PlanType.SUPPORTING)
    draft = await store.applications.open_draft_for_citizen(citizen.id, PlanType.SUPPORTING)
    assert draft == other
    # Once closed, a new one of the same plan may start; reopening the old one is refused.
    await store.applications.set_status(first.id, ApplicationStatus.REJECTED)
    again = await store.applications.create_draft(citizen.id, PlanType.INDEPENDENT)
    assert again.id != first.id
    with pytest.raises(OpenApplicationExists):
        await store.applications.set_status(first.id, ApplicationStatus.UNDER_REVIEW)


async def test_a_draft_changes_plan_type_unless_that_plan_is_open(store: Store) -> None:
    citizen = await store.citizens.get_or_create("telegram", 1, 1)
    draft = await store.applications.create_draft(citizen.id, PlanType.INDEPENDENT)
    await store.applications.change_draft_plan_type(draft.id, PlanType.SUPPORTING)
    moved = await store.applications.get(draft.id)
    assert moved is not None and moved.plan_type is PlanType.SUPPORTING
    await store.applications.create_draft(citizen.id, PlanType.INDEPENDENT)
    with pytest.raises(OpenApplicationExists) as caught:
        await store.applications.change_draft_plan_type(draft.id, PlanType.INDEPENDENT)
    assert caught.value.plan_type is PlanType.INDEPENDENT
    unchanged = await store.applications.get(draft.id)
    assert unchanged is not None and unchanged.plan_type is PlanType.SUPPORTING


async def test_ownership_check(store: Store) -> None:
    owner = await store.citizens.get_or_create("telegram", 1, 1)
    stranger = await store.citizens.get_or_create("telegram", 2, 2)
    app = await store.applications.create_draft(owner.id, PlanType.INDEPENDENT)
    assert await store.applications.get_for_citizen(app.id, owner.id) == app
    assert await store.applications.get_for_citizen(app.id, stranger.id) is None


def _doc(app_id: int, kind: str, name: str) -> Document:
    return Document(
        application_id=app_id,
        kind=kind,
        stored_name=name,
        sha256="0" * 64,
        mime_type="image/jpeg",
        size_bytes=1234,
        platform_file_id="file-" + name,
    )


async def test_documents_latest_and_history(store: Store) -> None:
    citizen = await store.citizens.get_or_create("telegram", 1, 1)
    app = await store.applications.create_draft(citizen.id, PlanType.INDEPENDENT)
    card = await store.documents.add(_doc(app.id, "national_card", "a.jpg"))
    photo = await store.documents.add(_doc(app.id, "photo", "b.jpg"))
    assert card.id is not None and card.created_at is not None
    assert await store.documents.get(card.id) == card

    assert photo.id is not None
    flagged = await store.documents.set_status(
        photo.id, DocumentStatus.NEEDS_CORRECTION, reason="blurry"
    )
    assert flagged.reason == "blurry"
    new_photo = await store.documents.replace(photo.id, _doc(app.id, "photo", "c.jpg"))

    docs = await store.documents.list_for_application(app.id)
    assert [d.stored_name for d in docs.history] == ["a.jpg", "b.jpg", "c.jpg"]
    assert docs.history[1].status is DocumentStatus.REPLACED
    assert docs.latest == {"national_card": card, "photo": new_photo}


async def test_document_needs_an_existing_application(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        await store.documents.add(_doc(12345, "photo", "x.jpg"))


async def test_status_events_timeline(store: Store, clock: FakeClock) -> None:
    citizen = await store.citizens.get_or_create("telegram", 1, 1)
    app = await store.applications.create_draft(citizen.id, PlanType.INDEPENDENT)
    async with store.db.transaction() as conn:  # status and event in one transaction
        await store.applications.set_status(app.id, ApplicationStatus.SUBMITTED, conn)
        first = await store.status_events.add(
            StatusEvent(
                application_id=app.id,
                from_status=ApplicationStatus.DRAFT,
                to_status=ApplicationStatus.SUBMITTED,
                actor=f"citizen:{citizen.id}",
            ),
            conn=conn,
        )
    clock.advance(days=2)
    second = await store.status_events.add(
        StatusEvent(
            application_id=app.id,
            from_status=ApplicationStatus.SUBMITTED,
            to_status=ApplicationStatus.NEEDS_CORRECTION,
            actor="officer:900001",
            reason="عکس ناخوانا است",
            details={"documents": ["photo"]},
        )
    )
    assert second.created_at == clock.now
    timeline = await store.status_events.timeline(app.id)
    assert timeline == [first, second]
    assert timeline[1].details == {"documents": ["photo"]}


async def test_audit_log(store: Store) -> None:
    await store.audit.record("officer:1", "set_status", "application:1", {"s": "a"}, {"s": "b"})
    await store.audit.record("system", "import", "application:2", None, [1, 2])
    entry = await store.audit.record(
        "officer:1", "paid", "application:1", None, {"on": date(2025, 1, 2)}
    )
    assert entry.after == {"on": "2025-01-02"}
    newest_first = await store.audit.list()
    assert [e.action for e in newest_first] == ["paid", "import", "set_status"]
    only_one = await store.audit.list(subject="application:1", limit=1)
    assert only_one == [entry]
    assert (await store.audit.list(subject="application:1"))[1].before == {"s": "a"}


async def test_nested_reads_in_one_task_do_not_deadlock(store: Store) -> None:
    citizen = await store.citizens.get_or_create("telegram", 1, 1)
    async with store.db.read():
        assert await store.citizens.get(citizen.id) == citizen
