"""`homebiz backup` while citizens upload, and `homebiz restore` into an empty data dir."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from botapi_emulator import Citizen, Emulator
from storage import Store
from storage.backup import BackupError, make_backup, restore_backup
from tests.conftest import RunningBot
from tests.e2e.application_walk import (
    business,
    identity,
    jpeg_bytes,
    national_code,
    open_application,
    submit,
)
from tests.settle import read_rows, store_settled

CITIZENS = 3  # writing side by side: enough to be mid-load when the backup starts
DOCUMENTS = 5


async def _walk(citizen: Citizen, index: int) -> None:
    await open_application(citizen)
    await identity(citizen, national_code(7300 + index))
    await business(citizen)
    for n in range(DOCUMENTS):
        await citizen.sends_photo(jpeg_bytes(73_000 + index * 10 + n))
    await submit(citizen)


def _documents(database: Path) -> list[tuple[object, ...]]:
    return read_rows(
        database, "SELECT id, application_id, kind, sha256, stored_name FROM documents"
    )


async def test_a_backup_taken_mid_load_restores_everything_committed_before_it(
    emulator: Emulator, bot: RunningBot, tmp_path: Path
) -> None:
    settings = bot.settings
    database = settings.database_path
    citizens = [
        Citizen(
            emulator.url,
            7300 + i,
            "مریم",
            timeout=60,
            settle=store_settled(database, 0.02, chat=7300 + i),
        )
        for i in range(CITIZENS)
    ]
    try:
        walks = asyncio.gather(*(_walk(c, i) for i, c in enumerate(citizens)))
        while len(_documents(database)) < CITIZENS and not walks.done():  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        # What is committed now, before the backup begins; the citizens go on uploading.
        applications = read_rows(database, "SELECT id, national_code FROM applications")
        documents = _documents(database)
        backup = tmp_path / "backup"
        await asyncio.to_thread(make_backup, settings.data_dir, database, backup)
        during = not walks.done()
        await walks
    finally:
        for citizen in citizens:
            await citizen.close()
    assert during, "the walks ended before the backup was taken"
    assert documents and applications

    restored = tmp_path / "restored"
    restore_backup(backup, restored, restored / "homebiz.db")
    copy = restored / "homebiz.db"
    restored_apps = set(read_rows(copy, "SELECT id, national_code FROM applications"))
    assert set(applications) <= restored_apps
    restored_docs = set(_documents(copy))
    assert set(documents) <= restored_docs
    for *_ids, sha, name in restored_docs:
        data = (restored / "files" / str(name)).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    store = await Store.open(copy)  # the bot can start on it (migrations already applied)
    await store.close()


def test_restore_refuses_a_data_dir_that_is_not_empty(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / "homebiz.db") as conn:
        conn.execute("CREATE TABLE t (x)")
    make_backup(data, data / "homebiz.db", tmp_path / "backup")
    with pytest.raises(BackupError, match="not empty"):
        restore_backup(tmp_path / "backup", data, data / "homebiz.db")
    with pytest.raises(BackupError, match="not empty"):
        make_backup(data, data / "homebiz.db", tmp_path / "backup")  # nor over a backup
    with pytest.raises(BackupError, match="no finished backup"):
        restore_backup(tmp_path, tmp_path / "elsewhere", tmp_path / "elsewhere" / "x.db")


def test_the_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / "homebiz.db") as conn:
        conn.execute("CREATE TABLE t (x)")
    (data / "files").mkdir()
    (data / "files" / "a.jpg").write_bytes(b"jpeg")
    monkeypatch.setenv("DATA_DIR", str(data))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["backup", str(tmp_path / "b")]) == 0
    assert main(["restore", str(tmp_path / "b")]) == 2  # DATA_DIR is not empty
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "new"))
    assert main(["restore", str(tmp_path / "b")]) == 0
    assert (tmp_path / "new" / "files" / "a.jpg").read_bytes() == b"jpeg"
