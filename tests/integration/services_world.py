"""What the service-layer tests share: a real SQLite store, a clock, the reminders, the actors.

The officers: ``ADMIN`` is in OFFICER_IDS (the store is told at start-up, as the bot does),
``OFFICER`` was added in the bot,
``REMOVED`` was added and removed, ``STRANGER`` was never one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.workers.reminders import ReminderService
from config.settings import Settings
from domain.accounts import Account
from domain.catalogue import Catalogue
from domain.exhibitions import ExhibitionDraft, ExhibitionKind
from domain.statuses import ApplicationStatus, PlanType
from handlers.context import Services
from services.actors import Actor
from storage import Store
from tests.catalogues import parsed_catalogue
from tests.clock import FakeClock
from tests.conftest import migrated

ADMIN, OFFICER, REMOVED, STRANGER = 900001, 900002, 900003, 900004
ZONE = ZoneInfo("Asia/Tehran")


class Boom(Exception):
    """A failure injected half-way through a service."""


@dataclass
class World:
    """An open store with its reminders, on a clock the test moves."""

    store: Store
    clock: FakeClock
    reminders: ReminderService
    catalogue: Catalogue

    async def citizen(self, user_id: int, *, submitted: bool = False, name: str = "") -> Actor:
        """A citizen (with a submitted application when asked), as a service's actor."""
        found = await self.store.citizens.get_or_create("telegram", user_id, user_id)
        if name:
            await self.store.citizens.update_contact(found.id, full_name=name)
        if submitted:
            app = await self.store.applications.create_draft(found.id, PlanType.INDEPENDENT)
            await self.store.applications.set_status(app.id, ApplicationStatus.SUBMITTED)
        return Actor("citizen", found.id)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    clock = FakeClock(datetime(2030, 11, 1, 6, 30, tzinfo=UTC))
    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    store = await Store.open(migrated(tmp_path / "bot.sqlite3"), clock=clock)
    try:
        catalogue = parsed_catalogue(settings.catalogue_dir)
        reminders = ReminderService(Services(settings, store, catalogue, clock))
        store.officers.configure({Account("telegram", ADMIN)}, "telegram")
        await store.officers.add("telegram", OFFICER, f"officer:{ADMIN}")
        await store.officers.add("telegram", REMOVED, f"officer:{ADMIN}")
        await store.officers.remove("telegram", REMOVED, f"officer:{ADMIN}")
        yield World(store, clock, reminders, catalogue)
    finally:
        await store.close()


def officer(user_id: int) -> Actor:
    """An officer's actor (whether the store agrees is for the service to check)."""
    return Actor("officer", user_id)


def draft(**changes: object) -> ExhibitionDraft:
    """A seasonal exhibition in Khorramabad, well after the world's today (2030-11-01)."""
    values: dict[str, object] = {
        "title": "نمایشگاه یلدا",
        "kind": ExhibitionKind.SEASONAL,
        "county": "khorramabad",
        "venue": "سالن شهدا",
        "starts_on": date(2030, 12, 18),
        "ends_on": date(2030, 12, 22),
        "booth_deadline": date(2030, 12, 10),
    }
    values.update(changes)
    return ExhibitionDraft.model_validate(values)


async def count(store: Store, table: str, where: str = "1 = 1", *params: Any) -> int:
    """Rows of ``table`` matching ``where``."""
    sql = f"SELECT COUNT(*) FROM {table} WHERE {where}"
    async with store.db.read() as c, c.execute(sql, params) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def snapshot(store: Store) -> dict[str, int]:
    """Row counts of every table a service here writes: compared before and after a refusal."""
    tables = (
        "exhibitions",
        "booth_requests",
        "audit_log",
        "outbox",
        "reminders",
        "broadcasts",
        "officers",
        "subscriptions",
        "subscription_counties",
        "subscription_groups",
    )
    return {table: await count(store, table) for table in tables}


class FailingReminders:
    """The real reminders, except that ``fail`` ("schedule" or "cancel_for") raises Boom."""

    def __init__(self, inner: ReminderService, fail: str) -> None:
        self.inner, self.fail = inner, fail

    async def schedule(self, *args: Any, **kwargs: Any) -> object:
        if self.fail == "schedule":
            raise Boom("schedule")
        return await self.inner.schedule(*args, **kwargs)

    async def cancel_for(self, *args: Any, **kwargs: Any) -> int:
        if self.fail == "cancel_for":
            raise Boom("cancel_for")
        return await self.inner.cancel_for(*args, **kwargs)
