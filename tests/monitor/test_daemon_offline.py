"""The daemon says once, in one warning, that every feed is unreachable (the machine is likely
offline), instead of only one warning per failing feed at every tick; and says when feeds answer again."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.config.model import load_config
from monitor.daemon import Daemon
from tests.helpers import FEED_A, RSS, write_config
from tests.helpers.feed_server import FeedServer, Reply, dead_port

OFFLINE = "every feed failed (2 feeds): no host could be resolved or connected to. Is this machine offline?"


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def warnings(caplog: pytest.LogCaptureFixture, text: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if text in r.getMessage()]


def test_every_feed_unreachable_is_one_warning_per_outage(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    dead = [(f"dead{n}", f"http://127.0.0.1:{dead_port()}/feed.xml") for n in range(2)]
    path = write_config(tmp_path / "monitor.yaml", dead, interval="1m")
    clock = Clock(datetime.now(UTC))
    caplog.set_level(logging.INFO)
    daemon = Daemon(load_config(path), now=clock)
    try:
        daemon.poll_job()
        [first] = warnings(caplog, OFFLINE)
        assert first.levelno == logging.WARNING
        # each failure still has its own warning, naming the feed
        assert len(warnings(caplog, "outcome=error")) == 2
        # past the longest backoff both feeds are due again, fail again: no second summary
        clock.at += timedelta(hours=7)
        daemon.poll_job()
        assert len(warnings(caplog, "outcome=error")) == 4
        assert len(warnings(caplog, OFFLINE)) == 1
        assert not warnings(caplog, "feeds reachable again")

        with FeedServer() as server:
            server.route("/a.xml", Reply(200, FEED_A, (("Content-Type", RSS),)))
            write_config(path, [*dead, ("wire-a", server.url("/a.xml"))], interval="1m")
            daemon.watch_config()
            daemon.poll_job()
        assert len(warnings(caplog, "feeds reachable again")) == 1
        assert len(warnings(caplog, OFFLINE)) == 1
    finally:
        daemon.shutdown()


def test_some_feeds_down_is_not_called_offline(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with FeedServer() as server:
        server.route("/a.xml", Reply(200, FEED_A, (("Content-Type", RSS),)))
        feeds = [("dead", f"http://127.0.0.1:{dead_port()}/feed.xml"), ("wire-a", server.url("/a.xml"))]
        path = write_config(tmp_path / "monitor.yaml", feeds, interval="1m")
        caplog.set_level(logging.INFO)
        daemon = Daemon(load_config(path), now=Clock(datetime.now(UTC)))
        try:
            daemon.poll_job()
        finally:
            daemon.shutdown()
    assert len(warnings(caplog, "outcome=error")) == 1
    assert not warnings(caplog, "Is this machine offline?")
