"""monitor.feeds.schedule_policy.plan_next against hand-computed values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import db
from monitor.feeds.schedule_policy import BackoffSettings, NextPoll, plan_next, stable_jitter

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
# base 60 s, cap 3600 s, max delay 7200 s: small round numbers to compute by hand.
SETTINGS = BackoffSettings(base_seconds=60, cap_seconds=3600, max_delay_seconds=7200, jitter_ratio=0.5)


def after(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def plan(
    kind: str,
    status: int | None = None,
    failures: int = 0,
    interval: float = 600,
    retry_after: float | None = None,
    max_age: float | None = None,
    jitter: float = 0.0,
) -> NextPoll:
    # a plain str on purpose: the tests also pass kinds outside PollOutcome, which plan_next refuses
    outcome: db.PollOutcome = kind  # type: ignore[assignment]
    return plan_next(outcome, status, failures, interval, retry_after, max_age, NOW, SETTINGS, jitter=jitter)


@pytest.mark.parametrize(
    ("max_age", "delay"),
    [
        (None, 600),  # no cache hint: the interval
        (300, 600),  # max-age shorter than the interval never speeds polling up
        (1800, 1800),  # max-age longer than the interval slows it down
        (86400, 7200),  # ... but only up to max_delay
    ],
)
@pytest.mark.parametrize(("kind", "status"), [("ok", 200), ("not_modified", 304)])
def test_success(kind: str, status: int, max_age: float | None, delay: float) -> None:
    assert plan(kind, status, failures=4, max_age=max_age) == NextPoll(after(delay), 0, False)


@pytest.mark.parametrize(
    ("failures_before", "delay"),
    [
        (0, 600),  # 60 * 2**0 = 60, below the interval: 600
        (3, 600),  # 60 * 2**3 = 480 < 600
        (4, 960),  # 60 * 2**4 = 960
        (5, 1920),  # 60 * 2**5
        (6, 3600),  # 3840 capped at 3600
        (500, 3600),  # no overflow, still the cap
    ],
)
def test_failure_backoff(failures_before: int, delay: float) -> None:
    expected = NextPoll(after(delay), failures_before + 1, False)
    assert plan("error", 500, failures_before) == expected
    assert plan("error", None, failures_before) == expected  # network error, no status


def test_failure_backoff_with_a_short_interval() -> None:
    # interval 30 s: 60 * 2**(n-1) for n = 1, 2, 3 is 60, 120, 240
    assert [plan("error", 500, n, interval=30).next_poll_at for n in (0, 1, 2)] == [
        after(60),
        after(120),
        after(240),
    ]


@pytest.mark.parametrize(
    ("status", "retry_after", "failures_before", "delay"),
    [
        (429, 120, 0, 600),  # backoff (the interval) is longer than Retry-After
        (429, 5000, 0, 5000),  # Retry-After longer: honoured
        (503, 90000, 0, 7200),  # absurd Retry-After: max_delay
        (503, 100, 5, 1920),  # backoff 60 * 2**5 = 1920 wins
        (429, None, 5, 1920),  # no Retry-After: plain backoff
        (500, 5000, 0, 600),  # Retry-After only counts on 429/503
    ],
)
def test_retry_after(status: int, retry_after: float | None, failures_before: int, delay: float) -> None:
    result = plan("error", status, failures_before, retry_after=retry_after)
    assert result == NextPoll(after(delay), failures_before + 1, False)


def test_gone_disables_the_feed() -> None:
    assert plan("gone", 410, failures=2) == NextPoll(after(7200), 3, True)


def test_jitter_is_injected_and_bounded() -> None:
    # n = 5: 60 * 2**4 = 960, times (1 + 0.5 * 0.5) = 1200
    assert plan("error", 500, 4, jitter=0.5).next_poll_at == after(1200)
    assert plan("error", 500, 4, jitter=0.0).next_poll_at == after(960)
    assert stable_jitter("feed-42") == stable_jitter("feed-42")
    assert stable_jitter("feed-42") != stable_jitter("feed-43")
    with pytest.raises(ValueError, match="jitter"):
        plan("error", 500, 4, jitter=1.0)


def test_bad_arguments_are_rejected() -> None:
    with pytest.raises(ValueError, match="outcome_kind"):
        plan("weird")
    with pytest.raises(ValueError, match="interval_seconds"):
        plan("ok", interval=0)
    with pytest.raises(ValueError, match="cap_seconds"):
        BackoffSettings(base_seconds=100, cap_seconds=10)
    with pytest.raises(ValueError, match="base_seconds"):
        BackoffSettings(base_seconds=0)


@given(
    kind=st.sampled_from(["ok", "not_modified", "gone", "error"]),
    status=st.one_of(st.none(), st.sampled_from([200, 304, 404, 410, 429, 500, 503])),
    failures=st.integers(min_value=0, max_value=10_000),
    interval=st.floats(min_value=1, max_value=86_400),
    retry_after=st.one_of(st.none(), st.floats(min_value=0, max_value=10**7)),
    max_age=st.one_of(st.none(), st.floats(min_value=0, max_value=10**7)),
    jitter=st.floats(min_value=0, max_value=0.999),
)
def test_invariants(
    kind: str,
    status: int | None,
    failures: int,
    interval: float,
    retry_after: float | None,
    max_age: float | None,
    jitter: float,
) -> None:
    result = plan(kind, status, failures, interval, retry_after, max_age, jitter)
    assert result.next_poll_at > NOW  # polling never stops and never spins
    assert result.disabled == (kind == "gone")
    delay = (result.next_poll_at - NOW).total_seconds()
    if kind in ("ok", "not_modified"):
        assert result.consecutive_failures == 0
        assert delay >= interval - 1e-6
    else:
        assert result.consecutive_failures == failures + 1
        assert delay <= max(interval, SETTINGS.cap_seconds * 1.5, SETTINGS.max_delay_seconds) + 1e-6
