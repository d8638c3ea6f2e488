"""The alert tables on SQLite and PostgreSQL: one step per memory generation, one claim per lease."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import db

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def memory(generation: int, level: str = "watch") -> db.AlertMemory:
    return db.AlertMemory("s", generation, seen_level=level, armed_level=level, last_alert_at=T0)


def alert(key: str) -> db.NewAlert:
    return db.NewAlert(
        key=key,
        scenario_id="s",
        kind=db.AlertKind.LEVEL,
        level="watch",
        previous_level="calm",
        day=date(2026, 12, 1),
        index=5.0,
        created_at=T0,
        payload={"id": key, "top_stories": [{"title": "Заголовок"}]},
        channels=("email", "webhook"),
    )


def test_a_step_is_stored_once_per_generation(database: db.Database) -> None:
    assert db.apply_alert_step(database, None, memory(1), [alert("s:1:level")])
    # A second worker that decided from the same (absent) memory is refused, and stores nothing.
    assert not db.apply_alert_step(database, None, memory(1), [alert("s:1:level")])
    assert db.load_alert_memory(database) == {"s": memory(1)}
    assert db.apply_alert_step(database, memory(1), memory(2, "calm"), [])
    assert not db.apply_alert_step(database, memory(1), memory(2, "warning"), [alert("s:2:level")])
    assert db.load_alert_memory(database)["s"].seen_level == "calm"
    stored = db.recent_alerts(database)
    assert [a.key for a in stored] == ["s:1:level"]
    assert stored[0].payload["top_stories"] == [{"title": "Заголовок"}]
    assert {(d.channel, d.status, d.attempts) for d in stored[0].deliveries} == {
        ("email", db.DeliveryStatus.PENDING, 0),
        ("webhook", db.DeliveryStatus.PENDING, 0),
    }


def test_a_delivery_is_claimed_by_one_worker_while_its_lease_holds(database: db.Database) -> None:
    db.apply_alert_step(database, None, memory(1), [alert("s:1:level")])
    first = db.claim_deliveries(database, "w1", T0, lease=LEASE)
    assert sorted(j.channel for j in first) == ["email", "webhook"]
    assert db.claim_deliveries(database, "w2", T0 + timedelta(minutes=1), lease=LEASE) == []
    email = next(j for j in first if j.channel == "email")
    db.finish_delivery(database, email, "w1", T0, error=None)
    # w1 died before finishing the webhook: once the lease is over, another worker takes it over.
    later = db.claim_deliveries(database, "w2", T0 + LEASE + timedelta(seconds=1), lease=LEASE)
    assert [j.channel for j in later] == ["webhook"]
    db.finish_delivery(database, later[0], "w1", T0, error="late report of a lost claim")  # not the holder
    db.finish_delivery(database, later[0], "w2", T0, error="HTTP 503", retry_at=T0 + timedelta(hours=1))
    states = {d.channel: d for d in db.recent_alerts(database)[0].deliveries}
    assert (states["email"].status, states["email"].sent_at) == (db.DeliveryStatus.SENT, T0)
    assert (states["webhook"].status, states["webhook"].attempts) == (db.DeliveryStatus.PENDING, 1)
    assert states["webhook"].last_error == "HTTP 503"
    assert db.claim_deliveries(database, "w2", T0 + timedelta(minutes=59), lease=LEASE) == []
    assert len(db.claim_deliveries(database, "w2", T0 + timedelta(hours=1), lease=LEASE)) == 1
