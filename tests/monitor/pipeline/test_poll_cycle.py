"""One poll cycle in this process (``poll_and_refresh``): real HTTP on 127.0.0.1, a real SQLite file,
a fixed clock. Items are stored once, 304s store nothing, the trend is refreshed, a feed that fails
does not stop the others and is tried again only when due."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import db
from monitor.analysis import Definitions
from monitor.config.model import Config, load_config
from monitor.feeds.poll import PollReport
from monitor.pipeline.poll_cycle import poll_and_refresh
from monitor.pipeline.poll_settings import feed_specs
from tests.helpers import FEED_A, FEED_B, conditional, rows, write_config
from tests.helpers.feed_server import FeedServer, dead_port

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as feed_server:
        yield feed_server


def _poll(
    path: Path, definitions: Definitions, now: datetime, *, due_only: bool = True
) -> tuple[Config, PollReport]:
    config = load_config(path)
    database = db.open_database(config.database_url)
    try:
        db.sync_feeds(database, feed_specs(config), now)
        report = poll_and_refresh(database, config, definitions, now=lambda: now, due_only=due_only)
    finally:
        database.close()
    return config, report


def test_new_items_are_stored_once_and_the_trend_is_refreshed(
    tmp_path: Path, server: FeedServer, shipped_definitions: Definitions
) -> None:
    path = write_config(
        tmp_path / "monitor.yaml",
        [
            ("wire-a", server.route("/a.xml", conditional(FEED_A))),
            ("wire-b", server.route("/b.xml", conditional(FEED_B))),
        ],
    )
    config, report = _poll(path, shipped_definitions, NOW)
    assert report.items_new == 5 and report.failed == 0
    assert sorted(f.name for f in report.feeds) == ["wire-a", "wire-b"]
    assert rows(path, "select count(*), count(distinct feed_id || guid) from items") == [(5, 5)]
    assert rows(path, "select summary from items where guid = 'b-2'") == [
        ("Jets were scrambled after a drone alert.",)
    ]
    database = db.open_database(config.database_url)
    try:
        trend = db.load_trend(database, since=NOW.date() - timedelta(days=1))
    finally:
        database.close()
    assert {row.scenario_id for row in trend} == {"belarus_war", "airspace_nato", "energy_cutoff"}
    assert sum(row.items for row in trend if row.day == NOW.date()) > 0

    # Not due again for 15 minutes: nothing is fetched.
    before = len(server.requests)
    _, early = _poll(path, shipped_definitions, NOW + timedelta(minutes=5))
    assert early.feeds == () and early.run_id is None and len(server.requests) == before

    # Due again: conditional requests, 304s, nothing new.
    _, later = _poll(path, shipped_definitions, NOW + timedelta(minutes=16))
    assert later.items_new == 0
    assert all(r.header("If-None-Match") for r in server.requests[before:])
    assert rows(path, "select outcome, count(*) from feed_polls group by outcome order by outcome") == [
        ("not_modified", 2),
        ("ok", 2),
    ]
    assert rows(path, "select count(*) from items") == [(5,)]
    assert rows(path, "select kind, outcome from runs order by id") == [
        ("poll", "ok"),
        ("poll", "ok"),
    ]


def test_a_failing_feed_does_not_stop_the_others(
    tmp_path: Path, server: FeedServer, shipped_definitions: Definitions
) -> None:
    path = write_config(
        tmp_path / "monitor.yaml",
        [
            ("alive", server.route("/a.xml", conditional(FEED_A))),
            ("dead", f"http://127.0.0.1:{dead_port()}/feed.xml"),
        ],
    )
    _, report = _poll(path, shipped_definitions, NOW, due_only=False)
    assert report.items_new == 3 and report.failed == 1
    dead = next(f for f in report.feeds if f.name == "dead")
    assert not dead.outcome.succeeded and "refused" in (dead.error or "")
    assert rows(path, "select name, consecutive_failures from feeds order by name") == [
        ("alive", 0),
        ("dead", 1),
    ]
