"""Turns the validated config into the value objects the lower layers take."""

from __future__ import annotations

import math
from datetime import timedelta

import db
from monitor.config.model import Config
from monitor.feeds.poll import PollSettings


def poll_settings(config: Config) -> PollSettings:
    fetch = config.fetch
    # A claim must outlive the slowest possible poll of every feed, or a second daemon could take
    # over feeds this one is still fetching.
    waves = math.ceil(max(1, len(config.feeds)) / fetch.concurrency) + 1
    lease = max(timedelta(minutes=10), fetch.deadline * waves)
    return PollSettings(
        lease=lease,
        fetch=fetch.fetch_settings(),
        backoff=fetch.backoff_settings(),
        analysis_workers=fetch.analysis_workers,
        **({"story_worker": fetch.story_worker} if fetch.story_worker is not None else {}),
    )


def feed_specs(config: Config) -> list[db.FeedSpec]:
    return [
        db.FeedSpec(
            config_url=str(feed.url),
            name=feed.name,
            language=feed.language,
            reliability=feed.reliability,
            poll_interval_seconds=int(config.poll_interval_for(feed).total_seconds()),
            enabled=feed.enabled,
        )
        for feed in config.feeds
    ]
