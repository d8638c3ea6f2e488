"""Turns the validated config into the value objects the lower layers take."""

from __future__ import annotations

import math
from datetime import timedelta

import db
from monitor.config.model import Config
from monitor.feeds.fetch import FetchSettings
from monitor.feeds.poll import PollSettings
from monitor.feeds.schedule_policy import BackoffSettings


def poll_settings(config: Config) -> PollSettings:
    fetch = config.fetch
    # A claim must outlive the slowest possible poll of every feed, or a second daemon could take
    # over feeds this one is still fetching.
    waves = math.ceil(max(1, len(config.feeds)) / fetch.concurrency) + 1
    lease = max(timedelta(minutes=10), fetch.deadline * waves)
    return PollSettings(
        lease=lease,
        fetch=FetchSettings(
            connect_timeout=fetch.connect_timeout.total_seconds(),
            read_timeout=fetch.read_timeout.total_seconds(),
            deadline=fetch.deadline.total_seconds(),
            max_body_bytes=fetch.max_body_bytes,
            max_redirects=fetch.max_redirects,
            user_agent=fetch.user_agent,
            per_host_concurrency=fetch.per_host_concurrency,
            concurrency=fetch.concurrency,
        ),
        backoff=BackoffSettings(
            base_seconds=fetch.backoff_base.total_seconds(),
            cap_seconds=fetch.backoff_cap.total_seconds(),
            max_delay_seconds=fetch.max_server_delay.total_seconds(),
        ),
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
