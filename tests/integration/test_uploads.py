"""Uploads (domain/file_checks.py, storage/files.py, handlers/uploads.py): real type from the
bytes, images that decode, size caps, fsynced storage."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from bot.app import make_bot
from botapi_emulator import Emulator
from config.settings import Settings
from domain.file_checks import FileType, Rejection, UploadRejected, check_content, sniff_type
from handlers.uploads import download, receive_upload
from storage.files import FILES_FOLDER, store_file
from tests.e2e.application_walk import jpeg_bytes, pdf_bytes

LIMIT = 1024 * 1024
NOW = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (20, 10), (1, 2, 3, 4)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (jpeg_bytes(), FileType.JPEG),
        (_png(), FileType.PNG),
        (pdf_bytes(), FileType.PDF),
        (b"MZ\x90\x00" + bytes(64), None),  # Windows executable
        (b"\x7fELF\x02\x01" + bytes(64), None),  # Linux executable
        (b"PK\x03\x04" + bytes(64), None),  # zip
        (b"GIF89a" + bytes(64), None),
        (b"", None),
        (b"hello %PDF-1.4", None),  # the marker must be at the start
    ],
)
def test_sniff_type_reads_the_magic_number(data: bytes, expected: FileType | None) -> None:
    assert sniff_type(data) is expected


def test_valid_files_pass() -> None:
    assert check_content(jpeg_bytes(), LIMIT) is FileType.JPEG
    assert check_content(_png(), LIMIT) is FileType.PNG
    assert check_content(pdf_bytes(), LIMIT) is FileType.PDF


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"MZ" + bytes(100), Rejection.NOT_ACCEPTED),
        (b"\x7fELF" + bytes(100), Rejection.NOT_ACCEPTED),
        (jpeg_bytes()[:40], Rejection.CORRUPT),  # truncated JPEG
        (b"\xff\xd8\xff\xe0" + bytes(300), Rejection.CORRUPT),  # JPEG magic, no image
        (_png()[:30], Rejection.CORRUPT),
        (b"%PDF-1.4\n" + bytes(100), Rejection.CORRUPT),  # no %%EOF
        (b"%PDF-" + bytes(LIMIT) + b"%%EOF", Rejection.TOO_LARGE),
    ],
)
def test_bad_files_are_refused_with_a_reason(data: bytes, reason: Rejection) -> None:
    with pytest.raises(UploadRejected) as refused:
        check_content(data, LIMIT)
    assert refused.value.reason is reason


def test_a_png_renamed_jpeg_is_read_as_png() -> None:
    # The name or MIME type a client claims plays no part: only the bytes do.
    assert check_content(_png(), LIMIT) is FileType.PNG


def test_store_file_uses_a_generated_name_and_records_the_hash(tmp_path: Path) -> None:
    data = pdf_bytes("x")
    stored = store_file(tmp_path, data, FileType.PDF, NOW)
    assert stored.stored_name.startswith("2025/03/") and stored.stored_name.endswith(".pdf")
    assert (tmp_path / stored.stored_name).read_bytes() == data
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.size_bytes == len(data) and stored.mime_type == "application/pdf"
    assert not list(tmp_path.rglob("*.part"))
    again = store_file(tmp_path, data, FileType.PDF, NOW)
    assert again.stored_name != stored.stored_name


async def _upload(emulator: Emulator, data: bytes) -> str:
    """Put a file into the emulator as a citizen would; return its file_id."""
    record = emulator.store_file(data, "documents", "scan.pdf", "application/pdf")
    return str(record.file_id)


async def test_receive_upload_downloads_checks_and_stores(
    emulator: Emulator, settings: Settings
) -> None:
    data = jpeg_bytes(5)
    file_id = await _upload(emulator, data)
    async with make_bot(settings) as bot:
        stored = await receive_upload(
            bot, file_id, len(data), data_dir=settings.data_dir, max_bytes=LIMIT, now=NOW
        )
    path = settings.data_dir / FILES_FOLDER / stored.stored_name
    assert path.read_bytes() == data and stored.file_type is FileType.JPEG


async def test_receive_upload_refuses_a_renamed_executable(
    emulator: Emulator, settings: Settings
) -> None:
    file_id = await _upload(emulator, b"MZ\x90\x00" + bytes(1000))
    async with make_bot(settings) as bot:
        with pytest.raises(UploadRejected) as refused:
            await receive_upload(
                bot, file_id, None, data_dir=settings.data_dir, max_bytes=LIMIT, now=NOW
            )
    assert refused.value.reason is Rejection.NOT_ACCEPTED
    assert not (settings.data_dir / FILES_FOLDER).exists()


async def test_reported_size_is_checked_before_downloading(
    emulator: Emulator, settings: Settings
) -> None:
    file_id = await _upload(emulator, pdf_bytes())
    async with make_bot(settings) as bot:
        with pytest.raises(UploadRejected) as refused:
            await receive_upload(
                bot, file_id, LIMIT + 1, data_dir=settings.data_dir, max_bytes=LIMIT, now=NOW
            )
    assert refused.value.reason is Rejection.TOO_LARGE
    assert not [c for c in emulator.calls if c.method == "getFile"]


async def test_size_reported_by_get_file_is_checked(emulator: Emulator, settings: Settings) -> None:
    big = b"%PDF-1.4\n" + bytes(LIMIT) + b"%%EOF\n"
    file_id = await _upload(emulator, big)
    async with make_bot(settings) as bot:
        with pytest.raises(UploadRejected) as refused:
            await receive_upload(
                bot, file_id, None, data_dir=settings.data_dir, max_bytes=LIMIT, now=NOW
            )
    assert refused.value.reason is Rejection.TOO_LARGE


class _SilentFile:
    """A platform file whose size is not reported (Bale sometimes leaves it out)."""

    file_size = None

    def __init__(self, data: bytes) -> None:
        self._data = data

    async def download_as_bytearray(self) -> bytearray:
        return bytearray(self._data)


class _SilentBot:
    def __init__(self, data: bytes) -> None:
        self._data = data

    async def get_file(self, file_id: str) -> _SilentFile:
        return _SilentFile(self._data)


async def test_downloaded_length_is_checked_when_no_size_is_reported() -> None:
    big = b"%PDF-1.4\n" + bytes(LIMIT) + b"%%EOF\n"
    with pytest.raises(UploadRejected) as refused:
        await download(_SilentBot(big), "f", None, LIMIT)  # type: ignore[arg-type]
    assert refused.value.reason is Rejection.TOO_LARGE
    assert await download(_SilentBot(b"%PDF-small"), "f", None, LIMIT) == b"%PDF-small"  # type: ignore[arg-type]


async def test_unknown_file_id_is_a_failed_download(settings: Settings) -> None:
    async with make_bot(settings) as bot:
        with pytest.raises(UploadRejected) as refused:
            await receive_upload(
                bot, "no-such-file", None, data_dir=settings.data_dir, max_bytes=LIMIT, now=NOW
            )
    assert refused.value.reason is Rejection.DOWNLOAD_FAILED
