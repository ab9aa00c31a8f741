"""Officer searches on a real SQLite file: every search path is an index probe, never a scan.

The query plans are read from SQLite itself (EXPLAIN QUERY PLAN of the statements the
repository really runs, captured with a trace callback). Phones are found whatever form the
officer types; names by any word, in either order, with or without ZWNJ or Arabic letters.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from importlib import resources
from pathlib import Path

import pytest

from domain.statuses import PlanType
from storage import Database, Store
from storage.applications import name_keys
from tests.integration.conftest import SeededStore
from tests.integration.scale_seed import (
    SCALE_APPLICATIONS,
    SCALE_NOW,
    national_code_for,
    phone_for,
    tracking_code_for,
)

NOW = SCALE_NOW


@pytest.fixture(scope="module")
def seeded(seeded_store: SeededStore) -> Path:
    """A store of a few thousand applications (seeded once per run, copied per test)."""
    return seeded_store(SCALE_APPLICATIONS, now=NOW)


@pytest.fixture
async def store(seeded: Path, tmp_path: Path) -> AsyncIterator[Store]:
    path = tmp_path / "homebiz.db"
    shutil.copy(seeded, path)
    opened = await Store.open(path)
    yield opened
    await opened.close()


async def _plans(store: Store, search: Callable[[], Awaitable[object]]) -> list[str]:
    """The query plan lines of every SELECT the search ran on the reader connection."""
    statements: list[str] = []
    reader = store.db._reader  # searches read through the reader: trace it there
    assert reader is not None
    await reader.set_trace_callback(statements.append)
    try:
        await search()
    finally:
        await reader.set_trace_callback(None)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert selects, "the search ran no SELECT"
    lines: list[str] = []
    async with store.db.read() as c:
        for sql in selects:
            async with c.execute(f"EXPLAIN QUERY PLAN {sql}") as cur:
                lines += [str(row[3]) for row in await cur.fetchall()]
    return lines


async def test_no_search_path_scans_a_table(store: Store) -> None:
    apps = store.applications
    n = 1_234  # the 1,235th seeded application: its codes and phone
    searches: dict[str, Callable[[], Awaitable[object]]] = {
        "tracking code": lambda: apps.find_by_tracking_code(tracking_code_for(n)),
        "national code": lambda: apps.find_by_national_code(national_code_for(n)),
        "phone": lambda: apps.find_by_phone(phone_for(n)),
        "name": lambda: apps.search_by_name("مریم"),
        "surname": lambda: apps.search_by_name("بیرانوند"),
        "full name": lambda: apps.search_by_name("فاطمه احمدی"),
        "many tracking codes": lambda: apps.find_by_tracking_codes(
            [tracking_code_for(i) for i in range(1, 600, 7)]
        ),
        "many national codes": lambda: apps.find_by_national_codes(
            [national_code_for(i) for i in range(1, 600, 7)]
        ),
    }
    for label, search in searches.items():
        plan = await _plans(store, search)
        scans = [line for line in plan if line.startswith("SCAN")]
        assert not scans, f"{label}: {plan}"
        assert any("INDEX" in line or "PRIMARY KEY" in line for line in plan), f"{label}: {plan}"


async def test_phone_found_whatever_form_is_typed(store: Store) -> None:
    n = 77
    canonical = phone_for(n)  # +989XXXXXXXXX
    local = "0" + canonical.removeprefix("+98")
    persian = local.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    spaced = f"{local[:4]} {local[4:7]} {local[7:]}"
    expected = await store.applications.find_by_phone(canonical)
    assert [a.national_code for a in expected] == [national_code_for(n)]
    for typed in (local, persian, spaced, "0098" + canonical.removeprefix("+98"), canonical[1:]):
        assert await store.applications.find_by_phone(typed) == expected, typed


async def test_a_phone_is_stored_in_one_form(store: Store) -> None:
    citizen = await store.citizens.get_or_create("telegram", 5, 5)
    draft = await store.applications.create_draft(citizen.id, PlanType.INDEPENDENT)
    saved = await store.applications.update_fields(draft.id, phone="۰۹۱۲ ۳۴۵ ۶۷۸۹")
    assert saved.phone == "+989123456789"
    assert [a.id for a in await store.applications.find_by_phone("09123456789")] == [draft.id]


async def test_name_search_by_any_word_in_either_order(store: Store) -> None:
    citizen = await store.citizens.get_or_create("telegram", 6, 6)
    draft = await store.applications.create_draft(citizen.id, PlanType.INDEPENDENT)
    await store.applications.update_fields(draft.id, full_name="زهره میر\u200cمحمدی‌نژاد")
    apps = store.applications
    for typed in (
        "زهره میرمحمدی",  # no ZWNJ
        "زهره میر\u200cمحمدی\u200cنژاد",  # as stored
        "میرمحمدی نژاد زهره",  # surname first
        "میرمحمد",  # a prefix of the surname
        "زهره میر",
        "زهرة مير",  # Arabic letters
    ):
        found = await apps.search_by_name(typed)
        assert found is not None and draft.id in [a.id for a in found], typed
    inside = await apps.search_by_name("محمدی زهره")  # «محمدی» starts no word of the name
    assert inside is not None and draft.id not in [a.id for a in inside]
    assert await apps.search_by_name("ز") is None  # too short to search

    renamed = await apps.update_fields(draft.id, full_name="زهره کرمی")
    assert renamed.full_name == "زهره کرمی"
    found = await apps.search_by_name("میرمحمدی")
    assert found is not None and draft.id not in [a.id for a in found]
    found = await apps.search_by_name("کرمی زهره")
    assert found is not None and draft.id in [a.id for a in found]


async def test_name_search_is_limited(store: Store) -> None:
    found = await store.applications.search_by_name("محمد", limit=20)
    assert found is not None and len(found) == 20
    assert len({a.id for a in found}) == 20


def _migrations_before_0009(folder: Path) -> Path:
    folder.mkdir()
    for entry in resources.files("storage.migrations").iterdir():
        if entry.name.endswith(".sql") and int(entry.name[:4]) < 9:
            (folder / entry.name).write_text(entry.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


NAMES = (
    "مریم احمدی",
    "محمد\u200cرضا  کریمی\u200cپور",  # ZWNJ inside words, two spaces
    "علي كرمي",  # Arabic ي and ك
    "فاطمة مؤمني",  # ة and ؤ
    "سیده زهرا میر صادقی",
    "Sara Ahmadi",
    "آزاده ئیلخانی",
)


async def test_migration_keys_old_names_as_the_repository_does(tmp_path: Path) -> None:
    """Rows stored before 0009 get the same name keys (SQL) as new writes get (Python)."""
    path = tmp_path / "old.db"
    async with Database(path, migrations=_migrations_before_0009(tmp_path / "old")):
        pass
    with sqlite3.connect(path) as conn:
        stamp = NOW.isoformat()
        conn.executemany(
            "INSERT INTO citizens (id, platform, user_id, chat_id, phone, created_at, updated_at)"
            " VALUES (?, 'telegram', ?, ?, ?, ?, ?)",
            [(i, i, i, "09121234567" if i == 1 else None, stamp, stamp) for i in range(1, 8)],
        )
        phones = (
            "09121234567",
            "989121234568",
            "00989121234569",
            "9121234560",
            "+989121234561",
            "۰۹۱۲",
            None,
        )
        conn.executemany(
            "INSERT INTO applications (id, citizen_id, plan_type, status, full_name, phone,"
            " created_at, updated_at, submitted_at)"
            " VALUES (?, ?, 'independent', 'submitted', ?, ?, ?, ?, ?)",
            [
                (i, i, name, phone, stamp, stamp, stamp)
                for i, (name, phone) in enumerate(zip(NAMES, phones, strict=True), 1)
            ],
        )
    async with Database(path) as db:
        store = Store.on(db)
        async with db.read() as c:
            async with c.execute(
                "SELECT application_id, name_key FROM application_names ORDER BY 1, 2"
            ) as cur:
                stored = [(int(r[0]), str(r[1])) for r in await cur.fetchall()]
            async with c.execute("SELECT id, phone, filed_at FROM applications ORDER BY id") as cur:
                rows = [tuple(r) for r in await cur.fetchall()]
        expected = sorted((i, key) for i, name in enumerate(NAMES, 1) for key in name_keys(name))
        assert stored == expected
        phones = [r[1] for r in rows]
        assert phones[:5] == [
            "+989121234567",
            "+989121234568",
            "+989121234569",
            "+989121234560",
            "+989121234561",
        ]
        assert phones[5:] == ["۰۹۱۲", None]  # not a mobile number: left as it was
        assert all(r[2] == stamp for r in rows)  # filed_at filled in
        async with db.read() as c, c.execute("SELECT phone FROM citizens WHERE id = 1") as cur:
            citizen_phone = await cur.fetchone()
        assert citizen_phone is not None and citizen_phone[0] == "+989121234567"
        found = await store.applications.find_by_phone("09121234567")
        assert [a.id for a in found] == [1]


async def test_searches_run_beside_writes(store: Store) -> None:
    """Searches read the reader connection: they never wait on the write lock."""
    async with store.db.transaction():
        found = await asyncio.wait_for(store.applications.find_by_phone(phone_for(5)), 5)
    assert [a.national_code for a in found] == [national_code_for(5)]
