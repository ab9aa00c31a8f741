"""Group commit on a real SQLite file: writers that wait share one transaction and one COMMIT.

Each joins in a savepoint of its own, so one that fails rolls back alone; each returns only
once the group committed; SQLite ending the transaction under a member fails the whole group.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from storage.db import Database, GroupLost

Writer = Callable[[], Coroutine[Any, Any, None]]


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    opened = Database(tmp_path / "group.sqlite3")
    await opened.open()
    async with opened.transaction() as conn:
        await conn.execute("CREATE TABLE notes (who TEXT PRIMARY KEY)")
    yield opened
    await opened.close()


def committed(db: Database) -> set[str]:
    """What another process would read now (a connection of its own)."""
    with sqlite3.connect(db.path) as other:
        return {row[0] for row in other.execute("SELECT who FROM notes")}


async def statements(db: Database) -> list[str]:
    """Every statement the writer runs from now on."""
    seen: list[str] = []
    writer = db._writer
    assert writer is not None
    await writer.set_trace_callback(seen.append)
    return seen


async def while_held(db: Database, *writers: Writer) -> list[object]:
    """Run ``writers`` while a first transaction holds the turn, so they all wait for it."""
    inside, release = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO notes VALUES ('first')")
            inside.set()
            await release.wait()

    holder = asyncio.create_task(first())
    await inside.wait()
    waiting = [asyncio.create_task(writer()) for writer in writers]
    while db._waiting < len(writers):  # noqa: ASYNC110 - until all wait for their turn
        await asyncio.sleep(0.01)
    release.set()
    return list(await asyncio.gather(holder, *waiting, return_exceptions=True))


def note(db: Database, who: str, seen_after: dict[str, set[str]]) -> Writer:
    async def write() -> None:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO notes VALUES (?)", (who,))
        seen_after[who] = committed(db)

    return write


async def test_writers_that_wait_share_one_commit_and_return_once_it_is_done(
    db: Database,
) -> None:
    seen = await statements(db)
    seen_after: dict[str, set[str]] = {}
    outcomes = await while_held(db, *(note(db, who, seen_after) for who in "abcd"))

    assert outcomes == [None] * 5
    assert committed(db) == {"first", "a", "b", "c", "d"}
    assert [s for s in seen if s in ("BEGIN IMMEDIATE", "COMMIT")] == ["BEGIN IMMEDIATE", "COMMIT"]
    # Nobody hears "done" before the group's commit: each sees all five on disk.
    assert all(after == {"first", "a", "b", "c", "d"} for after in seen_after.values())


async def test_a_member_that_fails_rolls_back_alone(db: Database) -> None:
    seen_after: dict[str, set[str]] = {}

    async def failing() -> None:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO notes VALUES ('bad')")
            async with db.transaction() as nested:  # a savepoint inside the member
                await nested.execute("INSERT INTO notes VALUES ('bad-nested')")
            raise RuntimeError("handler failed")

    outcomes = await while_held(db, note(db, "a", seen_after), failing, note(db, "c", seen_after))

    assert outcomes[0] is None and outcomes[1] is None and outcomes[3] is None
    assert isinstance(outcomes[2], RuntimeError)
    assert committed(db) == {"first", "a", "c"}


async def test_a_writer_that_joins_a_group_commits_durably_and_leaves_the_connection_so(
    db: Database,
) -> None:
    async def not_durable() -> None:
        async with db.transaction(durable=False) as conn:
            await conn.execute("INSERT INTO notes VALUES ('mark')")

    assert await while_held(db, not_durable, note(db, "b", {})) == [None] * 3
    assert committed(db) == {"first", "mark", "b"}
    async with db.transaction() as conn, conn.execute("PRAGMA synchronous") as cursor:
        row = await cursor.fetchone()
        assert row is not None and row[0] == 2  # FULL


async def test_a_transaction_sqlite_ended_under_a_member_fails_the_whole_group(
    db: Database,
) -> None:
    async def ends_it() -> None:
        async with db.transaction() as conn:
            await conn.execute("ROLLBACK")  # as SQLite does itself on an I/O error

    outcomes = await while_held(db, note(db, "a", {}), ends_it)

    assert isinstance(outcomes[0], GroupLost)  # the first and "a" were in the lost group
    assert isinstance(outcomes[1], GroupLost)
    assert isinstance(outcomes[2], sqlite3.OperationalError)
    assert committed(db) == set()
    # The store goes on: the next writer opens a transaction of its own.
    await note(db, "after", {})()
    assert committed(db) == {"after"}
