"""The digest as values: what ``monitor.digest.build`` reads from the database and the templates render.

Everything a template shows is here, already decided (order, urgency, changes), so rendering is a
pure function of one ``Digest`` and golden tests can pin it down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from monitor.feed_health import FeedHealth
from scenarios import Level


@dataclass(frozen=True, slots=True)
class LevelBand:
    level: Level
    up: float
    down: float


@dataclass(frozen=True, slots=True)
class DayPoint:
    day: date
    index: float
    raw: float
    level: Level
    spike: bool


@dataclass(frozen=True, slots=True)
class Phrase:
    """A matched phrase inside a story's title or summary: character span and indicator."""

    field: str  # "title" | "summary"
    start: int
    end: int
    indicator_id: str


@dataclass(frozen=True, slots=True)
class DigestStory:
    title: str
    summary: str
    url: str | None  # as stored: only http(s) may be rendered as a link
    feed: str
    day: date
    contribution: float
    sources: int  # corroboration: distinct feeds carrying the story
    indicators: tuple[str, ...]
    phrases: tuple[Phrase, ...] = ()
    # The item had no title: ``title`` is its summary's first sentence, shortened (shown as derived).
    title_derived: bool = False
    item_id: int | None = None  # the stored item shown, named as `monitor explain` and `label` take it


@dataclass(frozen=True, slots=True)
class IndicatorMove:
    indicator_id: str
    label: str
    polarity: int  # +1 escalation, -1 de-escalation
    contribution: float  # summed over the period's top stories
    stories: int


@dataclass(frozen=True, slots=True)
class IndicatorRef:
    indicator_id: str
    label: str
    last_seen: date | None = None


@dataclass(frozen=True)
class ScenarioDigest:
    id: str
    title: str
    level: Level
    index: float
    change_1d: float
    change_7d: float
    bands: tuple[LevelBand, ...]
    history: tuple[DayPoint, ...]  # oldest first, one point per day (30+ days)
    movers: tuple[IndicatorMove, ...]  # largest |contribution| first
    stories: tuple[DigestStory, ...]  # largest |contribution| first
    counter_indicators: tuple[IndicatorMove, ...]
    novel: tuple[IndicatorRef, ...]  # firing for the first time in ``Digest.novelty_days`` (with the day)
    not_observed: tuple[IndicatorRef, ...]  # escalation signposts not seen in the history window
    level_changed_from: Level | None = None  # the level yesterday, when different
    # What holds today's index up: the stories of any day of the history whose contribution, decayed
    # to today, is largest (``contribution`` is that decayed share, ``day`` the story's own day).
    holding: tuple[DigestStory, ...] = ()


@dataclass(frozen=True, slots=True)
class FeedProblem:
    name: str
    url: str
    language: str | None
    state: FeedHealth  # FAILING, SILENT or DISABLED
    detail: str  # e.g. "connection refused, 4 failures" or "no new item for 3 days (usually every 6 h)"
    last_success: datetime | None


@dataclass(frozen=True, slots=True)
class AlertNote:
    """An alert sent (or being sent) since the last digest, with how its deliveries went."""

    created_at: datetime  # in the digest's time zone
    scenario: str  # the scenario's title
    kind: str  # "level" | "spike"
    level: Level
    previous_level: Level
    index: float
    deliveries: str  # e.g. "email sent · webhook pending (2 attempts)"


@dataclass(frozen=True)
class Digest:
    day: date
    generated_at: datetime
    timezone: str
    scenarios: tuple[ScenarioDigest, ...]  # most urgent first
    feed_problems: tuple[FeedProblem, ...]
    feeds_total: int  # configured feeds (imported sources are not feeds)
    thin_languages: tuple[str, ...]  # languages left with no healthy feed
    thin_scenarios: tuple[str, ...] = ()  # scenarios whose stories came only from failing feeds lately
    config_hash: str = ""
    config_changes: tuple[str, ...] = ()  # human lines: what changed in config since the last digest
    has_data: bool = True  # False: nothing stored for this date; the digest says so plainly
    feeds_never_polled: int = 0  # configured feeds never polled: not healthy, not failing, unknown
    # An indicator counts as novel when it had not fired for this many days before (not "ever"):
    # the digest's heading says so, since a long history would make "for the first time" untrue.
    novelty_days: int = 30
    alerts: tuple[AlertNote, ...] = ()  # oldest first
