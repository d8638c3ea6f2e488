"""The feed-health classification: a pure function, every branch."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

import db
from monitor.feed_health import CADENCE_WINDOW, FeedHealth, classify_feed

NOW = datetime(2026, 10, 30, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)


def feed(**changes: object) -> db.FeedState:
    """A configured, enabled feed polled well an hour ago, whose last new item came then too."""
    base = db.FeedState(
        id=1,
        config_url="https://example.org/rss",
        url="https://example.org/rss",
        name="Example",
        language="en",
        reliability=1.0,
        poll_interval_seconds=900,
        in_config=True,
        enabled=True,
        disabled_reason=None,
        etag=None,
        last_modified=None,
        next_poll_at=NOW + timedelta(minutes=15),
        last_attempt_at=NOW - HOUR,
        last_success_at=NOW - HOUR,
        last_new_item_at=NOW - HOUR,
        last_status=200,
        consecutive_failures=0,
        last_error=None,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_feed_never_polled_is_not_healthy() -> None:
    never = feed(last_attempt_at=None, last_success_at=None, last_new_item_at=None, last_status=None)
    status = classify_feed(never, NOW)
    assert status.health is FeedHealth.NEVER_POLLED and status.detail == "never polled"
    assert status.next_retry == never.next_poll_at
    assert status.health.is_configured_feed and not status.health.is_problem


def test_a_healthy_feed() -> None:
    status = classify_feed(feed(), NOW, recent_items=120)
    assert status.health is FeedHealth.HEALTHY and not status.health.is_problem


def test_a_failing_feed_carries_its_error_and_next_retry() -> None:
    retry = NOW + timedelta(minutes=20)
    failing = feed(consecutive_failures=3, last_error="connection refused", next_poll_at=retry)
    status = classify_feed(failing, NOW)
    assert status.health is FeedHealth.FAILING and status.health.is_problem
    assert (status.error, status.next_retry) == ("connection refused", retry)
    assert status.detail == "connection refused; 3 failures in a row"
    # A feed whose every attempt failed was polled: failing, not "never polled".
    first = classify_feed(feed(last_success_at=None, consecutive_failures=1, last_error=None), NOW)
    assert first.health is FeedHealth.FAILING and first.detail == "failing; 1 failure in a row"


def test_disabled_removed_and_imported_are_told_apart() -> None:
    gone = classify_feed(feed(enabled=False, disabled_reason="HTTP 410 Gone"), NOW)
    assert (gone.health, gone.detail) == (FeedHealth.DISABLED, "HTTP 410 Gone")
    assert classify_feed(feed(enabled=False), NOW).detail == "disabled"
    removed = classify_feed(feed(in_config=False), NOW)
    assert removed.health is FeedHealth.NOT_IN_CONFIG and not removed.health.is_configured_feed
    imported = feed(
        in_config=False,
        enabled=False,
        disabled_reason=db.types.IMPORTED_FEED_REASON,
        last_attempt_at=None,
        last_success_at=None,
    )
    status = classify_feed(imported, NOW)
    assert status.health is FeedHealth.IMPORTED and not status.health.is_configured_feed


@pytest.mark.parametrize(
    ("recent", "quiet", "interval", "health"),
    [
        # 120 items in 30 days: usually every 6 h, so silent after 3 × 6 h = 18 h
        (120, timedelta(hours=17), 900, FeedHealth.HEALTHY),
        (120, timedelta(hours=19), 900, FeedHealth.SILENT),
        # 3000 items in 30 days (every 14 min): the 12 h floor decides
        (3000, timedelta(hours=11), 900, FeedHealth.HEALTHY),
        (3000, timedelta(hours=13), 900, FeedHealth.SILENT),
        # polled once a day: never silent before three polls missed an item
        (3000, timedelta(hours=70), 86400, FeedHealth.HEALTHY),
        (3000, timedelta(hours=73), 86400, FeedHealth.SILENT),
        # fewer than three items in the window: no cadence; silent only after the whole window
        (2, timedelta(days=20), 900, FeedHealth.HEALTHY),
        (0, timedelta(days=31), 900, FeedHealth.SILENT),
    ],
)
def test_silent_beyond_the_usual_cadence(
    recent: int, quiet: timedelta, interval: int, health: FeedHealth
) -> None:
    quiet_feed = feed(last_new_item_at=NOW - quiet, poll_interval_seconds=interval)
    status = classify_feed(quiet_feed, NOW, recent_items=recent, window=CADENCE_WINDOW)
    assert status.health is health
    if health is FeedHealth.SILENT:
        assert status.quiet_for == quiet and status.health.is_problem
        assert status.usual_gap == (CADENCE_WINDOW / recent if recent >= 3 else None)


def test_silent_detail_says_how_long_and_how_often() -> None:
    status = classify_feed(feed(last_new_item_at=NOW - timedelta(hours=20)), NOW, recent_items=120)
    assert status.detail == "no new item for 20 h (usually every 6 h)"
    fast = classify_feed(feed(last_new_item_at=NOW - timedelta(hours=13)), NOW, recent_items=3000)
    assert fast.detail == "no new item for 13 h (usually every 14 min)"
    month = classify_feed(feed(last_new_item_at=NOW - timedelta(days=40)), NOW, recent_items=0)
    assert month.detail == "no new item for 40 days (none in the last 30 days)"


def test_a_feed_that_never_brought_an_item_is_not_judged_silent() -> None:
    assert classify_feed(feed(last_new_item_at=None), NOW).health is FeedHealth.HEALTHY


def test_imported_sources_are_recognised_in_the_database(tmp_path: object) -> None:
    database = db.open_database("sqlite://")
    try:
        spec = db.FeedSpec("import:Archive", "Archive", "en", 1.0, 86400, enabled=False)
        db.ensure_feed(database, spec, NOW)
        (state,) = db.list_feeds(database)
        assert state.imported and classify_feed(state, NOW).health is FeedHealth.IMPORTED
    finally:
        database.close()
