"""Queries for the trend: reading match facts in bulk, re-matching, writing daily rows and stories.

Bulk paths use plain SQL through the connection: a rescore reads and writes a million rows, and ORM
objects would cost more than the work itself.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from db._engine import Database
from db._models import Feed, Item, MatchRow, ScenarioDaily, Setting, StoryScore
from db.types import (
    ItemDetails,
    ItemMeta,
    ItemText,
    MatchRecord,
    StoryMemory,
    StoryScoreRow,
    TopStory,
    evidence_json,
)
from indicators.errors import StorageRefusedError
from scenarios import DailyTrend, ItemFacts, Level

BATCH = 5000


def _as_date(value: object, cache: dict[object, date]) -> date:
    found = cache.get(value)
    if found is None:
        found = value if isinstance(value, date) else date.fromisoformat(str(value))
        cache[value] = found
    return found


def iter_facts(database: Database, *, since: date | None = None) -> Iterator[ItemFacts]:
    """The trend's facts of every matched item that has a day, in item order (with ``since``: those
    of that day and later, in order of day and item): ``scenarios.ItemFacts`` with ``indicators`` as
    ``(indicator_id, polarity × factor)`` pairs and no title.

    Read straight from the DB-API cursor and built as named tuples (``tuple.__new__``, no per-row
    argument handling): a rescore reads a million items here, and ORM rows or dataclasses would
    cost more than the rest of the rescore.
    """
    if since is None:
        query = (
            "SELECT m.item_id, i.story_id, i.feed_id, i.day, m.indicator_id, m.polarity * m.factor "
            "FROM matches m JOIN items i ON i.id = m.item_id WHERE i.day IS NOT NULL ORDER BY m.item_id"
        )
    else:
        # Items first, through their day index, in (day, id) order, which the index gives without a
        # sort: left to itself SQLite scans every match of history and filters afterwards, so a
        # poll's refresh would grow with the history it does not read.
        query = (
            "SELECT i.id, i.story_id, i.feed_id, i.day, m.indicator_id, m.polarity * m.factor "
            "FROM items i CROSS JOIN matches m WHERE m.item_id = i.id AND i.day >= :since "
            "ORDER BY i.day, i.id"
        )
    days: dict[object, date] = {}
    new = tuple.__new__
    with database.engine.connect() as conn:
        # A few hundred feeds at most: their reliability is looked up here, not joined per row.
        reliability = {int(f): float(r) for f, r in conn.exec_driver_sql("SELECT id, reliability FROM feeds")}
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            if since is None:
                cursor.execute(query)
            else:
                # Both drivers take named parameters, in their own spelling.
                named = query.replace(":since", "%(since)s") if database.dialect == "postgresql" else query
                cursor.execute(named, {"since": since.isoformat() if database.dialect == "sqlite" else since})
            current = -1
            head: tuple[int | None, int, date, float] = (None, 0, date.min, 1.0)
            fired: list[tuple[str, float]] = []
            while rows := cursor.fetchmany(BATCH):
                for item_id, story, feed, raw_day, indicator_id, polarity in rows:
                    if item_id != current:
                        if fired:
                            yield new(ItemFacts, (current, *head, tuple(fired), ""))
                        current = item_id
                        day = days.get(raw_day)
                        if day is None:
                            day = days[raw_day] = _as_date(raw_day, days)
                        head = (story, feed, day, reliability[feed])
                        fired = []
                    fired.append((indicator_id, polarity))
            if fired:
                yield new(ItemFacts, (current, *head, tuple(fired), ""))
        finally:
            cursor.close()


def story_sources(database: Database, story_ids: Sequence[int]) -> dict[int, int]:
    """Distinct feeds per story: its corroboration, counting every item, matched or not."""
    found: dict[int, int] = {}
    with database.session() as session:
        for start in range(0, len(story_ids), 500):
            chunk = list(story_ids[start : start + 500])
            query = (
                select(Item.story_id, func.count(func.distinct(Item.feed_id)))
                .where(Item.story_id.in_(chunk))
                .group_by(Item.story_id)
            )
            found.update({int(story): int(n) for story, n in session.execute(query) if story is not None})
    return found


TREND_STALE_SETTING = "trend_stale"


def _upsert(insert_: Any) -> Any:
    statement = insert_(Setting).values(key=bindparam("key"), value=bindparam("value"))
    return statement.on_conflict_do_update(index_elements=["key"], set_={"value": statement.excluded.value})


# Built once: a poll marks the trend stale with each feed's items, and building the two statements
# cost as much as running them.
_UPSERT_SETTING = {"postgresql": _upsert(pg_insert), "sqlite": _upsert(sqlite_insert)}
_SETTING_VALUE = select(Setting.value).where(Setting.key == bindparam("key"))


def upsert_setting(session: Session | Connection, key: str, value: str) -> None:
    """Insert or overwrite one setting in the caller's transaction, race-free on both backends."""
    dialect = (session.dialect if isinstance(session, Connection) else session.get_bind().dialect).name
    session.execute(
        _UPSERT_SETTING["postgresql" if dialect == "postgresql" else "sqlite"], {"key": key, "value": value}
    )


def mark_trend_stale(session: Session | Connection, since: date | None = None) -> str:
    """Record, in the caller's transaction (the one storing items), that the stored trend no longer
    matches the stored items from ``since`` on (None: no day known, the whole trend); a fresh token
    each time, so that a refresh clears only the mark it has seen (see ``replace_trend``). Returns
    the mark.

    A mark already there keeps its earlier day: with several daemons, one may store items and be
    killed before its refresh while another marks and refreshes from a later day; the merged day
    makes that refresh cover both."""
    current = session.scalar(_SETTING_VALUE, {"key": TREND_STALE_SETTING})
    if current is not None:
        earlier = trend_stale_day(current)
        since = None if earlier is None or since is None else min(earlier, since)
    token = uuid.uuid4().hex + (f"@{since.isoformat()}" if since is not None else "")
    upsert_setting(session, TREND_STALE_SETTING, token)
    return token


def trend_stale_day(mark: str) -> date | None:
    """The earliest day a "trend stale" mark says changed, or None when it names no day (the whole
    trend is then to be redone)."""
    _, _, day = mark.partition("@")
    try:
        return date.fromisoformat(day) if day else None
    except ValueError:
        return None


def trend_stale_marker(database: Database) -> str | None:
    """The token of the last "trend stale" mark not yet cleared by a refresh, or None."""
    return get_setting(database, TREND_STALE_SETTING)


def set_trend_stale(database: Database) -> str:
    with database.session(write=True) as session:
        return mark_trend_stale(session)


def replace_trend(
    database: Database,
    rows: Sequence[DailyTrend],
    stories: Sequence[StoryScoreRow],
    *,
    since: date | None,
    clear_stale: str | None = None,
) -> None:
    """Replace the stored trend from ``since`` on (all of it when None) in one transaction.

    ``clear_stale``: the "trend stale" token read before the facts were; the mark is cleared in the
    same transaction only if it still holds that token (items stored since then mark it anew, and
    their trend is then still to be done)."""
    with database.session(write=True) as session:
        if clear_stale is not None:
            session.execute(
                delete(Setting).where(Setting.key == TREND_STALE_SETTING, Setting.value == clear_stale)
            )
        daily = delete(ScenarioDaily)
        scores = delete(StoryScore)
        if since is not None:
            daily = daily.where(ScenarioDaily.day >= since)
            scores = scores.where(StoryScore.day >= since)
        session.execute(daily)
        session.execute(scores)
        kept = [r for r in rows if since is None or r.day >= since]
        for start in range(0, len(kept), BATCH):
            session.execute(
                insert(ScenarioDaily.__table__),  # type: ignore[arg-type]  # Core insert: no ORM bulk overhead
                [
                    {
                        "scenario_id": r.scenario_id,
                        "day": r.day,
                        "raw": r.raw,
                        "index": r.index,
                        "level": r.level,
                        "spike": r.spike,
                        "items": r.items,
                        "stories": r.stories,
                        "indicators": len(r.indicator_ids),
                        "indicator_ids": list(r.indicator_ids),
                        "novel": list(r.novel),
                        "config_hash": r.config_hash,
                    }
                    for r in kept[start : start + BATCH]
                ],
            )
        kept_stories = [s for s in stories if since is None or s.day >= since]
        for start in range(0, len(kept_stories), BATCH):
            session.execute(
                insert(StoryScore.__table__),  # type: ignore[arg-type]
                [
                    {
                        "scenario_id": s.scenario_id,
                        "day": s.day,
                        "rank": s.rank,
                        "story_key": s.story_key,
                        "item_id": s.item_id,
                        "value": s.value,
                        "sources": s.sources,
                        "items": s.items,
                        "indicator_ids": list(s.indicator_ids),
                    }
                    for s in kept_stories[start : start + BATCH]
                ],
            )


def trend_span(database: Database) -> tuple[date, date] | None:
    """The first and last day of the stored trend, None when nothing is stored."""
    with database.session() as session:
        first, last = session.execute(select(func.min(ScenarioDaily.day), func.max(ScenarioDaily.day))).one()
    return None if first is None or last is None else (first, last)


def daily_trend(row: ScenarioDaily) -> DailyTrend:
    """One stored ``scenario_daily`` row as the value the trend code uses."""
    return DailyTrend(
        scenario_id=row.scenario_id,
        day=row.day,
        raw=row.raw,
        index=row.index,
        level=Level(row.level),
        spike=row.spike,
        items=row.items,
        stories=row.stories,
        indicator_ids=tuple(row.indicator_ids or ()),
        novel=tuple(row.novel or ()),
        config_hash=row.config_hash,
    )


def load_trend(
    database: Database, *, scenario_id: str | None = None, since: date | None = None
) -> list[DailyTrend]:
    with database.session() as session:
        query = select(ScenarioDaily).order_by(ScenarioDaily.scenario_id, ScenarioDaily.day)
        if scenario_id is not None:
            query = query.where(ScenarioDaily.scenario_id == scenario_id)
        if since is not None:
            query = query.where(ScenarioDaily.day >= since)
        return [daily_trend(r) for r in session.scalars(query)]


def top_stories(
    database: Database,
    *,
    since: date,
    until: date | None = None,
    scenario_id: str | None = None,
    limit: int = 10,
) -> list[TopStory]:
    """The strongest stories per scenario over a period, by |contribution|, with title and link."""
    with database.session() as session:
        query = (
            select(StoryScore, Item.title, Item.url, Feed.name)
            .join(Item, Item.id == StoryScore.item_id)
            .join(Feed, Feed.id == Item.feed_id)
            .where(StoryScore.day >= since)
        )
        if until is not None:
            query = query.where(StoryScore.day <= until)
        if scenario_id is not None:
            query = query.where(StoryScore.scenario_id == scenario_id)
        found: dict[str, list[TopStory]] = {}
        seen: set[tuple[str, int]] = set()
        ordered = query.order_by(
            StoryScore.scenario_id, func.abs(StoryScore.value).desc(), StoryScore.day.desc()
        )
        for score, title, url, feed_name in session.execute(ordered):
            bucket = found.setdefault(score.scenario_id, [])
            if len(bucket) >= limit or (score.scenario_id, score.story_key) in seen:
                continue  # a story that moved the index on several days is listed once, at its strongest
            seen.add((score.scenario_id, score.story_key))
            bucket.append(_top_story(score, title, url, feed_name))
        return [story for bucket in found.values() for story in bucket]


def _top_story(score: StoryScore, title: str, url: str | None, feed_name: str) -> TopStory:
    return TopStory(
        scenario_id=score.scenario_id,
        day=score.day,
        value=score.value,
        sources=score.sources,
        items=score.items,
        indicator_ids=tuple(score.indicator_ids or ()),
        item_id=score.item_id,
        title=title,
        url=url,
        feed_name=feed_name,
        story_key=score.story_key,
    )


def story_scores(database: Database, *, since: date, until: date) -> list[TopStory]:
    """Every stored story score of the days ``since``..``until``, one per scenario, day and story
    (the top stories kept per day), with title and link: what a decayed index is made of."""
    with database.session() as session:
        query = (
            select(StoryScore, Item.title, Item.url, Feed.name)
            .join(Item, Item.id == StoryScore.item_id)
            .join(Feed, Feed.id == Item.feed_id)
            .where(StoryScore.day >= since, StoryScore.day <= until)
            .order_by(StoryScore.scenario_id, StoryScore.day, StoryScore.rank)
        )
        return [
            _top_story(score, title, url, feed_name)
            for score, title, url, feed_name in session.execute(query)
        ]


def get_setting(database: Database, key: str) -> str | None:
    with database.session() as session:
        row = session.get(Setting, key)
        return row.value if row else None


def claim_once(database: Database, key: str, owner: str) -> str:
    """The owner of ``key``: ``owner`` if nobody held it yet (it is recorded), else the one who
    does, across processes and daemons on one database (SQLite takes its write lock at BEGIN; on
    PostgreSQL the primary key refuses the second insert)."""
    try:
        with database.session(write=True) as session:
            held = session.get(Setting, key)
            if held is not None:
                return held.value
            session.add(Setting(key=key, value=owner))
        return owner
    except StorageRefusedError:  # another daemon inserted it between our read and our write
        return get_setting(database, key) or ""


def set_setting(database: Database, key: str, value: str) -> None:
    with database.session(write=True) as session:
        row = session.get(Setting, key)
        if row is None:
            session.add(Setting(key=key, value=value))
        else:
            row.value = value


def iter_item_texts(
    database: Database, *, stale_for: str | None = None, batch: int = BATCH
) -> Iterator[list[ItemText]]:
    """The text of stored items in id order, in batches (keyset pagination, so a batch costs the
    same at the end of a million items as at the start).

    ``stale_for``: only items whose matches were made with other patterns than this fingerprint.
    """
    last = 0
    while True:
        with database.engine.connect() as conn:
            mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
            stale = (
                f" AND (patterns_hash IS NULL OR patterns_hash != {mark})" if stale_for is not None else ""
            )
            sql = f"SELECT id, title, summary FROM items WHERE id > {mark}{stale} ORDER BY id LIMIT {int(batch)}"
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                cursor.execute(sql, (last, stale_for) if stale_for is not None else (last,))
                rows = list(map(ItemText._make, cursor.fetchall()))
            finally:
                cursor.close()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def count_stale_items(database: Database, patterns_hash: str, *, since: date | None = None) -> int:
    with database.session() as session:
        query = select(func.count(Item.id)).where(
            (Item.patterns_hash.is_(None)) | (Item.patterns_hash != patterns_hash)
        )
        if since is not None:
            query = query.where(Item.day >= since)
        return int(session.scalar(query) or 0)


def replace_matches(
    database: Database,
    matches: Sequence[tuple[int, Sequence[MatchRecord]]],
    patterns_hash: str,
    *,
    stale_range: tuple[int, int] | None = None,
) -> None:
    """Rewrite the matches of a batch of items (one transaction) and record the patterns used.

    ``stale_range`` (first and last id of a batch read by ``iter_item_texts(stale_for=...)``) lets
    the old matches go with two range statements instead of one statement per item: every stale item
    in that id range is in the batch. Plain DB-API executemany for the rest: a re-match of a million
    items goes through here, and per-row ORM or parameter-processing work would cost more than the
    matching itself.
    """
    if not matches:
        return
    rows = [
        (
            item_id,
            m.indicator_id,
            m.polarity,
            m.factor,
            m.via_negation,
            json.dumps([evidence_json(e) for e in m.evidence]),  # what EvidenceColumn stores
        )
        for item_id, records in matches
        for m in records
    ]
    with database.engine.execution_options(write=True).begin() as conn:
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        if stale_range is not None:
            stale = f"id BETWEEN {mark} AND {mark} AND (patterns_hash IS NULL OR patterns_hash != {mark})"
            bounds = (*stale_range, patterns_hash)
            conn.exec_driver_sql(
                f"DELETE FROM matches WHERE item_id IN (SELECT id FROM items WHERE {stale})", bounds
            )
            conn.exec_driver_sql(
                f"UPDATE items SET patterns_hash = {mark} WHERE {stale}", (patterns_hash, *bounds)
            )
        else:
            ids = [(item_id,) for item_id, _ in matches]
            conn.exec_driver_sql(f"DELETE FROM matches WHERE item_id = {mark}", ids)
            stamped = [(patterns_hash, item_id) for item_id, _ in matches]
            conn.exec_driver_sql(f"UPDATE items SET patterns_hash = {mark} WHERE id = {mark}", stamped)
        if rows:
            conn.exec_driver_sql(
                "INSERT INTO matches (item_id, indicator_id, polarity, factor, via_negation, evidence) "
                f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark}, {mark})",
                rows,
            )


def recompute_days(database: Database, day_of: Callable[[datetime], date]) -> int:
    """Set every item's local day again (after the configured time zone changed)."""
    changed = 0
    last = 0
    while True:
        with database.session(write=True) as session:
            rows = session.execute(
                select(Item.id, Item.published_at, Item.fetched_at, Item.day)
                .where(Item.id > last)
                .order_by(Item.id)
                .limit(BATCH)
            ).all()
            if not rows:
                return changed
            for item_id, published, fetched, day in rows:
                new = day_of(published or fetched)
                if new != day:
                    session.execute(update(Item).where(Item.id == item_id).values(day=new))
                    changed += 1
            last = rows[-1][0]


def recent_story_items(
    database: Database, since: datetime, *, after_id: int = 0, batch: int = 2_000
) -> Iterator[StoryMemory]:
    """Items fetched since ``since`` (and with an id above ``after_id``) that have a story signature:
    the story index's memory, in order of id, read ``batch`` rows at a time. Streamed: a whole
    window held as rows (100,000 signatures as text) cost as much memory again as the index built
    from them."""
    last = after_id
    while True:
        with database.connection() as connection:
            query = (
                select(
                    Item.id, Item.story_id, Item.signature, Item.published_at, Item.fetched_at, Item.feed_id
                )
                .where(
                    Item.signature.is_not(None),
                    Item.story_id.is_not(None),
                    Item.fetched_at >= since,
                    Item.id > last,
                )
                .order_by(Item.id)
                .limit(batch)
            )
            rows = [
                StoryMemory(
                    int(item_id), int(story_id or 0), str(signature), published or fetched, int(feed_id)
                )
                for item_id, story_id, signature, published, fetched, feed_id in connection.execute(query)
            ]
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1].item_id


def items_by_url(database: Database, feed_id: int, urls: Sequence[str]) -> set[str]:
    """Which of these links a feed already has (an import must not store them again under a new id)."""
    found: set[str] = set()
    with database.session() as session:
        for start in range(0, len(urls), 500):
            chunk = list(urls[start : start + 500])
            found.update(
                u
                for u in session.scalars(select(Item.url).where(Item.feed_id == feed_id, Item.url.in_(chunk)))
                if u
            )
    return found


def trend_json(rows: Sequence[DailyTrend]) -> str:
    """Canonical text of trend rows, for comparing two computations (tests, dry runs)."""
    return json.dumps(
        [
            [
                r.scenario_id,
                r.day.isoformat(),
                round(r.raw, 9),
                round(r.index, 9),
                r.level,
                r.spike,
                r.items,
                r.stories,
            ]
            for r in rows
        ]
    )


def iter_items_meta(
    database: Database, *, stale_for: str | None = None, batch: int = BATCH
) -> Iterator[list[ItemMeta]]:
    """Stored items with what the trend needs of them, in id order, in batches; with ``stale_for``,
    only items matched with other patterns than that fingerprint."""
    last = 0
    days: dict[object, date] = {}
    while True:
        query = (
            select(Item.id, Item.story_id, Item.feed_id, Item.day, Feed.reliability, Item.title, Item.summary)
            .join(Feed, Feed.id == Item.feed_id)
            .where(Item.id > last)
            .order_by(Item.id)
            .limit(batch)
        )
        if stale_for is not None:
            query = query.where((Item.patterns_hash.is_(None)) | (Item.patterns_hash != stale_for))
        with database.session() as session:
            rows = [
                ItemMeta(
                    int(i),
                    story,
                    int(feed),
                    _as_date(day, days) if day is not None else None,
                    float(rel),
                    t,
                    s,
                )
                for i, story, feed, day, rel, t, s in session.execute(query)
            ]
        if not rows:
            return
        yield rows
        last = rows[-1].id


def item_evidence(database: Database, item_ids: Sequence[int]) -> dict[int, list[MatchRecord]]:
    """Per item: its stored matches, with their evidence, in the order they were stored."""
    found: dict[int, list[MatchRecord]] = {}
    with database.session() as session:
        for start in range(0, len(item_ids), 500):
            chunk = list(item_ids[start : start + 500])
            query = select(
                MatchRow.item_id,
                MatchRow.indicator_id,
                MatchRow.polarity,
                MatchRow.evidence,
                MatchRow.via_negation,
                MatchRow.factor,
            ).where(MatchRow.item_id.in_(chunk))
            for item_id, indicator_id, polarity, evidence, via, factor in session.execute(
                query.order_by(MatchRow.id)
            ):
                found.setdefault(int(item_id), []).append(
                    MatchRecord(indicator_id, int(polarity), evidence or (), via, float(factor))
                )
    return found


def item_details(database: Database, item_ids: Sequence[int]) -> dict[int, ItemDetails]:
    """Per item: its summary and its feed (id and reliability)."""
    found: dict[int, ItemDetails] = {}
    with database.session() as session:
        for start in range(0, len(item_ids), 500):
            chunk = list(item_ids[start : start + 500])
            query = (
                select(Item.id, Item.summary, Feed.reliability, Feed.id)
                .join(Feed, Feed.id == Item.feed_id)
                .where(Item.id.in_(chunk))
            )
            found.update({int(i): ItemDetails(s, float(r), int(f)) for i, s, r, f in session.execute(query)})
    return found


def new_items_per_feed(database: Database, since: datetime) -> dict[int, int]:
    """How many items each feed brought since ``since``: its usual cadence."""
    with database.session() as session:
        query = (
            select(Item.feed_id, func.count(Item.id)).where(Item.fetched_at >= since).group_by(Item.feed_id)
        )
        return {int(f): int(n) for f, n in session.execute(query)}
