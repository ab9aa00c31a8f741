"""One SQLite file in WAL mode: a serialized writer connection and a reader connection."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from importlib.resources.abc import Traversable
from pathlib import Path
from types import TracebackType
from typing import Self

import aiosqlite

from storage.migrate import apply_migrations

Clock = Callable[[], datetime]

BUSY_TIMEOUT_MS = 10_000


def utcnow() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


def to_db_time(value: datetime) -> str:
    """Format an aware datetime as a sortable UTC ISO-8601 string."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: times must be timezone-aware")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def from_db_time(value: str) -> datetime:
    """Parse a stored UTC ISO-8601 string."""
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def opt_db_time(value: str | None) -> datetime | None:
    """Parse a stored time that may be NULL."""
    return None if value is None else from_db_time(value)


def opt_db_date(value: str | None) -> date | None:
    """Parse a stored ISO date that may be NULL."""
    return None if value is None else date.fromisoformat(value)


class Database:
    """The application's SQLite database; open it once at start-up, close it at shut-down."""

    def __init__(
        self,
        path: Path,
        *,
        clock: Clock | None = None,
        migrations: Traversable | None = None,
    ) -> None:
        self.path = Path(path)
        self.clock: Clock = clock or utcnow
        self.migrations = migrations  # None: the package's storage/migrations folder
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        self._read_lock = asyncio.Lock()
        # The task inside a write transaction, so a nested transaction() joins it (savepoint).
        self._owner: asyncio.Task[object] | None = None
        self._depth = 0
        self._read_owner: asyncio.Task[object] | None = None

    def now(self) -> datetime:
        """Return the current time from the configured clock, in UTC."""
        return self.clock().astimezone(UTC)

    def now_text(self) -> str:
        """Return the current time as stored in the database."""
        return to_db_time(self.now())

    async def open(self) -> None:
        """Create the file if needed, connect both connections and apply migrations."""
        if self._writer is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        writer = await self._connect()
        try:
            await writer.execute("PRAGMA journal_mode=WAL")
            await apply_migrations(writer, self.now_text, self.migrations)
            self._reader = await self._connect()
        except BaseException:
            await writer.close()
            raise
        self._writer = writer

    async def close(self) -> None:
        """Close both connections; committed data is already on disk."""
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = None
        self._writer = None

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _connect(self) -> aiosqlite.Connection:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves.
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        await conn.execute("PRAGMA synchronous=FULL")  # an fsync per commit: nothing lost
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        return conn

    def _require(self, conn: aiosqlite.Connection | None) -> aiosqlite.Connection:
        if conn is None:
            raise RuntimeError("Database is not open; call await db.open() first")
        return conn

    @asynccontextmanager
    async def transaction(self, *, durable: bool = True) -> AsyncIterator[aiosqlite.Connection]:
        """Run a write transaction (BEGIN IMMEDIATE … COMMIT, ROLLBACK on error).

        Transactions are serialized across coroutines. A transaction opened again by the
        task already inside one becomes a savepoint of the outer transaction.

        ``durable=False`` commits without an fsync (WAL, synchronous=NORMAL): it survives a
        killed process but maybe not a power cut. Only for writes whose loss merely repeats
        a step that is safe to repeat (marking replies sent, pruning).
        """
        conn = self._require(self._writer)
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            async with self._savepoint(conn):
                yield conn
            return
        async with self._write_lock:
            self._owner = task
            if not durable:
                await conn.execute("PRAGMA synchronous=NORMAL")
            try:
                await conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    await conn.execute("ROLLBACK")
                    raise
                await conn.execute("COMMIT")
            finally:
                self._owner = None
                if not durable:
                    await conn.execute("PRAGMA synchronous=FULL")

    @asynccontextmanager
    async def _savepoint(self, conn: aiosqlite.Connection) -> AsyncIterator[None]:
        self._depth += 1
        name = f"sp{self._depth}"
        await conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            await conn.execute(f"ROLLBACK TO {name}")
            await conn.execute(f"RELEASE {name}")
            raise
        else:
            await conn.execute(f"RELEASE {name}")
        finally:
            self._depth -= 1

    @asynccontextmanager
    async def read(self) -> AsyncIterator[aiosqlite.Connection]:
        """Give the reader connection inside a read transaction (one consistent snapshot)."""
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            # Inside this task's write transaction (an update's unit of work): read through
            # it, so the handler sees what it wrote a moment ago.
            yield self._require(self._writer)
            return
        conn = self._require(self._reader)
        if task is not None and task is self._read_owner:
            yield conn  # already inside this task's snapshot
            return
        async with self._read_lock:
            self._read_owner = task
            try:
                await conn.execute("BEGIN")
                try:
                    yield conn
                finally:
                    await conn.execute("COMMIT")
            finally:
                self._read_owner = None

    @asynccontextmanager
    async def reading(
        self, conn: aiosqlite.Connection | None = None
    ) -> AsyncIterator[aiosqlite.Connection]:
        """Use the caller's connection when given (sees its uncommitted writes), else read()."""
        if conn is not None:
            yield conn
            return
        async with self.read() as reader:
            yield reader

    @asynccontextmanager
    async def writing(
        self, conn: aiosqlite.Connection | None = None
    ) -> AsyncIterator[aiosqlite.Connection]:
        """Use the caller's open transaction when given, else run a transaction of our own."""
        if conn is not None:
            yield conn
            return
        async with self.transaction() as own:
            yield own
