"""The statistics chart (PNG) the officer menu sends: Persian labels shaped and laid out RTL.

matplotlib from 3.11 lays text out with libraqm (bidi and Arabic-script shaping, announced by
the ``text.language`` setting), so Persian is drawn as given. Older matplotlib draws characters
one by one, left to right: there each label is shaped (arabic-reshaper: contextual letter forms)
and reordered for display (python-bidi) first. Doing both would reverse the text again.
The font is the DejaVu Sans that ships inside matplotlib itself (it has the Persian letters,
digits and presentation forms), so a fresh machine needs no system font.
"""

from __future__ import annotations

import io
from pathlib import Path

import arabic_reshaper
import matplotlib
from bidi import get_display
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from domain.stats import Stats, Tally
from domain.statuses import ApplicationStatus, PlanType
from texts.formatting import format_number, to_persian_digits
from texts.i18n import _
from texts.labels import not_given, plan_type_label
from texts.notifications import status_label

_FONT_FILE = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
_FONT = font_manager.FontProperties(fname=str(_FONT_FILE))
_TITLE_FONT = font_manager.FontProperties(fname=str(_FONT_FILE), size=14, weight="bold")
_BAR = "#2a7f62"
_PAID = "#d08c2b"
_MAX_BARS = 12


NATIVE_LAYOUT = "text.language" in matplotlib.rcParams


def shape(text: str) -> str:
    """A Persian string as this matplotlib must receive it to draw it right."""
    if NATIVE_LAYOUT:
        return text
    return str(get_display(arabic_reshaper.reshape(text)))


def _barh(ax: Axes, labels: list[str], values: list[int], title: str, color: str) -> None:
    """Horizontal bars, largest on top, labels on the right (RTL), counts in Persian digits."""
    positions = list(range(len(values)))[::-1]
    ax.barh(positions, values, color=color)
    ax.set_yticks(positions, [shape(label) for label in labels], fontproperties=_FONT)
    ax.yaxis.tick_right()
    ax.invert_xaxis()  # bars grow right to left, as Persian reads
    ax.set_xticks([])
    for spine in ("top", "left", "bottom"):
        ax.spines[spine].set_visible(False)
    ax.set_title(shape(title), fontproperties=_FONT, loc="right")
    top = max(values, default=0) or 1
    for y, value in zip(positions, values, strict=True):
        ax.text(
            value + top * 0.01,
            y,
            format_number(value),
            va="center",
            ha="right",
            fontproperties=_FONT,
        )
    if not values:
        ax.text(
            0.5,
            0.5,
            shape(_("No data yet")),
            ha="center",
            va="center",
            transform=ax.transAxes,
            fontproperties=_FONT,
        )


def _tally_labels(tallies: list[Tally]) -> tuple[list[str], list[int]]:
    shown = tallies[:_MAX_BARS]
    return [t.name or t.code or not_given() for t in shown], [t.count for t in shown]


def render_stats_chart(stats: Stats) -> bytes:
    """A PNG with four panels: by status, by county, by activity group, and paid plans."""
    # A bare Figure on the Agg canvas: no pyplot global state, safe inside the running bot.
    fig = Figure(figsize=(12, 9), dpi=100)
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, 2)
    statuses = list(stats.by_status.items())
    _barh(
        axes[0][1],
        [status_label(ApplicationStatus(s)) for s, _n in statuses],
        [n for _s, n in statuses],
        _("Applications by status"),
        _BAR,
    )
    _barh(axes[0][0], *_tally_labels(stats.by_county), _("Applications by county"), _BAR)
    _barh(axes[1][1], *_tally_labels(stats.by_group), _("Applications by activity group"), _BAR)
    plans = list(PlanType)
    _barh(
        axes[1][0],
        [plan_type_label(p) for p in plans],
        [stats.paid_for(p).count for p in plans],
        _("Paid loans by plan type"),
        _PAID,
    )
    title = _("Home-business statistics for {year}").format(year=to_persian_digits(stats.year))
    fig.suptitle(shape(title), fontproperties=_TITLE_FONT)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
