"""Queries: everything the rest of the program asks of the database, as functions over values.

Every function that writes does so in one transaction (``Database.session``). Times are always passed
in by the caller, never read from the clock here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from db._engine import Database
from db._models import Feed, FeedPoll, Item, MatchRow, Run
from db.types import (
    FeedSpec,
    FeedState,
    MatchRecord,
    NewItem,
    PollOutcome,
    PollSummary,
    PollUpdate,
    RunInfo,
    RunKind,
    RunOutcome,
    StoredItem,
)

Analyse = Callable[[NewItem], Sequence[MatchRecord]]
# Called with a new item's id once it is inserted; returns the story it joins (its own id founds one).
AssignStory = Callable[[int, NewItem], int]


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
) -> list[FeedState]:
    """Claim the feeds this worker will poll now, so that other daemons on the same database skip them.

    A claim is a conditional UPDATE per feed: two workers racing for one feed cannot both win, on
    SQLite (writers serialise) or on PostgreSQL (the row lock makes the second UPDATE see the claim).
    An expired claim (a worker that died mid-poll) is free again.
    """
    wanted = set(names)
    with db.session(write=True) as session:
        query = select(Feed.id).where(Feed.enabled.is_(True), Feed.in_config.is_(True))
        if due_only:
            query = query.where(or_(Feed.next_poll_at.is_(None), Feed.next_poll_at <= now))
        if wanted:
            query = query.where(Feed.name.in_(wanted))
        candidates = list(session.scalars(query.order_by(Feed.next_poll_at, Feed.id)))
        claimed: list[FeedState] = []
        for feed_id in candidates:
            result = session.execute(
                update(Feed)
                .where(Feed.id == feed_id, or_(Feed.claimed_until.is_(None), Feed.claimed_until < now))
                .values(claimed_by=worker, claimed_until=now + lease)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                row = session.get(Feed, feed_id)
                assert row is not None
                session.refresh(row)
                claimed.append(_feed_state(row))
        return claimed


def release_claims(db: Database, worker: str) -> None:
    """Give back every claim this worker still holds (after a clean stop)."""
    with db.session(write=True) as session:
        session.execute(
            update(Feed).where(Feed.claimed_by == worker).values(claimed_by=None, claimed_until=None)
        )


def record_poll(
    db: Database,
    feed_id: int,
    update_: PollUpdate,
    items: Sequence[NewItem] = (),
    *,
    run_id: int | None = None,
    finished_at: datetime | None = None,
    analyse: Analyse | None = None,
    patterns_hash: str | None = None,
    assign_story: AssignStory | None = None,
) -> PollSummary:
    """Store one feed's poll: its new and changed items, their matches, and the feed's new state.

    One transaction: if the process dies before it commits, none of it is stored, and the next poll
    starts from the feed's previous validators and items.
    """
    with db.session(write=True) as session:
        summary = _store_items(
            session, feed_id, items, update_.attempted_at, analyse, patterns_hash, assign_story
        )
        feed = session.get(Feed, feed_id, with_for_update=db.dialect == "postgresql")
        if feed is None:
            raise LookupError(f"feed id {feed_id} is not in the database")
        _apply_update(feed, update_, summary)
        session.add(
            FeedPoll(
                run_id=run_id,
                feed_id=feed_id,
                started_at=update_.attempted_at,
                finished_at=finished_at or update_.attempted_at,
                outcome=PollOutcome(update_.outcome).value,
                status=update_.status,
                items_seen=summary.items_seen,
                items_new=summary.items_new,
                items_updated=summary.items_updated,
                error=update_.error,
            )
        )
    return summary


def store_items(
    db: Database,
    feed_id: int,
    items: Sequence[NewItem],
    *,
    fetched_at: datetime,
    analyse: Analyse | None = None,
    patterns_hash: str | None = None,
    assign_story: AssignStory | None = None,
) -> PollSummary:
    """Store items outside a poll (an import): one transaction, same dedup and update rules."""
    with db.session(write=True) as session:
        return _store_items(session, feed_id, items, fetched_at, analyse, patterns_hash, assign_story)


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
            disabled_reason="imported history, not a polled feed",
            consecutive_failures=0,
            created_at=now,
        )
        session.add(feed)
        session.flush()
        return feed.id


def _store_items(
    session: Session,
    feed_id: int,
    items: Sequence[NewItem],
    now: datetime,
    analyse: Analyse | None,
    patterns_hash: str | None,
    assign_story: AssignStory | None = None,
) -> PollSummary:
    unique: dict[str, NewItem] = {}
    for item in items:
        unique.setdefault(item.guid, item)  # a feed that repeats a guid means the first one
    existing: dict[str, tuple[int, str]] = {}
    guids = list(unique)
    for start in range(0, len(guids), 500):
        chunk = guids[start : start + 500]
        rows = session.execute(
            select(Item.guid, Item.id, Item.content_hash).where(Item.feed_id == feed_id, Item.guid.in_(chunk))
        )
        existing.update({guid: (item_id, content_hash) for guid, item_id, content_hash in rows})
    new_ids: list[int] = []
    updated = 0
    for guid, item in unique.items():
        known = existing.get(guid)
        if known is not None and known[1] == item.content_hash:
            continue
        if known is None:
            row = Item(
                feed_id=feed_id,
                guid=guid,
                url=item.url,
                title=item.title,
                summary=item.summary,
                language=item.language,
                published_at=item.published_at,
                fetched_at=now,
                content_hash=item.content_hash,
                signature=item.signature,
                day=item.day,
            )
            session.add(row)
            session.flush()
            row.story_id = assign_story(row.id, item) if assign_story is not None else row.id
            new_ids.append(row.id)
            item_id = row.id
        else:
            item_id = known[0]
            session.execute(
                update(Item)
                .where(Item.id == item_id)
                .values(
                    url=item.url,
                    title=item.title,
                    summary=item.summary,
                    language=item.language,
                    published_at=item.published_at,
                    updated_at=now,
                    content_hash=item.content_hash,
                    signature=item.signature,
                    day=item.day,
                )
            )
            session.execute(delete(MatchRow).where(MatchRow.item_id == item_id))
            updated += 1
        if analyse is not None:
            _insert_matches(session, item_id, analyse(item))
            session.execute(update(Item).where(Item.id == item_id).values(patterns_hash=patterns_hash))
    return PollSummary(
        feed_id=feed_id,
        items_seen=len(unique),
        items_new=len(new_ids),
        items_updated=updated,
    )


def _insert_matches(session: Session, item_id: int, matches: Sequence[MatchRecord]) -> None:
    for match in matches:
        session.add(
            MatchRow(
                item_id=item_id,
                indicator_id=match.indicator_id,
                polarity=match.polarity,
                factor=match.factor,
                via_negation=match.via_negation,
                evidence=match.evidence,
            )
        )


def _apply_update(feed: Feed, update_: PollUpdate, summary: PollSummary) -> None:
    feed.last_attempt_at = update_.attempted_at
    feed.last_status = update_.status
    feed.next_poll_at = update_.next_poll_at
    feed.consecutive_failures = update_.consecutive_failures
    feed.claimed_by = None
    feed.claimed_until = None
    outcome = PollOutcome(update_.outcome)
    if outcome.succeeded:
        feed.last_success_at = update_.attempted_at
        feed.last_error = update_.error  # a usable poll may still carry a warning (e.g. no entries)
        # A 304 carries no validators of its own: keep the ones that produced it.
        if outcome is PollOutcome.OK:
            feed.etag = update_.etag
            feed.last_modified = update_.last_modified
    else:
        feed.last_error = update_.error
    if summary.items_new:
        feed.last_new_item_at = update_.attempted_at
    if update_.moved_to:
        feed.url = update_.moved_to
    if update_.disable_reason:
        feed.enabled = False
        feed.disabled_reason = update_.disable_reason


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
    worker_host, _, pid = (worker or "").rpartition(":")
    return worker_host == host and pid.isdigit() and not alive(int(pid))


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
