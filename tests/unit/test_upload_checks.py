"""Hostile uploads (issue 8, item 2): pixel bombs, pictures cut short, PDFs in name only."""

from __future__ import annotations

import asyncio
import io
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image

from domain.file_checks import (
    DEFAULT_MAX_IMAGE_PIXELS,
    FileType,
    Rejection,
    UploadRejected,
    check_content,
    check_upload,
    pdf_structure_ok,
    png_data_complete,
)
from tests.e2e.application_walk import jpeg_bytes, pdf_bytes
from tests.hostile_files import bomb_png, fake_pdf, png, truncated_png

LIMIT = 10 * 1024 * 1024


def _refused(data: bytes, max_pixels: int = DEFAULT_MAX_IMAGE_PIXELS) -> Rejection:
    with pytest.raises(UploadRejected) as refused:
        check_content(data, LIMIT, max_pixels)
    return refused.value.reason


def _saved(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


# Pillow's own warning above 89 megapixels: expected here, the file is refused all the same.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_small_file_declaring_144_megapixels_is_refused_from_its_header() -> None:
    bomb = bomb_png()
    assert len(bomb) < LIMIT // 10  # the size cap alone would let it through
    assert _refused(bomb) is Rejection.TOO_MANY_PIXELS


def test_the_pixel_limit_is_a_setting() -> None:
    photo = jpeg_bytes(size=(64, 48))  # 3,072 pixels
    assert check_content(photo, LIMIT, max_pixels=3072) is FileType.JPEG
    assert _refused(photo, max_pixels=3071) is Rejection.TOO_MANY_PIXELS


def test_a_png_with_one_row_of_pixel_data_is_refused() -> None:
    # 6600×6600 is above the default limit; under a higher one it is refused as cut short.
    assert _refused(truncated_png()) is Rejection.TOO_MANY_PIXELS
    assert _refused(truncated_png(), max_pixels=50_000_000) is Rejection.CORRUPT
    assert _refused(png(2000, 1500, rows=1)) is Rejection.CORRUPT
    assert _refused(png(2000, 1500, rows=1499)) is Rejection.CORRUPT
    assert check_content(png(2000, 1500), LIMIT) is FileType.PNG


@pytest.mark.parametrize("size", [(1, 1), (3, 2), (13, 7), (64, 33)])
def test_interlaced_pngs_are_counted_pass_by_pass(size: tuple[int, int]) -> None:
    whole = png(*size, interlace=1)
    assert png_data_complete(whole)
    assert check_content(whole, LIMIT) is FileType.PNG
    if size != (1, 1):
        assert not png_data_complete(png(*size, rows=1, interlace=1))


@pytest.mark.parametrize(
    ("mode", "options"),
    [("RGB", {}), ("RGBA", {}), ("L", {}), ("P", {}), ("1", {}), ("I;16", {})],
)
def test_real_pngs_of_every_colour_type_pass(mode: str, options: dict[str, object]) -> None:
    picture = Image.effect_noise((37, 23), 40).convert(mode)
    data = _saved(picture, "PNG", **options)
    assert png_data_complete(data)
    assert check_content(data, LIMIT) is FileType.PNG


def test_a_jpeg_cut_short_is_refused() -> None:
    photo = _saved(Image.effect_noise((400, 300), 60).convert("RGB"), "JPEG")
    assert check_content(photo, LIMIT) is FileType.JPEG
    assert _refused(photo[: len(photo) // 2]) is Rejection.CORRUPT


def test_a_fake_pdf_is_refused_and_real_ones_pass() -> None:
    assert not pdf_structure_ok(fake_pdf())
    assert _refused(fake_pdf()) is Rejection.CORRUPT
    assert _refused(b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n") is Rejection.CORRUPT  # no xref
    assert _refused(b"%PDF-\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF") is Rejection.CORRUPT
    scanned = _saved(Image.new("RGB", (50, 70), "white"), "PDF")  # what a scanner app makes
    for real in (pdf_bytes(), scanned):
        assert pdf_structure_ok(real)
        assert check_content(real, LIMIT) is FileType.PDF


@pytest.fixture
def decoding_watch(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The most decodes seen running at once (Image.load slowed so overlaps would show)."""
    original = Image.Image.load
    state = {"now": 0}
    peak = [0]
    guard = threading.Lock()

    def watched(self: Image.Image) -> object:
        with guard:
            state["now"] += 1
            peak[0] = max(peak[0], state["now"])
        try:
            time.sleep(0.02)
            return original(self)
        finally:
            with guard:
                state["now"] -= 1

    monkeypatch.setattr(Image.Image, "load", watched)
    yield peak


def test_one_decode_at_a_time_from_threads(decoding_watch: list[int]) -> None:
    photos = [jpeg_bytes(seed) for seed in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        kinds = list(pool.map(lambda data: check_content(data, LIMIT), photos))
    assert kinds == [FileType.JPEG] * 6
    assert decoding_watch[0] == 1


async def test_one_decode_at_a_time_from_the_event_loop(decoding_watch: list[int]) -> None:
    photos = [jpeg_bytes(seed) for seed in range(6)]
    kinds = await asyncio.gather(*(check_upload(data, LIMIT) for data in photos))
    assert kinds == [FileType.JPEG] * 6
    assert decoding_watch[0] == 1
