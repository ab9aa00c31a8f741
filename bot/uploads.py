"""Citizens' uploads: download through getFile, check size and real type, store with SHA-256.

The type comes from the bytes (magic numbers), never from the file name or the claimed MIME
type; images must decode; files are stored under ``DATA_DIR/files/<yyyy>/<mm>/<uuid4>.<ext>``.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from PIL import Image
from telegram import Bot
from telegram.error import BadRequest, TelegramError

from bot.updates.unit_of_work import outside_transaction

FILES_FOLDER = "files"
# A PDF's end-of-file marker sits near the end; incremental saves may add a little after it.
_PDF_TAIL_BYTES = 2048


class FileType(StrEnum):
    """The file types a citizen may send, by their real content."""

    JPEG = "jpeg"
    PNG = "png"
    PDF = "pdf"

    @property
    def extension(self) -> str:
        return {"jpeg": "jpg", "png": "png", "pdf": "pdf"}[self.value]

    @property
    def mime_type(self) -> str:
        return {"jpeg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}[self.value]

    @property
    def is_image(self) -> bool:
        return self is not FileType.PDF


class Rejection(StrEnum):
    """Why an upload was refused."""

    TOO_LARGE = "too_large"
    NOT_ACCEPTED = "not_accepted"  # not a photo or PDF (an executable, an archive, …)
    CORRUPT = "corrupt"  # looks like a photo or PDF but does not open
    DOWNLOAD_FAILED = "download_failed"


class UploadRejected(Exception):
    """The upload cannot be accepted; ``reason`` says why."""

    def __init__(self, reason: Rejection, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else str(reason))
        self.reason = reason


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


def sniff_type(data: bytes) -> FileType | None:
    """The real type from the first bytes: JPEG, PNG or PDF; None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return FileType.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType.PNG
    if data.startswith(b"%PDF-"):
        return FileType.PDF
    return None


def _image_decodes(data: bytes, expected: FileType) -> bool:
    """Whether Pillow reads the image whole and agrees with the sniffed format."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != expected.value.upper():
                return False
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:  # verify() leaves the image unusable
            image.load()
    except Exception:  # Pillow raises many kinds (OSError, SyntaxError, bomb errors, …)
        return False
    return True


def check_content(data: bytes, max_bytes: int) -> FileType:
    """The file's type if it is an acceptable photo or PDF within the size; else UploadRejected."""
    if len(data) > max_bytes:
        raise UploadRejected(Rejection.TOO_LARGE, f"{len(data)} bytes")
    file_type = sniff_type(data)
    if file_type is None:
        raise UploadRejected(Rejection.NOT_ACCEPTED, data[:4].hex())
    if file_type is FileType.PDF:
        if b"%%EOF" not in data[-_PDF_TAIL_BYTES:]:
            raise UploadRejected(Rejection.CORRUPT, "pdf without %%EOF")
    elif not _image_decodes(data, file_type):
        raise UploadRejected(Rejection.CORRUPT, "image does not decode")
    return file_type


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


async def download(bot: Bot, file_id: str, claimed_size: int | None, max_bytes: int) -> bytes:
    """Fetch a file by getFile, refusing one the platform reports as too large before fetching."""
    if claimed_size is not None and claimed_size > max_bytes:
        raise UploadRejected(Rejection.TOO_LARGE, f"claimed {claimed_size} bytes")
    try:
        telegram_file = await bot.get_file(file_id)
    except BadRequest as exc:
        if "too big" in exc.message.lower():
            raise UploadRejected(Rejection.TOO_LARGE, exc.message) from exc
        raise UploadRejected(Rejection.DOWNLOAD_FAILED, exc.message) from exc
    except TelegramError as exc:
        raise UploadRejected(Rejection.DOWNLOAD_FAILED, str(exc)) from exc
    if telegram_file.file_size is not None and telegram_file.file_size > max_bytes:
        raise UploadRejected(Rejection.TOO_LARGE, f"reported {telegram_file.file_size} bytes")
    try:
        data = bytes(await telegram_file.download_as_bytearray())
    except TelegramError as exc:
        raise UploadRejected(Rejection.DOWNLOAD_FAILED, str(exc)) from exc
    if len(data) > max_bytes:
        raise UploadRejected(Rejection.TOO_LARGE, f"downloaded {len(data)} bytes")
    return data


async def receive_upload(
    bot: Bot,
    file_id: str,
    claimed_size: int | None,
    *,
    data_dir: Path,
    max_bytes: int,
    now: datetime,
) -> StoredFile:
    """Download, check and store one upload; raise UploadRejected when it cannot be accepted."""

    async def fetch_and_check() -> tuple[bytes, FileType]:
        data = await download(bot, file_id, claimed_size, max_bytes)
        # Decoding is blocking work: keep it off the event loop.
        return data, await asyncio.to_thread(check_content, data, max_bytes)

    # Downloading and decoding are slow: never inside an update's write transaction.
    data, file_type = await outside_transaction(f"upload:{file_id}", fetch_and_check)
    return await asyncio.to_thread(store_file, data_dir / FILES_FOLDER, data, file_type, now)
