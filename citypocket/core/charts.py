"""Server-rendered SVG charts shared by the pages (air, survey results, open data): a title, a
description, round axis ticks, and a size that reads on a 320 px phone.

Every chart is drawn in a narrow viewBox (360 units) and stretched to its container's width, so
its text stays about the size of the page's own small print on a phone instead of shrinking to a
few pixels; the page always puts the same figures in a table nearby. Only escaped text goes into
the markup, so templates can mark the result safe.
"""

import math
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import escape

WIDTH = 360
FONT = 13  # viewBox units: about 11 to 13 px on a 320 to 390 px phone
INK, MUTED, GRID, BAR = "#111827", "#374151", "#d0d4da", "#1f4e79"
# The "nice numbers" of an axis: a step is one of these times a power of ten.
NICE_STEPS = (1, 2, 2.5, 5, 10)


def nice_ticks(peak: float, *, intervals: int = 4) -> list[float]:
    """Round ticks from 0 to at least `peak` in at most `intervals` steps (0/25/50/75/100, not 0/27/53/80/106)."""
    if peak <= 0 or not math.isfinite(peak):
        peak = 1.0
    raw = peak / intervals
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in NICE_STEPS if m * magnitude >= raw * (1 - 1e-9))
    count = math.ceil(peak / step - 1e-9)
    return [round(step * i, 10) for i in range(count + 1)]


def tick_label(value: float) -> str:
    """A tick as the page's language writes it (0,25 in French), without needless decimals."""
    decimals = 0 if float(value).is_integer() else len(f"{value:g}".split(".")[1])
    return number_format(value, decimal_pos=decimals, use_l10n=True)


def _open(*, chart_id: str, title: str, description: str, height: float, css_class: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" width="100%" '
        f'class="{css_class}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
    )


@dataclass(frozen=True)
class Column:
    """One vertical bar: its label (one or two short lines), its value (None: no data) and its fill."""

    lines: tuple[str, ...]
    value: float | None
    fill: str = BAR


def column_chart_svg(
    *, chart_id: str, title: str, description: str, columns: list[Column], unit: str, css_class: str = "chart"
) -> str:
    """Vertical bars over a round-ticked axis; the unit sits above the axis, clear of the ticks."""
    height, left, right, top, bottom = 240, 40, 6, 30, 40
    values = [c.value for c in columns if c.value is not None]
    ticks = nice_ticks(max(values, default=0))
    axis_top = ticks[-1]
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    slot = plot_w / max(1, len(columns))
    bar_w = slot * 0.64
    parts = [
        _open(chart_id=chart_id, title=title, description=description, height=height, css_class=css_class),
        f'<text x="2" y="{FONT}" font-size="{FONT}" fill="{MUTED}">{escape(unit)}</text>',
    ]
    for tick in ticks:
        y = top + plot_h - plot_h * tick / axis_top
        parts.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 5}" y="{y + FONT / 3:.1f}" text-anchor="end" font-size="{FONT}" '
            f'fill="{MUTED}">{escape(tick_label(tick))}</text>'
        )
    baseline = top + plot_h
    for position, column in enumerate(columns):
        x = left + slot * position + (slot - bar_w) / 2
        middle = x + bar_w / 2
        if column.value is None:
            parts.append(f'<rect x="{x:.1f}" y="{baseline - 2}" width="{bar_w:.1f}" height="2" fill="#6b7280"/>')
        else:
            bar_h = plot_h * column.value / axis_top
            parts.append(
                f'<rect x="{x:.1f}" y="{baseline - bar_h:.1f}" width="{bar_w:.1f}" height="{bar_h:.1f}" '
                f'fill="{column.fill}" stroke="#333" stroke-width="0.5"/>'
                f'<text x="{middle:.1f}" y="{baseline - bar_h - 4:.1f}" text-anchor="middle" font-size="{FONT - 1}" '
                f'fill="{INK}">{escape(number_format(round(column.value), use_l10n=True))}</text>'
            )
        for line_number, line in enumerate(column.lines[:2]):
            parts.append(
                f'<text x="{middle:.1f}" y="{baseline + FONT + 4 + line_number * (FONT + 2):.1f}" '
                f'text-anchor="middle" font-size="{FONT - 1}" fill="{MUTED}">{escape(line)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart_svg(
    *, chart_id: str, title: str, description: str, bars: list[tuple[str, float]], css_class: str = "chart"
) -> str:
    """Horizontal bars, each under its label (long labels keep the width a phone has), value at the bar's end."""
    row_h, value_w = 42, 52
    height = max(row_h * len(bars), row_h) + 4
    peak = max((value for _label, value in bars), default=0) or 1
    parts = [_open(chart_id=chart_id, title=title, description=description, height=height, css_class=css_class)]
    for index, (label, value) in enumerate(bars):
        y = 2 + index * row_h
        bar_w = round((WIDTH - value_w) * value / peak, 1)
        text = escape(label if len(label) <= 48 else label[:47] + "…")
        parts.append(
            f'<text x="0" y="{y + FONT}" font-size="{FONT}" fill="{INK}" class="chart-label">{text}</text>'
            f'<rect x="0" y="{y + FONT + 5}" width="{bar_w}" height="16" fill="{BAR}" class="chart-bar"/>'
            f'<text x="{bar_w + 6}" y="{y + FONT + 18}" font-size="{FONT}" fill="{INK}" class="chart-value">'
            f"{escape(tick_label(value))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
