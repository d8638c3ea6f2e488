"""Finding stored items and reading the trend page by page (``db.iter_listed_items``,
``db.iter_trend``), on a SQLite file and on PostgreSQL: every page boundary keeps the order and
loses nothing, and each filter keeps what it says."""

from __future__ import annotations

from datetime import date, timedelta

import db
from indicators.types import Evidence
from scenarios import DailyTrend, Level
from tests.helpers import T0, spec

DAY = date(2026, 11, 1)
HIT = Evidence(field="title", start=0, end=5, term="alpha", text="Alpha")

# (feed, guid, day offset, title, fired indicator or None)
STORED = [
    ("wire", "w1", 0, "Alpha moves", "ind_a"),
    ("wire", "w2", 0, "Weather", None),
    ("wire", "w3", 1, "ЛУКАШЕНКО встретился", "ind_b"),
    ("daily", "d1", 1, "50% cut in gas", "ind_a"),
    ("daily", "d2", 2, "500 tons of grain", None),
    ("daily", "d3", 2, "Alpha again", "ind_a"),
    ("daily", "d4", 2, "under_score", None),
]


def stored(database: db.Database) -> dict[str, int]:
    feeds = {name: db.ensure_feed(database, spec(name), T0) for name in ("wire", "daily")}
    for feed, guid, offset, title, fired in STORED:
        matches = (db.MatchRecord(fired, 1, (HIT,), None, 0.5),) if fired else ()
        new = db.NewItem(
            guid=guid,
            url=f"https://example.org/{guid}",
            title=title,
            summary="",
            language="en",
            published_at=T0,
            content_hash=guid,
            day=DAY + timedelta(days=offset),
        )
        db.store_items(database, feeds[feed], [db.ItemWrite(new, matches)], fetched_at=T0)
    return {i.guid: i.id for i in db.iter_listed_items(database, db.ItemQuery())}


def guids(database: db.Database, page: int = 500, **query: object) -> list[str]:
    wanted = db.ItemQuery(**query)  # type: ignore[arg-type]
    return [i.guid for i in db.iter_listed_items(database, wanted, page=page)]


def test_pages_keep_the_order_by_day_and_id_and_lose_nothing(database: db.Database) -> None:
    ids = stored(database)
    newest = sorted(ids, key=lambda g: (next(s[2] for s in STORED if s[1] == g), ids[g]), reverse=True)
    assert guids(database) == newest
    for page in (1, 2, 3, 7):
        assert guids(database, page) == newest
        assert guids(database, page, newest_first=False) == newest[::-1]


def test_each_filter_keeps_what_it_says(database: db.Database) -> None:
    stored(database)
    assert sorted(guids(database, 2, since=DAY + timedelta(days=1), until=DAY + timedelta(days=1))) == [
        "d1",
        "w3",
    ]
    assert sorted(guids(database, 2, feed="wire")) == ["w1", "w2", "w3"]
    assert guids(database, feed="nobody") == []
    # any case, any script; % and _ are text, not wildcards
    assert guids(database, search="лукашенко") == ["w3"]
    assert guids(database, search="50%") == ["d1"]
    assert guids(database, search="r_s") == ["d4"]
    assert guids(database, search="d_r") == []  # "under" would match a wildcard
    assert sorted(guids(database, 2, indicator_ids=("ind_a",))) == ["d1", "d3", "w1"]
    assert sorted(guids(database, 2, matched_only=True)) == ["d1", "d3", "w1", "w3"]


def test_matches_come_with_the_item_and_evidence_only_when_asked(database: db.Database) -> None:
    stored(database)
    (plain,) = [i for i in db.iter_listed_items(database, db.ItemQuery(search="ЛУКАШЕНКО"))]
    assert [(m.indicator_id, m.polarity, m.factor, m.evidence) for m in plain.matches] == [
        ("ind_b", 1, 0.5, ())
    ]
    assert (plain.feed_name, plain.reliability, plain.day) == ("wire", 0.8, DAY + timedelta(days=1))
    (full,) = db.iter_listed_items(database, db.ItemQuery(search="ЛУКАШЕНКО"), evidence=True)
    assert full.matches[0].evidence == (HIT,)


def test_the_trend_is_read_page_by_page_in_scenario_and_day_order(database: db.Database) -> None:
    rows = [
        DailyTrend(sid, DAY + timedelta(days=n), 1.0, 1.0, Level("calm"), False, 0, 0, (), (), "h")
        for sid in ("s_two", "s_one")
        for n in range(3)
    ]
    db.replace_trend(database, rows, [], since=None)
    expected = sorted((r.scenario_id, r.day) for r in rows)
    for page in (1, 2, 4, 500):
        assert [(r.scenario_id, r.day) for r in db.iter_trend(database, page=page)] == expected
    window = db.iter_trend(
        database, scenario_id="s_one", since=DAY + timedelta(days=1), until=DAY + timedelta(days=1)
    )
    assert [(r.scenario_id, r.day) for r in window] == [("s_one", DAY + timedelta(days=1))]
