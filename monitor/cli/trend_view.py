"""``monitor trend``: the index per day as a sparkline, the level, spikes and the top stories."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

import db
from monitor.digest.buckets import Bucket, BucketUnit, bucket_days, bucket_label, day_label, span_labels
from monitor.digest.chart_scale import chart_scale, sparkline
from monitor.item_refs import item_ref
from scenarios import BASE_LEVEL, DailyTrend, Threshold

LEVEL_STYLE = {BASE_LEVEL: "green", "watch": "yellow", "warning": "dark_orange", "alert": "bold red"}


def _z(value: float) -> float:
    """``value`` rounded to the 2 decimals shown, with no negative zero."""
    return round(value, 2) + 0.0


Held = Mapping[str, Sequence[tuple[float, "db.TopStory"]]]


def trend_json(
    rows: Mapping[str, Sequence[DailyTrend]],
    stories: Mapping[str, Sequence[db.TopStory]],
    holding: Held | None = None,
) -> dict[str, Any]:
    scenarios: dict[str, Any] = {}
    for scenario_id, days in rows.items():
        last = days[-1] if days else None
        scenarios[scenario_id] = {
            "level": last.level if last else None,
            "index": last.index if last else None,
            "days": [
                {
                    "day": d.day.isoformat(),
                    "raw": d.raw,
                    "index": d.index,
                    "level": d.level,
                    "spike": d.spike,
                    "items": d.items,
                    "stories": d.stories,
                    "indicators": list(d.indicator_ids),
                    "novel": list(d.novel),
                    "config_hash": d.config_hash,
                }
                for d in days
            ],
            "top_stories": [
                {
                    "title": s.title,
                    "sources": s.sources,
                    "contribution": s.value,
                    "day": s.day.isoformat(),
                    "url": s.url,
                    "feed": s.feed_name,
                    "item_id": s.item_id,
                    "indicators": list(s.indicator_ids),
                }
                for s in stories.get(scenario_id, ())
            ],
            # What holds the last day's index up: story contributions decayed to that day.
            "holding": [
                {
                    "share_today": share,
                    "contribution": s.value,
                    "day": s.day.isoformat(),
                    "title": s.title,
                    "feed": s.feed_name,
                    "item_id": s.item_id,
                    "indicators": list(s.indicator_ids),
                }
                for share, s in (holding or {}).get(scenario_id, ())
            ],
        }
    return {"scenarios": scenarios}


_UNIT_HEADING = {BucketUnit.WEEK: "week of", BucketUnit.MONTH: "month", BucketUnit.QUARTER: "quarter"}


def _chart(days: Sequence[DailyTrend], thresholds: Sequence[Threshold]) -> tuple[list[RenderableType], bool]:
    """The chart line (one bar per day, or per week or month over a long range, so it fits 80
    columns) on the digest chart's scale, its spike marks and, when grouped, one table row per
    bucket. Also whether dates elsewhere need their year."""
    buckets = bucket_days(days, (BASE_LEVEL, *(t.level for t in thresholds)))
    left, right = span_labels(buckets)
    grouped = buckets[0].unit is not BucketUnit.DAY
    bars = [b.max_index if math.isfinite(b.max_index) else 0.0 for b in buckets]
    scale = chart_scale(bars, (t.up for t in thresholds))
    parts: list[RenderableType] = [
        Text.assemble((f"{left} ", "dim"), sparkline(bars, scale), (f" {right}", "dim"), no_wrap=True)
    ]
    if any(b.spikes for b in buckets):
        marks = "".join("^" if b.spikes else " " for b in buckets)
        parts.append(Text(" " * (len(left) + 1) + marks + "  ^ spike", style="red", no_wrap=True))
    if grouped:
        parts.append(_bucket_table(buckets))
    return parts, grouped or days[0].day.year != days[-1].day.year


def _bucket_table(buckets: Sequence[Bucket]) -> Table:
    unit = buckets[0].unit
    table = Table(
        _UNIT_HEADING.get(unit, "day"),
        "highest level",
        "highest index",
        "last index",
        "spikes",
        box=None,
        pad_edge=False,
        caption=f"one bar per {unit}: its highest index",
        caption_justify="left",
    )
    for b in buckets:
        table.add_row(
            bucket_label(b),
            Text(b.level, style=LEVEL_STYLE.get(b.level, "bold")),
            f"{_z(b.max_index):.2f}" if math.isfinite(b.max_index) else "n/a",
            f"{_z(b.last_index):.2f}",
            str(b.spikes) if b.spikes else "",
        )
    return table


def render(
    rows: Mapping[str, Sequence[DailyTrend]],
    stories: Mapping[str, Sequence[db.TopStory]],
    titles: Mapping[str, str],
    holding: Held | None = None,
    thresholds: Mapping[str, Sequence[Threshold]] | None = None,
) -> RenderableType:
    """``thresholds`` are each scenario's levels, lowest first: they set the chart's scale (up to
    the next level's ``up``, as on the digest) and rank a bucket's levels."""
    parts: list[RenderableType] = []
    for scenario_id, days in rows.items():
        if not days:
            parts.append(Text(f"{scenario_id}: no data yet", style="dim"))
            continue
        last = days[-1]
        week = days[-8] if len(days) >= 8 else days[0]
        header = Text.assemble(
            (f"{scenario_id}", "bold"),
            f"  {titles.get(scenario_id, '')}\n",
            ("level ", "dim"),
            (last.level, LEVEL_STYLE.get(last.level, "bold")),
            ("   index ", "dim"),
            f"{_z(last.index):.2f}",
            ("   7-day change ", "dim"),
            f"{_z(last.index - week.index):+.2f}",
        )
        chart, with_year = _chart(days, (thresholds or {}).get(scenario_id, ()))
        parts += [header, *chart]
        novel = [(d.day, i) for d in days for i in d.novel]
        if novel:
            parts.append(
                Text(
                    "first time in a while: "
                    + ", ".join(f"{i} ({day_label(day, with_year)})" for day, i in novel[-5:]),
                    style="cyan",
                )
            )
        held = (holding or {}).get(scenario_id, ())
        if held:
            table = Table("from", "today", "item", "what holds the level up", box=None, pad_edge=False)
            for share, s in held:
                table.add_row(
                    f"{s.day:%Y-%m-%d}",
                    f"{_z(share):+.2f}",
                    item_ref(s.item_id),
                    f"{escape(s.title)} [dim]({escape(s.feed_name)})[/]",
                )
            parts.append(table)
        elif last.level != BASE_LEVEL:
            parts.append(
                Text("no stored story still holds this level up (older than the history shown)", style="dim")
            )
        top = stories.get(scenario_id, ())
        if top:
            table = Table("day", "contribution", "sources", "item", "story", box=None, pad_edge=False)
            for s in top:
                table.add_row(
                    day_label(s.day, with_year),
                    f"{_z(s.value):+.2f}",
                    str(s.sources),
                    item_ref(s.item_id),
                    f"{escape(s.title)} [dim]({escape(s.feed_name)})[/]",
                )
            parts.append(table)
        parts.append(Text(""))
    return Group(*parts)


def days_window(today: date, days: int) -> date:
    from datetime import timedelta

    return today - timedelta(days=days - 1)
