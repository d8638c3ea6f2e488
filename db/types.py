"""Values that cross into and out of ``db``: ORM rows never leave this package."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class PollOutcome(StrEnum):
    """How one feed's fetch ended; stored as its value in ``feed_polls.outcome``."""

    OK = "ok"  # 2xx with a body
    NOT_MODIFIED = "not_modified"  # 304: the stored copy is current
    GONE = "gone"  # 410: the feed is disabled
    ERROR = "error"  # anything else: network, HTTP error, unusable body

    @property
    def succeeded(self) -> bool:
        """A usable answer: the feed is healthy and its failure count resets."""
        return self in (PollOutcome.OK, PollOutcome.NOT_MODIFIED)


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """A feed as the configuration describes it; ``sync_feeds`` makes the table agree."""

    config_url: str
    name: str
    language: str | None
    reliability: float
    poll_interval_seconds: int
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class FeedState:
    """A feed's stored identity, conditional-GET validators and health."""

    id: int
    config_url: str
    url: str
    name: str
    language: str | None
    reliability: float
    poll_interval_seconds: int
    in_config: bool
    enabled: bool
    disabled_reason: str | None
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    next_poll_at: datetime | None
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_new_item_at: datetime | None
    last_status: int | None
    consecutive_failures: int
    last_error: str | None
    items: int = 0


@dataclass(frozen=True, slots=True)
class MatchRecord:
    """One fired indicator on one item, with its evidence as plain dicts (field, start, end, term, text)."""

    indicator_id: str
    polarity: int
    evidence: tuple[dict[str, Any], ...]
    via_negation: str | None = None
    factor: float = 1.0


@dataclass(frozen=True, slots=True)
class NewItem:
    """A parsed, cleaned entry ready to be stored for one feed."""

    guid: str
    url: str | None
    title: str
    summary: str
    language: str | None
    published_at: datetime | None
    content_hash: str
    signature: str | None = None
    day: date | None = None


@dataclass(frozen=True, slots=True)
class KnownItem:
    """A stored item as the ingest sees it before deciding what to do with an entry of the same guid."""

    id: int
    content_hash: str
    day: date | None = None


@dataclass(frozen=True, slots=True)
class ItemWrite:
    """One item to store, already analysed by the pipeline.

    ``existing_id`` set: a stored item whose content changed (its matches are replaced, its story
    kept). Otherwise a new item, which joins the stored story ``story_id``, or the story founded by
    ``writes[joins]`` of the same call, or, with neither, founds a story of its own.
    ``matches`` None: the item was not matched (its ``patterns_hash`` stays unset).
    """

    item: NewItem
    matches: tuple[MatchRecord, ...] | None = ()
    existing_id: int | None = None
    story_id: int | None = None
    joins: int | None = None


@dataclass(frozen=True, slots=True)
class StoredItem:
    id: int
    feed_id: int
    feed_name: str
    guid: str
    url: str | None
    title: str
    summary: str
    language: str | None
    published_at: datetime | None
    fetched_at: datetime
    reliability: float
    matches: tuple[MatchRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class PollUpdate:
    """What one feed's poll changes on the feed row, decided by the caller's schedule policy."""

    attempted_at: datetime
    outcome: PollOutcome
    status: int | None
    next_poll_at: datetime
    consecutive_failures: int
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    moved_to: str | None = None
    disable_reason: str | None = None
    body_hash: str | None = None  # of a 200 body that was parsed (kept as is when None)


@dataclass(frozen=True, slots=True)
class PollSummary:
    """What storing one feed's poll did."""

    feed_id: int
    items_seen: int
    items_new: int
    items_updated: int
    # Per write of the call, in order: the item's id and its story's id.
    item_ids: tuple[int, ...] = ()
    story_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class RunInfo:
    id: int
    kind: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    feeds_total: int
    feeds_ok: int
    feeds_failed: int
    items_new: int
    items_updated: int
    detail: str | None


@dataclass(frozen=True, slots=True)
class TrendRow:
    scenario_id: str
    day: date
    raw: float
    index: float
    level: str
    spike: bool
    items: int
    stories: int
    indicator_ids: tuple[str, ...]
    novel: tuple[str, ...]
    config_hash: str


@dataclass(frozen=True, slots=True)
class StoryScoreRow:
    scenario_id: str
    day: date
    rank: int
    story_key: int
    item_id: int
    value: float
    sources: int
    items: int
    indicator_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TopStory:
    """A story score with what a reader needs: the strongest item's title, link and feed."""

    scenario_id: str
    day: date
    value: float
    sources: int
    items: int
    indicator_ids: tuple[str, ...]
    item_id: int
    title: str
    url: str | None
    feed_name: str


@dataclass(frozen=True, slots=True)
class StoryMemory:
    """A stored item as the story index remembers it."""

    item_id: int
    story_id: int
    signature: str
    at: datetime  # published, else fetched
    feed_id: int
