"""The import history the trend and rescore tests share: one event reported by five outlets (edited
headlines), a different event two days later and an item no scenario weighs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.helpers import monitor

# One event reported by five outlets (edited headlines), and a different event the next day.
REPRINTS = [
    ("wire", "Drone from Belarus crashes in Lithuania, Vilnius airport closed for two hours"),
    ("daily", "Drone that flew in from Belarus crashes in Lithuania; Vilnius airport closed"),
    ("herald", "Vilnius airport closed after drone from Belarus crashes in Lithuania"),
    ("courier", "Lithuania: drone from Belarus crashes, Vilnius airport closed for two hours"),
    ("post", "Drone crashes in Lithuania after crossing from Belarus, Vilnius airport shut"),
]


LEAD = (
    "A drone that entered Lithuanian airspace from Belarus crashed near Vilnius on Tuesday night; "
    "the airport suspended flights for two hours and the army said 14 soldiers searched the area."
)


DAY0 = datetime(2026, 11, 10, 21, 0, tzinfo=UTC)


def jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def history(tmp_path: Path, day0: datetime = DAY0) -> Path:
    """Five outlets' reprints of one airspace story on ``day0``'s evening, and two items two days later."""
    records: list[dict[str, object]] = []
    for n, (source, title) in enumerate(REPRINTS):
        records.append(
            {
                "id": f"{source}-1",
                "title": title,
                "summary": LEAD,
                "url": f"https://{source}.example/a/{n}",
                "source": source,
                "lang": "en",
                "published": (day0 + timedelta(minutes=7 * n)).isoformat(),
            }
        )
    records.append(
        {
            "id": "wire-2",
            "title": "Poland scrambles jets as Russian drones cross from Belarus into Polish airspace",
            "summary": "Warsaw asked NATO for Article 4 consultations after several drones entered from Belarus.",
            "url": "https://wire.example/a/9",
            "source": "wire",
            "lang": "en",
            "published": (day0 + timedelta(days=2)).isoformat(),
        }
    )
    records.append(
        {
            "id": "wire-3",
            "title": "Minsk football club wins the cup",
            "summary": "Fans celebrated in the capital.",
            "url": "https://wire.example/a/10",
            "source": "wire",
            "lang": "en",
            "published": (day0 + timedelta(days=2)).isoformat(),
        }
    )
    return jsonl(tmp_path / "history.jsonl", records)


def trend(config: Path, *args: str) -> dict[str, Any]:
    scenarios: dict[str, Any] = json.loads(
        monitor(config, "trend", "--days", "3660", "--json", *args).stdout
    )["scenarios"]
    return scenarios
