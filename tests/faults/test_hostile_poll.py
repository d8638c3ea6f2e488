"""The mixed hostile poll: every hostile case beside five good feeds, through ``monitor poll`` as a
real process on a real config and database, twice.

Acceptance (issue 13): the poll finishes, stores every good item, records every bad feed with its
error, peaks below 300 MB, and a second poll does the same (no bad feed stays due forever); the
URL password appears nowhere. Time is printed, not asserted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.hostile import URL_PASSWORD, Case, cases, serve
from tests.faults.support import fault_config, query, run_monitor, sqlite_url
from tests.helpers.feed_server import FeedServer

pytestmark = pytest.mark.slow

DEADLINE = 15.0
MAX_BODY = 10 * 1024 * 1024
PEAK_LIMIT_MB = 300
CONCURRENCY = 16


def _check_poll(url: str, all_cases: list[Case], run: int) -> None:
    rows = query(
        url,
        "SELECT f.name, p.outcome, p.error, p.items_seen FROM feed_polls p JOIN feeds f ON f.id = p.feed_id"
        " WHERE p.run_id = (SELECT max(id) FROM runs)",
    )
    by_name = {name: (outcome, error) for name, outcome, error, _ in rows}
    assert set(by_name) == {c.name for c in all_cases}, "every feed is recorded in the run"
    for case in all_cases:
        outcome, error = by_name[case.name]
        if case.expect == "ok":
            assert outcome in ("ok", "not_modified"), (case.name, outcome, error)
        elif case.expect == "error":
            assert outcome not in ("ok", "not_modified") and error, (case.name, outcome, error)
        else:
            assert outcome in ("ok", "not_modified") or error, (case.name, outcome, error)
    stored = dict(
        query(
            url,
            "SELECT f.name, count(i.id) FROM feeds f LEFT JOIN items i ON i.feed_id = f.id GROUP BY f.name",
        )
    )
    for case in all_cases:
        if case.expect == "ok":
            assert stored[case.name] == case.items, (case.name, stored[case.name])
        if case.expect == "either" and by_name[case.name][0] == "ok":
            assert stored[case.name] == case.items, (case.name, stored[case.name])
    due_bad = query(
        url,
        "SELECT name FROM feeds WHERE consecutive_failures > 0 AND (next_poll_at IS NULL OR next_poll_at <= last_attempt_at)",
    )
    assert due_bad == [], "a failed feed is given a later poll time (backoff), not left due"
    assert query(url, "SELECT count(*) FROM feeds WHERE claimed_by IS NOT NULL") == [(0,)]
    assert query(url, "SELECT count(*) FROM runs WHERE outcome = 'running'") == [(0,)]
    print(f"run {run}: {len(all_cases)} feeds, outcomes: {sorted(set(o for o, _ in by_name.values()))}")


def _no_password_anywhere(url: str, folder: Path, outputs: list[str]) -> int:
    """Grep every output, every file under ``folder`` (logs, digests; the SQLite file apart) and
    every stored text column except the feed URLs the poller needs to fetch with."""
    checked = 0
    for output in outputs:
        assert URL_PASSWORD not in output
        checked += 1
    for file in folder.rglob("*"):
        if file.is_file() and not file.name.startswith("monitor.db") and file.suffix != ".yaml":
            assert URL_PASSWORD.encode() not in file.read_bytes(), file
            checked += 1
    for table, column in [
        ("feeds", "last_error"),
        ("feeds", "disabled_reason"),
        ("feed_polls", "error"),
        ("runs", "detail"),
        ("items", "url"),
        ("items", "summary"),
        ("settings", "value"),
    ]:
        hits = query(url, f"SELECT count(*) FROM {table} WHERE {column} LIKE :pw", pw=f"%{URL_PASSWORD}%")
        assert hits == [(0,)], (table, column)
        checked += 1
    return checked


def _hostile_poll(tmp_path: Path, database_url: str | None) -> None:
    with FeedServer() as server:
        all_cases = cases(MAX_BODY, DEADLINE)
        feeds = serve(server, all_cases)
        # The peak is about concurrency x max_body_bytes plus a constant (README, Limits): 16 x 10 MiB here.
        config = fault_config(
            tmp_path / "monitor.yaml",
            feeds,
            database_url=database_url,
            deadline=f"{DEADLINE:g}s",
            extra=f"  concurrency: {CONCURRENCY}",
        )
        url = database_url or sqlite_url(config)
        outputs = []
        for run in (1, 2):
            finished = run_monitor(config, "poll")
            outputs.append(finished.output)
            print(
                f"poll {run}: exit={finished.returncode} {finished.seconds:.1f}s (2 x deadline = {2 * DEADLINE:g}s)"
                f" peak RSS {finished.peak_rss_mb:.0f} MB"
            )
            assert finished.returncode == 1, finished.output  # some feeds failed, not all (partial)
            assert "Traceback" not in finished.output
            assert "\x1b[31mred" not in finished.output and "\x1b]0;" not in finished.output
            assert finished.peak_rss_mb < PEAK_LIMIT_MB
            _check_poll(url, all_cases, run)
        feeds_out = run_monitor(config, "feeds")
        outputs.append(feeds_out.output)
        assert feeds_out.returncode == 0 and "Traceback" not in feeds_out.output
        checked = _no_password_anywhere(url, tmp_path, outputs)
        print(
            f"cases tried: {len(all_cases)} ({sum(c.expect != 'ok' for c in all_cases)} hostile); password grep over {checked} places"
        )


def test_hostile_poll_on_sqlite(tmp_path: Path) -> None:
    _hostile_poll(tmp_path, None)


@pytest.mark.postgres
def test_hostile_poll_on_postgresql(tmp_path: Path, postgres_schema_url: str) -> None:
    """PostgreSQL enforces the column lengths SQLite ignores: the oversized fields are refused there."""
    _hostile_poll(tmp_path, postgres_schema_url)
