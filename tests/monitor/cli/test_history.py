"""``monitor import`` and ``monitor rescore``: backfilling keeps the original dates; a weight or
pattern change, rescored (after a dry run), gives what a fresh import with the new config gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import monitor, rows, write_config
from tests.helpers.imports import history, jsonl, trend


def test_weight_change_dry_run_then_rescore_equals_fresh_import(tmp_path: Path) -> None:
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    old_dir.mkdir()
    new_dir.mkdir()
    data = history(tmp_path)
    config = write_config(old_dir / "monitor.yaml", [])
    monitor(config, "import", str(data))
    before = trend(config, "airspace_nato")["airspace_nato"]
    fired = rows(
        config, "select indicator_id from matches m join items i on i.id = m.item_id where i.guid = 'wire-2'"
    )
    indicator = sorted(i for (i,) in fired)[0]
    weights = json.loads(monitor(config, "scenarios", "--json").stdout)["scenarios"]["airspace_nato"][
        "indicators"
    ]
    override = f"scenarios:\n  airspace_nato:\n    weights: {{{indicator}: {weights[indicator] + 2}}}\n"
    config.write_text(config.read_text() + override)

    dry = monitor(config, "rescore", "--dry-run").stdout
    assert "airspace_nato" in dry and "2026-11-12" in dry and "would change" in dry
    assert trend(config, "airspace_nato")["airspace_nato"] == before  # nothing written

    applied = monitor(config, "rescore").stdout
    assert "changed" in applied
    after = trend(config, "airspace_nato")["airspace_nato"]
    changed = next(d for d in after["days"] if d["day"] == "2026-11-12")
    old = next(d for d in before["days"] if d["day"] == "2026-11-12")
    assert abs(changed["raw"] - old["raw"] - 2.0) < 1e-9  # one fired indicator, reliability 1.0

    fresh = write_config(new_dir / "monitor.yaml", [])
    fresh.write_text(fresh.read_text() + override)
    monitor(fresh, "import", str(data))
    assert trend(fresh) == trend(config)
    assert "nothing would change" in monitor(config, "rescore", "--dry-run").stdout


def test_pattern_change_rematches_stored_items(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    monitor(config, "import", str(history(tmp_path)))
    extra = tmp_path / "mine.yaml"
    extra.write_text(
        "indicators:\n  - id: my_cup\n    label: Cup won in Minsk\n    polarity: escalation\n"
        "    description: test\n    source: own\n    terms: {cup: [cup]}\n    all: [cup]\n"
        "scenarios:\n  my_sport:\n    title: Sport\n    description: test\n    relevance_threshold: 1\n"
        "    half_life_days: 5\n    thresholds: [{level: watch, up: 2, down: 1}]\n    indicators: {my_cup: 2}\n",
        encoding="utf-8",
    )
    config.write_text(config.read_text() + "definitions: [mine.yaml]\n")
    dry = monitor(config, "rescore", "--dry-run").stdout
    assert "7 items would be matched again" in dry and "my_sport" in dry
    assert rows(config, "select count(*) from matches where indicator_id = 'my_cup'") == [(0,)]
    out = monitor(config, "rescore").stdout
    assert "7 items were matched again" in out
    assert rows(config, "select count(*) from matches where indicator_id = 'my_cup'") == [(1,)]
    sport = trend(config, "my_sport")["my_sport"]
    assert [d["raw"] for d in sport["days"] if d["raw"]] == [2.0]


def test_import_rss_file_keeps_original_dates(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    feed = tmp_path / "archive.xml"
    feed.write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Archive</title>'
        "<link>https://archive.example/</link><description>x</description>"
        "<item><guid>a1</guid><title>Gazprom threatens to cut gas supplies to Belarus over debt</title>"
        "<link>https://archive.example/a1</link><description>Moscow demands that Minsk pay its arrears.</description>"
        "<pubDate>Mon, 02 Mar 2026 09:00:00 GMT</pubDate></item></channel></rss>",
        encoding="utf-8",
    )
    assert "1 new" in monitor(config, "import", str(feed)).stdout
    assert rows(config, "select day, published_at from items") == [
        ("2026-03-02", "2026-03-02 09:00:00.000000")
    ]
    energy = trend(config, "energy_cutoff")["energy_cutoff"]
    assert [d["day"] for d in energy["days"] if d["items"]] == ["2026-03-02"]


def test_bad_import_line_names_file_and_line_and_stores_nothing(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    bad = jsonl(tmp_path / "bad.jsonl", [{"id": "1", "title": "ok", "source": "s"}])
    bad.write_text(bad.read_text() + '{"id": "2", "title": "x"}\n', encoding="utf-8")
    result = monitor(config, "import", str(bad), check=False)
    assert result.exit_code == 1 and f"{bad}:2:" in result.stderr and "source" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.postgres
def test_import_trend_and_rescore_on_postgresql(tmp_path: Path, postgres_schema_url: str) -> None:
    """The whole trend path on PostgreSQL: import, stories, trend, a weight change and its rescore."""
    config = write_config(tmp_path / "monitor.yaml", [])
    config.write_text(config.read_text().replace("sqlite:///data/monitor.db", postgres_schema_url))
    out = monitor(config, "import", str(history(tmp_path))).stdout
    assert "7 new" in out
    airspace = trend(config, "airspace_nato")["airspace_nato"]
    day = next(d for d in airspace["days"] if d["day"] == "2026-11-10")
    assert day["items"] == 5 and day["stories"] == 1
    weights = json.loads(monitor(config, "scenarios", "--json").stdout)["scenarios"]["airspace_nato"][
        "indicators"
    ]
    indicator = sorted(weights)[0]
    config.write_text(
        config.read_text()
        + f"scenarios:\n  airspace_nato:\n    weights: {{{indicator}: {weights[indicator] + 1}}}\n"
    )
    monitor(config, "rescore")
    assert "nothing would change" in monitor(config, "rescore", "--dry-run").stdout
    assert "0 new" in monitor(config, "import", str(history(tmp_path))).stdout


def _weight_changed(tmp_path: Path) -> Path:
    """An imported history, then a config that triples one fired airspace indicator's weight."""
    config = write_config(tmp_path / "monitor.yaml", [])
    monitor(config, "import", str(history(tmp_path)))
    weights = json.loads(monitor(config, "scenarios", "--json").stdout)["scenarios"]["airspace_nato"][
        "indicators"
    ]
    indicator = sorted(weights)[0]
    config.write_text(
        config.read_text() + f"scenarios:\n  airspace_nato:\n    weights: {{{indicator}: 9}}\n",
        encoding="utf-8",
    )
    return config


def test_rescore_dry_run_summarises_levels_and_largest_changes_without_the_table(tmp_path: Path) -> None:
    config = _weight_changed(tmp_path)
    data = json.loads(monitor(config, "rescore", "--dry-run", "--json").stdout)
    summary = data["scenarios"]["airspace_nato"]
    assert data["dry_run"] is True and summary["days_changed"] == len(summary["days"]) > 5
    assert data["scenarios"]["belarus_war"]["days_changed"] == 0
    first_level = summary["level_changes"][0]

    text = monitor(config, "rescore", "--dry-run").stdout
    assert f"airspace_nato: {summary['days_changed']} days would change" in text
    assert f"{first_level['day']}  {first_level['from']} → {first_level['to']}" in text
    largest = summary["largest_index_changes"]
    assert len(largest) == 5 and abs(largest[0]["change"]) >= abs(largest[-1]["change"])
    assert f"{largest[0]['day']}  " in text.split("largest index changes:")[1]
    assert "belarus_war: no day would change" in text
    assert "┃ day" not in text  # the per-day table only on request
    assert len(text.splitlines()) < 20
    # piped output is not wrapped at 80 columns in mid-sentence
    assert "nothing written: run `monitor rescore` to apply (--verbose lists every changed day)" in text

    verbose = monitor(config, "rescore", "--dry-run", "--verbose").stdout
    assert verbose.count("→") > text.count("→")
    assert "┃ day" in verbose and all(d["day"] in verbose for d in summary["days"])


def test_rescore_json_reports_what_it_wrote(tmp_path: Path) -> None:
    config = _weight_changed(tmp_path)
    data = json.loads(monitor(config, "rescore", "--json").stdout)
    assert data["dry_run"] is False and data["days_written"] > 0
    day = data["scenarios"]["airspace_nato"]["days"][0]
    assert set(day) == {"day", "old", "new"} and day["new"]["index"] != day["old"]["index"]
    assert json.loads(monitor(config, "rescore", "--json").stdout)["scenarios"]["airspace_nato"]["days"] == []


def test_rescore_refuses_a_since_day_in_the_future(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    result = monitor(config, "rescore", "--since", "2999-01-01", check=False)
    assert result.exit_code == 2
    assert "2999-01-01 is in the future" in result.output and "time zone" in result.output
