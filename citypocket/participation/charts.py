"""Server-side SVG bar charts for survey results: a title, a description, and a table nearby.

The SVG is built from escaped text only (no user markup), so templates can mark it safe.
"""

from django.utils.html import escape


def bar_chart_svg(*, chart_id: str, title: str, description: str, bars: list[tuple[str, float]]) -> str:
    """Horizontal bars, labels on the left, values on the right; scales to its container."""
    width, label_w, value_w, row_h = 640, 220, 70, 28
    height = max(row_h * len(bars) + 8, row_h)
    peak = max((value for _label, value in bars), default=0) or 1
    rows = []
    for index, (label, value) in enumerate(bars):
        y = 4 + index * row_h
        bar_w = round((width - label_w - value_w) * value / peak, 1)
        text = escape(label if len(label) <= 32 else label[:31] + "…")
        shown = f"{value:g}"
        rows.append(
            f'<text x="{label_w - 8}" y="{y + 18}" text-anchor="end" class="chart-label">{text}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="{row_h - 10}" class="chart-bar"></rect>'
            f'<text x="{label_w + bar_w + 6}" y="{y + 18}" class="chart-value">{shown}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
        + "".join(rows) + "</svg>"
    )
