"""``monitor run`` as a real process: polls at start, reloads a changed config (keeping the last good
one on error), and stops cleanly on SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path

from tests.helpers import FEED_A, FEED_B, RSS, monitor_command, process_env, rows, write_config
from tests.helpers.feed_server import FeedServer, Reply


def wait_for(predicate: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_daemon_polls_reloads_config_and_stops_on_sigterm(tmp_path: Path) -> None:
    with FeedServer() as server:
        server.route("/a.xml", Reply(200, FEED_A, (("Content-Type", RSS),)))
        server.route("/b.xml", Reply(200, FEED_B, (("Content-Type", RSS),)))
        config = write_config(tmp_path / "monitor.yaml", [("wire-a", server.url("/a.xml"))], interval="1m")
        log_path = tmp_path / "daemon.log"
        with log_path.open("w") as log:
            proc = subprocess.Popen(
                monitor_command(config, "run"),
                cwd=tmp_path,
                env=process_env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:

            def logged(text: str) -> bool:
                return text in log_path.read_text()

            wait_for(lambda: logged("feed='wire-a' outcome=ok"), 30, "the first poll")
            assert rows(config, "select count(*) from items") == [(3,)]

            good = config.read_text()
            config.write_text(good.replace("reliability: 0.9", "reliability: [oops"))
            wait_for(
                lambda: logged("config reload failed; keeping the last good config"), 20, "the bad reload"
            )
            assert proc.poll() is None

            write_config(
                config, [("wire-a", server.url("/a.xml")), ("wire-b", server.url("/b.xml"))], interval="1m"
            )
            # and a new time zone: log lines are stamped with its offset from the reload on
            config.write_text(
                config.read_text().replace("schedule:\n", "schedule:\n  timezone: Asia/Kolkata\n")
            )
            wait_for(lambda: logged("config reloaded"), 20, "the good reload")
            # The new feed is polled as soon as the reload sees it, not at the next tick of the
            # poll job (every 60 s, from the first poll): the wait allows for both, the check below
            # tells them apart.
            wait_for(lambda: logged("feed='wire-b' outcome=ok"), 90, "the new feed's first poll")
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        text = log_path.read_text()
        assert "received SIGTERM" in text and "daemon stopped" in text
        # UTC (the first config) before the reload, India's +05:30 (no daylight saving) after it
        assert re.search(r"^\S+\+00:00 INFO .*feed='wire-a' outcome=ok", text, re.M)
        assert re.search(r"^\S+\+05:30 INFO .*config reloaded", text, re.M)
        assert "Traceback" not in text
        assert rows(config, "select name, in_config from feeds order by name") == [
            ("wire-a", 1),
            ("wire-b", 1),
        ]
        assert rows(config, "select count(*) from runs where outcome = 'running'") == [(0,)]
        assert "config adds feeds 'wire-b'; polling them now" in text
        [(first_run, new_feed_run)] = rows(
            config,
            "select (select min(started_at) from runs), min(r.started_at) from feed_polls p"
            " join runs r on r.id = p.run_id join feeds f on f.id = p.feed_id where f.name = 'wire-b'",
        )
        # The next regular tick is 60 s after the first poll, the reload some 10 s after it: a poll
        # started well before that tick is the reload's own.
        next_tick = datetime.fromisoformat(first_run) + timedelta(seconds=60)
        assert datetime.fromisoformat(new_feed_run) < next_tick - timedelta(seconds=10)
