"""Backups while the bot runs, and restoring one into an empty data dir.

A backup folder holds ``homebiz.db`` (a consistent copy made with SQLite's online backup
API: one read transaction, so the bot keeps writing meanwhile), ``files/`` (the documents),
the webhook secrets, and last ``backup.json`` (what is in it, the database's SHA-256); a
folder without ``backup.json`` is not a finished backup.

The database is copied first, the files after: a document's file is on disk before the row
that names it commits, so every file the copied database names is there when the files are
copied. Files written later come along too, unnamed and harmless.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from storage.files import FILES_FOLDER

DATABASE_NAME = "homebiz.db"
MANIFEST_NAME = "backup.json"
SECRETS_GLOB = "webhook-secret-*"
FORMAT = 1


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why."""


@dataclass(frozen=True)
class BackupSummary:
    folder: Path
    database_bytes: int
    files: int
    files_bytes: int


# The office's commands log into DATA_DIR/logs (the restore's own lines too): not data.
LOGS_FOLDER = "logs"


def _is_empty(folder: Path, ignoring: frozenset[str] = frozenset()) -> bool:
    if not folder.exists():
        return True
    return folder.is_dir() and all(entry.name in ignoring for entry in folder.iterdir())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_files(source: Path, target: Path) -> tuple[int, int]:
    """Every finished file under ``source`` (a half-written ``.part`` is skipped)."""
    count = size = 0
    if not source.is_dir():
        return 0, 0
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.name.endswith(".part"):
            continue
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        _fsync(destination)
        count += 1
        size += destination.stat().st_size
    return count, size


def _copy_database(source: Path, target: Path) -> None:
    """SQLite's online backup: one consistent snapshot, writers not blocked (WAL)."""
    if not source.exists():
        raise BackupError(f"no database at {source}")
    src = sqlite3.connect(f"file:{source}?mode=rw", uri=True, timeout=30)  # never creates
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # all pages in one step: one read transaction, one snapshot
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        check = dst.execute("PRAGMA quick_check").fetchone()
        if check is None or check[0] != "ok":
            raise BackupError(f"the copy failed its check: {check}")
    finally:
        dst.close()
        src.close()
    _fsync(target)


def make_backup(data_dir: Path, database: Path, folder: Path) -> BackupSummary:
    """Copy the database, then the documents and the webhook secrets, into an empty ``folder``."""
    if not _is_empty(folder):
        raise BackupError(f"{folder} is not empty; a backup goes into a new or empty folder")
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / DATABASE_NAME
    _copy_database(database, copy)
    files, files_bytes = _copy_files(data_dir / FILES_FOLDER, folder / FILES_FOLDER)
    for secret in sorted(data_dir.glob(SECRETS_GLOB)):
        shutil.copy2(secret, folder / secret.name)
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": DATABASE_NAME,
        "database_sha256": _sha256(copy),
        "files": files,
        "files_bytes": files_bytes,
    }
    partial = folder / (MANIFEST_NAME + ".part")
    partial.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    _fsync(partial)
    partial.replace(folder / MANIFEST_NAME)  # written last: a finished backup
    _fsync(folder)
    return BackupSummary(folder, copy.stat().st_size, files, files_bytes)


def restore_backup(folder: Path, data_dir: Path, database: Path) -> BackupSummary:
    """Put a finished backup into an empty data dir (and an absent database path)."""
    manifest_path = folder / MANIFEST_NAME
    if not manifest_path.is_file():
        raise BackupError(f"{folder} holds no finished backup ({MANIFEST_NAME} is missing)")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    copy = folder / str(manifest.get("database", DATABASE_NAME))
    if not copy.is_file() or _sha256(copy) != manifest.get("database_sha256"):
        raise BackupError(f"{copy} is missing or not the database the backup wrote")
    if not _is_empty(data_dir, ignoring=frozenset({LOGS_FOLDER})):
        raise BackupError(f"{data_dir} is not empty; restore only into an empty data dir")
    if database.exists():
        raise BackupError(f"{database} exists; restore only where there is no database")
    data_dir.mkdir(parents=True, exist_ok=True)
    database.parent.mkdir(parents=True, exist_ok=True)
    partial = database.with_name(database.name + ".restoring")
    shutil.copy2(copy, partial)
    _fsync(partial)
    partial.replace(database)
    files, files_bytes = _copy_files(folder / FILES_FOLDER, data_dir / FILES_FOLDER)
    for secret in sorted(folder.glob(SECRETS_GLOB)):
        shutil.copy2(secret, data_dir / secret.name)
        (data_dir / secret.name).chmod(0o600)
    return BackupSummary(data_dir, database.stat().st_size, files, files_bytes)
