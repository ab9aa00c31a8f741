"""A store and applications for the service tests (real SQLite file), and what they look at."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from domain.accounts import Account
from domain.models import Application, Citizen
from domain.notifications import QuietHours
from domain.statuses import PlanType
from services import applications, citizens, documents, lifecycle
from services.actors import Actor
from services.documents import FileRef
from storage import Store
from tests.conftest import migrated
from texts.notifications import make_renderer

OFFICER_ID = 900001  # in the store's configured officers (OFFICER_IDS)
OFFICER = Actor("officer", OFFICER_ID)
RENDER = make_renderer()
NO_QUIET = QuietHours(start_hour=0, end_hour=0)
REQUIRED = ("national_card", "photo")
NATIONAL_CODE = "0012345679"
TABLES = (
    "applications",
    "documents",
    "status_events",
    "audit_log",
    "outbox",
    "lookup_failures",
    "citizens",
)

_user_ids = itertools.count(1000)


@asynccontextmanager
async def open_store(folder: Path) -> AsyncIterator[Store]:
    """A migrated store on a file, whose configured officers are OFFICER_ID on telegram."""
    store = await Store.open(migrated(folder / "homebiz.db"))
    store.officers.configure({Account("telegram", OFFICER_ID)}, "telegram")
    try:
        yield store
    finally:
        await store.close()


async def new_citizen(store: Store) -> tuple[Citizen, Actor]:
    """A citizen who started the bot, and the actor they are to the services."""
    user_id = next(_user_ids)
    citizen = await citizens.register(store, "telegram", user_id, user_id + 5)
    return citizen, Actor("citizen", citizen.id)


def file_ref(name: str) -> FileRef:
    """A checked file (the services store its row; the bytes are not read)."""
    return FileRef(
        stored_name=f"2025/03/{name}.jpg",
        sha256=name.ljust(64, "0")[:64],
        mime_type="image/jpeg",
        size_bytes=1234,
        platform_file_id=f"file-{name}",
    )


async def draft_with_documents(
    store: Store, actor: Actor, kinds: tuple[str, ...] = REQUIRED
) -> Application:
    """A draft with a national code and the given documents sent."""
    app = await applications.start_draft(store, actor, PlanType.INDEPENDENT, {}, "documents")
    await applications.save_answers(
        store, actor, app.id, {}, "documents", fields={"national_code": NATIONAL_CODE}
    )
    for kind in kinds:
        await documents.upload(store, actor, app.id, kind, file_ref(f"{app.id}-{kind}"))
    found = await store.applications.get(app.id)
    assert found is not None
    return found


async def submitted(store: Store) -> tuple[Application, Actor]:
    """A submitted application with every required document, and its citizen actor."""
    _citizen, actor = await new_citizen(store)
    draft = await draft_with_documents(store, actor)
    return await applications.submit(store, actor, draft.id, REQUIRED), actor


async def correction_asked(
    store: Store, kinds: tuple[str, ...] = REQUIRED, officer: Actor = OFFICER
) -> tuple[Application, Actor]:
    """A submitted application an officer asked to correct these documents of."""
    app, actor = await submitted(store)
    await lifecycle.request_correction(
        store, officer, app.id, list(kinds), "خوانا نیست", render=RENDER, quiet_hours=NO_QUIET
    )
    found = await store.applications.get(app.id)
    assert found is not None
    return found, actor


async def counts(store: Store) -> dict[str, int]:
    """Rows per table the services write."""
    found: dict[str, int] = {}
    async with store.db.read() as c:
        for table in TABLES:
            async with c.execute(f"SELECT COUNT(*) FROM {table}") as cur:
                row = await cur.fetchone()
            found[table] = int(row[0]) if row else 0
    return found


async def rows(store: Store, sql: str, *params: Any) -> list[dict[str, Any]]:
    """The rows of a query, as dicts."""
    async with store.db.read() as c, c.execute(sql, params) as cur:
        return [dict(row) for row in await cur.fetchall()]


class FailingReminders:
    """Reminders whose sync fails: the last write of a status change, to show it is atomic."""

    def __init__(self) -> None:
        self.calls = 0

    async def sync_application(
        self, application_id: int, *, conn: aiosqlite.Connection | None = None
    ) -> int:
        self.calls += 1
        raise RuntimeError("reminders unavailable")


class RecordingReminders:
    """Reminders that note each sync and the connection it ran in."""

    def __init__(self) -> None:
        self.synced: list[tuple[int, aiosqlite.Connection | None]] = []

    async def sync_application(
        self, application_id: int, *, conn: aiosqlite.Connection | None = None
    ) -> int:
        self.synced.append((application_id, conn))
        return 0
