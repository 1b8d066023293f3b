"""The air page's 7-day chart of a station for one pollutant, drawn by the shared chart helper.

Each bar is the day's ATMO statistic (maximum hourly value for NO2/O3/SO2, mean for PM) in the
official colour of its class; days without enough data get a grey stub. The page puts the same
numbers in a table beside the chart.
"""

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from citypocket.air import indices
from citypocket.air.selectors import DailyPoint
from citypocket.core.charts import Column, column_chart_svg


def render_daily_svg(*, points: list[DailyPoint], title: str, description: str, chart_id: str) -> str:
    """The SVG markup (safe to mark_safe: every text is escaped)."""
    columns = [
        Column(
            lines=(date_format(point.day, "D"), date_format(point.day, "j")),
            value=point.value,
            fill=indices.colour(indices.ATMO, point.level) if point.value is not None else "#6b7280",
        )
        for point in points
    ]
    return column_chart_svg(
        chart_id=chart_id, title=title, description=description, columns=columns, unit=_("µg/m³"), css_class="air-chart"
    )
