"""``monitor trend`` after an import: one event reported by five outlets is one story, counted once."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.helpers import monitor, rows, write_config
from tests.helpers.imports import LEAD, history, jsonl, trend


def test_five_feeds_one_story_counted_once_with_corroboration_five(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    out = monitor(config, "import", str(history(tmp_path))).stdout
    assert "7 items read from 5 sources: 7 new" in out
    assert rows(config, "select count(distinct story_id) from items where guid like '%-1'") == [(1,)]
    airspace = trend(config, "airspace_nato")["airspace_nato"]
    day = next(d for d in airspace["days"] if d["day"] == "2026-11-10")
    assert day["items"] == 5 and day["stories"] == 1
    explain = json.loads(monitor(config, "explain", "1", "--json").stdout)
    strongest = explain["scenarios"]["airspace_nato"]["contribution"]
    assert abs(day["raw"] - strongest) < 1e-9  # counted once, not five times
    top = next(s for s in airspace["top_stories"] if s["day"] == "2026-11-10")
    assert top["sources"] == 5
    again = monitor(config, "import", str(history(tmp_path))).stdout
    assert "0 new" in again and "7 already stored" in again
    assert rows(config, "select count(*) from items") == [(7,)]


def test_trend_shows_what_holds_the_level_up_days_later(tmp_path: Path) -> None:
    # Days before today, not a fixed date: the trend runs to today, and a story of a fixed day
    # decays below what is shown as the real date moves on.
    day0 = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=4)
    reported = day0.date().isoformat()
    config = write_config(tmp_path / "monitor.yaml", [])
    monitor(config, "import", str(history(tmp_path, day0)))
    airspace = trend(config, "airspace_nato", "--days", "400")["airspace_nato"]
    (held,) = [h for h in airspace["holding"] if h["day"] == reported]
    # Reported four days ago, still holding the index up on the trend's last day, decayed.
    assert airspace["days"][-1]["day"] > reported
    assert 0 < held["share_today"] < held["contribution"]
    text = monitor(config, "trend", "airspace_nato", "--days", "400").stdout
    assert "what holds the level up" in text and reported in text
    # Each story line names its item as `monitor explain` and `monitor label` take it.
    (top,) = [s for s in airspace["top_stories"] if s["day"] == reported]
    lines = text.splitlines()
    assert any(f"#{held['item_id']} " in line and reported in line for line in lines)
    assert any(f"#{top['item_id']} " in line and reported[5:] in line for line in lines)


def _spread_history(tmp_path: Path, days_ago: list[int]) -> Path:
    """One airspace story on each of ``days_ago`` (days before now), so the trend spans that range."""
    now = datetime.now(UTC)
    return jsonl(
        tmp_path / "spread.jsonl",
        [
            {
                "id": f"spread-{ago}",
                "title": f"Drone from Belarus crashes in Lithuania, Vilnius airport closed ({ago})",
                "summary": LEAD,
                "url": f"https://wire.example/spread/{ago}",
                "source": "wire",
                "lang": "en",
                "published": (now - timedelta(days=ago)).isoformat(),
            }
            for ago in days_ago
        ],
    )


def _chart_line(text: str) -> str:
    (line,) = [line for line in text.splitlines() if any(bar in line for bar in "▁▂▃▄▅▆▇█")]
    return line


def test_long_ranges_are_bucketed_into_months_and_weeks_with_years(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    monitor(config, "import", str(_spread_history(tmp_path, [390, 200, 100, 40, 3])))

    yearly = monitor(config, "trend", "airspace_nato", "--days", "400").stdout
    line = _chart_line(yearly)
    assert len(line) <= 80, line
    first, bars, last = line.split(" ")
    assert re.fullmatch(r"\d{4}-\d{2}", first) and re.fullmatch(r"\d{4}-\d{2}", last), line
    assert 13 <= len(bars) <= 15  # one bar per calendar month over 391 days
    months = re.findall(
        r"^(\d{4}-\d{2}) +(calm|watch|warning|alert) +(-?\d+\.\d\d) +(-?\d+\.\d\d)", yearly, re.M
    )
    assert [m[0] for m in months] == [first, *[m[0] for m in months[1:-1]], last]
    assert len(months) == len(bars)
    assert all(float(top) >= float(end) for _, _, top, end in months)  # highest index, then last index
    assert "one bar per month" in yearly

    quarter = monitor(config, "trend", "airspace_nato", "--days", "120").stdout
    line = _chart_line(quarter)
    first, bars, last = line.split(" ")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", first) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", last), line
    assert 17 <= len(bars) <= 19 and len(line) <= 80
    assert "one bar per week" in quarter and "week of" in quarter

    month = monitor(config, "trend", "airspace_nato", "--days", "30").stdout
    first, bars, last = _chart_line(month).split(" ")
    assert len(bars) == 30 and "one bar per" not in month
