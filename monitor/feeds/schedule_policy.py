"""When to poll a feed next: a pure function of the last outcome, with no I/O and no clock.

Formulas (all durations in seconds; ``n`` is the failure count *after* this outcome)::

    success (``PollOutcome.succeeded``: ok or not_modified):
        n = 0
        delay = max(interval, min(max_age or 0, max_delay))

    backoff(n) = max(interval, min(cap, base * 2**(n - 1)) * (1 + jitter_ratio * jitter))

    failure with status 429 or 503 and a Retry-After value:
        n = failures_before + 1
        delay = min(max(retry_after, backoff(n)), max_delay)

    any other failure ("error", including network errors with no status):
        n = failures_before + 1
        delay = backoff(n)

    410 Gone (kind "gone"):
        n = failures_before + 1, disabled = True, delay = max_delay
        (the next time is kept meaningful in case someone re-enables the feed)

    next_poll_at = now + delay

A failing feed is never given up on (only 410 disables); its delay just stops growing at ``cap``.
A server's ``Cache-Control: max-age`` may slow polling down (up to ``max_delay``), never speed it up
beyond the configured interval. ``Retry-After`` is honoured but bounded by ``max_delay`` so a bogus
"come back in a year" does not silence a feed.

Jitter is off by default. To spread feeds that fail together, pass ``jitter`` in [0, 1), for
example ``stable_jitter(str(feed_id))``: deterministic per feed, so tests and re-runs agree.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from db.types import PollOutcome
from monitor.feeds.fetch_settings import BackoffSettings

__all__ = ["BackoffSettings", "NextPoll", "plan_next", "stable_jitter"]

_KINDS = frozenset(outcome.value for outcome in PollOutcome)
# 2**60 seconds is far beyond any cap; keeps the float arithmetic from overflowing.
_MAX_EXPONENT = 60


@dataclass(frozen=True, slots=True)
class NextPoll:
    next_poll_at: datetime
    consecutive_failures: int
    disabled: bool


def stable_jitter(key: str) -> float:
    """A value in [0, 1) that depends only on ``key``: the same feed always gets the same jitter."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def plan_next(
    outcome_kind: PollOutcome,
    status: int | None,
    consecutive_failures_before: int,
    interval_seconds: float,
    retry_after_seconds: float | None,
    max_age_seconds: float | None,
    now: datetime,
    settings: BackoffSettings,
    *,
    jitter: float = 0.0,
) -> NextPoll:
    """Plan the next poll after an outcome; see the module docstring for the formulas."""
    if outcome_kind not in _KINDS:
        raise ValueError(f"outcome_kind must be one of {sorted(_KINDS)}, got {outcome_kind!r}")
    outcome = PollOutcome(outcome_kind)
    if interval_seconds <= 0:
        raise ValueError(f"interval_seconds must be > 0, got {interval_seconds!r}")
    if not 0 <= jitter < 1:
        raise ValueError(f"jitter must be within [0, 1), got {jitter!r}")
    before = max(0, consecutive_failures_before)

    if outcome.succeeded:
        delay = max(interval_seconds, min(max_age_seconds or 0.0, settings.max_delay_seconds))
        return NextPoll(now + timedelta(seconds=delay), 0, False)

    failures = before + 1
    if outcome is PollOutcome.GONE:
        return NextPoll(now + timedelta(seconds=settings.max_delay_seconds), failures, True)

    exponent = min(failures - 1, _MAX_EXPONENT)
    grown = min(settings.cap_seconds, settings.base_seconds * 2.0**exponent)
    backoff = max(interval_seconds, grown * (1 + settings.jitter_ratio * jitter))
    if status in (429, 503) and retry_after_seconds is not None:
        delay = min(max(retry_after_seconds, backoff), settings.max_delay_seconds)
    else:
        delay = backoff
    return NextPoll(now + timedelta(seconds=delay), failures, False)
