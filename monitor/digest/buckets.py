"""Daily points grouped into weeks, months or quarters, so a long range fits one chart line.

``monitor trend`` and the digest's chart share this, so a terminal and a page draw a long range the same
way: one bucket per week from 57 days on, per month from 27 weeks on, per quarter beyond five years.
A bucket keeps what a reader must not lose by grouping: the highest level and index reached inside it
(a one-day alert is still an alert month), the index on its last day, and how many spikes it held.

Pure: no clock, no I/O; the points are any values with ``day``, ``index``, ``level`` and ``spike``
(``scenarios.DailyTrend`` and ``monitor.digest.content.DayPoint`` both are).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

__all__ = [
    "DAILY_MAX_DAYS",
    "Bucket",
    "BucketUnit",
    "DayLike",
    "bucket_days",
    "bucket_label",
    "day_label",
    "span_labels",
    "unit_for",
]

# 56 daily bars plus two dates with years ("2025-09-26 " … " 2025-11-20") fill 78 of 80 columns.
DAILY_MAX_DAYS = 56
WEEKLY_MAX_DAYS = 26 * 7
MONTHLY_MAX_DAYS = 1826  # five years: at most 61 month bars


class BucketUnit(enum.StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


class DayLike(Protocol):
    @property
    def day(self) -> date: ...
    @property
    def index(self) -> float: ...
    @property
    def level(self) -> str: ...
    @property
    def spike(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Bucket:
    """The points of one day, week (Monday to Sunday), calendar month or calendar quarter."""

    unit: BucketUnit
    start: date  # the bucket's first day (a Monday, the 1st of a month), not clipped to the data
    first: date  # the first day with a point
    last: date  # the last day with a point
    days: int  # points in the bucket
    max_index: float  # nan when no point had a finite index
    last_index: float
    level: str  # the highest level reached, by the order given
    last_level: str
    spikes: int


def unit_for(span_days: int) -> BucketUnit:
    """The bucket unit for a range of ``span_days`` days, first and last included."""
    if span_days <= DAILY_MAX_DAYS:
        return BucketUnit.DAY
    if span_days <= WEEKLY_MAX_DAYS:
        return BucketUnit.WEEK
    if span_days <= MONTHLY_MAX_DAYS:
        return BucketUnit.MONTH
    return BucketUnit.QUARTER


def _start(unit: BucketUnit, day: date) -> date:
    if unit is BucketUnit.WEEK:
        return day - timedelta(days=day.weekday())
    if unit is BucketUnit.MONTH:
        return day.replace(day=1)
    if unit is BucketUnit.QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return day


def bucket_days(
    points: Sequence[DayLike], levels: Sequence[str], unit: BucketUnit | None = None
) -> tuple[Bucket, ...]:
    """``points`` (oldest first) grouped by ``unit``, by default the one :func:`unit_for` picks for
    their span. ``levels`` lists the level names from lowest to highest; a level not listed ranks
    below all of them, so a renamed level never hides a listed one."""
    if not points:
        return ()
    ordered = sorted(points, key=lambda p: p.day)
    if unit is None:
        unit = unit_for((ordered[-1].day - ordered[0].day).days + 1)
    rank = {name: i for i, name in enumerate(levels)}
    groups: dict[date, list[DayLike]] = {}
    for p in ordered:
        groups.setdefault(_start(unit, p.day), []).append(p)
    out = []
    for start, group in groups.items():
        finite = [p.index for p in group if math.isfinite(p.index)]
        top = max(group, key=lambda p: rank.get(p.level, -1))
        out.append(
            Bucket(
                unit=unit,
                start=start,
                first=group[0].day,
                last=group[-1].day,
                days=len(group),
                max_index=max(finite) if finite else math.nan,
                last_index=group[-1].index,
                level=top.level,
                last_level=group[-1].level,
                spikes=sum(1 for p in group if p.spike),
            )
        )
    return tuple(out)


def day_label(day: date, with_year: bool) -> str:
    return day.isoformat() if with_year else f"{day:%m-%d}"


def bucket_label(bucket: Bucket, with_year: bool = True) -> str:
    """What names the bucket in a table: its day, the Monday of its week, ``2025-11`` or ``2025-Q4``."""
    if bucket.unit is BucketUnit.MONTH:
        return f"{bucket.start:%Y-%m}"
    if bucket.unit is BucketUnit.QUARTER:
        return f"{bucket.start.year}-Q{(bucket.start.month - 1) // 3 + 1}"
    if bucket.unit is BucketUnit.WEEK:
        return bucket.start.isoformat()
    return day_label(bucket.start, with_year)


def span_labels(buckets: Sequence[Bucket]) -> tuple[str, str]:
    """The labels for the two ends of a chart of ``buckets``.

    Days and weeks end on dates: the first and last day with data, with years when the range crosses
    a new year or is grouped at all (a week alone does not say its year). Months and quarters end on
    their own names, which carry the year.
    """
    if not buckets:
        return "", ""
    first, last = buckets[0], buckets[-1]
    if first.unit in (BucketUnit.MONTH, BucketUnit.QUARTER):
        return bucket_label(first), bucket_label(last)
    with_year = first.unit is not BucketUnit.DAY or first.first.year != last.last.year
    return day_label(first.first, with_year), day_label(last.last, with_year)
