"""Grouping daily points into weeks, months and quarters for long charts (``monitor.digest.buckets``)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from monitor.digest.buckets import (
    DAILY_MAX_DAYS,
    BucketUnit,
    bucket_days,
    bucket_label,
    span_labels,
    unit_for,
)
from monitor.digest.content import DayPoint
from scenarios import Level

LEVELS = ("calm", "watch", "warning", "alert")


def _points(first: date, indexes: list[float], levels: dict[int, str] | None = None) -> list[DayPoint]:
    levels = levels or {}
    return [
        DayPoint(first + timedelta(days=i), v, 0.0, Level(levels.get(i, "calm")), spike=v >= 10)
        for i, v in enumerate(indexes)
    ]


@pytest.mark.parametrize(
    ("days", "unit"),
    [
        (1, BucketUnit.DAY),
        (30, BucketUnit.DAY),
        (DAILY_MAX_DAYS, BucketUnit.DAY),
        (DAILY_MAX_DAYS + 1, BucketUnit.WEEK),
        (120, BucketUnit.WEEK),
        (182, BucketUnit.WEEK),
        (183, BucketUnit.MONTH),
        (400, BucketUnit.MONTH),
        (1826, BucketUnit.MONTH),
        (3660, BucketUnit.QUARTER),
    ],
)
def test_unit_for_the_span(days: int, unit: BucketUnit) -> None:
    assert unit_for(days) is unit


def test_months_keep_the_highest_level_and_index_and_the_last_index() -> None:
    # 2024-12-30 … 2025-02-02: five December-end days, all of January, two February days.
    first = date(2024, 12, 30)
    indexes = [1.0, 2.0] + [3.0] * 14 + [12.0] + [4.0] * 14 + [0.5, -1.0, 2.5, 0.0]
    points = _points(first, indexes, levels={16: "alert", 17: "warning", 33: "watch"})
    months = bucket_days(points, LEVELS, BucketUnit.MONTH)
    assert [bucket_label(b) for b in months] == ["2024-12", "2025-01", "2025-02"]
    dec, jan, feb = months
    assert (dec.first, dec.last, dec.days, dec.max_index, dec.last_index) == (
        date(2024, 12, 30),
        date(2024, 12, 31),
        2,
        2.0,
        2.0,
    )
    assert jan.days == 31 and jan.max_index == 12.0 and jan.last_index == -1.0
    assert jan.level == "alert" and jan.last_level == "calm" and jan.spikes == 1
    assert (feb.days, feb.level, feb.last_level, feb.last_index) == (2, "watch", "calm", 0.0)
    assert sum(b.days for b in months) == len(points)
    assert span_labels(months) == ("2024-12", "2025-02")


def test_weeks_start_on_monday_and_dates_carry_the_year() -> None:
    first = date(2025, 11, 20)  # a Thursday
    points = _points(first, [float(i) for i in range(120)])
    weeks = bucket_days(points, LEVELS)
    assert weeks[0].unit is BucketUnit.WEEK
    assert weeks[0].start == date(2025, 11, 17) and weeks[0].days == 4
    assert all(b.start.weekday() == 0 for b in weeks)
    assert all(b.days == 7 for b in weeks[1:-1])
    assert [b.max_index for b in weeks[:2]] == [3.0, 10.0]
    assert span_labels(weeks) == ("2025-11-20", "2026-03-19")
    assert bucket_label(weeks[1]) == "2025-11-24"


def test_days_show_the_year_only_when_the_range_crosses_one() -> None:
    within = bucket_days(_points(date(2025, 3, 1), [0.0] * 30), LEVELS)
    assert within[0].unit is BucketUnit.DAY and len(within) == 30
    assert span_labels(within) == ("03-01", "03-30")
    across = bucket_days(_points(date(2025, 12, 20), [0.0] * 30), LEVELS)
    assert span_labels(across) == ("2025-12-20", "2026-01-18")


def test_quarters_for_ten_years_and_unknown_levels_rank_lowest() -> None:
    points = _points(date(2016, 2, 1), [1.0] * 3660, levels={0: "custom", 40: "watch"})
    quarters = bucket_days(points, LEVELS)
    assert quarters[0].unit is BucketUnit.QUARTER and len(quarters) == 41
    assert bucket_label(quarters[0]) == "2016-Q1" and quarters[0].level == "watch"
    assert span_labels(quarters) == ("2016-Q1", "2026-Q1")


def test_non_finite_indexes_and_no_points() -> None:
    assert bucket_days([], LEVELS) == ()
    assert span_labels(()) == ("", "")
    (week,) = bucket_days(_points(date(2025, 11, 17), [math.nan, 2.0]), LEVELS, BucketUnit.WEEK)
    assert week.max_index == 2.0
    (blank,) = bucket_days(_points(date(2025, 11, 17), [math.nan]), LEVELS, BucketUnit.WEEK)
    assert math.isnan(blank.max_index)
