"""Telling "this machine is offline" from "some feeds are down", for `monitor poll` and the daemon.

A feed that fails is logged as a warning of its own; when every feed fails because no host can be
resolved or connected to, the likely cause is this machine's network, and N warnings about N feeds
hide that. One line saying so is what a person needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from monitor.feeds.poll import FeedResult

OFFLINE_HINT = "every host unreachable: is this machine offline?"

# The reasons monitor.feeds.fetch gives for a failed name lookup or connection (not for HTTP
# errors or bad bodies, which mean the host answered).
_UNREACHABLE = ("host name not found", "connection refused", "connection reset", "connection failed")


def unreachable(result: FeedResult) -> bool:
    """Whether the feed failed before any host answered."""
    return not result.outcome.succeeded and (result.error or "").startswith(_UNREACHABLE)


def every_feed_unreachable(results: Iterable[FeedResult]) -> bool:
    """At least one feed was polled and none reached its host."""
    polled = list(results)
    return bool(polled) and all(unreachable(result) for result in polled)


class Change(StrEnum):
    OFFLINE = "offline"
    ONLINE = "online"


@dataclass
class OfflineWatch:
    """The daemon's view across ticks: each tick polls only the feeds that are due, so "every feed
    failed" is judged on each enabled feed's latest poll, and said once per outage, not per tick."""

    _latest: dict[str, bool] = field(default_factory=dict)  # feed name -> unreachable at its last poll
    offline: bool = False

    def observe(self, results: Iterable[FeedResult], enabled: Iterable[str]) -> Change | None:
        for result in results:
            self._latest[result.name] = unreachable(result)
        names = set(enabled)
        for gone in set(self._latest) - names:
            del self._latest[gone]
        now_offline = bool(names) and all(self._latest.get(name, False) for name in names)
        if now_offline == self.offline:
            return None
        self.offline = now_offline
        return Change.OFFLINE if now_offline else Change.ONLINE
