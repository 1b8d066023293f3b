"""Server-rendered SVG bar chart of a station's 7 days for one pollutant (with a title and a description).

Each bar is the day's ATMO statistic (maximum hourly value for NO2/O3/SO2, mean for PM) in the
official colour of its class; days without enough data get a grey stub. The page puts the same
numbers in a table beside the chart.
"""

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _

from citypocket.air import indices
from citypocket.air.selectors import DailyPoint

WIDTH, HEIGHT = 560, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 36


def render_daily_svg(*, points: list[DailyPoint], title: str, description: str, chart_id: str) -> str:
    """The SVG markup (safe to mark_safe: every text is escaped)."""
    values = [p.value for p in points if p.value is not None]
    top = max([*values, 1.0]) * 1.15
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(points))
    bar_w = slot * 0.6
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="air-chart" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for step in range(5):
        value = top * step / 4
        y = TOP + plot_h - plot_h * step / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d4da"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#333">'
                     f"{value:.0f}</text>")
    for position, point in enumerate(points):
        x = LEFT + slot * position + (slot - bar_w) / 2
        day = escape(date_format(point.day, "D j"))
        if point.value is None:
            parts.append(f'<rect x="{x:.1f}" y="{TOP + plot_h - 2}" width="{bar_w:.1f}" height="2" fill="#888"/>')
        else:
            height = plot_h * point.value / top
            parts.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - height:.1f}" width="{bar_w:.1f}" height="{height:.1f}" '
                f'fill="{indices.colour(indices.ATMO, point.level)}" stroke="#333" stroke-width="0.5"/>'
            )
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{TOP + plot_h - height - 4:.1f}" text-anchor="middle" '
                         f'font-size="11" fill="#111">{point.value:.0f}</text>')
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{HEIGHT - 14}" text-anchor="middle" font-size="11" '
                     f'fill="#333">{day}</text>')
    parts.append(f'<text x="4" y="{TOP - 4}" font-size="11" fill="#333">{escape(_("µg/m³"))}</text>')
    parts.append("</svg>")
    return "".join(parts)
