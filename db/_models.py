"""The schema: one SQLAlchemy 2 typed model per table of DESIGN.md.

Times are stored as naive UTC and handed back as aware UTC (``UTCDateTime``), so SQLite and PostgreSQL
round-trip the same values and no caller ever compares naive with aware datetimes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from db.types import evidence_from_json, evidence_json
from indicators.types import Evidence

# Explicit constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to the database; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class EvidenceColumn(TypeDecorator[tuple[Evidence, ...]]):
    """``indicators.Evidence`` spans stored as a JSON list of objects: the only place they are JSON."""

    impl = JSON
    cache_ok = True

    def process_bind_param(
        self, value: Sequence[Evidence | Mapping[str, Any]] | None, dialect: Dialect
    ) -> list[dict[str, Any]] | None:
        if value is None:
            return None
        return [evidence_json(e) if isinstance(e, Evidence) else dict(e) for e in value]

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[Evidence, ...] | None:
        if value is None:
            return None
        return tuple(evidence_from_json(e) for e in value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        date: Date(),
        dict[str, Any]: JSON(),
    }


class Feed(Base):
    """A feed as configured, plus its polling state and health."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The URL as written in config: the key that ties this row to the config across restarts,
    # even after a permanent redirect changed ``url``.
    config_url: Mapped[str] = mapped_column(String(2000), unique=True)
    url: Mapped[str] = mapped_column(String(2000))
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(16))
    reliability: Mapped[float] = mapped_column(Float, default=1.0)
    poll_interval_seconds: Mapped[int] = mapped_column(Integer)
    in_config: Mapped[bool] = mapped_column(Boolean, default=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(String(1000))
    last_modified: Mapped[str | None] = mapped_column(String(200))
    # sha256 of the last body that was parsed and stored; the same body again is not parsed.
    body_hash: Mapped[str | None] = mapped_column(String(64))
    next_poll_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_new_item_at: Mapped[datetime | None]
    last_status: Mapped[int | None] = mapped_column(Integer)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_until: Mapped[datetime | None]
    created_at: Mapped[datetime]

    __table_args__ = (Index(None, "enabled", "next_poll_at"),)


class Item(Base):
    """One entry of one feed. (feed_id, guid) is its identity; content_hash detects edits."""

    __tablename__ = "items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    guid: Mapped[str] = mapped_column(String(1100))
    url: Mapped[str | None] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    published_at: Mapped[datetime | None]
    fetched_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]
    content_hash: Mapped[str] = mapped_column(String(64))
    # The patterns fingerprint the stored matches were computed with; a rescore re-matches rows
    # whose value differs from the current one.
    patterns_hash: Mapped[str | None] = mapped_column(String(64))
    # The id of the first item of the story this item belongs to (its own id when it founded one).
    story_id: Mapped[int | None] = mapped_column(Integer)
    # Token signature used to group reprints into stories (scenarios.StorySignature.to_text()).
    signature: Mapped[str | None] = mapped_column(Text)
    # Local day (published, else fetched) in the time zone recorded in settings["day_timezone"].
    day: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        UniqueConstraint("feed_id", "guid"),
        Index(None, "published_at"),
        Index(None, "fetched_at"),
        Index(None, "day"),
        Index(None, "story_id"),
        Index(None, "feed_id", "url"),
    )


class MatchRow(Base):
    """A fact: this indicator fired on this item, with the evidence that made it fire."""

    __tablename__ = "matches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    indicator_id: Mapped[str] = mapped_column(String(200))
    polarity: Mapped[int] = mapped_column(Integer)
    # below 1 when a conditional or a look back scaled the weight (the contribution's last factor)
    factor: Mapped[float] = mapped_column(Float, default=1.0, server_default="1")
    via_negation: Mapped[str | None] = mapped_column(String(200))
    evidence: Mapped[tuple[Evidence, ...]] = mapped_column(EvidenceColumn)

    __table_args__ = (UniqueConstraint("item_id", "indicator_id"), Index(None, "indicator_id"))


class ScenarioDaily(Base):
    """One scenario's figures for one local day, and the config hash that produced them."""

    __tablename__ = "scenario_daily"

    scenario_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    raw: Mapped[float] = mapped_column(Float)
    index: Mapped[float] = mapped_column(Float)
    level: Mapped[str] = mapped_column(String(100))
    spike: Mapped[bool] = mapped_column(Boolean)
    items: Mapped[int] = mapped_column(Integer)
    stories: Mapped[int] = mapped_column(Integer)
    indicators: Mapped[int] = mapped_column(Integer)
    indicator_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    novel: Mapped[list[str]] = mapped_column(JSON, default=list)
    config_hash: Mapped[str] = mapped_column(String(64))


class StoryScore(Base):
    """The strongest stories of one scenario on one day (top few only): what moved the index."""

    __tablename__ = "story_scores"

    scenario_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_key: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    value: Mapped[float] = mapped_column(Float)
    sources: Mapped[int] = mapped_column(Integer)
    items: Mapped[int] = mapped_column(Integer)
    indicator_ids: Mapped[list[str]] = mapped_column(JSON)


class Label(Base):
    """The analyst's verdict on an item: the scenario it is mainly about (or ``none``) and the polarity.

    One per item, so a relabel replaces it; it goes with its item."""

    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), unique=True)
    scenario: Mapped[str] = mapped_column(String(200))
    polarity: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    labelled_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(32))  # a LabelSource value


class Setting(Base):
    """Small facts about how stored data was derived (e.g. the time zone of ``items.day``)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Run(Base):
    """Each poll and digest: when it ran and how it ended (``db.types.RunKind``, ``RunOutcome``)."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # a RunKind value
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    # a RunOutcome value: running | ok | partial | failed | interrupted
    outcome: Mapped[str] = mapped_column(String(32))
    worker: Mapped[str | None] = mapped_column(String(200))
    feeds_total: Mapped[int] = mapped_column(Integer, default=0)
    feeds_ok: Mapped[int] = mapped_column(Integer, default=0)
    feeds_failed: Mapped[int] = mapped_column(Integer, default=0)
    items_new: Mapped[int] = mapped_column(Integer, default=0)
    items_updated: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index(None, "kind", "started_at"),)


class FeedPoll(Base):
    """One feed's part of one poll run: written in the same transaction as the items it stored."""

    __tablename__ = "feed_polls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(32))
    status: Mapped[int | None] = mapped_column(Integer)
    items_seen: Mapped[int] = mapped_column(Integer, default=0)
    items_new: Mapped[int] = mapped_column(Integer, default=0)
    items_updated: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index(None, "feed_id", "started_at"),)


class AlertStateRow(Base):
    """Per scenario, what alert evaluation remembers between looks (``db.types.AlertMemory``)."""

    __tablename__ = "alert_state"

    scenario_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer)
    seen_level: Mapped[str] = mapped_column(String(100))
    armed_level: Mapped[str] = mapped_column(String(100))
    last_alert_at: Mapped[datetime | None]
    last_alert_level: Mapped[str | None] = mapped_column(String(100))
    last_spike_day: Mapped[date | None]


class Alert(Base):
    """One alert: a level rise or a spike, with the JSON body every channel sends."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    scenario_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))  # an AlertKind value
    level: Mapped[str] = mapped_column(String(100))
    previous_level: Mapped[str] = mapped_column(String(100))
    day: Mapped[date]
    index: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (Index(None, "created_at"),)


class AlertDelivery(Base):
    """One alert through one channel: claimed by one worker at a time, retried with backoff."""

    __tablename__ = "alert_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))  # a DeliveryStatus value
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("alert_id", "channel"), Index(None, "status", "next_attempt_at"))
