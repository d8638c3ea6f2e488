"""The daemon's config watcher under faults: a deleted config file, a changed database URL, and the
tick following the shortest feed interval (a loopback feed may poll every few seconds)."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

from indicators.errors import ConfigError
from monitor.config.model import load_config
from monitor.daemon import Daemon
from tests.helpers import write_config


def test_a_deleted_config_is_an_error_once_and_the_last_good_one_stays(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_config(tmp_path / "monitor.yaml", [("a", "http://127.0.0.1:9/a.xml")])
    daemon = Daemon(load_config(path))
    try:
        good = daemon.state.config
        path.unlink()
        with caplog.at_level(logging.ERROR, logger="monitor.daemon"):
            daemon.watch_config()
            daemon.watch_config()
        errors = [r for r in caplog.records if "cannot be read" in r.getMessage()]
        assert len(errors) == 1 and "keeping the last good config" in errors[0].getMessage()
        assert daemon.state.config is good
        write_config(path, [("a", "http://127.0.0.1:9/a.xml"), ("b", "http://127.0.0.1:9/b.xml")])
        daemon.watch_config()
        assert [f.name for f in daemon.state.config.feeds] == ["a", "b"]
    finally:
        daemon.database.close()


def test_a_changed_database_url_asks_for_a_restart(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = write_config(tmp_path / "monitor.yaml", [("a", "http://127.0.0.1:9/a.xml")])
    daemon = Daemon(load_config(path))
    try:
        old_url = daemon.database.url
        path.write_text(path.read_text().replace("data/monitor.db", "data/other.db"))
        with caplog.at_level(logging.ERROR, logger="monitor.daemon"):
            daemon.watch_config()
        assert any("restart the daemon" in r.getMessage() for r in caplog.records)
        assert daemon.database.url == old_url
        assert not (tmp_path / "data" / "other.db").exists()
    finally:
        daemon.database.close()


def test_the_tick_follows_the_shortest_feed_interval(tmp_path: Path) -> None:
    path = write_config(tmp_path / "monitor.yaml", [("a", "http://127.0.0.1:9/a.xml")])
    path.write_text(path.read_text() + "    poll_interval: 3s\n")
    daemon = Daemon(load_config(path))
    try:
        assert daemon._tick() == timedelta(seconds=3)
    finally:
        daemon.database.close()


def test_only_a_feed_on_this_machine_may_poll_more_often_than_once_a_minute(tmp_path: Path) -> None:
    path = write_config(tmp_path / "monitor.yaml", [("a", "https://news.example/a.xml")])
    path.write_text(path.read_text() + "    poll_interval: 3s\n")
    with pytest.raises(ConfigError, match="expected at least 1m"):
        load_config(path)
