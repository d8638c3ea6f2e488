"""The trend's queries, on a SQLite file and on PostgreSQL (bulk paths use driver SQL directly)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import db
from scenarios import DailyTrend, ItemFacts, Level
from tests.helpers import T0, ok, spec

EV = {"field": "title", "start": 0, "end": 5, "term": "Minsk", "text": "Minsk"}


def new(guid: str, day: date, title: str = "Minsk says", url: str | None = None) -> db.NewItem:
    return db.NewItem(
        guid=guid,
        url=url or f"https://example.org/{guid}",
        title=title,
        summary="summary",
        language="en",
        published_at=datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
        content_hash=f"h-{guid}-{title}",
        signature="s1|minsk|says||",
        day=day,
    )


def seeded(database: db.Database) -> tuple[int, int]:
    db.sync_feeds(database, [spec("a", reliability=0.5), spec("b")], T0)
    feeds = {f.name: f.id for f in db.claim_feeds(database, now=T0, worker="w", lease=timedelta(minutes=5))}

    def analysed(item: db.NewItem, **kw: int) -> db.ItemWrite:
        matches = (
            (db.MatchRecord("ind_a", 1, (EV,)), db.MatchRecord("ind_b", -1, (EV,)))
            if "Minsk" in item.title
            else ()
        )
        return db.ItemWrite(item, matches, **kw)

    d1, d2 = date(2026, 10, 1), date(2026, 10, 2)
    db.record_poll(
        database,
        feeds["a"],
        ok(),
        [analysed(new("1", d1)), analysed(new("2", d2, "Vilnius"))],
        patterns_hash="p1",
    )
    # The same story carried by feed b: it joins story 1.
    db.store_items(
        database, feeds["b"], [analysed(new("3", d1), story_id=1)], fetched_at=T0, patterns_hash="p1"
    )
    return feeds["a"], feeds["b"]


def test_facts_stream_matched_items_with_reliability_and_story(database: db.Database) -> None:
    a, b = seeded(database)
    facts = list(db.iter_facts(database))
    assert facts == [
        ItemFacts(1, 1, a, date(2026, 10, 1), 0.5, (("ind_a", 1), ("ind_b", -1))),
        ItemFacts(3, 1, b, date(2026, 10, 1), 0.8, (("ind_a", 1), ("ind_b", -1))),
    ]
    assert all(type(f) is ItemFacts for f in facts)
    assert db.story_sources(database, [1]) == {1: 2}


def test_rematch_batches_replace_matches_and_mark_patterns(database: db.Database) -> None:
    seeded(database)
    assert db.count_stale_items(database, "p2") == 3
    batches = list(db.iter_item_texts(database, stale_for="p2", batch=2))
    assert [[row.id for row in batch] for batch in batches] == [[1, 2], [3]]
    assert batches[0][0] == db.ItemText(1, "Minsk says", "summary")
    first = batches[0]
    db.replace_matches(
        database,
        [(1, [db.MatchRecord("ind_c", 1, (EV,))]), (2, [])],
        "p2",
        stale_range=(first[0].id, first[-1].id),
    )
    db.replace_matches(database, [(3, [])], "p2")  # the per-item path
    assert db.count_stale_items(database, "p2") == 0
    facts = list(db.iter_facts(database))
    assert [(f.item_id, f.indicators) for f in facts] == [(1, (("ind_c", 1),))]
    assert db.item_evidence(database, [1]) == {1: [db.MatchRecord("ind_c", 1, (EV,))]}


def test_evidence_is_typed_both_ways_and_json_only_in_the_column(database: db.Database) -> None:
    seeded(database)
    typed = db.Evidence(field="title", start=0, end=5, term="Minsk", text="Minsk")
    assert db.MatchRecord("ind_a", 1, (EV,)).evidence == (typed,)  # the stored form is accepted
    stored = db.get_item(database, 1)
    assert stored is not None
    assert [m.evidence for m in stored.matches] == [(typed,), (typed,)]  # written by the ORM path
    db.replace_matches(database, [(1, [db.MatchRecord("ind_c", 1, (typed,))])], "p2")  # the bulk path
    (record,) = db.item_evidence(database, [1])[1]
    assert record.evidence == (typed,) and type(record.evidence[0]) is db.Evidence
    with database.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT evidence FROM matches WHERE item_id = 3 ORDER BY id").first()
    assert row is not None
    raw = row[0]
    assert (json.loads(raw) if isinstance(raw, str) else raw) == [EV]


def test_trend_rows_and_top_stories_round_trip(database: db.Database) -> None:
    seeded(database)
    rows = [
        DailyTrend(
            "s", date(2026, 10, 1), 2.5, 2.5, Level("watch"), False, 2, 1, ("ind_a",), ("ind_a",), "h1"
        ),
        DailyTrend("s", date(2026, 10, 2), 0.0, 1.25, Level("watch"), True, 0, 0, (), (), "h1"),
    ]
    stories = [db.StoryScoreRow("s", date(2026, 10, 1), 1, 1, 1, 2.5, 2, 2, ("ind_a",))]
    db.replace_trend(database, rows, stories, since=None)
    assert db.load_trend(database) == rows
    (top,) = db.top_stories(database, since=date(2026, 9, 30))
    assert (top.title, top.sources, top.value, top.feed_name) == ("Minsk says", 2, 2.5, "a")
    later = [DailyTrend("s", date(2026, 10, 2), 1.0, 3.0, Level("alert"), False, 1, 1, (), (), "h2")]
    db.replace_trend(database, later, [], since=date(2026, 10, 2))
    assert [r.config_hash for r in db.load_trend(database)] == ["h1", "h2"]


def test_settings_days_links_and_cadence(database: db.Database) -> None:
    a, _ = seeded(database)
    assert db.get_setting(database, "k") is None
    db.set_setting(database, "k", "v1")
    db.set_setting(database, "k", "v2")
    assert db.get_setting(database, "k") == "v2"
    moved = db.recompute_days(database, lambda at: (at - timedelta(hours=12)).date())
    assert moved == 3
    assert [f.day for f in db.iter_facts(database)] == [date(2026, 9, 30), date(2026, 9, 30)]
    assert db.items_by_url(database, a, ["https://example.org/1", "https://example.org/x"]) == {
        "https://example.org/1"
    }
    assert db.new_items_per_feed(database, T0 - timedelta(days=1))[a] == 2
    recent = list(db.recent_story_items(database, T0 - timedelta(days=1)))
    assert {(m.story_id, m.feed_id) for m in recent} >= {(1, a)}
    # read in batches (of one here): the same rows in the same order
    assert list(db.recent_story_items(database, T0 - timedelta(days=1), batch=1)) == recent
    assert len(recent) > 1
    assert db.item_details(database, [1])[1] == db.ItemDetails("summary", 0.5, a)
    (meta,) = list(db.iter_items_meta(database, batch=5))
    assert meta[0] == db.ItemMeta(1, 1, a, date(2026, 9, 30), 0.5, "Minsk says", "summary")


def test_import_feeds_are_created_once_and_never_polled(database: db.Database) -> None:
    imported = db.FeedSpec("import:Archive", "Archive", "en", 1.0, 86400, enabled=False)
    first = db.ensure_feed(database, imported, T0)
    assert db.ensure_feed(database, imported, T0) == first
    assert db.claim_feeds(database, now=T0 + timedelta(days=1), worker="w", lease=timedelta(minutes=5)) == []


def test_a_scaled_match_streams_its_factor_with_its_sign(database: db.Database) -> None:
    seeded(database)
    db.replace_matches(database, [(1, [db.MatchRecord("ind_a", 1, (EV,), factor=0.5)])], "p2")
    db.replace_matches(database, [(3, [db.MatchRecord("ind_b", -1, (EV,), factor=0.25)])], "p2")
    facts = {f.item_id: f.indicators for f in db.iter_facts(database)}
    assert facts[1] == (("ind_a", 0.5),)
    assert facts[3] == (("ind_b", -0.25),)
    stored = db.get_item(database, 1)
    assert stored is not None and stored.matches[0].factor == 0.5
