"""Fixtures of the integration tests: large seeded stores built once per run, and new stores
copied from the session's migrated template instead of migrated again."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import pytest

from domain.accounts import Account
from storage import Store
from tests.integration.scale_seed import seed_store
from tests.shared_files import built_once


class SeededStore(Protocol):
    def __call__(
        self, applications: int, *, now: datetime, seed: int = 14, years: int = 3
    ) -> Path: ...


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> SeededStore:
    """The database file ``seed_store`` writes for these arguments, written once per run and
    shared by the workers: copy it before writing to it."""

    def seeded(applications: int, *, now: datetime, seed: int = 14, years: int = 3) -> Path:
        name = f"seeded-{applications}-{seed}-{years}-{now:%Y%m%dT%H%M%S}.db"
        build = partial(seed_store, applications=applications, now=now, seed=seed, years=years)
        return built_once(tmp_path_factory, name, build)

    return seeded


@contextlib.asynccontextmanager
async def store_with_officer(path: Path, now: datetime, officer: int) -> AsyncIterator[Store]:
    """The store at ``path`` on a clock stopped at ``now``, with ``officer`` a Telegram officer."""
    opened = await Store.open(path, clock=lambda: now)
    opened.officers.configure({Account("telegram", officer)}, "telegram")
    try:
        yield opened
    finally:
        await opened.close()


def application_rows(path: Path) -> list[dict[str, Any]]:
    """Every application row as stored, read with plain sqlite3 (what a page must agree with)."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM applications")]
    finally:
        conn.close()
