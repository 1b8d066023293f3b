"""The shared SVG charts: round axis ticks, a size that reads on a phone, escaped text."""

import math

import pytest
from django.utils import translation

from citypocket.core.charts import Column, bar_chart_svg, column_chart_svg, nice_ticks, tick_label


@pytest.mark.parametrize(
    ("peak", "ticks"),
    [
        (92, [0, 25, 50, 75, 100]),  # the air page's old axis read 0/27/53/80/106 for this
        (106, [0, 50, 100, 150]),
        (100, [0, 25, 50, 75, 100]),
        (7, [0, 2, 4, 6, 8]),
        (1, [0, 0.25, 0.5, 0.75, 1]),
        (0, [0, 0.25, 0.5, 0.75, 1]),
        (3400, [0, 1000, 2000, 3000, 4000]),
    ],
)
def test_nice_ticks_are_round_and_cover_the_peak(peak, ticks):
    """Ticks start at 0, step by 1, 2, 2.5 or 5 times a power of ten, and the last one reaches the peak."""
    assert nice_ticks(peak) == ticks


def test_nice_ticks_always_cover_the_peak_in_at_most_four_steps():
    """Whatever the peak, the axis holds it in at most four equal steps of a round size."""
    for peak in [0.3, 1.7, 12, 27.5, 53, 80.1, 106, 999, 1234.5, 50_000]:
        ticks = nice_ticks(peak)
        step = ticks[1] - ticks[0]
        assert ticks[0] == 0 and ticks[-1] >= peak and len(ticks) <= 5
        assert round(step / 10 ** math.floor(math.log10(step)), 6) in {1, 2, 2.5, 5}


def test_tick_labels_follow_the_language():
    """0.25 is written 0,25 in French and 0.25 in English; whole ticks carry no decimals."""
    with translation.override("fr"):
        assert tick_label(0.25) == "0,25"
        assert tick_label(50.0) == "50"
    with translation.override("en"):
        assert tick_label(0.25) == "0.25"


def test_column_chart_scales_to_its_box_and_keeps_the_unit_clear_of_the_ticks():
    """The SVG has a viewBox and width 100 %; the unit line sits above the top tick label."""
    svg = column_chart_svg(
        chart_id="c",
        title="T <b>",
        description="D",
        unit="µg/m³",
        columns=[Column(lines=("lun.", "23"), value=92), Column(lines=("mar.", "24"), value=None)],
    )
    assert 'viewBox="0 0 360 240"' in svg and 'width="100%"' in svg
    assert "T &lt;b&gt;" in svg and "<b>" not in svg
    assert [f">{n}</text>" in svg for n in (0, 25, 50, 75, 100)] == [True] * 5
    assert ">27</text>" not in svg
    unit_y = float(svg.split(">µg/m³<")[0].rsplit('y="', 1)[1].split('"')[0])
    top_tick_y = float(svg.split(">100</text>")[0].rsplit('y="', 1)[1].split('"')[0])
    assert unit_y + 13 <= top_tick_y - 4  # a whole line of text apart


def test_bar_chart_puts_long_labels_above_their_bars():
    """A long answer keeps the chart's width for its bar: the label is on its own line, left-aligned."""
    svg = bar_chart_svg(chart_id="b", title="T", description="D", bars=[("Plus de pistes cyclables", 12), ("Non", 3)])
    assert 'viewBox="0 0 360 ' in svg and 'width="100%"' in svg
    assert '<text x="0" y="15" font-size="13" fill="#111827" class="chart-label">Plus de pistes cyclables</text>' in svg
