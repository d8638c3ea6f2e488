"""``monitor import`` on files as they come: dates of any ISO precision, undated items skipped (and
counted) so they cannot put the day of the import at alert, an RSS file attributed to a configured
feed, and a JSON summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import SHARED_DIR, monitor, rows, write_config
from tests.helpers.imports import jsonl, trend

# The labelled sets' format (id, lang, source, date, url, title, summary and the label keys), with
# news written for this test: two dated items, and six undated ones about Belarus's energy that
# together reach energy_cutoff's alert threshold when they all count on one day.
DATED: list[dict[str, object]] = [
    {"id": "d-1", "lang": "en", "source": "Wire", "date": "2021-06-14", "url": "https://wire.example/1",
     "title": "Gazprom cuts off gas supplies to Belarus", "summary": "", "scenario": "energy_cutoff",
     "polarity": "escalation", "rationale": "supply cut"},
    {"id": "d-2", "lang": "en", "source": "Daily", "date": "2021-09", "url": "https://daily.example/2",
     "title": "Minsk football club wins the cup", "summary": "", "scenario": "none",
     "polarity": "neutral", "rationale": "unrelated"},
]  # fmt: skip
UNDATED_TITLES = [
    "Gazprom cuts off gas supplies to Belarus after a dispute over the price",
    "Oil transit through the Druzhba pipeline in Belarus halted",
    "Russia stops oil deliveries to Belarus refineries",
    "Lithuania desynchronises its grid from the Belarusian BRELL ring",
    "Moscow threatens to cut gas to Minsk over unpaid debt",
    "Nuclear fuel deliveries to the Astravets plant suspended by Rosatom",
]
UNDATED: list[dict[str, object]] = [
    {"id": f"u-{n}", "lang": "en", "source": f"Outlet {n}", "url": f"https://outlet{n}.example/a",
     "title": title, "summary": "", "scenario": "energy_cutoff", "polarity": "escalation", "rationale": "x"}
    for n, title in enumerate(UNDATED_TITLES, start=1)
]  # fmt: skip


def labelled(tmp_path: Path) -> Path:
    return jsonl(tmp_path / "labelled.jsonl", [DATED[0], UNDATED[0], *UNDATED[1:], DATED[1]])


def today_rows(config: Path) -> dict[str, dict[str, Any]]:
    """Each scenario's row for the last day of the trend (the day of the import)."""
    return {sid: data["days"][-1] for sid, data in trend(config).items()}


def test_undated_items_are_skipped_and_counted_so_the_import_day_stays_calm(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    result = monitor(config, "import", str(labelled(tmp_path)), check=False)
    assert result.exit_code == 1  # partial: lines were skipped (README, Exit codes)
    assert "8 items read" in result.stdout and "2 new" in result.stdout and "6 skipped" in result.stdout
    assert "6 items had no publication date and were skipped" in result.stderr
    assert rows(config, "select count(*), count(published_at) from items") == [(2, 2)]
    assert all(day["items"] == 0 and day["level"] == "calm" for day in today_rows(config).values())
    assert not [d for s in trend(config).values() for d in s["days"] if d["level"] == "alert"]


def test_undated_today_counts_them_on_the_day_of_the_import(tmp_path: Path) -> None:
    """The same file with the old behaviour: the six undated items put the import day at alert, which
    is what the default `skip` keeps out of the trend."""
    config = write_config(tmp_path / "monitor.yaml", [])
    monitor(config, "import", "--undated", "today", str(labelled(tmp_path)))
    energy = today_rows(config)["energy_cutoff"]
    assert energy["items"] == 6 and energy["level"] == "alert"


def test_undated_fail_refuses_the_file_naming_the_first_undated_line(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    data = labelled(tmp_path)
    result = monitor(config, "import", "--undated", "fail", str(data), check=False)
    assert result.exit_code == 2
    assert f"{data}:2: no publication date (6 undated items in all)" in result.stderr.replace("\n", " ")
    assert rows(config, "select count(*) from items") == [(0,)]


def test_dates_of_every_iso_precision_keep_their_day_in_any_time_zone(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    # West of UTC, a date read as midnight UTC would fall on the day before.
    config.write_text(
        config.read_text().replace("schedule:\n", "schedule:\n  timezone: America/Los_Angeles\n")
    )
    items: list[dict[str, object]] = [
        {"id": "y", "source": "s", "title": "a year", "date": "2019"},
        {"id": "m", "source": "s", "title": "a month", "date": "2020-02"},
        {"id": "d", "source": "s", "title": "a day", "published": "2021-03-04"},
        {"id": "t", "source": "s", "title": "a time", "published": "2021-03-04T23:30:00-08:00"},
    ]
    monitor(config, "import", str(jsonl(tmp_path / "dates.jsonl", items)))
    assert sorted(rows(config, "select guid, day from items")) == [
        ("d", "2021-03-04"),
        ("m", "2020-02-01"),
        ("t", "2021-03-04"),
        ("y", "2019-01-01"),
    ]
    bad = jsonl(tmp_path / "bad.jsonl", [{"id": "x", "source": "s", "title": "t", "date": "2021-02-30"}])
    refused = monitor(config, "import", str(bad), check=False)
    assert refused.exit_code == 2 and f"{bad}:1:" in refused.stderr and "2021-02-30" in refused.stderr


def archive(tmp_path: Path) -> Path:
    feed = tmp_path / "archive.xml"
    feed.write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire A archive</title>'
        "<link>https://archive.example/</link><description>x</description>"
        "<item><guid>a1</guid><title>Gazprom cuts off gas supplies to Belarus</title>"
        "<link>https://archive.example/a1</link><pubDate>Mon, 02 Mar 2026 09:00:00 GMT</pubDate></item>"
        "<item><guid>a2</guid><title>Belarus and Russia sign an oil deal</title>"
        "<link>https://archive.example/a2</link></item></channel></rss>",
        encoding="utf-8",
    )
    return feed


def test_rss_file_joins_the_configured_feed_it_names(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [("wire-a", "http://127.0.0.1:9/a.xml")])
    result = monitor(config, "import", "--feed", "wire-a", str(archive(tmp_path)), check=False)
    assert result.exit_code == 1 and "1 new" in result.stdout and "1 skipped" in result.stdout
    # One source: the configured feed (its reliability, its corroboration), no feed named after the channel.
    assert rows(config, "select f.name, f.config_url, f.reliability from items i join feeds f on f.id = i.feed_id") == [
        ("wire-a", "http://127.0.0.1:9/a.xml", 0.9)
    ]  # fmt: skip
    assert rows(config, "select count(*) from feeds") == [(1,)]


def test_an_unknown_feed_is_a_usage_error_listing_the_configured_names(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "monitor.yaml",
        [("wire-a", "http://127.0.0.1:9/a.xml"), ("wire-b", "http://127.0.0.1:9/b")],
    )
    result = monitor(config, "import", "--feed", "wire-c", str(archive(tmp_path)), check=False)
    assert result.exit_code == 2
    assert "'wire-c' is not a configured feed; configured feeds: wire-a, wire-b" in result.stderr
    assert rows(config, "select count(*) from items") == [(0,)]


def test_json_summary(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    result = monitor(config, "import", "--json", str(labelled(tmp_path)), check=False)
    summary = json.loads(result.stdout)
    assert result.exit_code == summary["exit_code"] == 1
    assert {k: summary[k] for k in ("read", "new", "updated", "already_stored", "skipped_undated")} == {
        "read": 8,
        "new": 2,
        "updated": 0,
        "already_stored": 0,
        "skipped_undated": 6,
    }
    assert summary["sources"] == ["Daily", "Wire"]


DEV = SHARED_DIR / "eval" / "dev.jsonl"


@pytest.mark.skipif(
    not DEV.is_file(), reason=f"{DEV} not found (set MONITOR_SHARED_DIR to the shared folder)"
)
def test_the_real_labelled_set_imports_on_a_fresh_database(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    lines = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    undated = sum(1 for item in lines if not (item.get("date") or item.get("published")))
    result = monitor(config, "import", "--json", str(DEV), check=False)
    summary = json.loads(result.stdout)
    assert summary["skipped_undated"] == undated > 0 and summary["new"] == summary["read"] - undated
    assert result.exit_code == 1
    assert all(day["items"] == 0 and day["level"] == "calm" for day in today_rows(config).values())


def test_counts_are_worded_for_one_and_for_many(tmp_path: Path) -> None:
    for folder in ("skip", "today", "fail"):
        (tmp_path / folder).mkdir()
    one_of_each = jsonl(tmp_path / "one.jsonl", [DATED[0], UNDATED[0]])

    config = write_config(tmp_path / "skip" / "monitor.yaml", [])
    skipped = monitor(config, "import", str(one_of_each), check=False)
    assert "2 items read from 1 source: 1 new, 0 updated, 0 already stored, 1 skipped (no date)" in (
        skipped.stdout
    )
    assert "1 label stored" in skipped.stdout
    assert "1 item had no publication date and was skipped" in skipped.stderr.replace("\n", " ")

    config = write_config(tmp_path / "today" / "monitor.yaml", [])
    counted = monitor(config, "import", "--undated", "today", str(one_of_each))
    assert "2 items read from 2 sources: 2 new" in counted.stdout
    assert "1 item had no publication date and counts on the day" in counted.stderr.replace("\n", " ")

    config = write_config(tmp_path / "fail" / "monitor.yaml", [])
    refused = monitor(config, "import", "--undated", "fail", str(one_of_each), check=False)
    assert "(1 undated item in all)" in refused.stderr.replace("\n", " ")
    bad_line = jsonl(tmp_path / "bad.jsonl", [DATED[0], {"id": "x", "source": "s", "date": "2021-01-01"}])
    assert "1 bad line, nothing was imported" in monitor(config, "import", str(bad_line), check=False).stderr
    unknown = jsonl(tmp_path / "unknown.jsonl", [{**DATED[0], "scenario": "belarus_warr"}])
    assert "1 label names an unknown scenario" in monitor(config, "import", str(unknown), check=False).stderr
