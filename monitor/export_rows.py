"""The rows ``monitor items`` and ``monitor export`` write, and their CSV and JSON Lines writers.

One mapping per row, built from values (``FoundItem``, ``DailyTrend``); the writers stream them, a
row at a time. CSV is opened by spreadsheets, which run a cell starting with ``=``, ``+``, ``-``,
``@`` (or a tab or carriage return) as a formula: feed text is written by strangers, so every text
cell starting so gets a leading ``'`` (OWASP's advice). Numbers stay numbers; JSON is never altered.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TextIO

from monitor.item_finder import FoundItem
from scenarios import DailyTrend

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

TREND_FIELDS = (
    "scenario",
    "day",
    "raw",
    "index",
    "level",
    "spike",
    "items",
    "stories",
    "indicators",
    "novel",
    "config_hash",
)
MATCH_FIELDS = (
    "item_id",
    "guid",
    "day",
    "feed",
    "indicator",
    "polarity",
    "factor",
    "via_negation",
    "terms",
)


def item_fields(scenario_ids: Sequence[str]) -> tuple[str, ...]:
    return (
        "id",
        "guid",
        "day",
        "published_at",
        "feed",
        "title",
        "summary",
        "url",
        "language",
        "story_id",
        "indicators",
        "relevant_to",
        *(f"contribution_{sid}" for sid in scenario_ids),
    )


def item_row(found: FoundItem) -> dict[str, Any]:
    """One item; ``contributions`` is a mapping here, spread into one column per scenario in CSV."""
    item = found.item
    return {
        "id": item.id,
        "guid": item.guid,
        "day": item.day.isoformat(),
        "published_at": item.published_at.isoformat() if item.published_at else None,
        "feed": item.feed_name,
        "title": item.title,
        "summary": item.summary,
        "url": item.url,
        "language": item.language,
        "story_id": item.story_id,
        "indicators": list(found.indicator_ids),
        "relevant_to": list(found.relevant_to),
        "contributions": {sid: round(c.value, 6) for sid, c in found.contributions.items()},
    }


def flat_item_row(row: Mapping[str, Any]) -> dict[str, Any]:
    flat = {k: v for k, v in row.items() if k != "contributions"}
    flat.update({f"contribution_{sid}": value for sid, value in row["contributions"].items()})
    return flat


def match_rows(found: FoundItem, indicator_ids: frozenset[str] | None = None) -> Iterator[dict[str, Any]]:
    """One row per stored match of the item (only those of ``indicator_ids`` when given)."""
    item = found.item
    for match in item.matches:
        if indicator_ids is not None and match.indicator_id not in indicator_ids:
            continue
        yield {
            "item_id": item.id,
            "guid": item.guid,
            "day": item.day.isoformat(),
            "feed": item.feed_name,
            "indicator": match.indicator_id,
            "polarity": "escalation" if match.polarity > 0 else "deescalation",
            "factor": match.factor,
            "via_negation": match.via_negation,
            "terms": [e.text for e in match.evidence],
        }


def trend_row(row: DailyTrend) -> dict[str, Any]:
    return {
        "scenario": row.scenario_id,
        "day": row.day.isoformat(),
        "raw": row.raw,
        "index": row.index,
        "level": str(row.level),
        "spike": row.spike,
        "items": row.items,
        "stories": row.stories,
        "indicators": list(row.indicator_ids),
        "novel": list(row.novel),
        "config_hash": row.config_hash,
    }


def csv_cell(value: object) -> object:
    """A value as a CSV cell: lists joined by spaces, None empty, text defused (module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        value = " ".join(str(v) for v in value)
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return value


def write_csv(out: TextIO, fields: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    count = 0
    for row in rows:
        writer.writerow([csv_cell(row.get(field)) for field in fields])
        count += 1
    return count


def write_jsonl(out: TextIO, rows: Iterable[Mapping[str, Any]]) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count
