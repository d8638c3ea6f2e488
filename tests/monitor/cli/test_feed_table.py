"""``monitor feeds``: each feed's health after a poll, as JSON and as a table."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import FEED_A, conditional, monitor, write_config
from tests.helpers.feed_server import FeedServer, dead_port
from tests.helpers.imports import jsonl


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as feed_server:
        yield feed_server


def test_dead_host_is_reported_and_other_feeds_keep_polling(tmp_path: Path, server: FeedServer) -> None:
    config = write_config(
        tmp_path / "monitor.yaml",
        [
            ("alive", server.route("/a.xml", conditional(FEED_A))),
            ("dead", f"http://127.0.0.1:{dead_port()}/feed.xml"),
        ],
    )
    result = monitor(config, "poll", check=False)
    assert result.exit_code == 1
    assert "3 new items" in result.stdout and "1 failed" in result.stdout
    health = json.loads(monitor(config, "feeds", "--json").stdout)["feeds"]
    dead = next(f for f in health if f["name"] == "dead")
    alive = next(f for f in health if f["name"] == "alive")
    assert dead["consecutive_failures"] == 1 and "refused" in dead["last_error"]
    assert dead["next_poll_at"] > dead["last_attempt_at"]
    assert alive["consecutive_failures"] == 0 and alive["last_error"] is None and alive["items"] == 3
    table = monitor(config, "feeds").stdout
    assert "dead" in table and "refused" in table and "failing" in table


def test_imported_sources_are_not_listed_as_feeds_unless_asked(tmp_path: Path, server: FeedServer) -> None:
    config = write_config(tmp_path / "monitor.yaml", [("alive", server.route("/a.xml", conditional(FEED_A)))])
    data = jsonl(
        tmp_path / "old.jsonl",
        [
            {
                "id": "1",
                "title": "Minsk moves troops",
                "source": "Archive wire",
                "lang": "en",
                "published": "2026-03-01",
            }
        ],
    )
    monitor(config, "import", str(data))
    listed = [f["name"] for f in json.loads(monitor(config, "feeds", "--json").stdout)["feeds"]]
    assert listed == ["alive"]
    everything = json.loads(monitor(config, "feeds", "--json", "--all").stdout)["feeds"]
    assert {f["name"]: f["health"] for f in everything} == {
        "alive": "never_polled",
        "Archive wire": "imported",
    }
    table = monitor(config, "feeds").stdout
    assert "never" in table and "Archive wire" not in table and "1 imported source not shown" in table
