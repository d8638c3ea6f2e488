"""The one vertical scale the digest's chart, its sparkline and ``monitor trend`` share."""

from __future__ import annotations

import math

from monitor.digest.chart_scale import chart_scale, sparkline


def test_zero_is_always_on_the_scale() -> None:
    assert chart_scale([], []) == (0.0, 1.0)
    assert chart_scale([0.0, 0.0], []) == (0.0, 1.0)
    low, high = chart_scale([-3.0, -1.0], [])
    assert (low, high) == (-3.0, 0.0)  # all negative: zero is still on the picture, at the top
    assert sparkline([-3.0, -1.0, 0.0], (low, high)) == "▁▆█"


def test_the_next_threshold_above_the_data_is_shown() -> None:
    assert chart_scale([1.0, 2.5], [10.0, 4.0, 20.0]) == (0.0, 4.0 * 1.1)
    assert chart_scale([1.0, 25.0], [4.0, 10.0, 20.0]) == (0.0, 25.0 * 1.1)
    assert chart_scale([1.0, math.nan, math.inf], [4.0, math.inf]) == (0.0, 4.0 * 1.1)


def test_a_quiet_series_is_drawn_low_on_the_chart_scale() -> None:
    quiet = [0.5, 1.0, 0.5]
    assert sparkline(quiet) == "▅█▅"  # on its own scale it would look like a crisis
    assert sparkline(quiet, chart_scale(quiet, [4.0])) == "▂▃▂"
    assert sparkline([0.0, 0.0], chart_scale([0.0, 0.0], [4.0])) == "▁▁"
