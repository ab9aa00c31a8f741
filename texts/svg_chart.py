"""Bar charts as SVG text for the web desk: Persian labels, Persian digits, right to left.

Why SVG and not texts/charts.py's matplotlib PNG: the browser shapes and orders Persian text
itself (no reshaping, no font file), the chart is a few kilobytes of markup inlined in the page
(no image route, nothing for the content security policy to allow), sharp at any zoom, and
building it costs microseconds instead of matplotlib's import and render (hundreds of ms).
Pure string building: every text is XML-escaped; colours and sizes are fixed here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from texts.formatting import format_number
from texts.i18n import _

COLOURS = ("#2a7f62", "#d08c2b", "#4a6fa5", "#a0522d")
_FONT = "Vazirmatn, Tahoma, 'DejaVu Sans', sans-serif"


@dataclass(frozen=True)
class Series:
    """One kind of bar (e.g. applications filed) and its colour."""

    name: str
    colour: str


@dataclass(frozen=True)
class Group:
    """One place on the axis (a month, a county) with a value per series."""

    label: str
    values: tuple[int, ...]


def _nice_top(value: int) -> int:
    """A round axis top at or above value (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for m in (1, 2, 5):
            if value <= m * step:
                return m * step
        step *= 10


def _text(x: float, y: float, content: str, **attrs: str) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(v)}" for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(content)}</text>'


def _open(width: int, height: int, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" direction="rtl" role="img"'
        f' aria-label={quoteattr(title)} font-family={quoteattr(_FONT)} font-size="12">',
        f"<title>{escape(title)}</title>",
        _text(width - 8, 20, title, text_anchor="start", font_size="15", font_weight="bold"),
    ]


def _legend(parts: list[str], series: Sequence[Series], width: int, y: float) -> None:
    x = width - 8.0
    for s in series:
        parts.append(
            f'<rect x="{x - 12:.1f}" y="{y - 10:.1f}" width="12" height="12"'
            f" fill={quoteattr(s.colour)}/>"
        )
        parts.append(_text(x - 16, y, s.name, text_anchor="start"))
        x -= 24 + 8 * len(s.name)


def _empty(parts: list[str], width: int, height: int) -> None:
    parts.append(_text(width / 2, height / 2, _("No data yet"), text_anchor="middle"))


def column_chart(
    title: str,
    series: Sequence[Series],
    groups: Sequence[Group],
    *,
    width: int = 760,
    height: int = 320,
    number: Callable[[int], str] = format_number,
) -> str:
    """Grouped columns, the first group on the right (Persian reading order), a value axis
    with gridlines on the right, labels under the columns."""
    parts = _open(width, height, title)
    _legend(parts, series, width, 44)
    top = _nice_top(max((v for g in groups for v in g.values), default=0))
    left, right, upper, lower = 12.0, width - 56.0, 64.0, height - 40.0
    if not any(v for g in groups for v in g.values):
        _empty(parts, width, height)
        parts.append("</svg>")
        return "\n".join(parts)
    for i in range(5):  # gridlines and the axis's values, on the right
        value = top * i // 4
        y = lower - (lower - upper) * i / 4
        parts.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
        )
        parts.append(_text(right + 6, y + 4, number(value), text_anchor="end"))
    slot = (right - left) / len(groups)
    bar = max(2.0, slot * 0.7 / max(1, len(series)))
    for index, group in enumerate(groups):
        slot_right = right - index * slot  # the first group at the right edge
        x = slot_right - slot * 0.15
        for value, s in zip(group.values, series, strict=True):
            h = (lower - upper) * value / top
            parts.append(
                f'<rect x="{x - bar:.1f}" y="{lower - h:.1f}" width="{bar:.1f}" height="{h:.1f}"'
                f" fill={quoteattr(s.colour)}><title>{escape(f'{s.name}: {number(value)}')}"
                "</title></rect>"
            )
            x -= bar
        parts.append(_text(slot_right - slot / 2, lower + 18, group.label, text_anchor="middle"))
    parts.append("</svg>")
    return "\n".join(parts)


def bar_chart(
    title: str,
    series: Sequence[Series],
    groups: Sequence[Group],
    *,
    width: int = 760,
    row_height: int = 26,
    number: Callable[[int], str] = format_number,
) -> str:
    """Horizontal bars, one row a group: labels on the right, bars growing to the left,
    each bar's value at its end."""
    height = int(70 + row_height * max(1, len(groups)))
    parts = _open(width, height, title)
    _legend(parts, series, width, 44)
    if not groups:
        _empty(parts, width, height)
        parts.append("</svg>")
        return "\n".join(parts)
    top = max((v for g in groups for v in g.values), default=0) or 1
    label_width = 130.0
    right = width - label_width
    span = right - 70.0
    bar = (row_height - 6) / max(1, len(series))
    for index, group in enumerate(groups):
        y = 60.0 + index * row_height
        parts.append(_text(width - 8, y + row_height / 2 + 2, group.label, text_anchor="start"))
        for k, (value, s) in enumerate(zip(group.values, series, strict=True)):
            w = span * value / top
            by = y + k * bar
            parts.append(
                f'<rect x="{right - w:.1f}" y="{by:.1f}" width="{w:.1f}" height="{bar - 1:.1f}"'
                f" fill={quoteattr(s.colour)}><title>{escape(f'{s.name}: {number(value)}')}"
                "</title></rect>"
            )
            parts.append(
                _text(
                    right - w - 4, by + bar - 3, number(value), text_anchor="start", font_size="10"
                )
            )
    parts.append("</svg>")
    return "\n".join(parts)
