"""The trend continued from the earliest changed day equals the trend recomputed from the start."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

import db
from monitor.analysis import Definitions
from monitor.config.model import load_config
from monitor.pipeline import trend_refresh
from scenarios import DailyTrend, ItemFacts
from tests.helpers import ok

UTC_ZONE = ZoneInfo("UTC")
START = date(2026, 9, 1)


@pytest.fixture(scope="module")
def definitions() -> Definitions:
    return Definitions.from_config(load_config(None))


def _store_days(database: db.Database, definitions: Definitions, days: range, rnd: random.Random) -> None:
    indicator_ids = sorted({i for s in definitions.scenarios.scenarios.values() for i in s.weights})
    feeds = {f.name: f.id for f in db.list_feeds(database)}
    for offset in days:
        day = START + timedelta(days=offset)
        for name, feed_id in feeds.items():
            writes = []
            for n in range(rnd.randint(0, 4)):
                fired = rnd.sample(indicator_ids, rnd.randint(1, 3))
                item = db.NewItem(
                    guid=f"{name}-{offset}-{n}-{rnd.random()}",
                    url=None,
                    title=f"item {offset} {n}",
                    summary="",
                    language="en",
                    published_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
                    content_hash=str(rnd.random()),
                    day=day,
                )
                matches = tuple(
                    db.MatchRecord(i, rnd.choice((1, 1, -1)), (), None, rnd.choice((1.0, 0.5))) for i in fired
                )
                writes.append(db.ItemWrite(item, matches))
            if writes:
                db.store_items(database, feed_id, writes, fetched_at=datetime(2026, 11, 1, tzinfo=UTC))


def _stored(database: db.Database) -> tuple[list[DailyTrend], list[tuple[object, ...]]]:
    with database.engine.connect() as conn:
        stories = [tuple(r) for r in conn.execute(text("SELECT * FROM story_scores ORDER BY 1, 2, 3"))]
    return db.load_trend(database), stories


def _now(offset: int) -> datetime:
    day = START + timedelta(days=offset)
    return datetime(day.year, day.month, day.day, 20, tzinfo=UTC)


def test_continued_trend_equals_full_recompute(
    database_url: str, definitions: Definitions, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[date | None] = []
    iter_facts = db.iter_facts

    def spy(database: db.Database, *, since: date | None = None) -> Iterator[ItemFacts]:
        reads.append(since)
        return iter_facts(database, since=since)

    monkeypatch.setattr(db, "iter_facts", spy)
    database = db.open_database(database_url)
    specs = [db.FeedSpec(f"http://127.0.0.1:1/{n}", f"feed{n}", "en", 0.5 + n / 10, 900) for n in range(4)]
    db.sync_feeds(database, specs, _now(0))
    rnd = random.Random(7)
    _store_days(database, definitions, range(0, 40), rnd)
    trend_refresh.refresh(database, definitions, tz=UTC_ZONE, now=_now(40))
    # Within the stored trend, at its end, and after a gap (stored to day 46, news from day 50 on).
    for changed_from, until, start in ((33, 45, 33), (44, 46, 44), (50, 52, 47)):
        _store_days(database, definitions, range(changed_from, until), rnd)
        trend_refresh.refresh(
            database,
            definitions,
            tz=UTC_ZONE,
            now=_now(until),
            changed_from=START + timedelta(days=changed_from),
        )
        continued = _stored(database)
        # Only the facts from the changed day on were read (after a gap: from the first day not stored).
        assert reads[-1] == START + timedelta(days=start)
        trend_refresh.refresh(database, definitions, tz=UTC_ZONE, now=_now(until))
        assert reads[-1:] == [None]
        full = _stored(database)
        assert continued == full
        assert full[0][-1].day == START + timedelta(days=until)
        assert any(row.index != 0 for row in full[0])
    database.close()


def test_a_change_before_the_stored_trend_recomputes_it_all(tmp_path: Path, definitions: Definitions) -> None:
    database = db.open_database(f"sqlite:///{tmp_path / 'trend.db'}")
    db.sync_feeds(database, [db.FeedSpec("http://127.0.0.1:1/a", "a", "en", 1.0, 900)], _now(0))
    rnd = random.Random(3)
    _store_days(database, definitions, range(10, 20), rnd)
    trend_refresh.refresh(database, definitions, tz=UTC_ZONE, now=_now(20))
    _store_days(database, definitions, range(0, 3), rnd)  # older news, imported late
    trend_refresh.refresh(database, definitions, tz=UTC_ZONE, now=_now(20), changed_from=START)
    continued = _stored(database)
    assert continued[0][0].day == START
    trend_refresh.refresh(database, definitions, tz=UTC_ZONE, now=_now(20))
    assert _stored(database) == continued
    database.close()


def test_a_refresh_covers_the_days_another_process_marked_and_did_not_refresh(
    database_url: str, definitions: Definitions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Daemon A stores items of days 30-32 and is killed before its refresh; daemon B then stores
    items of day 44 and refreshes from day 44. The mark keeps A's earlier day, so B's refresh
    continues from day 30 and the trend equals a full recompute."""
    reads: list[date | None] = []
    iter_facts = db.iter_facts

    def spy(database: db.Database, *, since: date | None = None) -> Iterator[ItemFacts]:
        reads.append(since)
        return iter_facts(database, since=since)

    monkeypatch.setattr(db, "iter_facts", spy)
    database = db.open_database(database_url)
    db.sync_feeds(database, [db.FeedSpec("http://127.0.0.1:1/a", "a", "en", 1.0, 900)], _now(0))
    rnd = random.Random(11)
    _store_days(database, definitions, range(0, 40), rnd)
    trend_refresh.refresh(database, definitions, tz=UTC_ZONE, now=_now(40))
    assert db.trend_stale_marker(database) is None
    feed_id = db.list_feeds(database)[0].id

    def poll_store(days: range) -> None:
        for offset in days:
            day = START + timedelta(days=offset)
            item = db.NewItem(
                guid=f"late-{offset}",
                url=None,
                title=f"late {offset}",
                summary="",
                language="en",
                published_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
                content_hash=f"h{offset}",
                day=day,
            )
            matches = (
                db.MatchRecord(
                    sorted(definitions.scenarios.scenarios["belarus_war"].weights)[0], 1, (), None, 1.0
                ),
            )
            db.record_poll(
                database,
                feed_id,
                ok(_now(44)),
                [db.ItemWrite(item, matches)],
                mark_trend_stale=True,
                stale_from=day,
            )

    poll_store(range(30, 33))  # daemon A, killed before its refresh
    assert db.trend_stale_day(db.trend_stale_marker(database) or "") == START + timedelta(days=30)
    poll_store(range(44, 45))  # daemon B
    assert db.trend_stale_day(db.trend_stale_marker(database) or "") == START + timedelta(days=30)
    trend_refresh.refresh(
        database, definitions, tz=UTC_ZONE, now=_now(44), changed_from=START + timedelta(days=44)
    )
    assert reads[-1] == START + timedelta(days=30)
    assert db.trend_stale_marker(database) is None
    continued = _stored(database)
    trend_refresh.refresh(database, definitions, tz=UTC_ZONE, now=_now(44))
    assert _stored(database) == continued
    database.close()
