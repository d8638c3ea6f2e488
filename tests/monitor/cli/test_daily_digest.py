"""``monitor digest``: both files written, a day without data says so, --send without SMTP fails."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import history
from tests.helpers import monitor, write_config


def test_cli_writes_both_files_and_says_when_there_is_no_data(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    monitor(config, "import", str(history.write(tmp_path / "history.jsonl")))
    out = monitor(config, "digest", "--date", "2026-10-30", "--out", str(tmp_path / "d")).stdout
    html, text = tmp_path / "d" / "2026-10-30.html", tmp_path / "d" / "2026-10-30.md"
    assert html.is_file() and text.is_file()
    assert out == f"wrote {html} and {text}\n"  # one line: piped output is not wrapped at 80 columns
    first = text.read_text(encoding="utf-8")
    monitor(config, "digest", "--date", "2026-10-30", "--out", str(tmp_path / "d"))
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["2026-10-30.html", "2026-10-30.md"]
    assert text.read_text(encoding="utf-8").splitlines()[0] == first.splitlines()[0]
    empty = monitor(config, "digest", "--date", "2020-01-01", "--out", str(tmp_path / "d")).stdout
    assert "no data" in empty
    assert "no data" in (tmp_path / "d" / "2020-01-01.md").read_text(encoding="utf-8").lower()
    send = monitor(
        config, "digest", "--date", "2026-10-30", "--out", str(tmp_path / "d"), "--send", check=False
    )
    assert send.exit_code == 1 and "no digest.smtp" in send.stderr


def test_digest_json_gives_the_files_and_the_content(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    monitor(config, "import", str(history.write(tmp_path / "history.jsonl")))
    data = json.loads(
        monitor(config, "digest", "--date", "2026-10-30", "--out", str(tmp_path), "--json").stdout
    )
    assert data["day"] == "2026-10-30" and data["has_data"] is True
    assert data["html"] == str(tmp_path / "2026-10-30.html") and Path(data["text"]).is_file()
    scenario = data["scenarios"][0]
    assert {"id", "level", "index", "change_1d", "change_7d", "stories", "novel"} <= set(scenario)
    assert isinstance(scenario["history"][0]["day"], str) and "mailed_to" not in data


def test_digest_refuses_a_date_in_the_future_and_logs_in_the_configured_zone(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    config.write_text(
        config.read_text().replace("schedule:\n", "schedule:\n  timezone: Asia/Kolkata\n"), encoding="utf-8"
    )
    ahead = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    refused = monitor(config, "digest", "--date", ahead, "--out", str(tmp_path), check=False)
    assert refused.exit_code == 2 and f"{ahead} is in the future" in refused.output
    assert not list(tmp_path.glob("*.html"))
    done = monitor(config, "digest", "--date", "2026-10-30", "--out", str(tmp_path))
    # India has no daylight saving time: the offset is +05:30 whatever the date
    assert re.search(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:30 INFO monitor\.digest", done.stderr, re.M), (
        done.stderr
    )
