"""One feed-health classification, for the digest, ``monitor feeds`` and the alerts.

A pure function of a stored ``db.FeedState``, the time and the feed's recent item count: no I/O,
no clock. May use ``db`` value types only.

Kinds, tried in this order:

* ``IMPORTED``: not a feed but a source of imported history (``monitor import``); never polled and
  never counted among the feeds.
* ``NOT_IN_CONFIG``: a feed that was removed from the config; kept for its stored items, not polled.
* ``DISABLED``: configured but disabled (in the config, or by a 410 Gone).
* ``NEVER_POLLED``: configured and enabled, but no poll was ever attempted: nothing is known of it,
  so it is not healthy.
* ``FAILING``: the last poll failed (``consecutive_failures`` > 0); with the last error and the
  time of the next retry.
* ``SILENT``: polls succeed but the feed brought no new item for longer than its usual cadence
  allows (rule below).
* ``HEALTHY``: everything else.

Silent rule. The usual gap between new items is ``window / n``, where ``n`` is the number of items
the feed brought in the last ``window`` (30 days). With ``n >= 3`` the feed is silent when its last
new item is older than ``max(3 × usual gap, 3 × poll interval, 12 h)``: three missed items, never
less than three polls (a feed polled every 6 h cannot show items more often) and never less than
12 h (a feed with ten items an hour is not silent after twenty minutes). With fewer than three items
in the window there is no cadence to judge by: the feed is silent only once the whole window passed
with no new item. A feed that never brought an item is not judged silent.

Example: 120 items in 30 days gives a usual gap of 6 h, so with a 15-minute poll interval the feed
is silent after max(18 h, 45 min, 12 h) = 18 h without a new item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from db.types import FeedState
from indicators import plural

__all__ = ["CADENCE_WINDOW", "SILENT_FLOOR", "FeedHealth", "FeedStatus", "classify_feed"]

CADENCE_WINDOW = timedelta(days=30)
SILENT_FLOOR = timedelta(hours=12)
_MIN_ITEMS_FOR_CADENCE = 3


class FeedHealth(StrEnum):
    NEVER_POLLED = "never_polled"
    HEALTHY = "healthy"
    FAILING = "failing"
    SILENT = "silent"
    DISABLED = "disabled"
    NOT_IN_CONFIG = "not_in_config"
    IMPORTED = "imported"

    @property
    def is_configured_feed(self) -> bool:
        """A feed of the current config (what the digest counts as "feeds")."""
        return self not in (FeedHealth.NOT_IN_CONFIG, FeedHealth.IMPORTED)

    @property
    def is_problem(self) -> bool:
        """A configured feed that needs a look: failing, silent or disabled."""
        return self in (FeedHealth.FAILING, FeedHealth.SILENT, FeedHealth.DISABLED)


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """A feed's health at one moment, with what explains it.

    ``detail`` is one human line. ``error`` and ``next_retry`` are set for a failing feed;
    ``quiet_for`` (time since the last new item) and ``usual_gap`` (None: too few items to tell)
    for a silent one.
    """

    health: FeedHealth
    detail: str
    error: str | None = None
    next_retry: datetime | None = None
    quiet_for: timedelta | None = None
    usual_gap: timedelta | None = None


def _hours(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:.0f} h" if hours >= 1 else f"{span.total_seconds() / 60:.0f} min"


def classify_feed(
    feed: FeedState, now: datetime, *, recent_items: int = 0, window: timedelta = CADENCE_WINDOW
) -> FeedStatus:
    """Classify ``feed`` at ``now``; ``recent_items`` is how many items it brought in the last
    ``window`` (``db.new_items_per_feed(database, now - window)``). See the module docstring."""
    if feed.imported:
        return FeedStatus(FeedHealth.IMPORTED, "imported history, not a polled feed")
    if not feed.in_config:
        return FeedStatus(FeedHealth.NOT_IN_CONFIG, "not in the config any more; kept for its items")
    if not feed.enabled:
        return FeedStatus(FeedHealth.DISABLED, feed.disabled_reason or "disabled")
    if feed.last_attempt_at is None and feed.last_success_at is None:
        return FeedStatus(FeedHealth.NEVER_POLLED, "never polled", next_retry=feed.next_poll_at)
    if feed.consecutive_failures:
        detail = f"{feed.last_error or 'failing'}; {plural(feed.consecutive_failures, 'failure')} in a row"
        return FeedStatus(FeedHealth.FAILING, detail, error=feed.last_error, next_retry=feed.next_poll_at)
    if feed.last_new_item_at is not None:
        quiet = now - feed.last_new_item_at
        if recent_items >= _MIN_ITEMS_FOR_CADENCE:
            gap = window / recent_items
            interval = timedelta(seconds=feed.poll_interval_seconds)
            if quiet > max(3 * gap, 3 * interval, SILENT_FLOOR):
                detail = f"no new item for {quiet.total_seconds() / 3600:.0f} h (usually every {_hours(gap)})"
                return FeedStatus(FeedHealth.SILENT, detail, quiet_for=quiet, usual_gap=gap)
        elif quiet > window:
            detail = (
                f"no new item for {plural(quiet.days, 'day')} (none in the last {plural(window.days, 'day')})"
            )
            return FeedStatus(FeedHealth.SILENT, detail, quiet_for=quiet)
    return FeedStatus(FeedHealth.HEALTHY, "healthy")
