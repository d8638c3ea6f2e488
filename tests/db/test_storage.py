"""One storage suite, run on a SQLite file and on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text

import db
from db._models import Base, Item
from monitor.process_identity import host_name, worker_identity
from tests.helpers import T0, ok, spec


def item(guid: str, title: str = "Title", summary: str = "Summary", h: str | None = None) -> db.NewItem:
    return db.NewItem(
        guid=guid,
        url=f"https://example.org/{guid}",
        title=title,
        summary=summary,
        language="en",
        published_at=T0 - timedelta(hours=1),
        content_hash=h or f"hash-{guid}-{title}",
    )


def item_id(database: db.Database, guid: str) -> int:
    with database.session() as session:
        return int(session.execute(select(Item.id).where(Item.guid == guid)).scalar_one())


def test_empty_database_upgrades_to_head_matching_the_models(database: db.Database) -> None:
    assert db.current_revision(database.engine) == db.head_revision()
    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_head_revision_constant_names_the_newest_migration(database: db.Database) -> None:
    assert db.head_revision() == db.HEAD_REVISION
    with database.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == db.HEAD_REVISION


def test_opening_a_current_database_needs_no_alembic(sqlite_url: str) -> None:
    db.open_database(sqlite_url).close()
    script = (
        "import sys, db; db.open_database(sys.argv[1]).close(); "
        "sys.exit('alembic was imported' if 'alembic' in sys.modules else 0)"
    )
    subprocess.run([sys.executable, "-c", script, sqlite_url], check=True)


def test_query_time_errors_are_storage_errors(database: db.Database) -> None:
    with pytest.raises(db.StorageError, match="failed"), database.session() as session:
        session.execute(text("SELECT no_such_column FROM feeds"))


def test_upgrade_is_idempotent(database: db.Database) -> None:
    db.upgrade(database.engine)
    assert db.current_revision(database.engine) == db.head_revision()


def test_sqlite_runs_in_wal_with_foreign_keys(sqlite_url: str) -> None:
    handle = db.open_database(sqlite_url)
    with handle.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    handle.close()


def test_sync_feeds_adds_updates_and_retires(database: db.Database) -> None:
    db.sync_feeds(database, [spec("a"), spec("b")], T0)
    db.sync_feeds(database, [spec("a", reliability=0.3), spec("c")], T0)
    feeds = {f.name: f for f in db.list_feeds(database)}
    assert feeds["a"].reliability == pytest.approx(0.3)
    assert feeds["a"].in_config and feeds["c"].in_config
    assert not feeds["b"].in_config
    assert feeds["c"].next_poll_at == T0


def writes(*items: db.NewItem, database: db.Database | None = None, feed_id: int = 0) -> list[db.ItemWrite]:
    """Items as the pipeline hands them over: a changed stored item carries its id."""
    known = db.known_items(database, feed_id, [i.guid for i in items]) if database is not None else {}
    return [
        db.ItemWrite(i, existing_id=known[i.guid].id if i.guid in known else None)
        for i in items
        if i.guid not in known or known[i.guid].content_hash != i.content_hash
    ]


def test_items_are_inserted_and_changed_items_updated(database: db.Database) -> None:
    db.sync_feeds(database, [spec("a")], T0)
    (feed,) = db.claim_feeds(database, now=T0, worker="w", lease=timedelta(minutes=5))
    first = db.record_poll(database, feed.id, ok(), writes(item("1"), item("2")), items_seen=2)
    assert (first.items_seen, first.items_new, first.items_updated) == (2, 2, 0)
    assert set(db.known_items(database, feed.id, ["1", "2", "3"])) == {"1", "2"}
    again = db.record_poll(
        database, feed.id, ok(), writes(item("1"), item("2"), database=database, feed_id=feed.id)
    )
    assert (again.items_new, again.items_updated) == (0, 0)
    edited = db.record_poll(
        database,
        feed.id,
        ok(),
        writes(item("1", title="Corrected title"), database=database, feed_id=feed.id),
    )
    assert (edited.items_new, edited.items_updated) == (0, 1)
    assert edited.item_ids == (item_id(database, "1"),)
    assert db.count_items(database) == 2
    stored = db.get_item(database, item_id(database, "1"))
    assert stored is not None and stored.title == "Corrected title"


def test_new_items_found_join_or_keep_their_stories(database: db.Database) -> None:
    db.sync_feeds(database, [spec("a")], T0)
    (feed,) = db.claim_feeds(database, now=T0, worker="w", lease=timedelta(minutes=5))
    first = db.record_poll(database, feed.id, ok(), [db.ItemWrite(item("1"))])
    (founder,) = first.item_ids
    assert first.story_ids == (founder,)
    batch = [
        db.ItemWrite(item("2"), story_id=founder),  # joins a stored story
        db.ItemWrite(item("3")),  # founds one
        db.ItemWrite(item("4"), joins=1),  # joins the story item 3 founds in this call
    ]
    second = db.record_poll(database, feed.id, ok(), batch)
    two, three, four = second.item_ids
    assert second.story_ids == (founder, three, three)
    with database.engine.connect() as conn:
        stories: dict[int, int] = {
            i: s for i, s in conn.execute(text("SELECT id, story_id FROM items")).all()
        }
    assert stories == {founder: founder, two: founder, three: three, four: three}


def test_same_guid_in_two_feeds_is_two_items(database: db.Database) -> None:
    db.sync_feeds(database, [spec("a"), spec("b")], T0)
    for feed in db.claim_feeds(database, now=T0, worker="w", lease=timedelta(minutes=5)):
        db.record_poll(database, feed.id, ok(), writes(item("shared")))
    assert db.count_items(database) == 2


def test_matches_are_stored_replaced_on_edit(database: db.Database) -> None:
    db.sync_feeds(database, [spec("a")], T0)
    (feed,) = db.claim_feeds(database, now=T0, worker="w", lease=timedelta(minutes=5))
    ev = db.Evidence(field="title", start=0, end=5, term="Minsk", text="Minsk")
    hit = (db.MatchRecord("ind_a", 1, (ev,)),)
    db.record_poll(database, feed.id, ok(), [db.ItemWrite(item("1", title="Minsk says"), hit)])
    stored = db.get_item(database, item_id(database, "1"))
    assert stored is not None and [m.indicator_id for m in stored.matches] == ["ind_a"]
    assert stored.matches[0].evidence == (ev,)
    edit = db.ItemWrite(item("1", title="Vilnius says"), (), existing_id=item_id(database, "1"))
    db.record_poll(database, feed.id, ok(), [edit])
    stored = db.get_item(database, item_id(database, "1"))
    assert stored is not None and stored.matches == ()


def test_failed_poll_keeps_validators_and_counts_failures(database: db.Database) -> None:
    db.sync_feeds(database, [spec("a")], T0)
    (feed,) = db.claim_feeds(database, now=T0, worker="w", lease=timedelta(minutes=5))
    db.record_poll(database, feed.id, ok())
    failure = db.PollUpdate(
        attempted_at=T0 + timedelta(minutes=15),
        outcome=db.PollOutcome("error"),
        status=None,
        next_poll_at=T0 + timedelta(minutes=45),
        consecutive_failures=1,
        error="connection refused",
    )
    db.record_poll(database, feed.id, failure)
    (state,) = db.list_feeds(database)
    assert state.etag == '"v1"' and state.last_error == "connection refused"
    assert state.consecutive_failures == 1 and state.last_success_at == T0
    assert state.next_poll_at == T0 + timedelta(minutes=45)


def test_gone_disables_and_moved_records_new_url(database: db.Database) -> None:
    db.sync_feeds(database, [spec("a"), spec("b")], T0)
    feeds = {f.name: f for f in db.claim_feeds(database, now=T0, worker="w", lease=timedelta(minutes=5))}
    db.record_poll(database, feeds["a"].id, ok(moved_to="http://127.0.0.1:1/new.xml"))
    db.record_poll(
        database,
        feeds["b"].id,
        ok(outcome="gone", status=410, disable_reason="HTTP 410 Gone", error="HTTP 410 Gone"),
    )
    db.sync_feeds(database, [spec("a"), spec("b")], T0)  # a restart must not re-enable a gone feed
    after = {f.name: f for f in db.list_feeds(database)}
    assert after["a"].url == "http://127.0.0.1:1/new.xml" and after["a"].config_url.endswith("/a.xml")
    assert not after["b"].enabled and after["b"].disabled_reason == "HTTP 410 Gone"
    assert db.claim_feeds(database, now=T0 + timedelta(days=1), worker="w", lease=timedelta(minutes=5)) != []
    claimed = db.claim_feeds(database, now=T0 + timedelta(days=2), worker="x", lease=timedelta(minutes=5))
    assert "b" not in {f.name for f in claimed}


def test_claims_are_exclusive_until_the_lease_expires(database: db.Database) -> None:
    db.sync_feeds(database, [spec(f"f{i}") for i in range(6)], T0)
    lease = timedelta(minutes=5)
    first = db.claim_feeds(database, now=T0, worker="w1", lease=lease)
    second = db.claim_feeds(database, now=T0, worker="w2", lease=lease)
    assert len(first) == 6 and second == []
    later = db.claim_feeds(database, now=T0 + lease + timedelta(seconds=1), worker="w2", lease=lease)
    assert len(later) == 6


def test_concurrent_claims_never_share_a_feed(database: db.Database) -> None:
    db.sync_feeds(database, [spec(f"f{i}") for i in range(30)], T0)
    results: dict[str, list[int]] = {}

    def claim(worker: str) -> None:
        states = db.claim_feeds(database, now=T0, worker=worker, lease=timedelta(minutes=5))
        results[worker] = [s.id for s in states]

    threads = [threading.Thread(target=claim, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    claimed = [fid for ids in results.values() for fid in ids]
    assert sorted(claimed) == sorted(set(claimed)) and len(claimed) == 30


def test_due_only_skips_feeds_not_due(database: db.Database) -> None:
    db.sync_feeds(database, [spec("a")], T0)
    (feed,) = db.claim_feeds(database, now=T0, worker="w", lease=timedelta(minutes=5))
    db.record_poll(database, feed.id, ok())
    soon = T0 + timedelta(minutes=1)
    assert db.claim_feeds(database, now=soon, worker="w", lease=timedelta(minutes=5)) == []
    forced = db.claim_feeds(database, now=soon, worker="w", lease=timedelta(minutes=5), due_only=False)
    assert len(forced) == 1


def test_a_failed_transaction_stores_nothing(database: db.Database) -> None:
    db.sync_feeds(database, [spec("a")], T0)
    (feed,) = db.claim_feeds(database, now=T0, worker="w", lease=timedelta(minutes=5))
    # The third write is refused after the first two were inserted: the whole poll rolls back.
    bad = [db.ItemWrite(item("1")), db.ItemWrite(item("2"), joins=0), db.ItemWrite(item("3"), joins=1)]
    with pytest.raises(ValueError, match="founds no story"):
        db.record_poll(database, feed.id, ok(), bad)
    assert db.count_items(database) == 0
    (state,) = db.list_feeds(database)
    assert state.etag is None and state.last_success_at is None


def test_runs_and_dead_run_recovery(database: db.Database) -> None:
    run = db.start_run(database, db.RunKind.POLL, T0, worker=f"{host_name()}:999999")
    assert db.recent_runs(database)[0].outcome is db.RunOutcome.RUNNING
    closed = db.mark_dead_runs(database, T0 + timedelta(minutes=1), host=host_name(), alive=lambda pid: False)
    assert closed == 1
    (info,) = db.recent_runs(database)
    assert info.id == run and info.outcome is db.RunOutcome.INTERRUPTED and info.kind is db.RunKind.POLL
    other = db.start_run(database, db.RunKind.POLL, T0, worker=worker_identity())
    db.finish_run(
        database, other, T0 + timedelta(seconds=3), db.RunOutcome.OK, feeds_total=2, feeds_ok=2, items_new=5
    )
    latest = db.recent_runs(database, db.RunKind.POLL)[0]
    assert (latest.outcome, latest.items_new, latest.finished_at) == ("ok", 5, T0 + timedelta(seconds=3))


def test_runs_take_the_enum_values_as_plain_strings_and_refuse_others(database: db.Database) -> None:
    # Callers that still pass the stored value keep working; an unknown kind or outcome is refused.
    run = db.start_run(database, "poll", T0, worker=worker_identity())
    db.finish_run(database, run, T0, "partial")
    assert db.recent_runs(database)[0].outcome is db.RunOutcome.PARTIAL
    with pytest.raises(ValueError):
        db.start_run(database, "nap", T0, worker=worker_identity())
    with pytest.raises(ValueError):
        db.finish_run(database, run, T0, "fine")
    assert db.recent_runs(database, db.RunKind.DIGEST) == []


def test_times_round_trip_as_aware_utc(database: db.Database) -> None:
    db.sync_feeds(database, [spec("a")], T0)
    (state,) = db.list_feeds(database)
    assert state.next_poll_at == T0 and state.next_poll_at.tzinfo is not None


def test_bad_url_and_unreachable_database_are_storage_errors(tmp_path: object) -> None:
    with pytest.raises(db.StorageError, match="not valid"):
        db.open_database("not a url")
    with pytest.raises(db.StorageError, match="cannot open"):
        db.open_database("postgresql://nobody@127.0.0.1:1/none")


def test_foreign_keys_cascade_on_sqlite(sqlite_url: str) -> None:
    handle = db.open_database(sqlite_url)
    db.sync_feeds(handle, [spec("a")], T0)
    (feed,) = db.claim_feeds(handle, now=T0, worker="w", lease=timedelta(minutes=5))
    db.record_poll(handle, feed.id, ok(), writes(item("1")))
    with handle.engine.begin() as conn:
        conn.execute(text("DELETE FROM feeds"))
    assert db.count_items(handle) == 0
    handle.close()


def test_a_feed_due_within_the_grace_is_claimed_now(database: db.Database) -> None:
    db.sync_feeds(database, [spec("a")], T0)
    (feed,) = db.claim_feeds(database, now=T0, worker="w", lease=timedelta(minutes=5))
    # Polled at T0 + 2 s with a 60 s interval: due at T0 + 62 s.
    db.record_poll(
        database, feed.id, ok(at=T0 + timedelta(seconds=2), next_poll_at=T0 + timedelta(seconds=62))
    )
    tick = T0 + timedelta(seconds=60)
    assert db.claim_feeds(database, now=tick, worker="w", lease=timedelta(minutes=5)) == []
    claimed = db.claim_feeds(
        database, now=tick, worker="w", lease=timedelta(minutes=5), due_by=tick + timedelta(seconds=30)
    )
    assert [f.id for f in claimed] == [feed.id]


def test_a_worker_recovers_what_a_database_failure_left_open(database: db.Database) -> None:
    db.sync_feeds(database, [spec("a"), spec("b")], T0)
    me, other = "vm:1:aaaa1111", "vm:1:bbbb2222"  # same host and pid, as in two containers
    run = db.start_run(database, db.RunKind.POLL, T0, worker=me)
    db.start_run(database, db.RunKind.POLL, T0, worker=other)
    a, b = db.claim_feeds(database, now=T0, worker=me, lease=timedelta(minutes=10))
    db.release_claims(database, me)
    db.claim_feeds(database, now=T0, worker=me, lease=timedelta(minutes=10), names=["a"])
    db.claim_feeds(database, now=T0, worker=other, lease=timedelta(minutes=10), names=["b"])
    assert db.recover_worker(database, me, T0 + timedelta(minutes=1)) == 1
    runs = {r.id: r for r in db.recent_runs(database)}
    assert runs[run].outcome is db.RunOutcome.FAILED
    assert sum(1 for r in runs.values() if r.outcome is db.RunOutcome.RUNNING) == 1  # the other's
    # Mine are free at once; the other container's claim stands.
    assert [
        f.name for f in db.claim_feeds(database, now=T0, worker="third:1:cccc", lease=timedelta(minutes=1))
    ] == ["a"]
    assert a.name == "a" and b.name == "b"


def test_worker_identities_differ_between_processes_on_one_host() -> None:
    host, pid, token = worker_identity().rsplit(":", 2)
    assert host == host_name() and pid.isdigit() and len(token) == 8
