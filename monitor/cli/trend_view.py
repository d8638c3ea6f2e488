"""``monitor trend``: the index per day as a sparkline, the level, spikes and the top stories."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

import db
from monitor.item_refs import item_ref
from scenarios import BASE_LEVEL, DailyTrend

BARS = "▁▂▃▄▅▆▇█"
LEVEL_STYLE = {BASE_LEVEL: "green", "watch": "yellow", "warning": "dark_orange", "alert": "bold red"}


def _z(value: float) -> float:
    """``value`` rounded to the 2 decimals shown, with no negative zero."""
    return round(value, 2) + 0.0


def sparkline(values: Sequence[float]) -> str:
    """One character per value, scaled between the smallest and largest value and zero."""
    if not values:
        return ""
    # Zero is always on the scale, as on the digest's chart: a flat 0 is drawn low, not rising.
    low, high = min(0.0, min(values)), max(0.0, max(values))
    span = high - low
    if span <= 0:
        return BARS[0] * len(values)
    return "".join(BARS[min(len(BARS) - 1, int((v - low) / span * (len(BARS) - 1) + 0.5))] for v in values)


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


def render(
    rows: Mapping[str, Sequence[DailyTrend]],
    stories: Mapping[str, Sequence[db.TopStory]],
    titles: Mapping[str, str],
    holding: Held | None = None,
) -> RenderableType:
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
        spikes = "".join("^" if d.spike else " " for d in days)
        chart = Text.assemble(
            (f"{days[0].day:%m-%d} ", "dim"),
            sparkline([d.index for d in days]),
            (f" {last.day:%m-%d}", "dim"),
        )
        parts += [header, chart]
        if any(d.spike for d in days):
            parts.append(Text(" " * 6 + spikes + "  ^ spike", style="red"))
        novel = [(d.day, i) for d in days for i in d.novel]
        if novel:
            parts.append(
                Text(
                    "first time in a while: " + ", ".join(f"{i} ({day:%m-%d})" for day, i in novel[-5:]),
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
                    f"{s.day:%m-%d}",
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
