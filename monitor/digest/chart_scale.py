"""One vertical scale for every drawing of a trend: the digest's SVG, its text sparkline and
``monitor trend``'s sparkline, so the same days look the same wherever they are shown.

The scale runs from 0 (or the lowest index, when it is negative) to a little above the highest index
and the next level's threshold. Zero is always on it, so a flat 0 is drawn flat and low, never as a
rising bar; the next threshold says how far the index is from the next level. Pure: values in, numbers
and characters out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

__all__ = ["BARS", "chart_scale", "sparkline"]

BARS = "▁▂▃▄▅▆▇█"


def chart_scale(values: Iterable[float], ups: Iterable[float]) -> tuple[float, float]:
    """(low, high) for ``values`` given the levels' ``up`` thresholds.

    Only the first threshold above the data is shown (or the highest, when the data is above them
    all): bands further up would flatten a quiet series against the floor.
    """
    finite = [v for v in values if math.isfinite(v)] or [0.0]
    low, high = min(0.0, min(finite)), max(0.0, max(finite))
    thresholds = sorted(u for u in ups if math.isfinite(u))
    above = [u for u in thresholds if u > high]
    if above:
        high = above[0]
    elif thresholds:
        high = max(high, thresholds[-1])
    return low, max(high * 1.1, low + 1.0)


def sparkline(values: Sequence[float], scale: tuple[float, float] | None = None) -> str:
    """One character per value on ``scale`` (low, high), by default from the lowest value or 0 to
    the highest or 0; a gap for a value that is not a number."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return ""
    low, high = scale or (min(0.0, min(finite)), max(0.0, max(finite)))
    span = high - low
    top = len(BARS) - 1
    out = []
    for v in values:
        if not math.isfinite(v):
            out.append(" ")
        elif span <= 0:
            out.append(BARS[0])
        else:
            out.append(BARS[min(top, max(0, round((v - low) / span * top)))])
    return "".join(out)
