"""A feed's next poll counts from the time it was due, so the fetch and the tick it waited for do
not add up into drift; a feed polled early or late counts from the attempt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import db
import monitor.feeds.poll as poll_module
from monitor.analysis import Definitions
from monitor.config.model import load_config
from monitor.pipeline.poll_settings import poll_settings
from tests.helpers import FEED_A, RSS, write_config
from tests.helpers.feed_server import FeedServer, Reply

DUE = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
INTERVAL = timedelta(seconds=60)


def _next_after_poll_at(tmp_path: Path, attempted: datetime, name: str) -> datetime | None:
    with FeedServer() as server:
        url = server.route("/a.xml", Reply(200, FEED_A, (("Content-Type", RSS),)))
        config = load_config(write_config(tmp_path / f"{name}.yaml", [("a", url)], interval="1m"))
        database = db.open_database(f"sqlite:///{tmp_path / f'{name}.db'}")
        try:
            db.sync_feeds(database, [db.FeedSpec(url, "a", "en", 1.0, 60)], DUE - INTERVAL)
            feed = db.list_feeds(database)[0]
            db.record_polls(
                database,
                [
                    (
                        db.PollUpdate(DUE - INTERVAL, db.PollOutcome.OK, 200, DUE, 0),
                        db.PollSummary(feed.id, 0, 0, 0),
                    )
                ],
            )
            analyser = Definitions.from_config(config).analyser(tz=ZoneInfo("UTC"))
            poll_module.poll(database, poll_settings(config), analyser, now=lambda: attempted, due_only=False)
            return db.list_feeds(database)[0].next_poll_at
        finally:
            database.close()


def test_a_regular_poll_keeps_the_feeds_phase(tmp_path: Path) -> None:
    # Claimed half a tick early or fetched a few seconds late: the next one is still one interval on.
    assert _next_after_poll_at(tmp_path, DUE + timedelta(seconds=7), "late") == DUE + INTERVAL
    assert _next_after_poll_at(tmp_path, DUE - timedelta(seconds=20), "early") == DUE + INTERVAL


def test_a_poll_far_from_its_due_time_counts_from_the_attempt(tmp_path: Path) -> None:
    long_after = DUE + 3 * INTERVAL
    assert _next_after_poll_at(tmp_path, long_after, "stale") == long_after + INTERVAL
    well_before = DUE - 50 * INTERVAL / 60
    assert _next_after_poll_at(tmp_path, well_before, "forced") == well_before + INTERVAL
