"""Values that cross into and out of ``db``: ORM rows never leave this package."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, NamedTuple

from indicators.types import Evidence, Match


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


class RunKind(StrEnum):
    """What a run in ``runs.kind`` did (stored as its value). Rescores and imports record no run."""

    POLL = "poll"
    DIGEST = "digest"


class RunOutcome(StrEnum):
    """How a run ended, stored as its value in ``runs.outcome``."""

    RUNNING = "running"  # started, not finished (or its process died: see ``mark_dead_runs``)
    OK = "ok"  # every part succeeded
    PARTIAL = "partial"  # a poll where some feeds failed
    FAILED = "failed"  # the run raised
    INTERRUPTED = "interrupted"  # stopped mid-run (a signal, or found dead by ``mark_dead_runs``)


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """A feed as the configuration describes it; ``sync_feeds`` makes the table agree."""

    config_url: str
    name: str
    language: str | None
    reliability: float
    poll_interval_seconds: int
    enabled: bool = True


# The disabled reason ``ensure_feed`` gives a source of imported history (not a polled feed).
IMPORTED_FEED_REASON = "imported history, not a polled feed"


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
    next_poll_at: datetime | None
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_new_item_at: datetime | None
    last_status: int | None
    consecutive_failures: int
    last_error: str | None
    items: int = 0
    body_hash: str | None = None  # of the last body parsed and stored

    @property
    def imported(self) -> bool:
        """A source of imported history (``monitor import``), not a feed of the config."""
        return not self.in_config and self.disabled_reason == IMPORTED_FEED_REASON


def evidence_json(evidence: Evidence) -> dict[str, Any]:
    """One piece of evidence as stored in ``matches.evidence`` (a JSON list of these objects)."""
    return {
        "field": evidence.field,
        "start": evidence.start,
        "end": evidence.end,
        "term": evidence.term,
        "text": evidence.text,
    }


def evidence_from_json(value: Mapping[str, Any]) -> Evidence:
    """The inverse of :func:`evidence_json`."""
    return Evidence(
        field=str(value["field"]),
        start=int(value["start"]),
        end=int(value["end"]),
        term=str(value.get("term", "")),
        text=str(value.get("text", "")),
    )


@dataclass(frozen=True, slots=True, init=False)
class MatchRecord:
    """One fired indicator on one item, with the ``indicators.Evidence`` spans that made it fire.

    ``evidence`` may also be given as the stored JSON objects (``field``, ``start``, ``end``,
    ``term``, ``text``); they are turned into ``Evidence`` here, so a record always holds typed
    evidence. JSON exists only at the column (``db._models.EvidenceColumn``).
    """

    indicator_id: str
    polarity: int
    evidence: tuple[Evidence, ...]
    via_negation: str | None
    factor: float

    def __init__(
        self,
        indicator_id: str,
        polarity: int,
        evidence: Iterable[Evidence | Mapping[str, Any]],
        via_negation: str | None = None,
        factor: float = 1.0,
    ) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "indicator_id", indicator_id)
        setattr_(self, "polarity", polarity)
        # A re-match builds a million of these: typed evidence passes as it is, and the dict form
        # (exactly the five keys of Evidence) is unpacked rather than parsed field by field.
        if type(evidence) is not tuple or not all(type(e) is Evidence for e in evidence):
            evidence = tuple(e if isinstance(e, Evidence) else Evidence(**e) for e in evidence)
        setattr_(self, "evidence", evidence)
        setattr_(self, "via_negation", via_negation)
        setattr_(self, "factor", factor)

    @classmethod
    def from_match(cls, match: Match) -> MatchRecord:
        """The record of one of the matcher's matches, its evidence kept as it is."""
        return cls(match.indicator_id, int(match.polarity), match.evidence, match.via_negation, match.factor)


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
    kind: RunKind
    started_at: datetime
    finished_at: datetime | None
    outcome: RunOutcome
    feeds_total: int
    feeds_ok: int
    feeds_failed: int
    items_new: int
    items_updated: int
    detail: str | None


class ItemText(NamedTuple):
    """A stored item's text, as a re-match reads it (``iter_item_texts``).

    A named tuple, not a dataclass: a re-match reads a million of them and sends them to worker
    processes in batches.
    """

    id: int
    title: str
    summary: str


class ItemMeta(NamedTuple):
    """A stored item with what the trend needs of it (``iter_items_meta``; a dry-run rescore reads
    every item through it, hence a named tuple)."""

    id: int
    story_id: int | None
    feed_id: int
    day: date | None
    reliability: float
    title: str
    summary: str


@dataclass(frozen=True, slots=True)
class ItemDetails:
    """What the digest shows of a story's item beyond its score: the summary and its feed."""

    summary: str
    reliability: float
    feed_id: int


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
    story_key: int = 0  # the story's id (negative: the item -id of an item that is its own story)


@dataclass(frozen=True, slots=True)
class StoryMemory:
    """A stored item as the story index remembers it."""

    item_id: int
    story_id: int
    signature: str
    at: datetime  # published, else fetched
    feed_id: int


class LabelSource(StrEnum):
    """Who gave a label, stored as its value in ``labels.source``."""

    ANALYST = "analyst"  # `monitor label`: the analyst's own correction
    IMPORT = "import"  # the label keys of an imported labelled set


@dataclass(frozen=True, slots=True)
class LabelWrite:
    """A label to store on an item: the scenario it is mainly about (or ``none``) and the polarity."""

    item_id: int
    scenario: str
    polarity: str
    note: str | None
    labelled_at: datetime
    source: LabelSource


@dataclass(frozen=True, slots=True)
class StoredLabel:
    """A stored label with the item it is on: what `monitor labels` lists and exports."""

    item_id: int
    scenario: str
    polarity: str
    note: str | None
    labelled_at: datetime
    source: LabelSource
    guid: str
    feed_name: str
    language: str | None
    title: str
    summary: str
    url: str | None
    published_at: datetime | None


# --- alerts ----------------------------------------------------------------------------------------


class AlertKind(StrEnum):
    """What an alert reports; stored as its value in ``alerts.kind``."""

    LEVEL = "level"  # a scenario's level rose
    SPIKE = "spike"  # a day's story count is improbably high


class DeliveryStatus(StrEnum):
    """Where one channel's delivery of one alert stands; stored in ``alert_deliveries.status``."""

    PENDING = "pending"  # not sent yet: due at ``next_attempt_at`` (a failed attempt waits there)
    SENT = "sent"
    FAILED = "failed"  # given up: too many attempts, or the channel is no longer configured


@dataclass(frozen=True, slots=True)
class AlertMemory:
    """What alert evaluation remembers per scenario between two looks at the trend.

    ``generation`` counts the writes: a daemon writes its new memory only if the stored one is still
    the generation it read, so two daemons looking at the same change record it (and its alert) once.
    ``armed_level`` is the highest level already notified (or passed over in a cooldown) and not yet
    re-armed; ``seen_level`` the level at the last look.
    """

    scenario_id: str
    generation: int
    seen_level: str
    armed_level: str
    last_alert_at: datetime | None = None
    last_alert_level: str | None = None
    last_spike_day: date | None = None


@dataclass(frozen=True, slots=True)
class NewAlert:
    """An alert to store, with the channels to deliver it through (one delivery row each)."""

    key: str  # unique per database: the same change seen by two daemons has one key
    scenario_id: str
    kind: AlertKind
    level: str
    previous_level: str
    day: date
    index: float
    created_at: datetime
    payload: Mapping[str, Any]
    channels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DeliveryState:
    channel: str
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class StoredAlert:
    id: int
    key: str
    scenario_id: str
    kind: AlertKind
    level: str
    previous_level: str
    day: date
    index: float
    created_at: datetime
    payload: Mapping[str, Any]
    deliveries: tuple[DeliveryState, ...] = ()


@dataclass(frozen=True, slots=True)
class DeliveryJob:
    """A delivery this worker has claimed: send it, then report with ``finish_delivery``."""

    delivery_id: int
    channel: str
    attempts: int  # before this one
    alert: StoredAlert
