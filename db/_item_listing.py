"""Finding stored items and streaming them out (``monitor items``, ``monitor export``).

Items are read a page at a time by keyset over (day, id), which the ``items.day`` index serves in
order (SQLite keeps the row id in every index), so the first page of a listing costs the same on a
million items as on a hundred, and an export holds one page in memory, never the whole history.
The matches of a page are read in one query through ``matches``' (item_id, indicator_id) key.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from db._engine import Database
from db._models import Feed, Item, MatchRow, ScenarioDaily
from db._trend_store import daily_trend
from db.types import ItemQuery, ListedItem, MatchRecord
from scenarios import DailyTrend

PAGE = 500
FOLD = "monitor_fold"  # SQLite's lower() folds ASCII only: db._engine registers a Unicode fold


def _fold(database: Database, column: Any) -> ColumnElement[str]:
    if database.dialect == "sqlite":
        return getattr(func, FOLD)(column)  # type: ignore[no-any-return]
    return func.lower(column)


def _filtered(database: Database, query: Any, wanted: ItemQuery) -> Any:
    # Any: the select's column types are the caller's, and every filter keeps them
    if wanted.since is not None:
        query = query.where(Item.day >= wanted.since)
    if wanted.until is not None:
        query = query.where(Item.day <= wanted.until)
    if wanted.feed is not None:
        query = query.where(Item.feed_id.in_(select(Feed.id).where(Feed.name == wanted.feed)))
    if wanted.search:
        needle = wanted.search.casefold() if database.dialect == "sqlite" else wanted.search.lower()
        query = query.where(
            or_(
                _fold(database, Item.title).contains(needle, autoescape=True),
                _fold(database, Item.summary).contains(needle, autoescape=True),
            )
        )
    if wanted.indicator_ids is not None or wanted.matched_only:
        fired = select(MatchRow.id).where(MatchRow.item_id == Item.id)
        if wanted.indicator_ids is not None:
            fired = fired.where(MatchRow.indicator_id.in_(wanted.indicator_ids))
        query = query.where(exists(fired))
    return query


def iter_listed_items(
    database: Database, wanted: ItemQuery, *, evidence: bool = False, page: int = PAGE
) -> Iterator[ListedItem]:
    """The stored items ``wanted`` selects, by day and id (newest first unless told otherwise),
    read page by page; with ``evidence``, each match carries its evidence spans."""
    after: tuple[date, int] | None = None
    while True:
        query = _filtered(
            database,
            select(
                Item.id,
                Item.guid,
                Item.day,
                Item.published_at,
                Feed.name,
                Feed.reliability,
                Item.title,
                Item.summary,
                Item.url,
                Item.language,
                Item.story_id,
            )
            .join(Feed, Feed.id == Item.feed_id)
            .where(Item.day.is_not(None)),
            wanted,
        )
        if wanted.newest_first:
            if after is not None:
                query = query.where(or_(Item.day < after[0], and_(Item.day == after[0], Item.id < after[1])))
            query = query.order_by(Item.day.desc(), Item.id.desc())
        else:
            if after is not None:
                query = query.where(or_(Item.day > after[0], and_(Item.day == after[0], Item.id > after[1])))
            query = query.order_by(Item.day, Item.id)
        with database.session() as session:
            rows: Sequence[Any] = session.execute(query.limit(page)).all()
            matches = _matches(session, [int(r[0]) for r in rows], evidence=evidence)
        if not rows:
            return
        for (
            item_id,
            guid,
            day,
            published,
            feed_name,
            reliability,
            title,
            summary,
            url,
            language,
            story,
        ) in rows:
            yield ListedItem(
                id=int(item_id),
                guid=guid,
                day=day,
                published_at=published,
                feed_name=feed_name,
                reliability=float(reliability),
                title=title,
                summary=summary,
                url=url,
                language=language,
                story_id=story,
                matches=tuple(matches.get(int(item_id), ())),
            )
        last = rows[-1]
        after = (last[2], int(last[0]))
        if len(rows) < page:
            return


def _matches(session: Session, item_ids: Sequence[int], *, evidence: bool) -> dict[int, list[MatchRecord]]:
    found: dict[int, list[MatchRecord]] = {}
    if not item_ids:
        return found
    columns = [
        MatchRow.item_id,
        MatchRow.indicator_id,
        MatchRow.polarity,
        MatchRow.via_negation,
        MatchRow.factor,
    ]
    if evidence:
        columns.append(MatchRow.evidence)
    query = select(*columns).where(MatchRow.item_id.in_(item_ids)).order_by(MatchRow.item_id, MatchRow.id)
    row: Any
    for row in session.execute(query):
        spans = (row[5] or ()) if evidence else ()
        found.setdefault(int(row[0]), []).append(
            MatchRecord(row[1], int(row[2]), spans, row[3], float(row[4]))
        )
    return found


def feed_names(database: Database) -> list[str]:
    """Every feed's name, configured or an imported source, sorted: what ``--feed`` may name."""
    with database.session() as session:
        return sorted({str(n) for n in session.scalars(select(Feed.name))})


def iter_trend(
    database: Database,
    *,
    scenario_id: str | None = None,
    since: date | None = None,
    until: date | None = None,
    page: int = PAGE,
) -> Iterator[DailyTrend]:
    """The stored daily rows, by scenario and day, read page by page."""
    after: tuple[str, date] | None = None
    while True:
        query = select(ScenarioDaily).order_by(ScenarioDaily.scenario_id, ScenarioDaily.day)
        if scenario_id is not None:
            query = query.where(ScenarioDaily.scenario_id == scenario_id)
        if since is not None:
            query = query.where(ScenarioDaily.day >= since)
        if until is not None:
            query = query.where(ScenarioDaily.day <= until)
        if after is not None:
            query = query.where(
                or_(
                    ScenarioDaily.scenario_id > after[0],
                    and_(ScenarioDaily.scenario_id == after[0], ScenarioDaily.day > after[1]),
                )
            )
        with database.session() as session:
            rows = [daily_trend(r) for r in session.scalars(query.limit(page))]
        yield from rows
        if len(rows) < page:
            return
        after = (rows[-1].scenario_id, rows[-1].day)
