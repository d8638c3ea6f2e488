"""A seeded SIGKILL loop over the real daemon: kills land inside polls (a run still open) and
between the items' commit and the trend's (the "trend stale" mark still set), at least 20 in all. After the loop one
clean poll must leave nothing lost, nothing doubled, and the trend equal to a full rescore."""

from __future__ import annotations

import functools
import random
import signal
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from tests.faults.support import fault_config, query, run_monitor, sqlite_url, wait_for
from tests.helpers import RSS, monitor_command, process_env
from tests.helpers.feed_server import FeedServer, Recorded, Reply

pytestmark = pytest.mark.slow

SEED = 13
FIRST_DAY = datetime(2025, 11, 1, 8, tzinfo=UTC)
SPAN_DAYS = 390
FEEDS = 10  # enough work per poll that kills land inside it, however fast the poll path gets
PER_REQUEST = 4  # each fetch of a feed shows this many more items than the last
WANTED_KILLS = 20
MAX_ATTEMPTS = 120  # a ceiling: under load fewer kills land inside the work
TITLES = [
    "Lukashenko orders troops to the Ukrainian border",
    "Drone from Belarus crossed into Lithuania, Vilnius airport closed",
    "Gazprom threatens to cut gas to Belarus",
    "Minsk releases political prisoners",
]


class GrowingFeeds:
    """Feed ``k`` shows items 0..n·PER_REQUEST at its n-th request (newest first), dated over a
    year (so that each poll changes early days and its trend refresh has a year to redo); ``freeze`` serves every item shown so far to every later request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.shown = [0] * FEEDS
        self.frozen = False

    def freeze(self) -> None:
        with self._lock:
            self.frozen = True

    def route(self, feed: int) -> object:
        def reply(_request: Recorded) -> Reply:
            with self._lock:
                if not self.frozen:
                    self.shown[feed] += PER_REQUEST
                count = self.shown[feed]
            entries = "".join(
                f"<item><guid>f{feed}-{n}</guid><title>{TITLES[n % len(TITLES)]} ({feed}.{n})</title>"
                f"<link>https://news.example/f{feed}/{n}</link><description>Report {n}.</description>"
                f"<pubDate>{format_datetime(FIRST_DAY + timedelta(days=n * 37 % SPAN_DAYS), usegmt=True)}</pubDate></item>"
                for n in reversed(range(count))
            )
            body = (
                f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {feed}</title>'
                f"<link>https://news.example/</link><description>d</description>{entries}</channel></rss>"
            )
            return Reply(200, body.encode(), (("Content-Type", RSS),))

        return reply


def _stored_feeds_logged(path: Path, at_least: int) -> bool:
    return path.read_text().count(" feed='grow-") >= at_least


def _trend(url: str) -> list[tuple[object, ...]]:
    return query(
        url, 'SELECT scenario_id, day, raw, "index", level, items, stories FROM scenario_daily ORDER BY 1, 2'
    )


def test_sigkill_loop_loses_nothing_and_heals_the_trend(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    growing = GrowingFeeds()
    with FeedServer() as server:
        feeds = [(f"grow-{k}", server.route(f"/grow-{k}.xml", growing.route(k))) for k in range(FEEDS)]  # type: ignore[arg-type]
        config = fault_config(tmp_path / "monitor.yaml", feeds, interval="1s", deadline="5s")
        url = sqlite_url(config)
        in_poll = in_poll_stale = in_refresh = attempts = 0
        while in_poll + in_poll_stale + in_refresh < WANTED_KILLS:
            assert attempts < MAX_ATTEMPTS, (
                f"only {in_poll + in_poll_stale + in_refresh} kills landed mid-work"
            )
            attempts += 1
            log_path = tmp_path / f"daemon-{attempts}.log"
            with log_path.open("w") as log:
                daemon = subprocess.Popen(
                    monitor_command(config, "run"),
                    cwd=tmp_path,
                    env=process_env(),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            try:
                # Kill while the feeds are being stored (after one, after three), or once the last
                # one is (the run is closed and the trend refreshed right after).
                lines = (1, 3, 1, FEEDS)[attempts % 4]
                wait_for(
                    functools.partial(_stored_feeds_logged, log_path, lines),
                    60,
                    "a poll storing feeds",
                )
                time.sleep(rng.uniform(0, 0.08 if lines < FEEDS else 0.15))
            finally:
                daemon.send_signal(signal.SIGKILL)
                daemon.wait()
            open_run = query(url, "SELECT count(*) FROM runs WHERE outcome = 'running'")[0][0]
            stale = query(url, "SELECT count(*) FROM settings WHERE key = 'trend_stale'")[0][0]
            if open_run and not stale:
                in_poll += 1
            elif open_run:
                in_poll_stale += 1
            elif stale:
                in_refresh += 1
        assert in_poll_stale + in_refresh >= 5, "kills after items were stored, before their trend was"
        growing.freeze()
        final = run_monitor(config, "poll")
        assert final.returncode == 0, final.output
        print(
            f"{attempts} SIGKILLs (seed {SEED}): {in_poll} inside a poll before any feed was stored, {in_poll_stale}"
            f" inside a poll after some were, {in_refresh} between the poll and the trend's commit,"
            f" {attempts - in_poll - in_poll_stale - in_refresh} after the trend"
        )
        stored = dict(
            query(
                url,
                "SELECT f.name, count(i.id) FROM feeds f JOIN items i ON i.feed_id = f.id GROUP BY f.name",
            )
        )
        assert stored == {f"grow-{k}": growing.shown[k] for k in range(FEEDS)}, (
            "nothing lost, nothing doubled"
        )
        assert query(
            url, "SELECT count(*) FROM (SELECT feed_id, guid FROM items GROUP BY 1, 2 HAVING count(*) > 1)"
        ) == [(0,)]
        assert query(url, "SELECT count(*) FROM runs WHERE outcome = 'running'") == [(0,)]
        assert query(url, "SELECT count(*) FROM settings WHERE key = 'trend_stale'") == [(0,)]
        healed = _trend(url)
        assert healed, "the trend is stored"
        assert run_monitor(config, "rescore").returncode == 0
        assert _trend(url) == healed, "the healed trend is the full recompute"
