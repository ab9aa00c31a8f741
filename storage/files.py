"""Citizens' documents on disk, fsynced, with their SHA-256.

Stored under ``DATA_DIR/files/<yyyy>/<mm>/<uuid4>.<ext>``; the bytes were checked before
(``domain.file_checks``).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from domain.file_checks import FileType

FILES_FOLDER = "files"


@dataclass(frozen=True)
class StoredFile:
    """A checked upload on disk."""

    stored_name: str  # relative to DATA_DIR/files
    sha256: str
    file_type: FileType
    size_bytes: int

    @property
    def mime_type(self) -> str:
        return self.file_type.mime_type


def store_file(files_dir: Path, data: bytes, file_type: FileType, now: datetime) -> StoredFile:
    """Write the bytes under a generated name, fsynced, and return where and its SHA-256."""
    relative = Path(f"{now:%Y}") / f"{now:%m}" / f"{uuid.uuid4()}.{file_type.extension}"
    target = files_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".part")
    with partial.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    partial.replace(target)
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the new name survives a crash too
    finally:
        os.close(folder)
    return StoredFile(
        stored_name=relative.as_posix(),
        sha256=hashlib.sha256(data).hexdigest(),
        file_type=file_type,
        size_bytes=len(data),
    )
