"""Hostile uploads, generated: pictures that declare more pixels than they carry, fake PDFs."""

from __future__ import annotations

import struct
import zlib

_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2))
_ADAM7 += ((0, 1, 1, 2),)


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def _repeated_line(line: bytes, count: int, stretch_lines: int = 256) -> bytes:
    """zlib data of ``line`` written ``count`` times, a stretch of lines compressed only once.

    After a full flush deflate looks back no further, so one stretch's compressed blocks may be
    repeated as they are (compressing all 144 MB of a 12000×12000 picture took ~0.8 s of CPU).
    """
    whole, rest = divmod(count, stretch_lines)
    stretch = line * stretch_lines if whole else b""
    body = b"\x78\xda"  # the zlib header; the blocks inside are raw deflate
    if whole:
        deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
        body += (deflater.compress(stretch) + deflater.flush(zlib.Z_FULL_FLUSH)) * whole
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    body += deflater.compress(line * rest) + deflater.flush()
    checksum = 1  # Adler-32 of nothing
    for _ in range(whole):
        checksum = zlib.adler32(stretch, checksum)
    return body + struct.pack(">I", zlib.adler32(line * rest, checksum))


def png(width: int, height: int, rows: int | None = None, *, interlace: int = 0) -> bytes:
    """An 8-bit greyscale PNG whose pixel data holds ``rows`` rows (all of them by default).

    Black rows compress to almost nothing, so a 12000×12000 picture (144 million pixels) takes
    about half a megabyte and little memory to make.
    """
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, interlace)
    # Each row: filter byte «none», then black pixels. Interlaced: the seven Adam7 passes.
    if not interlace:
        body = _repeated_line(b"\x00" + bytes(width), height if rows is None else rows)
    else:
        passes = [(-(-(width - x0) // dx), -(-(height - y0) // dy)) for x0, y0, dx, dy in _ADAM7]
        lines = [b"\x00" + bytes(w) for w, h in passes if w > 0 for _ in range(h)]
        deflater = zlib.compressobj(9)
        count = len(lines) if rows is None else rows
        body = b"".join(deflater.compress(lines[min(i, len(lines) - 1)]) for i in range(count))
        body += deflater.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", body)
        + _chunk(b"IEND", b"")
    )


def bomb_png() -> bytes:
    """12000×12000 pixels in a few hundred KiB: fully decoded, it takes gigabytes."""
    return png(12000, 12000)


def truncated_png() -> bytes:
    """A PNG declaring 6600×6600 pixels with one row of pixel data (Pillow fills the rest)."""
    return png(6600, 6600, rows=1)


def fake_pdf() -> bytes:
    """Starts like a PDF and ends with %%EOF, but has no object and no cross-reference."""
    return b"%PDF-1.7\n" + b"<html><body>not a pdf</body></html>\n" * 20 + b"%%EOF\n"
