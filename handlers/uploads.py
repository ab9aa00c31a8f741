"""Citizens' uploads from the messenger: download through getFile, check, store.

The checks are ``domain.file_checks`` (the type from the bytes, hostile images and fake PDFs
refused), the storing ``storage.files``; the download runs outside the update's transaction.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from telegram import Bot
from telegram.error import BadRequest, TelegramError

from domain.file_checks import (
    DEFAULT_MAX_IMAGE_PIXELS,
    FileType,
    Rejection,
    UploadRejected,
    check_upload,
)
from storage.files import FILES_FOLDER, StoredFile, store_file
from storage.unit_of_work import outside_transaction


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
    max_pixels: int = DEFAULT_MAX_IMAGE_PIXELS,
) -> StoredFile:
    """Download, check and store one upload; raise UploadRejected when it cannot be accepted."""

    async def fetch_and_check() -> tuple[bytes, FileType]:
        data = await download(bot, file_id, claimed_size, max_bytes)
        return data, await check_upload(data, max_bytes, max_pixels)

    # Downloading and decoding are slow: never inside an update's write transaction.
    data, file_type = await outside_transaction(f"upload:{file_id}", fetch_and_check)
    return await asyncio.to_thread(store_file, data_dir / FILES_FOLDER, data, file_type, now)
