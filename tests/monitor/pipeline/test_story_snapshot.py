"""The story index saved beside a SQLite file: the next process goes on from it exactly as the
process that saved it would have, and anything that does not match makes it rebuild instead."""

from __future__ import annotations

import logging
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

import db
from monitor.analysis import Definitions
from monitor.pipeline import story_index_file, story_snapshot
from monitor.pipeline.story_assigner import StoryAssigner
from scenarios import StoryPolicy
from tests.helpers import FEED_A, conditional, rows, rss, write_config
from tests.helpers.feed_server import FeedServer
from tests.monitor.pipeline.test_poll_cycle import NOW, _poll
from tests.monitor.test_story_assigner import REPORT, T0, database, feed_ids, new, store

__all__ = ["database"]  # the fixture, shared with the story assigner tests


@pytest.fixture
def path(database: db.Database) -> Path:
    """The SQLite file of ``database`` (the story assigner tests' fixture: three feeds)."""
    return Path(str(database.engine.url.database))


def saved_assigner(database: db.Database) -> tuple[StoryAssigner, db.PollSummary]:
    assigner = StoryAssigner.load(database, T0)
    first = store(database, assigner, feed_ids(database)["a"], [new("1", *REPORT), new("2", "Rain", "Rain.")])
    assert story_snapshot.save(database, assigner) is not None
    return assigner, first


def refusal(database: db.Database, caplog: pytest.LogCaptureFixture) -> str:
    """What ``load`` logged when it refused the snapshot (the test fails if it did not refuse)."""
    with caplog.at_level(logging.INFO, logger="monitor.pipeline.story_snapshot"):
        assert story_snapshot.load(database, StoryPolicy()) is None
    return caplog.text


def test_a_loaded_index_groups_the_next_items_as_the_saved_one(database: db.Database, path: Path) -> None:
    saved, first = saved_assigner(database)
    assert Path(f"{path}-stories").is_file()
    loaded = story_snapshot.load(database, StoryPolicy())
    assert loaded is not None
    assert list(loaded.index.records()) == list(saved.index.records())
    state = loaded.snapshot_state()
    # nobody else stored anything: the next refresh starts after the saved items, not skipping them
    assert state is not None and state.last_id == max(first.item_ids) and not state.own
    assert loaded.refresh(database, T0) == 0
    later = store(database, loaded, feed_ids(database)["b"], [new("3", *REPORT)])
    assert later.story_ids == (first.item_ids[0],)  # joins the story the saved index held


def test_items_another_process_stored_in_between_are_read_after_loading(database: db.Database) -> None:
    ids = feed_ids(database)
    ours = StoryAssigner.load(database, T0)
    theirs = StoryAssigner.load(database, T0)
    store(database, ours, ids["a"], [new("1", "Rain", "Rain.")])
    other = store(database, theirs, ids["b"], [new("2", *REPORT)])  # ours has not seen it
    store(database, ours, ids["a"], [new("3", "Snow", "Snow.")])
    assert story_snapshot.save(database, ours) is not None
    loaded = story_snapshot.load(database, StoryPolicy())
    assert loaded is not None
    assert loaded.refresh(database, T0) == 1  # the other process's item, and only that one
    later = store(database, loaded, ids["c"], [new("4", *REPORT)])
    assert later.story_ids == (other.item_ids[0],)


def test_nothing_is_saved_while_a_batch_is_unresolved_or_when_nothing_is_stored(
    database: db.Database, path: Path
) -> None:
    assigner = StoryAssigner.load(database, T0)
    assert story_snapshot.save(database, assigner) is None  # knows no stored item
    assigner.stage(feed_ids(database)["a"], T0, [db.ItemWrite(new("1", *REPORT))])
    assert story_snapshot.save(database, assigner) is None  # provisional story ids in the index
    assert not Path(f"{path}-stories").exists()


def test_a_snapshot_for_a_database_made_anew_at_the_same_path_is_not_used(
    database: db.Database, path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    saved_assigner(database)
    database.close()
    for file in path.parent.glob("stories.db*"):
        if not file.name.endswith("-stories"):
            file.unlink()
    remade = db.open_database(f"sqlite:///{path}")
    db.sync_feeds(remade, [db.FeedSpec("http://127.0.0.1:1/a", "a", "en", 1.0, 900)], T0)
    store(remade, StoryAssigner.load(remade, T0), feed_ids(remade)["a"], [new("1", *REPORT)])
    assert "written for another database" in refusal(remade, caplog)


def test_a_snapshot_whose_newest_item_changed_is_not_used(
    database: db.Database, path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    saved_assigner(database)
    with sqlite3.connect(path) as conn:  # as after restoring an older copy of the database
        conn.execute("update items set content_hash = 'other' where id = (select max(id) from items)")
    assert "no longer holds the newest item" in refusal(database, caplog)


def test_a_snapshot_of_other_grouping_code_or_policy_is_not_used(
    database: db.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved_assigner(database)
    assert story_snapshot.load(database, StoryPolicy(window=timedelta(hours=5))) is None
    monkeypatch.setattr(story_index_file, "code_hash", lambda: "another version")
    assert story_snapshot.load(database, StoryPolicy()) is None


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_a_damaged_snapshot_means_a_rebuild_not_an_error(
    database: db.Database, path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    saved_assigner(database)
    snapshot = Path(f"{path}-stories")
    data = snapshot.read_bytes()
    snapshot.write_bytes(
        {"truncated": data[: len(data) // 2], "garbage": b"\x00\xff" * 300, "empty": b""}[damage]
    )
    assert "not used" in refusal(database, caplog)


def test_a_snapshot_that_cannot_be_written_is_logged_and_leaves_nothing_behind(
    database: db.Database, path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    Path(f"{path}-stories").mkdir()  # the name is taken by a folder: the rename fails
    with caplog.at_level(logging.WARNING, logger="monitor.pipeline.story_snapshot"):
        assigner = StoryAssigner.load(database, T0)
        store(database, assigner, feed_ids(database)["a"], [new("1", *REPORT)])
        assert story_snapshot.save(database, assigner) is None
    assert "story index not saved" in caplog.text
    assert sorted(p.name for p in path.parent.iterdir() if "tmp" in p.name) == []


def test_only_a_sqlite_file_gets_a_snapshot() -> None:
    memory = db.Database(db.create_db_engine("sqlite://"))
    server = db.Database(db.create_db_engine("postgresql://postgres@127.0.0.1:5432/test"))
    assert story_snapshot.snapshot_path(memory) is None
    assert story_snapshot.snapshot_path(server) is None


def test_one_poll_after_another_goes_on_from_the_saved_index(
    tmp_path: Path, shipped_definitions: Definitions, caplog: pytest.LogCaptureFixture
) -> None:
    reprint = rss(
        "Wire C", [("c-1", "Drone crossed into Lithuania from Belarus", "Vilnius airport was closed.")]
    )
    with FeedServer() as server:
        feed_a = ("wire-a", server.route("/a.xml", conditional(FEED_A)))
        feed_c = ("wire-c", server.route("/c.xml", conditional(reprint)))
        config = write_config(tmp_path / "monitor.yaml", [feed_a])
        _poll(config, shipped_definitions, NOW)
        assert (tmp_path / "data" / "monitor.db-stories").is_file()
        write_config(config, [feed_a, feed_c])
        with caplog.at_level(logging.INFO, logger="monitor.pipeline.story_snapshot"):
            _poll(config, shipped_definitions, NOW + timedelta(hours=1), due_only=False)
    assert "story index read from" in caplog.text and "not used" not in caplog.text
    [(story_a,)] = rows(config, "select story_id from items where guid = 'a-2'")
    assert rows(config, "select story_id from items where guid = 'c-1'") == [(story_a,)]
