"""Apply the numbered migrations in storage/migrations/NNNN_name.sql in order, once each."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

import aiosqlite

_LOGGER = logging.getLogger(__name__)

MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

SCHEMA_VERSION_DDL = """
CREATE TABLE IF NOT EXISTS schema_version (
    version     INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    applied_at  TEXT    NOT NULL
)
"""


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file."""

    version: int
    name: str
    sql: str


def discover(source: Traversable | None = None) -> list[Migration]:
    """List the migration files in version order; reject two files with one number."""
    folder = source if source is not None else resources.files("storage.migrations")
    found: dict[int, Migration] = {}
    for entry in folder.iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match is None:
            continue
        version = int(match.group(1))
        if version in found:
            raise RuntimeError(f"two migrations numbered {version:04d}")
        found[version] = Migration(version, match.group(2), entry.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


async def applied_versions(conn: aiosqlite.Connection) -> set[int]:
    """Return the versions already recorded in schema_version."""
    async with conn.execute("SELECT version FROM schema_version") as cursor:
        return {int(row[0]) for row in await cursor.fetchall()}


async def apply_migrations(
    conn: aiosqlite.Connection,
    now_text: Callable[[], str],
    source: Traversable | None = None,
) -> list[int]:
    """Apply every migration not yet recorded, each in its own transaction; return them."""
    await conn.execute(SCHEMA_VERSION_DDL)
    done = await applied_versions(conn)
    newly: list[int] = []
    for migration in discover(source):
        if migration.version in done:
            continue
        await _apply_one(conn, migration, now_text())
        newly.append(migration.version)
        _LOGGER.info("Applied migration %04d_%s", migration.version, migration.name)
    return newly


async def _apply_one(conn: aiosqlite.Connection, migration: Migration, now: str) -> None:
    # executescript() cannot run inside a transaction we opened (it commits first), so the
    # script carries its own BEGIN … COMMIT; the name and time are safe literals (regex, ISO).
    record = (
        "INSERT INTO schema_version (version, name, applied_at) "
        f"VALUES ({migration.version}, '{migration.name}', '{now}');"
    )
    script = f"BEGIN IMMEDIATE;\n{migration.sql}\n;\n{record}\nCOMMIT;"
    try:
        await conn.executescript(script)
    except BaseException:
        if conn.in_transaction:
            await conn.execute("ROLLBACK")
        # Another process may have applied it meanwhile; that is not an error.
        if migration.version in await applied_versions(conn):
            return
        raise
