"""Delivery of stored alerts: claim what is due, send it, record the outcome, retry failures.

A failed attempt waits ``min(retry_cap, retry_base · 2^(attempts−1))`` before the next; after
``max_attempts`` attempts, or when its channel is no longer configured, a delivery is given up
(``failed``, shown by ``monitor alerts list`` and in the digest). Deliveries are claimed one at
a time, each with a lease longer than one send can take, so a worker that dies mid-send only
delays it.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import db
from indicators.errors import AlertSendError
from monitor.alerts.channels import send_through
from monitor.alerts.payload import test_payload
from monitor.config.model import Config

__all__ = ["LEASE", "PER_TICK", "ChannelResult", "deliver_pending", "retry_delay", "send_test"]

log = logging.getLogger(__name__)

# Longer than one send can take (SMTP's timeout is per step, the webhook's is configured).
LEASE = timedelta(minutes=5)
# Sends per tick at most, so a backlog behind a slow channel does not hold up the next poll.
PER_TICK = 20


def retry_delay(config: Config, attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt (1 = the first)."""
    alerts = config.alerts
    delay: timedelta = alerts.retry_base * (2 ** max(0, attempts - 1))
    return min(alerts.retry_cap, delay)


def deliver_pending(
    database: db.Database,
    config: Config,
    *,
    now: Callable[[], datetime],
    worker: str,
    env: Mapping[str, str],
    ssl_context: ssl.SSLContext | None = None,
) -> list[db.DeliveryState]:
    """Send every due delivery this worker can claim; returns what became of each."""
    results: list[db.DeliveryState] = []
    for _ in range(PER_TICK):
        # One claim at a time, each just before its send: a lease never has to cover a queue of
        # slow sends, so it cannot run out while this worker is still busy with others.
        claimed = db.claim_deliveries(database, worker, now(), lease=LEASE, limit=1)
        if not claimed:
            break
        job = claimed[0]
        attempts = job.attempts + 1
        error: str | None = None
        retry_at: datetime | None = None
        if job.channel not in config.alerts.channels:
            error = f"the {job.channel} channel is no longer in alerts.channels; not sent"
        else:
            try:
                send_through(job.channel, config, job.alert.payload, env=env, ssl_context=ssl_context)
            except AlertSendError as exc:
                error = str(exc)
                if attempts < config.alerts.max_attempts:
                    retry_at = now() + retry_delay(config, attempts)
        finished = now()
        db.finish_delivery(database, job, worker, finished, error=error, retry_at=retry_at)
        if error is None:
            status = db.DeliveryStatus.SENT
            log.info("alert %s sent channel=%s attempts=%d", job.alert.key, job.channel, attempts)
        elif retry_at is not None:
            status = db.DeliveryStatus.PENDING
            log.warning(
                "alert %s channel=%s attempt %d failed, retry at %s: %s",
                job.alert.key,
                job.channel,
                attempts,
                retry_at.isoformat(timespec="seconds"),
                error,
            )
        else:
            status = db.DeliveryStatus.FAILED
            log.error(
                "alert %s channel=%s given up after %d attempts: %s",
                job.alert.key,
                job.channel,
                attempts,
                error,
            )
        results.append(
            db.DeliveryState(
                channel=job.channel,
                status=status,
                attempts=attempts,
                last_error=error,
                next_attempt_at=retry_at,
                sent_at=finished if error is None else None,
            )
        )
    return results


@dataclass(frozen=True, slots=True)
class ChannelResult:
    channel: str
    error: str | None  # None: sent


def send_test(
    config: Config, *, now: datetime, env: Mapping[str, str], ssl_context: ssl.SSLContext | None = None
) -> list[ChannelResult]:
    """Send a test message through every configured channel (nothing is stored)."""
    body = test_payload(now)
    results: list[ChannelResult] = []
    for channel in config.alerts.channels:
        try:
            send_through(channel, config, body, env=env, ssl_context=ssl_context)
            results.append(ChannelResult(channel, None))
        except AlertSendError as exc:
            results.append(ChannelResult(channel, str(exc)))
    return results
