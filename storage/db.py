"""One SQLite file in WAL mode: a serialized writer connection and a reader connection."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib.resources.abc import Traversable
from pathlib import Path
from types import TracebackType
from typing import Self

import aiosqlite

from storage.migrate import apply_migrations

Clock = Callable[[], datetime]

BUSY_TIMEOUT_MS = 10_000
_MEMBER = "member"  # the savepoint a transaction joining a group runs in


class GroupLost(sqlite3.OperationalError):
    """SQLite rolled back a group transaction (an I/O error): its members' work is lost."""


@dataclass
class _Group:
    """A transaction several callers' transactions run in, committed once for all."""

    committed: asyncio.Future[None]
    members: int = 1


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
        # Group commit (see transaction): how many wait for the write lock, the group
        # transaction left open for them, and the task that will commit it.
        self.group_commit = True
        self._waiting = 0
        self._group: _Group | None = None
        self._committer: asyncio.Task[None] | None = None

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
        if self._committer is not None:
            with contextlib.suppress(Exception):
                await self._committer  # a group waiting for its commit
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

        Group commit: when others wait for their turn as a durable transaction ends, it is
        not committed at once; those waiting run in it, each in a savepoint of its own (one
        that fails rolls back alone), and one COMMIT (one fsync) ends them all. Either way
        this returns only once the work is committed, and raises if it was not.

        ``durable=False`` commits without an fsync (WAL, synchronous=NORMAL): it survives a
        killed process but maybe not a power cut. Only for writes whose loss merely repeats
        a step that is safe to repeat (marking replies sent, pruning). One that joins a
        group is committed with it, durably.
        """
        conn = self._require(self._writer)
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            async with self._savepoint(conn):
                yield conn
            return
        await self._take_turn()
        group = self._group
        self._owner = task
        try:
            if group is None:
                async with self._own_transaction(conn, durable=durable):
                    yield conn
                group = self._group  # opened by it if others were waiting
            else:
                async with self._member(conn, group):
                    yield conn
        finally:
            self._owner = None
            self._write_lock.release()
        if group is not None:
            await asyncio.shield(group.committed)

    async def _take_turn(self) -> None:
        self._waiting += 1
        try:
            await self._write_lock.acquire()
        finally:
            self._waiting -= 1

    @asynccontextmanager
    async def _own_transaction(
        self, conn: aiosqlite.Connection, *, durable: bool
    ) -> AsyncIterator[None]:
        """The first transaction of a turn: committed now, or left open for a group."""
        if not durable:
            await conn.execute("PRAGMA synchronous=NORMAL")
        try:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            if durable and self.group_commit and self._waiting:
                self._open_group()
            else:
                await conn.execute("COMMIT")
        finally:
            if not durable:
                await conn.execute("PRAGMA synchronous=FULL")

    def _open_group(self) -> None:
        """Leave the transaction open for those waiting; a task commits it after them."""
        group = _Group(asyncio.get_running_loop().create_future())
        self._group = group
        self._committer = asyncio.create_task(self._commit_group(group), name="group-commit")

    @asynccontextmanager
    async def _member(self, conn: aiosqlite.Connection, group: _Group) -> AsyncIterator[None]:
        """A transaction run inside an open group, in its own savepoint."""
        await conn.execute(f"SAVEPOINT {_MEMBER}")
        try:
            yield
        except BaseException:
            await self._roll_back_member(conn, group)
            raise
        try:
            await self._release_member(conn, group)
        except BaseException:
            await self._roll_back_member(conn, group)
            raise

    async def _release_member(self, conn: aiosqlite.Connection, group: _Group) -> None:
        await conn.execute(f"RELEASE {_MEMBER}")
        group.members += 1

    async def _roll_back_member(self, conn: aiosqlite.Connection, group: _Group) -> None:
        """Undo one member's work; the group goes on, unless SQLite ended the transaction."""
        try:
            if conn.in_transaction:
                await conn.execute(f"ROLLBACK TO {_MEMBER}")
                await conn.execute(f"RELEASE {_MEMBER}")
        except sqlite3.Error:
            pass  # the savepoint is gone: so is the transaction (below)
        if not conn.in_transaction:
            # SQLite rolled the whole transaction back (an I/O error, a full disk): the
            # members before this one lost their work too, and must hear it.
            self._end_group(group, GroupLost("the group's transaction was rolled back"))

    async def _commit_group(self, group: _Group) -> None:
        """Once the members that were waiting have had their turns: one COMMIT for all."""
        conn = self._require(self._writer)
        async with self._write_lock:
            if group.committed.done():
                return  # lost on the way (see _roll_back_member)
            try:
                await conn.execute("COMMIT")
            except BaseException as exc:
                with contextlib.suppress(sqlite3.Error):
                    if conn.in_transaction:
                        await conn.execute("ROLLBACK")
                self._end_group(group, exc)
                if not isinstance(exc, Exception):
                    raise
            else:
                self._end_group(group, None)

    def _end_group(self, group: _Group, error: BaseException | None) -> None:
        if self._group is group:
            self._group = None
        if group.committed.done():
            return
        if error is None:
            group.committed.set_result(None)
        else:
            group.committed.set_exception(error)
            group.committed.exception()  # retrieved here: members may all be gone

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
