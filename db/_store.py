"""Queries: everything the rest of the program asks of the database, as functions over values.

Every function that writes does so in one transaction (``Database.session``, or for Core statements
alone ``Database.connection``). Times are always passed in by the caller, never read from the clock
here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, or_, select, update

from db._engine import Database
from db._models import Feed, FeedPoll, Item, MatchRow, Run
from db._trend_store import mark_trend_stale as _mark_stale
from db.types import (
    IMPORTED_FEED_REASON,
    FeedSpec,
    FeedState,
    ItemWrite,
    KnownItem,
    MatchRecord,
    PollOutcome,
    PollSummary,
    PollUpdate,
    RunInfo,
    RunKind,
    RunOutcome,
    StoredItem,
)
from indicators.types import Evidence


def _feed_state(row: Feed, items: int = 0) -> FeedState:
    return FeedState(
        id=row.id,
        config_url=row.config_url,
        url=row.url,
        name=row.name,
        language=row.language,
        reliability=row.reliability,
        poll_interval_seconds=row.poll_interval_seconds,
        in_config=row.in_config,
        enabled=row.enabled,
        disabled_reason=row.disabled_reason,
        etag=row.etag,
        last_modified=row.last_modified,
        body_hash=row.body_hash,
        next_poll_at=row.next_poll_at,
        last_attempt_at=row.last_attempt_at,
        last_success_at=row.last_success_at,
        last_new_item_at=row.last_new_item_at,
        last_status=row.last_status,
        consecutive_failures=row.consecutive_failures,
        last_error=row.last_error,
        items=items,
    )


def sync_feeds(db: Database, specs: Sequence[FeedSpec], now: datetime) -> None:
    """Make the feeds table agree with the configuration.

    Feeds dropped from the config are kept (their items are history) but no longer polled. A feed
    disabled by a 410 stays disabled until its config entry changes URL.
    """
    by_url = {spec.config_url: spec for spec in specs}
    with db.session(write=True) as session:
        rows = {row.config_url: row for row in session.scalars(select(Feed))}
        for url, spec in by_url.items():
            row = rows.get(url)
            if row is None:
                session.add(
                    Feed(
                        config_url=url,
                        url=url,
                        name=spec.name,
                        language=spec.language,
                        reliability=spec.reliability,
                        poll_interval_seconds=spec.poll_interval_seconds,
                        in_config=True,
                        enabled=spec.enabled,
                        next_poll_at=now,
                        consecutive_failures=0,
                        created_at=now,
                    )
                )
                continue
            row.name = spec.name
            row.language = spec.language
            row.reliability = spec.reliability
            row.poll_interval_seconds = spec.poll_interval_seconds
            row.in_config = True
            if row.disabled_reason is None:
                row.enabled = spec.enabled
        for url, row in rows.items():
            if url not in by_url:
                row.in_config = False


def claim_feeds(
    db: Database,
    *,
    now: datetime,
    worker: str,
    lease: timedelta,
    due_only: bool = True,
    names: Iterable[str] = (),
    due_by: datetime | None = None,
    limit: int | None = None,
) -> list[FeedState]:
    """Claim the feeds this worker will poll now, so that other daemons on the same database skip them.

    A claim is a conditional UPDATE (one statement per 500 feeds, RETURNING the rows it claimed):
    two workers racing for one feed cannot both win, on SQLite (writers serialise) or on PostgreSQL
    (the row lock makes the second UPDATE re-check the claim). An expired claim (a worker that died
    mid-poll) is free again. ``due_by`` (default ``now``): feeds due by then count as due.
    ``limit``: at most this many, the most overdue first. On PostgreSQL the candidates are read
    ``FOR UPDATE SKIP LOCKED``, so daemons claiming at the same moment take different feeds instead
    of queueing on the same rows.
    """
    wanted = set(names)
    with db.session(write=True) as session:
        query = select(Feed.id).where(
            Feed.enabled.is_(True),
            Feed.in_config.is_(True),
            or_(Feed.claimed_until.is_(None), Feed.claimed_until < now),
        )
        if due_only:
            query = query.where(or_(Feed.next_poll_at.is_(None), Feed.next_poll_at <= (due_by or now)))
        if wanted:
            query = query.where(Feed.name.in_(wanted))
        query = query.order_by(Feed.next_poll_at.asc().nulls_first(), Feed.id)
        if limit is not None:
            query = query.limit(max(1, limit))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        candidates = list(session.scalars(query))
        won: dict[int, FeedState] = {}
        for start in range(0, len(candidates), _CHUNK):
            chunk = candidates[start : start + _CHUNK]
            rows = session.scalars(
                update(Feed)
                .where(Feed.id.in_(chunk), or_(Feed.claimed_until.is_(None), Feed.claimed_until < now))
                .values(claimed_by=worker, claimed_until=now + lease)
                .returning(Feed)
                .execution_options(synchronize_session=False)
            )
            won.update((row.id, _feed_state(row)) for row in rows)
        return [won[feed_id] for feed_id in candidates if feed_id in won]


def release_claims(db: Database, worker: str) -> None:
    """Give back every claim this worker still holds (after a clean stop)."""
    with db.session(write=True) as session:
        session.execute(
            update(Feed).where(Feed.claimed_by == worker).values(claimed_by=None, claimed_until=None)
        )


# Built once: called once per feed and poll, building the statement cost a third of the call.
_KNOWN_ITEMS = select(Item.guid, Item.id, Item.content_hash, Item.day).where(
    Item.feed_id == bindparam("feed_id"), Item.guid.in_(bindparam("guids", expanding=True))
)


def known_items(db: Database, feed_id: int, guids: Iterable[str]) -> dict[str, KnownItem]:
    """The stored items of ``feed_id`` among these guids: what the ingest need not analyse again."""
    wanted = list(dict.fromkeys(guids))
    found: dict[str, KnownItem] = {}
    with db.connection() as connection:
        for start in range(0, len(wanted), _CHUNK):
            rows = connection.execute(
                _KNOWN_ITEMS, {"feed_id": feed_id, "guids": wanted[start : start + _CHUNK]}
            )
            found.update(
                {guid: KnownItem(item_id, content_hash, day) for guid, item_id, content_hash, day in rows}
            )
    return found


def item_content_hash(db: Database, item_id: int) -> str | None:
    """The content hash of item ``item_id``, or None when there is no such item (a saved story
    index checks with it that the database still holds the newest item it knew)."""
    with db.connection() as connection:
        found = connection.scalar(select(Item.content_hash).where(Item.id == item_id))
    return None if found is None else str(found)


def record_poll(
    db: Database,
    feed_id: int,
    update_: PollUpdate,
    writes: Sequence[ItemWrite] = (),
    *,
    items_seen: int | None = None,
    run_id: int | None = None,
    finished_at: datetime | None = None,
    patterns_hash: str | None = None,
    mark_trend_stale: bool = False,
    stale_from: date | None = None,
) -> PollSummary:
    """Store one feed's poll: its new and changed items, their matches, and the feed's new state.

    The items come analysed (``ItemWrite``): nothing here matches, groups or cleans. One
    transaction: if the process dies before it commits, none of it is stored, and the next poll
    starts from the feed's previous validators and items. ``items_seen`` is how many distinct
    entries the body held (default: the writes). ``mark_trend_stale``: with the items, mark the
    stored trend stale (``trend_stale_marker``), so a process killed before its trend refresh
    leaves a mark that the next poll acts on; ``stale_from`` is the earliest day the items change
    (None: unknown, the whole trend).
    """
    with db.connection(write=True) as connection:
        summary = _write_items(connection, feed_id, writes, update_.attempted_at, patterns_hash, items_seen)
        _record_outcomes(connection, [(update_, summary)], run_id, finished_at)
        if mark_trend_stale and (summary.items_new or summary.items_updated):
            _mark_stale(connection, stale_from)
    return summary


def record_polls(
    db: Database,
    polls: Sequence[tuple[PollUpdate, PollSummary]],
    *,
    run_id: int | None = None,
    finished_at: datetime | None = None,
) -> None:
    """Store the outcomes of many feeds' polls that brought no item (304s, unchanged bodies,
    failures) in one transaction: a few statements for a thousand feeds instead of a transaction
    each."""
    if polls:
        with db.connection(write=True) as connection:
            _record_outcomes(connection, polls, run_id, finished_at)


# The per-feed statements, built once (or once per set of columns): building one and its cache key
# cost about as much as SQLite's running it, five times for each feed of a poll.
_FEEDS = Feed.__table__
_ITEMS = Item.__table__
_INSERT_FEED_POLL = insert(FeedPoll.__table__)  # type: ignore[arg-type]
_INSERT_ITEMS = insert(_ITEMS).returning(_ITEMS.c.id, sort_by_parameter_order=True)  # type: ignore[arg-type]
_INSERT_MATCHES = insert(MatchRow.__table__)  # type: ignore[arg-type]
_SET_STORY = (
    update(_ITEMS)  # type: ignore[arg-type]
    .where(_ITEMS.c.id == bindparam("b_id"))
    .values(story_id=bindparam("b_story"))
)
_UPDATE_ITEMS = (
    update(_ITEMS)  # type: ignore[arg-type]
    .where(_ITEMS.c.id == bindparam("b_id"))
    .values(
        url=bindparam("b_url"),
        title=bindparam("b_title"),
        summary=bindparam("b_summary"),
        language=bindparam("b_language"),
        published_at=bindparam("b_published_at"),
        updated_at=bindparam("b_updated_at"),
        content_hash=bindparam("b_content_hash"),
        signature=bindparam("b_signature"),
        day=bindparam("b_day"),
        patterns_hash=bindparam("b_patterns_hash"),
    )
)


@lru_cache(maxsize=64)
def _feed_update(columns: tuple[str, ...]) -> Any:
    return (
        update(_FEEDS)  # type: ignore[arg-type]
        .where(_FEEDS.c.id == bindparam("b_id"))
        .values({c: bindparam(f"b_{c}") for c in columns})
    )


def _record_outcomes(
    connection: Connection,
    polls: Sequence[tuple[PollUpdate, PollSummary]],
    run_id: int | None,
    finished_at: datetime | None,
) -> None:
    # One executemany per set of columns changed (a 304 keeps its validators, a failure its last
    # success...), with the feed id as the only condition.
    groups: dict[tuple[str, ...], list[dict[str, object]]] = {}
    for update_, summary in polls:
        values = _feed_values(update_, summary)
        groups.setdefault(tuple(sorted(values)), []).append(
            {"b_id": summary.feed_id, **{f"b_{k}": v for k, v in values.items()}}
        )
    for columns, rows in groups.items():
        result = connection.execute(_feed_update(columns), rows)
        if result.supports_sane_multi_rowcount() and result.rowcount != len(rows):
            ids = sorted(int(str(r["b_id"])) for r in rows)
            raise LookupError(f"some of the feed ids {ids} are not in the database")
    connection.execute(
        _INSERT_FEED_POLL,
        [
            {
                "run_id": run_id,
                "feed_id": summary.feed_id,
                "started_at": update_.attempted_at,
                "finished_at": finished_at or update_.attempted_at,
                "outcome": PollOutcome(update_.outcome).value,
                "status": update_.status,
                "items_seen": summary.items_seen,
                "items_new": summary.items_new,
                "items_updated": summary.items_updated,
                "error": update_.error,
            }
            for update_, summary in polls
        ],
    )


def store_items(
    db: Database,
    feed_id: int,
    writes: Sequence[ItemWrite],
    *,
    fetched_at: datetime,
    patterns_hash: str | None = None,
) -> PollSummary:
    """Store analysed items outside a poll (an import): one transaction."""
    with db.connection(write=True) as connection:
        return _write_items(connection, feed_id, writes, fetched_at, patterns_hash, None)


def ensure_feed(db: Database, spec: FeedSpec, now: datetime) -> int:
    """The id of the feed with this config URL, creating it (not polled) if it is not stored yet."""
    with db.session(write=True) as session:
        found = session.scalar(select(Feed.id).where(Feed.config_url == spec.config_url))
        if found is not None:
            return int(found)
        feed = Feed(
            config_url=spec.config_url,
            url=spec.config_url,
            name=spec.name,
            language=spec.language,
            reliability=spec.reliability,
            poll_interval_seconds=spec.poll_interval_seconds,
            in_config=False,
            enabled=False,
            disabled_reason=IMPORTED_FEED_REASON,
            consecutive_failures=0,
            created_at=now,
        )
        session.add(feed)
        session.flush()
        return feed.id


_CHUNK = 500  # bound parameters per IN list, well under SQLite's limit


def _write_items(
    connection: Connection,
    feed_id: int,
    writes: Sequence[ItemWrite],
    now: datetime,
    patterns_hash: str | None,
    items_seen: int | None,
) -> PollSummary:
    """Core statements, a few per call whatever the number of items (executemany), not the ORM
    unit of work: on a 1,000-feed poll the per-object flushes cost more than everything else."""
    new = [(n, w) for n, w in enumerate(writes) if w.existing_id is None]
    changed = [w for w in writes if w.existing_id is not None]
    item_ids = [w.existing_id or 0 for w in writes]
    if new:
        rows = [
            {
                "feed_id": feed_id,
                "guid": w.item.guid,
                "url": w.item.url,
                "title": w.item.title,
                "summary": w.item.summary,
                "language": w.item.language,
                "published_at": w.item.published_at,
                "fetched_at": now,
                "content_hash": w.item.content_hash,
                "signature": w.item.signature,
                "day": w.item.day,
                "story_id": w.story_id,
                "patterns_hash": patterns_hash if w.matches is not None else None,
            }
            for _, w in new
        ]
        # Core statements on the tables: the ORM's bulk path costs about as much again per row.
        inserted = connection.execute(_INSERT_ITEMS, rows).scalars()
        for (n, _), item_id in zip(new, inserted, strict=True):
            item_ids[n] = item_id
    story_ids = [w.story_id or 0 for w in writes]
    for n, w in new:
        if w.story_id is None:
            founder = w.joins if w.joins is not None else n
            if writes[founder].existing_id is not None or writes[founder].joins is not None:
                raise ValueError(f"write {n} joins write {founder}, which founds no story in this call")
            story_ids[n] = item_ids[founder]
    unset = [{"b_id": item_ids[n], "b_story": story_ids[n]} for n, w in new if w.story_id is None]
    if unset:
        connection.execute(_SET_STORY, unset)
    if changed:
        connection.execute(
            _UPDATE_ITEMS,
            [
                {
                    "b_id": w.existing_id,
                    "b_url": w.item.url,
                    "b_title": w.item.title,
                    "b_summary": w.item.summary,
                    "b_language": w.item.language,
                    "b_published_at": w.item.published_at,
                    "b_updated_at": now,
                    "b_content_hash": w.item.content_hash,
                    "b_signature": w.item.signature,
                    "b_day": w.item.day,
                    "b_patterns_hash": patterns_hash if w.matches is not None else None,
                }
                for w in changed
            ],
        )
        stale = [w.existing_id for w in changed if w.matches is not None]
        for start in range(0, len(stale), _CHUNK):
            connection.execute(delete(MatchRow).where(MatchRow.item_id.in_(stale[start : start + _CHUNK])))
    match_rows = [
        {
            "item_id": item_ids[n],
            "indicator_id": m.indicator_id,
            "polarity": m.polarity,
            "factor": m.factor,
            "via_negation": m.via_negation,
            "evidence": _evidence_column(m),
        }
        for n, w in enumerate(writes)
        for m in w.matches or ()
    ]
    if match_rows:
        connection.execute(_INSERT_MATCHES, match_rows)
    return PollSummary(
        feed_id=feed_id,
        items_seen=len(writes) if items_seen is None else items_seen,
        items_new=len(new),
        items_updated=len(changed),
        item_ids=tuple(item_ids),
        story_ids=tuple(story_ids),
    )


def _evidence_column(match: MatchRecord) -> tuple[Evidence, ...]:
    return match.evidence  # the column type turns the values into JSON


def _feed_values(update_: PollUpdate, summary: PollSummary) -> dict[str, object]:
    """The feed columns one poll sets."""
    values: dict[str, object] = {
        "last_attempt_at": update_.attempted_at,
        "last_status": update_.status,
        "next_poll_at": update_.next_poll_at,
        "consecutive_failures": update_.consecutive_failures,
        "claimed_by": None,
        "claimed_until": None,
        "last_error": update_.error,  # a usable poll may still carry a warning (e.g. no entries)
    }
    outcome = PollOutcome(update_.outcome)
    if outcome.succeeded:
        values["last_success_at"] = update_.attempted_at
        # A 304 carries no validators of its own: keep the ones that produced it.
        if outcome is PollOutcome.OK:
            values["etag"] = update_.etag
            values["last_modified"] = update_.last_modified
            if update_.body_hash is not None:
                values["body_hash"] = update_.body_hash
    else:
        values["body_hash"] = None  # after a failure, parse the next body whatever it is
    if summary.items_new:
        values["last_new_item_at"] = update_.attempted_at
    if update_.moved_to:
        values["url"] = update_.moved_to
    if update_.disable_reason:
        values["enabled"] = False
        values["disabled_reason"] = update_.disable_reason
    return values


def list_feeds(db: Database) -> list[FeedState]:
    with db.session() as session:
        counts = dict(session.execute(select(Item.feed_id, func.count(Item.id)).group_by(Item.feed_id)).all())
        rows = session.scalars(select(Feed).order_by(Feed.in_config.desc(), Feed.name))
        return [_feed_state(row, counts.get(row.id, 0)) for row in rows]


def start_run(db: Database, kind: RunKind | str, now: datetime, worker: str) -> int:
    """Record a run as started by ``worker`` (the caller's ``host:pid``).

    ``kind`` is a ``RunKind``; its plain value is accepted too (and checked).
    """
    with db.session(write=True) as session:
        run = Run(kind=RunKind(kind).value, started_at=now, outcome=RunOutcome.RUNNING.value, worker=worker)
        session.add(run)
        session.flush()
        return run.id


def finish_run(
    db: Database,
    run_id: int,
    now: datetime,
    outcome: RunOutcome | str,
    *,
    feeds_total: int = 0,
    feeds_ok: int = 0,
    feeds_failed: int = 0,
    items_new: int = 0,
    items_updated: int = 0,
    detail: str | None = None,
) -> None:
    with db.session(write=True) as session:
        session.execute(
            update(Run)
            .where(Run.id == run_id)
            .values(
                finished_at=now,
                outcome=RunOutcome(outcome).value,
                feeds_total=feeds_total,
                feeds_ok=feeds_ok,
                feeds_failed=feeds_failed,
                items_new=items_new,
                items_updated=items_updated,
                detail=detail,
            )
        )


def _dead_here(worker: str | None, host: str, alive: Callable[[int], bool]) -> bool:
    # "host:pid:token" (or "host:pid" from older versions); the host may itself contain colons.
    parts = (worker or "").rsplit(":", 2)
    if len(parts) == 3 and parts[1].isdigit():
        worker_host, pid = parts[0], parts[1]
    else:
        worker_host, _, pid = (worker or "").rpartition(":")
    return worker_host == host and pid.isdigit() and not alive(int(pid))


def recover_worker(db: Database, worker: str, now: datetime) -> int:
    """Undo what an earlier run of this same worker left behind when the database failed under it
    (locked, full) before it could close: its runs still "running" are closed as failed and its
    claims released at once, not after the lease. Only for a worker that runs one poll at a time.
    Returns the number of runs closed."""
    with db.session(write=True) as session:
        closed = session.execute(
            update(Run)
            .where(Run.worker == worker, Run.outcome == RunOutcome.RUNNING.value)
            .values(
                outcome=RunOutcome.FAILED.value,
                finished_at=now,
                detail="the database failed before this run could be closed",
            )
        )
        session.execute(
            update(Feed).where(Feed.claimed_by == worker).values(claimed_by=None, claimed_until=None)
        )
        return int(closed.rowcount or 0)  # type: ignore[attr-defined]


def mark_dead_runs(db: Database, now: datetime, *, host: str, alive: Callable[[int], bool]) -> int:
    """Clean up after processes of this host that died mid-run (killed, power cut).

    Their runs are closed as ``RunOutcome.INTERRUPTED`` and their feed claims released at once rather than
    when the lease expires. ``host`` is the caller's host name and ``alive`` tells whether one of
    its pids still runs. Returns the number of runs closed.
    """
    closed = 0
    with db.session(write=True) as session:
        for run in session.scalars(select(Run).where(Run.outcome == RunOutcome.RUNNING.value)):
            if _dead_here(run.worker, host, alive):
                run.outcome = RunOutcome.INTERRUPTED.value
                run.finished_at = now
                run.detail = "the process stopped mid-run; its unfinished feeds were not stored"
                closed += 1
        claimants = session.scalars(select(Feed.claimed_by).where(Feed.claimed_by.is_not(None)).distinct())
        dead = [worker for worker in claimants if _dead_here(worker, host, alive)]
        if dead:
            session.execute(
                update(Feed).where(Feed.claimed_by.in_(dead)).values(claimed_by=None, claimed_until=None)
            )
    return closed


def recent_runs(db: Database, kind: RunKind | None = None, limit: int = 10) -> list[RunInfo]:
    with db.session() as session:
        query = select(Run).order_by(Run.started_at.desc(), Run.id.desc()).limit(limit)
        if kind:
            query = query.where(Run.kind == RunKind(kind).value)
        return [
            RunInfo(
                id=r.id,
                kind=RunKind(r.kind),
                started_at=r.started_at,
                finished_at=r.finished_at,
                outcome=RunOutcome(r.outcome),
                feeds_total=r.feeds_total,
                feeds_ok=r.feeds_ok,
                feeds_failed=r.feeds_failed,
                items_new=r.items_new,
                items_updated=r.items_updated,
                detail=r.detail,
            )
            for r in session.scalars(query)
        ]


def get_item(db: Database, item_id: int) -> StoredItem | None:
    with db.session() as session:
        row = session.execute(
            select(Item, Feed.name, Feed.reliability)
            .join(Feed, Feed.id == Item.feed_id)
            .where(Item.id == item_id)
        ).first()
        if row is None:
            return None
        item, feed_name, reliability = row
        matches = tuple(
            MatchRecord(m.indicator_id, m.polarity, m.evidence, m.via_negation, m.factor)
            for m in session.scalars(
                select(MatchRow).where(MatchRow.item_id == item_id).order_by(MatchRow.id)
            )
        )
        return StoredItem(
            id=item.id,
            feed_id=item.feed_id,
            feed_name=feed_name,
            guid=item.guid,
            url=item.url,
            title=item.title,
            summary=item.summary,
            language=item.language,
            published_at=item.published_at,
            fetched_at=item.fetched_at,
            reliability=reliability,
            matches=matches,
        )


def count_items(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count(Item.id))) or 0)


def count_items_between(db: Database, after_id: int, through_id: int) -> int:
    """How many items have an id above ``after_id`` and up to ``through_id``."""
    with db.connection() as connection:
        query = select(func.count(Item.id)).where(Item.id > after_id, Item.id <= through_id)
        return int(connection.scalar(query) or 0)


def items_with_guid(db: Database, guid: str) -> list[int]:
    """The ids of the stored items with this guid (one per feed that has it), lowest first."""
    with db.session() as session:
        return [int(i) for i in session.scalars(select(Item.id).where(Item.guid == guid).order_by(Item.id))]
