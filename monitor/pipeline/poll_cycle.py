"""One poll as the CLI and the daemon run it: fetch and store, group stories, refresh the trend."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import db
from monitor.analysis import Definitions
from monitor.config.model import Config
from monitor.feeds.poll import Clock, PollReport, poll
from monitor.pipeline import trend_refresh as trend
from monitor.pipeline.poll_settings import poll_settings
from monitor.pipeline.story_assigner import StoryAssigner

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
) -> PollReport:
    tz = config.schedule.tzinfo
    trend.ensure_days(database, tz)
    stories = StoryAssigner.load(database, now())
    report = poll(
        database,
        poll_settings(config),
        definitions.analyser(tz=tz, stories=stories),
        now=now,
        due_only=due_only,
        names=names,
        stop=stop,
        worker=worker,
    )
    if any(f.items_new or f.items_updated for f in report.feeds):
        rows = trend.refresh(database, definitions, tz=tz, now=now())
        log.info("trend refreshed days=%d stories=%d", len(rows.days), len(rows.stories))
    return report
