"""Queries for alerts: the per-scenario memory, storing an alert once, claiming and finishing deliveries.

Several daemons may share one database. Evaluation is decided outside (``monitor.alerts``); here a
step is applied only if the scenario's stored memory is still the generation the decision was made
from (compare-and-swap), in the same transaction as the alert and its delivery rows, so one change
makes one alert whoever sees it. A delivery is claimed with a lease by a conditional UPDATE, so one
worker sends it at a time; a worker that dies mid-send leaves a lease that runs out, and another
worker sends it again (at least once, never twice while a lease holds).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update

from db._engine import Database
from db._models import Alert, AlertDelivery, AlertStateRow
from db.types import (
    AlertKind,
    AlertMemory,
    DeliveryJob,
    DeliveryState,
    DeliveryStatus,
    NewAlert,
    StoredAlert,
)
from indicators.errors import StorageRefusedError

# The longest error text kept per delivery: enough for a server's answer, not its whole page.
ERROR_CHARS = 1000


def load_alert_memory(database: Database) -> dict[str, AlertMemory]:
    with database.session() as session:
        return {row.scenario_id: _memory(row) for row in session.scalars(select(AlertStateRow))}


def _memory(row: AlertStateRow) -> AlertMemory:
    return AlertMemory(
        scenario_id=row.scenario_id,
        generation=row.generation,
        seen_level=row.seen_level,
        armed_level=row.armed_level,
        last_alert_at=row.last_alert_at,
        last_alert_level=row.last_alert_level,
        last_spike_day=row.last_spike_day,
    )


def apply_alert_step(
    database: Database, before: AlertMemory | None, after: AlertMemory, alerts: Sequence[NewAlert]
) -> bool:
    """Store ``after`` (generation ``before.generation + 1``, or 1) and ``alerts`` with one pending
    delivery per channel, if the stored memory is still ``before``. False: another worker moved it
    first; nothing was written (that worker stored the same step)."""
    try:
        with database.session(write=True) as session:
            values = {
                "generation": after.generation,
                "seen_level": after.seen_level,
                "armed_level": after.armed_level,
                "last_alert_at": after.last_alert_at,
                "last_alert_level": after.last_alert_level,
                "last_spike_day": after.last_spike_day,
            }
            if before is None:
                if session.get(AlertStateRow, after.scenario_id) is not None:
                    return False
                session.add(AlertStateRow(scenario_id=after.scenario_id, **values))
                session.flush()  # a concurrent insert fails here, on the primary key
            else:
                moved = session.execute(
                    update(AlertStateRow)
                    .where(
                        AlertStateRow.scenario_id == before.scenario_id,
                        AlertStateRow.generation == before.generation,
                    )
                    .values(**values)
                )
                if moved.rowcount != 1:  # type: ignore[attr-defined]
                    return False
            for alert in alerts:
                row = Alert(
                    key=alert.key,
                    scenario_id=alert.scenario_id,
                    kind=alert.kind.value,
                    level=alert.level,
                    previous_level=alert.previous_level,
                    day=alert.day,
                    index=alert.index,
                    created_at=alert.created_at,
                    payload=dict(alert.payload),
                )
                session.add(row)
                session.flush()
                for channel in alert.channels:
                    session.add(
                        AlertDelivery(
                            alert_id=row.id,
                            channel=channel,
                            status=DeliveryStatus.PENDING.value,
                            attempts=0,
                            next_attempt_at=alert.created_at,
                        )
                    )
        return True
    except StorageRefusedError:  # the primary key or the alert key: another worker was first
        return False


def claim_deliveries(
    database: Database, worker: str, now: datetime, *, lease: timedelta, limit: int = 50
) -> list[DeliveryJob]:
    """Claim the pending deliveries that are due and not leased by another worker."""
    with database.session() as session:
        due = session.scalars(
            select(AlertDelivery.id)
            .where(
                AlertDelivery.status == DeliveryStatus.PENDING.value,
                AlertDelivery.next_attempt_at <= now,
                (AlertDelivery.claimed_until.is_(None)) | (AlertDelivery.claimed_until < now),
            )
            .order_by(AlertDelivery.next_attempt_at, AlertDelivery.id)
            .limit(limit)
        ).all()
    claimed: list[int] = []
    for delivery_id in due:
        with database.session(write=True) as session:
            result = session.execute(
                update(AlertDelivery)
                .where(
                    AlertDelivery.id == delivery_id,
                    AlertDelivery.status == DeliveryStatus.PENDING.value,
                    (AlertDelivery.claimed_until.is_(None)) | (AlertDelivery.claimed_until < now),
                )
                .values(claimed_by=worker, claimed_until=now + lease)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append(delivery_id)
    if not claimed:
        return []
    with database.session() as session:
        rows = session.execute(
            select(AlertDelivery, Alert)
            .join(Alert, Alert.id == AlertDelivery.alert_id)
            .where(AlertDelivery.id.in_(claimed))
            .order_by(AlertDelivery.id)
        ).all()
        return [
            DeliveryJob(delivery_id=d.id, channel=d.channel, attempts=d.attempts, alert=_alert(a))
            for d, a in rows
        ]


def finish_delivery(
    database: Database,
    job: DeliveryJob,
    worker: str,
    now: datetime,
    *,
    error: str | None,
    retry_at: datetime | None = None,
) -> None:
    """Record an attempt: sent (``error`` None), to be retried at ``retry_at``, or given up (no
    ``retry_at``). Only the claim's holder writes; the lease is released."""
    if error is None:
        status, next_at = DeliveryStatus.SENT, None
    elif retry_at is not None:
        status, next_at = DeliveryStatus.PENDING, retry_at
    else:
        status, next_at = DeliveryStatus.FAILED, None
    with database.session(write=True) as session:
        session.execute(
            update(AlertDelivery)
            .where(AlertDelivery.id == job.delivery_id, AlertDelivery.claimed_by == worker)
            .values(
                status=status.value,
                attempts=job.attempts + 1,
                last_error=None if error is None else error[:ERROR_CHARS],
                next_attempt_at=next_at,
                sent_at=now if error is None else None,
                claimed_by=None,
                claimed_until=None,
            )
        )


def recent_alerts(database: Database, *, since: datetime | None = None, limit: int = 50) -> list[StoredAlert]:
    """Alerts newest first (created at or after ``since``), each with its deliveries."""
    with database.session() as session:
        query = select(Alert).order_by(Alert.created_at.desc(), Alert.id.desc()).limit(limit)
        if since is not None:
            query = query.where(Alert.created_at >= since)
        alerts = list(session.scalars(query))
        deliveries: dict[int, list[DeliveryState]] = {}
        if alerts:
            for d in session.scalars(
                select(AlertDelivery)
                .where(AlertDelivery.alert_id.in_([a.id for a in alerts]))
                .order_by(AlertDelivery.channel)
            ):
                deliveries.setdefault(d.alert_id, []).append(
                    DeliveryState(
                        channel=d.channel,
                        status=DeliveryStatus(d.status),
                        attempts=d.attempts,
                        last_error=d.last_error,
                        next_attempt_at=d.next_attempt_at,
                        sent_at=d.sent_at,
                    )
                )
        return [_alert(a, tuple(deliveries.get(a.id, ()))) for a in alerts]


def _alert(row: Alert, deliveries: tuple[DeliveryState, ...] = ()) -> StoredAlert:
    return StoredAlert(
        id=row.id,
        key=row.key,
        scenario_id=row.scenario_id,
        kind=AlertKind(row.kind),
        level=row.level,
        previous_level=row.previous_level,
        day=row.day,
        index=row.index,
        created_at=row.created_at,
        payload=dict(row.payload),
        deliveries=deliveries,
    )
