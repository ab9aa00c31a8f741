"""What a citizen may upload, judged from the bytes alone: a photo (JPEG, PNG) or a PDF.

The type comes from the bytes (magic numbers), never from the file name or the claimed MIME
type. Downloading is the messenger's side (``handlers.uploads``), storing the store's
(``storage.files``).

Hostile files: an image's pixel count is read from its header and refused above
``MAX_IMAGE_PIXELS`` before anything is decoded (a 546 KiB PNG can declare 12000×12000); an
image must then decode whole (a PNG whose pixel data stops early is refused, though Pillow
would fill the gap); only one image is decoded at a time in the process, in a worker thread.
A PDF must have a PDF's skeleton, not only its first bytes. The checks are pure functions
over bytes (``check_content``), callable from wherever the bytes come from.
"""

from __future__ import annotations

import asyncio
import io
import re
import struct
import threading
import weakref
import zlib
from enum import StrEnum

from PIL import Image, ImageFile

# The default of the MAX_IMAGE_PIXELS setting: far above any phone photo or scan (12-50 MP
# cameras save 12 MP by default), far below what would take gigabytes to decode.
DEFAULT_MAX_IMAGE_PIXELS = 40_000_000
# A PDF's end-of-file marker sits near the end; incremental saves may add a little after it.
_PDF_TAIL_BYTES = 2048
_PDF_HEADER = re.compile(rb"%PDF-\d\.\d")
_PDF_OBJECT = re.compile(rb"\d+\s+\d+\s+obj\b")
# Never decode a truncated image as if it were whole (Pillow's default; set again on purpose).
ImageFile.LOAD_TRUNCATED_IMAGES = False
# One image decoded at a time in this process: a decode may take up to MAX_IMAGE_PIXELS × 4
# bytes, so three hostile uploads at once must not take three times that.
_DECODE_LOCK = threading.Lock()
# The same turn on each event loop, so waiting uploads wait there, not in worker threads.
_LOOP_TURNS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


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
    CORRUPT = "corrupt"  # looks like a photo or PDF but does not open (or is cut short)
    TOO_MANY_PIXELS = "too_many_pixels"  # an image larger than MAX_IMAGE_PIXELS
    DOWNLOAD_FAILED = "download_failed"


class UploadRejected(Exception):
    """The upload cannot be accepted; ``reason`` says why."""

    def __init__(self, reason: Rejection, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else str(reason))
        self.reason = reason


def sniff_type(data: bytes) -> FileType | None:
    """The real type from the first bytes: JPEG, PNG or PDF; None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return FileType.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType.PNG
    if data.startswith(b"%PDF-"):
        return FileType.PDF
    return None


# PNG colour type → channels per pixel; Adam7 passes as (first column, first row, steps).
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_ADAM7 = (
    (0, 0, 8, 8),
    (4, 0, 8, 8),
    (0, 4, 4, 8),
    (2, 0, 4, 4),
    (0, 2, 2, 4),
    (1, 0, 2, 2),
    (0, 1, 1, 2),
)
_INFLATE_STEP = 1 << 20


def _png_raw_size(width: int, height: int, depth: int, colour: int, interlace: int) -> int | None:
    """How many bytes the header says the inflated pixel data holds (filter byte per row)."""
    channels = _PNG_CHANNELS.get(colour)
    if channels is None:
        return None
    bits = channels * depth

    def rows(w: int, h: int) -> int:
        return 0 if w <= 0 or h <= 0 else h * (1 + (w * bits + 7) // 8)

    if interlace == 0:
        return rows(width, height)
    return sum(
        rows((width - x0 + dx - 1) // dx, (height - y0 + dy - 1) // dy) for x0, y0, dx, dy in _ADAM7
    )


def png_data_complete(data: bytes) -> bool:
    """Whether a PNG's pixel data (its IDAT chunks) holds every row its header declares.

    Pillow fills the missing rows of a PNG whose compressed stream ends early (a 6600×6600
    header with one row of data decodes without an error), so the rows are counted here:
    inflated in 1 MiB steps and counted, never held.
    """
    header: tuple[int, ...] | None = None
    parts: list[bytes] = []
    pos = 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if len(body) < length:
            return False
        if kind == b"IHDR" and length >= 13:
            header = struct.unpack(">IIBBBBB", body[:13])
        elif kind == b"IDAT":
            parts.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    if header is None or not parts:
        return False
    width, height, depth, colour, _compression, _filter, interlace = header
    expected = _png_raw_size(width, height, depth, colour, interlace)
    if expected is None:
        return False
    inflater = zlib.decompressobj()
    pending, produced = b"".join(parts), 0
    try:
        while produced < expected:
            chunk = inflater.decompress(pending, _INFLATE_STEP)
            produced += len(chunk)
            pending = inflater.unconsumed_tail
            if len(chunk) < _INFLATE_STEP:  # all input used, nothing held back
                break
    except zlib.error:
        return False
    return produced >= expected


def check_image(data: bytes, expected: FileType, max_pixels: int) -> None:
    """Refuse an image too large in pixels (from the header, before decoding) or not whole.

    Raises UploadRejected (TOO_MANY_PIXELS or CORRUPT). Decodes one image at a time in the
    process, whichever thread calls.
    """
    with _DECODE_LOCK:
        try:
            with Image.open(io.BytesIO(data)) as probe:  # reads the header only
                if probe.format != expected.value.upper():
                    raise UploadRejected(Rejection.CORRUPT, f"format {probe.format}")
                width, height = probe.size
            if width * height > max_pixels:
                raise UploadRejected(Rejection.TOO_MANY_PIXELS, f"{width}x{height}")
            if expected is FileType.PNG and not png_data_complete(data):
                raise UploadRejected(Rejection.CORRUPT, "png pixel data cut short")
            with Image.open(io.BytesIO(data)) as probe:
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:  # verify() leaves the image unusable
                image.load()
        except UploadRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise UploadRejected(Rejection.TOO_MANY_PIXELS, str(exc)) from None
        except Exception as exc:  # Pillow raises many kinds (OSError, SyntaxError, …)
            raise UploadRejected(Rejection.CORRUPT, type(exc).__name__) from None


def pdf_structure_ok(data: bytes) -> bool:
    """Whether the bytes have a PDF's skeleton, not only its first five bytes.

    The version header (``%PDF-1.7``), at least one object (``1 0 obj``), a cross-reference
    (``startxref`` near the end, or a ``trailer``) and ``%%EOF`` near the end. Pages are not
    rendered: officers open the file themselves.
    """
    if _PDF_HEADER.match(data) is None:
        return False
    tail = data[-_PDF_TAIL_BYTES:]
    if b"%%EOF" not in tail or _PDF_OBJECT.search(data) is None:
        return False
    return b"startxref" in tail or b"trailer" in data


def check_content(
    data: bytes, max_bytes: int, max_pixels: int = DEFAULT_MAX_IMAGE_PIXELS
) -> FileType:
    """The file's type if it is an acceptable photo or PDF within the size; else UploadRejected."""
    if len(data) > max_bytes:
        raise UploadRejected(Rejection.TOO_LARGE, f"{len(data)} bytes")
    file_type = sniff_type(data)
    if file_type is None:
        raise UploadRejected(Rejection.NOT_ACCEPTED, data[:4].hex())
    if file_type is FileType.PDF:
        if not pdf_structure_ok(data):
            raise UploadRejected(Rejection.CORRUPT, "not a pdf's structure")
    else:
        check_image(data, file_type, max_pixels)
    return file_type


def _loop_turn() -> asyncio.Lock:
    """This event loop's decoding turn (one lock per loop: a lock binds to its loop)."""
    loop = asyncio.get_running_loop()
    turn = _LOOP_TURNS.get(loop)
    if turn is None:
        turn = _LOOP_TURNS[loop] = asyncio.Lock()
    return turn


async def check_upload(
    data: bytes, max_bytes: int, max_pixels: int = DEFAULT_MAX_IMAGE_PIXELS
) -> FileType:
    """``check_content`` in a worker thread, one upload at a time, without blocking the loop."""
    async with _loop_turn():
        return await asyncio.to_thread(check_content, data, max_bytes, max_pixels)
