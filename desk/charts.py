"""Server-drawn SVG bar charts for the desk (no script, no image library, escaped labels)."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from texts.formatting import to_persian_digits


@dataclass(frozen=True)
class Series:
    """One coloured series of bars, a value per label."""

    name: str
    values: list[int]
    css_class: str


def bar_chart(title: str, labels: list[str], series: list[Series], *, width: int = 640) -> Markup:
    """Vertical grouped bars: one group per label, one bar per series, the value above it."""
    height, top, bottom, legend = 260, 30, 60, 22
    plot = height - top - bottom
    groups = max(len(labels), 1)
    group_width = (width - 20) / groups
    bar_width = max(min(group_width / (len(series) + 1), 40), 4)
    peak = max([v for s in series for v in s.values] + [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + legend}"'
        f' class="chart" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, label in enumerate(labels):
        # Right to left: the first label stands at the right, as Persian is read.
        x0 = width - 10 - (index + 1) * group_width
        for number, item in enumerate(series):
            value = item.values[index] if index < len(item.values) else 0
            bar = plot * value / peak
            # The first series stands on the right of its group, as Persian is read.
            x = x0 + group_width - (number + 1.5) * bar_width
            y = top + plot - bar
            parts.append(
                f'<rect class="{item.css_class}" x="{x:.1f}" y="{y:.1f}"'
                f' width="{bar_width:.1f}" height="{bar:.1f}"/>'
            )
            parts.append(
                f'<text class="value" x="{x + bar_width / 2:.1f}" y="{y - 3:.1f}"'
                f' text-anchor="middle">{escape(to_persian_digits(value))}</text>'
            )
        parts.append(
            f'<text class="label" x="{x0 + group_width / 2:.1f}" y="{top + plot + 18}"'
            f' text-anchor="middle">{escape(label)}</text>'
        )
    for number, item in enumerate(series):
        x = width - 20 - number * 140
        y = height + 4
        parts.append(f'<rect class="{item.css_class}" x="{x}" y="{y}" width="12" height="12"/>')
        parts.append(
            f'<text class="legend" x="{x - 6}" y="{y + 11}" text-anchor="end">'
            f"{escape(item.name)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
