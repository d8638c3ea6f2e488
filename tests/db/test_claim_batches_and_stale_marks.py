"""Claims in batches, the "trend stale" mark, and the busy-database error, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

import db
from tests.helpers import T0, ok, spec


def test_a_claim_limit_takes_the_most_overdue_and_leaves_the_rest(database: db.Database) -> None:
    db.sync_feeds(database, [spec(f"f{i}") for i in range(10)], T0)
    lease = timedelta(minutes=5)
    feeds = {f.name: f.id for f in db.list_feeds(database)}
    for i in range(10):  # f9 is the most overdue
        update = ok(T0, next_poll_at=T0 - timedelta(minutes=i))
        db.record_poll(database, feeds[f"f{i}"], update)
    first = db.claim_feeds(database, now=T0, worker="w1", lease=lease, limit=4)
    second = db.claim_feeds(database, now=T0, worker="w2", lease=lease, limit=4)
    third = db.claim_feeds(database, now=T0, worker="w3", lease=lease, limit=4)
    assert [f.name for f in first] == ["f9", "f8", "f7", "f6"]
    assert [f.name for f in second] == ["f5", "f4", "f3", "f2"]
    assert [f.name for f in third] == ["f1", "f0"]


def test_items_mark_the_trend_stale_and_only_a_refresh_that_saw_the_mark_clears_it(
    database: db.Database,
) -> None:
    db.sync_feeds(database, [spec("a")], T0)
    feed_id = db.list_feeds(database)[0].id
    assert db.trend_stale_marker(database) is None
    new = db.ItemWrite(
        db.NewItem(
            guid="g1",
            url=None,
            title="t",
            summary="s",
            language="en",
            published_at=T0,
            content_hash="h1",
            day=T0.date(),
        ),
        (),
    )
    db.record_poll(database, feed_id, ok(), [new], mark_trend_stale=True)
    seen = db.trend_stale_marker(database)
    assert seen is not None
    newer = db.set_trend_stale(database)  # items stored after the refresh read the mark
    db.replace_trend(database, [], [], since=None, clear_stale=seen)
    assert db.trend_stale_marker(database) == newer, "a later mark survives the earlier refresh"
    db.replace_trend(database, [], [], since=None, clear_stale=newer)
    assert db.trend_stale_marker(database) is None


def test_a_locked_sqlite_database_is_a_busy_error_that_says_what_to_do(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    database = db.open_database(url)
    locker = sqlite3.connect(tmp_path / "m.db", isolation_level=None, timeout=0)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        with pytest.raises(db.StorageBusyError) as raised:
            with database.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA busy_timeout=100")
                conn.commit()
            db.set_setting(database, "k", "v")
        assert raised.value.reason == "locked"
        assert "another program holds its lock" in str(raised.value) and "try again" in str(raised.value)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
        database.close()
    reopened = db.open_database(url)
    db.set_setting(reopened, "k", "v")  # nothing is broken once the lock is gone
    reopened.close()


@pytest.mark.parametrize(
    ("message", "reason"),
    [("database is locked", "locked"), ("database or disk is full", "full"), ("no such table: x", None)],
)
def test_busy_reasons(message: str, reason: str | None) -> None:
    assert db.busy_reason(sqlite3.OperationalError(message)) == reason
