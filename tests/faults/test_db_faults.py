"""Database faults: a SQLite lock held by another process while the daemon polls, the CLI under a
lock, and a full disk (on a small tmpfs, where the test may mount one)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.faults.support import fault_config, query, run_monitor, sqlite_url, wait_for
from tests.helpers import FEED_A, FEED_B, RSS, monitor_command, process_env
from tests.helpers.feed_server import FeedServer, Reply

# How long the lock is held: the 30 s, well past SQLite's busy timeout (10 s), so polls do
# fail on it. MONITOR_FAULT_LOCK_SECONDS shortens it for a quick local run.
LOCK_SECONDS = float(os.environ.get("MONITOR_FAULT_LOCK_SECONDS", "30"))
INTERVAL_SECONDS = 3


def _utc(value: object) -> datetime:
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


_HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
print("released", flush=True)
"""


def _hold_lock(path: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


@pytest.mark.slow
def test_a_held_sqlite_lock_delays_the_feeds_by_at_most_one_interval(tmp_path: Path) -> None:
    with FeedServer() as server:
        feeds = [
            ("wire-a", server.route("/a.xml", Reply(200, FEED_A, (("Content-Type", RSS),)))),
            ("wire-b", server.route("/b.xml", Reply(200, FEED_B, (("Content-Type", RSS),)))),
        ]
        config = fault_config(
            tmp_path / "monitor.yaml", feeds, interval=f"{INTERVAL_SECONDS}s", deadline="5s"
        )
        url = sqlite_url(config)
        log_path = tmp_path / "daemon.log"
        with log_path.open("w") as log:
            daemon = subprocess.Popen(
                monitor_command(config, "run"),
                cwd=tmp_path,
                env=process_env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for(lambda: "feed='wire-b' outcome=ok" in log_path.read_text(), 60, "the first poll")
            locker = _hold_lock(tmp_path / "data" / "monitor.db", LOCK_SECONDS)
            with locker:
                assert locker.stdout is not None
                assert locker.stdout.readline().strip() == "released"
                released = datetime.now(UTC)
            assert locker.returncode == 0

            def ok_runs_after_release() -> list[datetime]:
                rows = query(
                    url,
                    "SELECT r.started_at FROM runs r WHERE r.outcome = 'ok' AND r.feeds_ok = 2 ORDER BY r.id",
                )
                started = [_utc(value) for (value,) in rows]
                return [at for at in started if at > released]

            wait_for(
                lambda: bool(ok_runs_after_release()), 60, "both feeds polled after the lock was released"
            )
            delay = (ok_runs_after_release()[0] - released).total_seconds()
            print(
                f"lock held {LOCK_SECONDS:g}s; both feeds polled {delay:.1f}s after its release (interval {INTERVAL_SECONDS}s)"
            )
            # The poll that hit the lock closed its run and gave its claims back: nothing waits for the lease.
            assert query(
                url, "SELECT count(*) FROM runs WHERE outcome = 'running' AND id < (SELECT max(id) FROM runs)"
            ) == [(0,)]
            daemon.send_signal(signal.SIGTERM)
            assert daemon.wait(timeout=60) == 0
        finally:
            if daemon.poll() is None:
                daemon.kill()
                daemon.wait()
        text = log_path.read_text()
        assert "Traceback" not in text
        assert text.count("is busy (database is locked)") <= 2, (
            "logged once (the poll and its cleanup), not per tick"
        )
        assert "another program holds its lock" in text
        assert query(url, "SELECT count(*) FROM feeds WHERE claimed_by IS NOT NULL") == [(0,)]
        assert query(url, "SELECT count(*) FROM runs WHERE outcome = 'running'") == [(0,)]
        assert query(url, "SELECT count(*) FROM items") == [(5,)]


@pytest.mark.slow
def test_commands_under_a_lock_say_so_and_exit_3(tmp_path: Path) -> None:
    with FeedServer() as server:
        config = fault_config(
            tmp_path / "monitor.yaml",
            [("wire-a", server.route("/a.xml", Reply(200, FEED_A, (("Content-Type", RSS),))))],
        )
        assert run_monitor(config, "poll").returncode == 0
        locker = _hold_lock(tmp_path / "data" / "monitor.db", 60)
        try:
            for args in (("poll",), ("feeds",)):
                finished = run_monitor(config, *args)
                print(f"monitor {' '.join(args)} under a lock: exit {finished.returncode}")
                assert finished.returncode == 3, finished.output
                assert "is busy (database is locked)" in finished.output
                assert "then try again" in finished.output
                assert "Traceback" not in finished.output and "OperationalError" not in finished.output
        finally:
            locker.kill()
            locker.wait()
            assert locker.stdout is not None
            locker.stdout.close()
        assert run_monitor(config, "poll").returncode == 0
        assert query(sqlite_url(config), "SELECT count(*) FROM runs WHERE outcome = 'running'") == [(0,)]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=5m", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(
            f"full-disk test skipped: cannot mount a 5 MB tmpfs here ({done.stderr.strip() or done.returncode})"
        )
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.slow
def test_a_full_disk_fails_the_poll_clearly_and_loses_nothing(tmp_path: Path, small_disk: Path) -> None:
    with FeedServer() as server:
        feeds = [("wire-a", server.route("/a.xml", Reply(200, FEED_A, (("Content-Type", RSS),))))]
        config = fault_config(
            tmp_path / "monitor.yaml", feeds, database_url=f"sqlite:///{small_disk / 'monitor.db'}"
        )
        url = f"sqlite:///{small_disk / 'monitor.db'}"
        assert run_monitor(config, "poll").returncode == 0
        assert query(url, "SELECT count(*) FROM items") == [(3,)]
        server.route("/a.xml", Reply(200, FEED_B + b" " * 10, (("Content-Type", RSS),)))
        filler = small_disk / "filler"
        with filler.open("wb") as out:
            try:
                while True:
                    out.write(b"\0" * 65536)
                    out.flush()
            except OSError:
                pass
        finished = run_monitor(config, "poll")
        print(f"monitor poll on a full disk: exit {finished.returncode}")
        assert finished.returncode == 3, finished.output
        assert "Traceback" not in finished.output
        assert "full" in finished.output
        filler.unlink()
        again = run_monitor(config, "poll")
        assert again.returncode == 0, again.output
        assert query(url, "SELECT count(*) FROM items") == [(5,)], "nothing lost, the new items stored once"
