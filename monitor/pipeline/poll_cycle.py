"""One poll as the CLI and the daemon run it: fetch and store, group stories, refresh the trend."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import db
from monitor.analysis import Definitions
from monitor.config.model import Config
from monitor.feeds.poll import Clock, PollReport, poll
from monitor.pipeline import story_snapshot
from monitor.pipeline import trend_refresh as trend
from monitor.pipeline.poll_settings import poll_settings
from monitor.pipeline.story_assigner import StagedStories, StoryAssigner
from monitor.pipeline.story_worker import StoryWorker
from scenarios import StoryPolicy

log = logging.getLogger(__name__)


def poll_and_refresh(
    database: db.Database,
    config: Config,
    definitions: Definitions,
    *,
    now: Clock,
    due_only: bool = True,
    names: Sequence[str] = (),
    stop: threading.Event | None = None,
    worker: str | None = None,
    stories: StoryAssigner | None = None,
    due_grace: timedelta = timedelta(0),
    claim_limit: int | None = None,
) -> PollReport:
    """``stories``: the process's story assigner, kept between polls (the daemon passes one); a new
    one is loaded from the database when absent. It is brought up to date with what other processes
    stored only when a poll has something to store.

    A trend left stale by an interrupted poll or refresh (killed, database failure) is recomputed
    in full after this poll, whatever this poll brought: the days it changed are not known."""
    tz = config.schedule.tzinfo
    trend.ensure_days(database, tz)
    leftover = trend.stale_since_last_refresh(database)
    assigner = _LazyAssigner(database, now, stories)
    settings = poll_settings(config)
    analyser = definitions.analyser(tz=tz)
    # A process of its own (the CLI's poll) groups a large poll's stories on a worker process; a
    # daemon keeps its index in memory between polls.
    story_worker = (
        StoryWorker(database, now, analyser.signature_of)
        if stories is None and settings.story_worker and analyser.signature_of is not None
        else None
    )
    try:
        report = poll(
            database,
            settings,
            analyser,
            now=now,
            stories=assigner,
            due_only=due_only,
            names=names,
            stop=stop,
            worker=worker,
            due_grace=due_grace,
            claim_limit=claim_limit,
            pipelined=story_worker,
        )
        if story_worker is not None:
            story_worker.save_soon()  # saved on the worker while the trend is refreshed here
        assigner.save()
        _refresh_trend(database, definitions, tz, now, leftover, report)
    finally:
        if story_worker is not None:
            story_worker.close()
    return report


def _refresh_trend(
    database: db.Database,
    definitions: Definitions,
    tz: ZoneInfo,
    now: Clock,
    leftover: bool,
    report: PollReport,
) -> None:
    if leftover:
        rows = trend.refresh(database, definitions, tz=tz, now=now())
        log.info(
            "trend recomputed in full: a refresh was pending (interrupted, or running in another "
            "process) days=%d stories=%d",
            len(rows.days),
            len(rows.stories),
        )
    elif any(f.items_new or f.items_updated for f in report.feeds):
        rows = trend.refresh(database, definitions, tz=tz, now=now(), changed_from=report.earliest_day)
        log.info("trend refreshed days=%d stories=%d", len(rows.days), len(rows.stories))


class _LazyAssigner:
    """Loads or refreshes the story index on the first batch of new items, not before: a poll that
    brings nothing new (304s, unchanged bodies) never reads the index."""

    def __init__(self, database: db.Database, now: Clock, assigner: StoryAssigner | None) -> None:
        self._database = database
        self._now = now
        self._assigner = assigner
        self._ready: StoryAssigner | None = None

    def _get(self) -> StoryAssigner:
        if self._ready is None:
            self._ready = self._assigner or self._saved() or StoryAssigner.empty()
            self._ready.refresh(self._database, self._now())
        return self._ready

    def _saved(self) -> StoryAssigner | None:
        """A process of its own (no assigner handed in, the CLI's poll): the index the last such
        poll saved beside the database, if it still matches."""
        return story_snapshot.load(self._database, StoryPolicy())

    def save(self) -> None:
        """Save the index for the next process's poll, if this one is the process's own and was
        loaded (a daemon keeps its index in memory; a poll with nothing new never loaded one)."""
        if self._assigner is not None or self._ready is None:
            return
        try:
            story_snapshot.save(self._database, self._ready)
        except db.StorageError as exc:
            log.warning("story index not saved: %s (the next poll rebuilds it)", exc)

    def stage(self, feed_id: int, fetched_at: datetime, writes: Sequence[db.ItemWrite]) -> StagedStories:
        return self._get().stage(feed_id, fetched_at, writes)

    def commit(self, staged: StagedStories, summary: db.PollSummary) -> None:
        self._get().commit(staged, summary)

    def discard(self, staged: StagedStories) -> None:
        self._get().discard(staged)
