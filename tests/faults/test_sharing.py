"""Three daemons (real processes) sharing one PostgreSQL database and 300 feeds: every feed polled
once per interval (within a tick), no daemon with more than half the polls, one digest a day, and
a SIGKILLed daemon's feeds picked up by the others within an interval."""

from __future__ import annotations

import functools
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.faults.support import fault_config, query, wait_for
from tests.helpers import conditional, monitor_command, process_env, rss
from tests.helpers.feed_server import FeedServer

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

FEEDS = 300
DAEMONS = 3
INTERVAL = 5.0  # seconds: the feeds' poll interval, and so the daemons' tick
STEADY = 4  # intervals observed before the kill
AFTER_KILL = 3  # intervals observed after it


def _logged(path: Path, text: str) -> bool:
    return text in path.read_text()


def _utc(value: object) -> datetime:
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _polls(url: str, since: datetime, until: datetime) -> list[tuple[int, str, datetime]]:
    rows = query(
        url,
        "SELECT p.feed_id, r.worker, p.started_at FROM feed_polls p JOIN runs r ON r.id = p.run_id"
        " WHERE p.started_at >= :since AND p.started_at < :until",
        since=since,
        until=until,
    )
    return [(int(feed), str(worker), _utc(at)) for feed, worker, at in rows]


def test_three_daemons_share_300_feeds(tmp_path: Path, postgres_schema_url: str) -> None:
    url = postgres_schema_url
    start = datetime.now(UTC)
    # The digest slot: the next full minute at least 25 s away (the daemons are up by then).
    digest_at = (start + timedelta(seconds=85)).replace(second=0, microsecond=0)
    with FeedServer() as server:
        feeds = [
            (
                f"s{i:03d}",
                server.route(f"/s{i}.xml", conditional(rss(f"S{i}", [(f"s{i}-1", f"Item {i}", "x")]))),
            )
            for i in range(FEEDS)
        ]
        extra = (
            "  per_host_concurrency: 16\n"
            "schedule:\n"
            "  claim_batch: 120\n"  # 3 x 120 >= 300: the three can keep up, none can take half
            f'  digest_time: "{digest_at:%H:%M}"\n'
            "digest:\n"
            "  output_dir: digests\n"
        )
        config = fault_config(
            tmp_path / "monitor.yaml",
            feeds,
            database_url=url,
            interval=f"{INTERVAL:g}s",
            deadline="5s",
            # a connect that times out on a loaded machine is retried at the next interval, not in a minute
            backoff_base=f"{INTERVAL:g}s",
            extra=extra,
        )
        daemons: list[subprocess.Popen[bytes]] = []
        logs = [tmp_path / f"daemon-{n}.log" for n in range(DAEMONS)]
        try:
            for log_path in logs:
                with log_path.open("w") as log:
                    daemons.append(
                        subprocess.Popen(
                            monitor_command(config, "run"),
                            cwd=tmp_path,
                            env=process_env(),
                            stdout=log,
                            stderr=subprocess.STDOUT,
                        )
                    )
                # one at a time: the first one creates the schema and the feed rows
                wait_for(functools.partial(_logged, log_path, "daemon started"), 90, "a daemon's start")
            wait_for(
                lambda: query(url, "SELECT count(*) FROM feeds WHERE last_attempt_at IS NULL") == [(0,)],
                90,
                "every feed's first poll",
            )
            steady_from = datetime.now(UTC) + timedelta(seconds=INTERVAL)
            steady_until = max(
                steady_from + timedelta(seconds=INTERVAL * STEADY), digest_at + timedelta(seconds=10)
            )
            time.sleep(max(0.0, (steady_until - datetime.now(UTC)).total_seconds()))
            daemons[-1].send_signal(signal.SIGKILL)
            daemons[-1].wait()
            killed_at = datetime.now(UTC)
            time.sleep(INTERVAL * AFTER_KILL)
            observed_until = datetime.now(UTC)
            for daemon in daemons[:-1]:
                daemon.send_signal(signal.SIGTERM)
            for daemon in daemons[:-1]:
                assert daemon.wait(timeout=60) == 0
        finally:
            for daemon in daemons:
                if daemon.poll() is None:
                    daemon.kill()
                    daemon.wait()

    steady = _polls(url, steady_from, steady_until)
    window = (steady_until - steady_from).total_seconds()
    per_feed: dict[int, int] = {}
    per_worker: dict[str, int] = {}
    for feed, worker, _ in steady:
        per_feed[feed] = per_feed.get(feed, 0) + 1
        per_worker[worker] = per_worker.get(worker, 0) + 1
    expected = window / INTERVAL
    counts = sorted(per_feed.get(i, 0) for i in {f for f, _, _ in steady} | set(range(1, FEEDS + 1)))
    print(
        f"{DAEMONS} daemons, {FEEDS} feeds, interval {INTERVAL:g}s, {window:.0f}s observed: polls per feed"
        f" {counts[0]}..{counts[-1]} (expected {expected:.1f}), per daemon {sorted(per_worker.values())}"
    )
    assert len(per_feed) == FEEDS
    assert counts[0] >= expected - 1.5 and counts[-1] <= expected + 1.5, "once per interval, within a tick"
    assert max(per_worker.values()) <= len(steady) / 2, "no daemon takes more than half the polls"

    # The killed daemon's feeds (and every other) are polled again within an interval and a tick.
    after = _polls(url, killed_at, observed_until)
    first_after: dict[int, datetime] = {}
    for feed, _, at in after:
        first_after[feed] = min(at, first_after.get(feed, at))
    late = [feed for feed in range(1, FEEDS + 1) if feed not in first_after]
    slowest = max((at - killed_at).total_seconds() for at in first_after.values())
    print(f"after the SIGKILL: every feed polled again within {slowest:.1f}s; {len(late)} not at all")
    assert late == []
    assert slowest <= 2 * INTERVAL + 1

    day = digest_at.date().isoformat()
    owners = query(url, "SELECT value FROM settings WHERE key = :key", key=f"digest_claim:{day}")
    assert len(owners) == 1
    written = sorted(p.name for p in (tmp_path / "digests").glob(f"*{day}*"))
    print(f"digest {day}: written by {owners[0][0]}; files {written}")
    assert written and len([n for n in written if n.endswith(".html")]) == 1
    text = "".join(p.read_text() for p in logs)
    assert text.count("is written by another daemon") == DAEMONS - 1
    assert "Traceback" not in text
