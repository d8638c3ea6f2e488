"""Stories decided before the write, learnt by the index only once the write has committed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

import db
from monitor.pipeline.story_assigner import StoryAssigner
from scenarios import signature

T0 = datetime(2026, 11, 20, 9, tzinfo=UTC)
REPORT = (
    "Polish army says 12 drones crossed from Belarus near Terespol",
    "Polish army says 12 drones crossed the border from Belarus near Terespol overnight; two were downed.",
)


def new(guid: str, title: str, summary: str, at: datetime = T0) -> db.NewItem:
    return db.NewItem(
        guid=guid,
        url=None,
        title=title,
        summary=summary,
        language="en",
        published_at=at,
        content_hash=guid,
        signature=signature(title, summary).to_text(),
        day=at.date(),
    )


@pytest.fixture
def database(tmp_path: Path) -> db.Database:
    handle = db.open_database(f"sqlite:///{tmp_path / 'stories.db'}")
    specs = [db.FeedSpec(f"http://127.0.0.1:1/{n}", n, "en", 1.0, 900) for n in ("a", "b", "c")]
    db.sync_feeds(handle, specs, T0)
    return handle


def feed_ids(database: db.Database) -> dict[str, int]:
    return {f.name: f.id for f in db.list_feeds(database)}


def store(
    database: db.Database, assigner: StoryAssigner, feed_id: int, items: list[db.NewItem]
) -> db.PollSummary:
    staged = assigner.stage(feed_id, T0, [db.ItemWrite(i) for i in items])
    summary = db.store_items(database, feed_id, staged.writes, fetched_at=T0)
    assigner.commit(staged, summary)
    return summary


def test_a_report_in_another_feed_joins_the_story_of_the_first(database: db.Database) -> None:
    ids = feed_ids(database)
    assigner = StoryAssigner.load(database, T0)
    first = store(database, assigner, ids["a"], [new("1", *REPORT)])
    second = store(
        database, assigner, ids["b"], [new("2", *REPORT), new("3", "Lithuania opens gas terminal", "LNG.")]
    )
    assert first.story_ids == first.item_ids
    assert second.story_ids[0] == first.item_ids[0]  # joins the stored story
    assert second.story_ids[1] == second.item_ids[1]  # founds its own


def test_two_reports_in_one_batch_share_the_story_the_first_founds(database: db.Database) -> None:
    ids = feed_ids(database)
    assigner = StoryAssigner.load(database, T0)
    store(database, assigner, ids["a"], [new("0", "Unrelated weather report", "Rain.")])
    both = assigner.stage(ids["c"], T0, [db.ItemWrite(new("1", *REPORT)), db.ItemWrite(new("2", *REPORT))])
    assert both.writes[0].joins is None and both.writes[0].story_id is None
    assert both.writes[1].joins == 0
    summary = db.store_items(database, ids["c"], both.writes, fetched_at=T0)
    assigner.commit(both, summary)
    assert summary.story_ids == (summary.item_ids[0], summary.item_ids[0])
    later = store(database, assigner, ids["a"], [new("9", *REPORT)])
    assert later.story_ids == (summary.item_ids[0],)  # the provisional id was replaced by the stored one


def test_a_failed_write_leaves_no_trace_in_the_index(database: db.Database) -> None:
    ids = feed_ids(database)
    assigner = StoryAssigner.load(database, T0)
    staged = assigner.stage(ids["a"], T0, [db.ItemWrite(new("1", *REPORT))])
    assert len(assigner.index) == 1
    assigner.discard(staged)  # what the poll does when record_poll raises
    assert len(assigner.index) == 0 and assigner.index.stories == 0
    summary = store(database, assigner, ids["b"], [new("2", *REPORT)])
    assert summary.story_ids == summary.item_ids  # founds a story: nothing unstored to join


def test_refresh_reads_what_other_processes_stored_and_forgets_old_stories(database: db.Database) -> None:
    ids = feed_ids(database)
    ours = StoryAssigner.load(database, T0)
    theirs = StoryAssigner.load(database, T0)
    stored = store(database, theirs, ids["a"], [new("1", *REPORT)])
    assert ours.refresh(database, T0) == 1  # the other daemon's item
    assert ours.refresh(database, T0) == 0  # read once
    mine = store(database, ours, ids["b"], [new("2", *REPORT)])
    assert mine.story_ids == stored.item_ids
    assert ours.refresh(database, T0) == 0  # its own items are not read back
    assert len(ours.index) == 2
    ours.refresh(database, T0 + 3 * ours.policy.window)
    assert len(ours.index) == 0  # out of the window: forgotten, so memory does not grow with history


def test_stage_skips_changed_items_and_items_without_signature(database: db.Database) -> None:
    ids = feed_ids(database)
    assigner = StoryAssigner.load(database, T0)
    unsigned = db.NewItem("u", None, "t", "s", "en", T0, "h")
    staged = assigner.stage(
        ids["a"], T0, [db.ItemWrite(new("1", *REPORT), existing_id=5), db.ItemWrite(unsigned)]
    )
    assert [(w.story_id, w.joins) for w in staged.writes] == [(None, None), (None, None)]
    assert len(assigner.index) == 0
