"""Stories decided on a worker process while the poll writes the feed before: the same stories as in
the poll's own process, a failed write taken back from what was decided after it, a worker that
dies or fails leaving the poll to group in its own process, and its snapshot read by the next poll.
Real worker processes, a real SQLite file, real HTTP on 127.0.0.1 for the whole poll."""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

import db
from monitor.analysis import Definitions
from monitor.config.model import load_config
from monitor.pipeline import story_snapshot
from monitor.pipeline.poll_cycle import poll_and_refresh
from monitor.pipeline.poll_settings import feed_specs
from monitor.pipeline.story_assigner import FOUNDS, JOINS, STORY, StoryAssigner
from monitor.pipeline.story_worker import StoryWorker, Ticket
from scenarios import signature
from tests.helpers import conditional, rows, rss, write_config
from tests.helpers.feed_server import FeedServer

T0 = datetime(2026, 11, 20, 9, tzinfo=UTC)
REPORT = (
    "Polish army says 12 drones crossed from Belarus near Terespol",
    "Polish army says 12 drones crossed the border from Belarus near Terespol overnight; two were downed.",
)
OTHER = ("Lithuania opens a new gas terminal in Klaipeda", "The LNG terminal doubles imports from Norway.")


def sign(text: tuple[str, str]) -> str:
    return signature(*text).to_text()


def signature_of(title: str, summary: str) -> str:
    return signature(title, summary).to_text()


# --- decide: batches that overlap --------------------------------------------------------------------


def test_a_batch_decided_before_the_one_before_commits_joins_its_provisional_story() -> None:
    assigner = StoryAssigner.empty()
    first = assigner.decide(1, T0, [(signature(*REPORT), T0)])
    second = assigner.decide(2, T0, [(signature(*REPORT), T0), (signature(*OTHER), T0)])
    ((kind, provisional),) = first.decisions
    assert kind == FOUNDS and provisional < 0
    assert second.decisions[0] == (STORY, provisional)  # the caller swaps in the stored id
    assert second.decisions[1][0] == FOUNDS
    assigner.commit_ids(first, [101])
    assigner.commit_ids(second, [102, 103])
    third = assigner.decide(3, T0, [(signature(*REPORT), T0), (signature(*REPORT), T0)])
    # both earlier reports now sit in story 101, the rename of the first commit carried the second
    assert third.decisions == [(STORY, 101), (STORY, 101)]


def test_stage_refuses_a_batch_that_joins_another_unresolved_one() -> None:
    assigner = StoryAssigner.empty()
    first = db.ItemWrite(db.NewItem("1", None, *REPORT, "en", T0, "h1", sign(REPORT)))
    assigner.stage(1, T0, [first])
    with pytest.raises(RuntimeError, match="another batch is unresolved"):
        assigner.stage(2, T0, [first])


def test_decide_leaves_changed_items_ungrouped() -> None:
    assigner = StoryAssigner.empty()
    batch = assigner.decide(1, T0, [(None, T0), (signature(*REPORT), T0), (signature(*REPORT), None)])
    assert batch.decisions[0] == (0, 0)
    assert batch.decisions[2] == (JOINS, 1)  # no published time: the fetch time counts
    assert len(assigner.index) == 2


# --- the worker process --------------------------------------------------------------------------------


@pytest.fixture
def database(tmp_path: Path) -> Iterator[db.Database]:
    handle = db.open_database(f"sqlite:///{tmp_path / 'stories.db'}")
    specs = [db.FeedSpec(f"http://127.0.0.1:1/{n}", n, "en", 1.0, 900) for n in ("a", "b", "c", "d")]
    db.sync_feeds(handle, specs, T0)
    yield handle
    handle.close()


def item(guid: str, text: tuple[str, str]) -> db.ItemWrite:
    # as the poll plans them for the worker: cleaned text, no signature yet
    return db.ItemWrite(db.NewItem(guid, None, *text, "en", T0, f"h{guid}", None, T0.date()))


def feed_ids(database: db.Database) -> list[int]:
    return [f.id for f in sorted(db.list_feeds(database), key=lambda f: f.name)]


def write(database: db.Database, worker: StoryWorker, ticket: Ticket, feed_id: int) -> db.PollSummary:
    staged = worker.resolve(ticket)
    summary = db.store_items(database, feed_id, staged.writes, fetched_at=T0)
    worker.commit(staged, summary)
    return summary


def story_of(database: db.Database, guid: str) -> int:
    with database.engine.connect() as conn:
        return int(conn.execute(text("SELECT story_id FROM items WHERE guid = :g"), {"g": guid}).scalar_one())


def test_the_worker_groups_as_the_polls_process_does_while_writes_overlap(database: db.Database) -> None:
    a, b, c, d = feed_ids(database)
    worker = StoryWorker(database, lambda: T0, signature_of)
    try:
        first = worker.submit(a, T0, [item("a1", REPORT)])
        second = worker.submit(b, T0, [item("b1", REPORT), item("b2", OTHER)])  # before a1 is stored
        assert worker.pid is not None
        stored_a = write(database, worker, first, a)
        third = worker.submit(c, T0, [item("c1", OTHER)])
        stored_b = write(database, worker, second, b)
        write(database, worker, third, c)
        fourth = worker.submit(d, T0, [item("d1", REPORT)])
        write(database, worker, fourth, d)
    finally:
        worker.close()
    assert story_of(database, "a1") == stored_a.item_ids[0]
    assert story_of(database, "b1") == stored_a.item_ids[0]  # the provisional id, swapped for the stored
    assert story_of(database, "c1") == stored_b.item_ids[1] == story_of(database, "b2")
    assert story_of(database, "d1") == stored_a.item_ids[0]
    with database.engine.connect() as conn:
        signatures = {guid: sig for guid, sig in conn.execute(text("SELECT guid, signature FROM items"))}
    assert signatures["a1"] == sign(REPORT) and signatures["c1"] == sign(OTHER)  # signed by the worker


THIRD = (
    "Russian gas deliveries to Belarus fall by a third",
    "Gazprom cut deliveries to Belarus by 33 % in November.",
)


def test_the_worker_starts_from_the_snapshot_and_the_items_stored_since(
    database: db.Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    a, b, c, d = feed_ids(database)
    ours = StoryAssigner.load(database, T0)
    for feed_id, guid, words_of in ((a, "a1", REPORT), (b, "b1", OTHER)):
        signed = db.ItemWrite(
            db.NewItem(guid, None, *words_of, "en", T0, f"h{guid}", sign(words_of), T0.date())
        )
        staged = ours.stage(feed_id, T0, [signed])
        ours.commit(staged, db.store_items(database, feed_id, staged.writes, fetched_at=T0))
    assert story_snapshot.save(database, ours) is not None
    theirs = StoryAssigner.load(database, T0)  # another process, after the snapshot
    signed = db.ItemWrite(db.NewItem("c1", None, *THIRD, "en", T0, "hc1", sign(THIRD), T0.date()))
    staged = theirs.stage(c, T0, [signed])
    theirs.commit(staged, db.store_items(database, c, staged.writes, fetched_at=T0))
    monkeypatch.setattr("monitor.pipeline.story_worker._LEARN_BATCH", 1)  # the items since, one at a time
    worker = StoryWorker(database, lambda: T0, signature_of)
    try:
        with caplog.at_level(logging.INFO, logger="monitor.pipeline.story_worker"):
            worker.start()
            ticket = worker.submit(d, T0, [item("d1", REPORT), item("d2", THIRD), item("d3", OTHER)])
            stored = write(database, worker, ticket, d)
    finally:
        worker.close()
    assert any("story index read from" in r.message for r in caplog.records)
    assert stored.story_ids == (story_of(database, "a1"), story_of(database, "c1"), story_of(database, "b1"))


def test_a_failed_write_takes_back_the_batch_decided_after_it(database: db.Database) -> None:
    a, b, _, _ = feed_ids(database)
    worker = StoryWorker(database, lambda: T0, signature_of)
    try:
        first = worker.submit(a, T0, [item("a1", REPORT)])
        second = worker.submit(b, T0, [item("b1", REPORT)])  # joins a1's story, for now
        worker.discard(worker.resolve(first))  # a1's write failed
        staged = worker.resolve(second)
        assert staged.writes[0].story_id is None and staged.writes[0].joins is None  # founds its own
        summary = db.store_items(database, b, staged.writes, fetched_at=T0)
        worker.commit(staged, summary)
        third = worker.submit(a, T0, [item("a2", REPORT)])
        assert worker.resolve(third).writes[0].story_id == summary.item_ids[0]
    finally:
        worker.close()


def test_a_worker_that_dies_leaves_the_grouping_to_the_polls_process(
    database: db.Database, caplog: pytest.LogCaptureFixture
) -> None:
    a, b, c, _ = feed_ids(database)
    worker = StoryWorker(database, lambda: T0, signature_of)
    try:
        stored_a = write(database, worker, worker.submit(a, T0, [item("a1", REPORT)]), a)
        pid = worker.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        with caplog.at_level(logging.WARNING, logger="monitor.pipeline.story_worker"):
            stored_b = write(database, worker, worker.submit(b, T0, [item("b1", REPORT)]), b)
            stored_c = write(database, worker, worker.submit(c, T0, [item("c1", OTHER)]), c)
    finally:
        worker.close()
    assert worker.pid is None
    assert [r.message for r in caplog.records if "story worker stopped" in r.message]
    assert len([r for r in caplog.records if "story worker stopped" in r.message]) == 1  # said once
    # rebuilt from what was stored: b1 joins the story a1 founded on the worker
    assert stored_b.story_ids == stored_a.item_ids
    assert stored_c.story_ids == stored_c.item_ids
    assert story_of(database, "b1") == stored_a.item_ids[0]


def test_a_worker_that_cannot_start_leaves_the_grouping_to_the_polls_process(
    database: db.Database, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _, _, _ = feed_ids(database)
    monkeypatch.setattr("monitor.pipeline.story_worker.sys.executable", str(Path("/nonexistent/python")))
    worker = StoryWorker(database, lambda: T0, signature_of)
    with caplog.at_level(logging.WARNING, logger="monitor.pipeline.story_worker"):
        stored = write(database, worker, worker.submit(a, T0, [item("a1", REPORT)]), a)
    worker.close()
    assert stored.story_ids == stored.item_ids
    assert any("story worker stopped" in r.message for r in caplog.records)


# --- whole polls ---------------------------------------------------------------------------------------

POLLED = datetime(2026, 11, 1, 12, tzinfo=UTC)  # the feeds' items are of 08:00 that day
FEEDS = 60  # above the 50 never-polled feeds from which a poll groups on the worker
EVENTS = [
    (
        f"Border guards report {n} drones from Belarus over {place}",
        f"The army said {n} drones crossed near {place}.",
    )
    for n, place in (
        (12, "Terespol"),
        (31, "Druskininkai"),
        (44, "Vilnius"),
        (57, "Grodno"),
        (68, "Hrubieszow"),
    )
]


def words(seed: int, count: int) -> str:
    """Made-up words no other item has: a story of its own, whatever order the feeds come in."""
    digest = hashlib.sha512(str(seed).encode()).digest()
    return " ".join("".join(chr(97 + b % 26) for b in digest[k : k + 5]) for k in range(0, 5 * count, 5))


def feed_body(n: int) -> bytes:
    # every feed reprints three of the events, and has a story of its own
    picked = [EVENTS[(n + k) % len(EVENTS)] for k in range(3)]
    items = [(f"f{n}-e{k}", t, s) for k, (t, s) in enumerate(picked)]
    items.append((f"f{n}-own", words(n, 6).capitalize(), words(n + 1000, 12) + "."))
    return rss(f"feed {n}", items)


def poll_config(tmp_path: Path, server: FeedServer, *, story_worker: bool) -> Path:
    feeds = [(f"feed-{n:02d}", server.route(f"/{n}.xml", conditional(feed_body(n)))) for n in range(FEEDS)]
    tmp_path.mkdir(exist_ok=True)
    path = write_config(tmp_path / "monitor.yaml", feeds)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("fetch:\n", f"fetch:\n  story_worker: {str(story_worker).lower()}\n"), "utf-8"
    )
    return path


def run_poll(path: Path, definitions: Definitions, now: datetime) -> None:
    config = load_config(path)
    database = db.open_database(config.database_url)
    try:
        db.sync_feeds(database, feed_specs(config), now)
        poll_and_refresh(database, config, definitions, now=lambda: now, due_only=False)
    finally:
        database.close()


def worker_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    # by name: a test before this one in the process may have set other loggers to DEBUG or INFO
    return [r for r in caplog.records if r.name == "monitor.pipeline.story_worker"]


def groups(path: Path) -> set[frozenset[str]]:
    by_story: dict[int, set[str]] = {}
    for story, guid in rows(path, "SELECT story_id, guid FROM items"):
        by_story.setdefault(story, set()).add(guid)
    return {frozenset(g) for g in by_story.values()}


def test_a_first_poll_grouped_on_the_worker_stores_the_stories_of_one_grouped_here(
    tmp_path: Path, shipped_definitions: Definitions, caplog: pytest.LogCaptureFixture
) -> None:
    with FeedServer() as server:
        on = poll_config(tmp_path / "on", server, story_worker=True)
        off = poll_config(tmp_path / "off", server, story_worker=False)
        with caplog.at_level(logging.DEBUG, logger="monitor.pipeline.story_worker"):
            run_poll(on, shipped_definitions, POLLED)
        assert worker_records(caplog)  # it was used
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="monitor.pipeline.story_worker"):
            run_poll(off, shipped_definitions, POLLED)
        assert not worker_records(caplog)
    stored = groups(on)
    assert stored == groups(off)
    assert len(stored) == len(EVENTS) + FEEDS  # each event one story, each feed's own item one
    for event in range(len(EVENTS)):  # each event's reprints across the feeds are one story
        reprints = {f"f{n}-e{k}" for n in range(FEEDS) for k in range(3) if (n + k) % len(EVENTS) == event}
        assert reprints in stored
    assert rows(on, "SELECT count(*) FROM items WHERE signature IS NULL") == [(0,)]
    assert rows(on, "SELECT signature FROM items ORDER BY guid") == rows(
        off, "SELECT signature FROM items ORDER BY guid"
    )
    assert (on.parent / "data" / "monitor.db-stories").exists()  # saved by the worker


def test_the_next_poll_starts_from_the_index_the_worker_saved(
    tmp_path: Path, shipped_definitions: Definitions, caplog: pytest.LogCaptureFixture
) -> None:
    with FeedServer() as server:
        path = poll_config(tmp_path, server, story_worker=True)
        run_poll(path, shipped_definitions, POLLED)
        # one feed carries a reprint of an event: a known feed, so grouped in this process
        extra = ("f0-late", *EVENTS[4])
        server.route("/0.xml", conditional(rss("feed 0", [extra])))
        with caplog.at_level(logging.INFO, logger="monitor.pipeline.story_snapshot"):
            run_poll(path, shipped_definitions, POLLED)
    assert any("story index read from" in r.message for r in caplog.records)
    ((late,),) = rows(path, "SELECT story_id FROM items WHERE guid = 'f0-late'")
    assert rows(path, f"SELECT count(*) FROM items WHERE story_id = {int(late)}") == [
        (FEEDS * 3 // len(EVENTS) + 1,)
    ]


def test_the_worker_process_imports_no_database_layer() -> None:
    # SQLAlchemy is a third of a process's memory; the worker gets what it needs from the poll.
    probe = "import sys, monitor.pipeline.story_worker_process; print(sorted({'db', 'sqlalchemy', 'httpx'} & set(sys.modules)))"
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
