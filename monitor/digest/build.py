"""Builds the ``Digest`` for one local day from the database: the figures, what moved them, feed
health and config changes. Rendering is elsewhere (``digest_render``) and pure.

The digest for day D is a morning briefing: the headline figures are day D's trend row, and "what
moved it" covers the stories of D−1 and D (the last night and the morning so far), so a digest
written at 07:00 is not empty.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

import db
from monitor.analysis import Definitions
from monitor.config.model import Config
from monitor.digest.content import (
    AlertNote,
    DayPoint,
    Digest,
    DigestStory,
    FeedProblem,
    IndicatorMove,
    IndicatorRef,
    LevelBand,
    Phrase,
    ScenarioDigest,
)
from monitor.feed_health import CADENCE_WINDOW, FeedHealth, FeedStatus, classify_feed
from monitor.redaction import redact_errors, redact_url
from scenarios import Level, TrendSettings

HISTORY_DAYS = 60
STORY_WINDOW_DAYS = 2
STORIES_SHOWN = 6
MOVERS_SHOWN = 6
HOLDING_SHOWN = 5
# A story whose decayed share of today's index is below this is not what holds the level up.
HOLDING_MIN = 0.05
LAST_DIGEST_SETTING = "digest_last_config"
ALERTS_SHOWN = 50


def _level_rank(level: Level, bands: Sequence[LevelBand]) -> int:
    names = [b.level for b in bands]
    return names.index(level) + 1 if level in names else 0


def _phrases(matches: Sequence[db.MatchRecord]) -> tuple[Phrase, ...]:
    out = [
        Phrase(span.field, span.start, span.end, match.indicator_id)
        for match in matches
        for span in match.evidence
        if span.field in ("title", "summary")
    ]
    return tuple(sorted(set(out), key=lambda p: (p.field, p.start, p.end)))


def config_snapshot(config: Config, definitions: Definitions) -> dict[str, object]:
    return {
        "config_hash": definitions.scenarios.config_hash,
        "sections": config.section_fingerprints(),
        "weights": {sid: dict(s.weights) for sid, s in definitions.scenarios.scenarios.items()},
        "thresholds": {
            sid: [[t.level, t.up, t.down] for t in s.thresholds]
            for sid, s in definitions.scenarios.scenarios.items()
        },
        "half_life": {sid: s.half_life_days for sid, s in definitions.scenarios.scenarios.items()},
        "feeds": sorted(f.name for f in config.enabled_feeds),
        "patterns_hash": definitions.indicators.fingerprint,
    }


def config_changes(before: Mapping[str, object] | None, now: Mapping[str, object]) -> tuple[str, ...]:
    """Human lines saying what changed between the config of the last digest and this one."""
    if before is None:
        return ("first digest: no earlier config to compare with",)
    lines: list[str] = []
    old_w, new_w = before.get("weights", {}), now.get("weights", {})
    assert isinstance(old_w, dict) and isinstance(new_w, dict)
    for sid in sorted(set(old_w) | set(new_w)):
        a, b = old_w.get(sid, {}), new_w.get(sid, {})
        if sid not in old_w:
            lines.append(f"scenario {sid} added")
            continue
        if sid not in new_w:
            lines.append(f"scenario {sid} removed")
            continue
        for ind in sorted(set(a) | set(b)):
            if a.get(ind) != b.get(ind):
                lines.append(f"weight {sid}.{ind}: {a.get(ind, '-')} → {b.get(ind, '-')}")
    for key, label in (("thresholds", "thresholds"), ("half_life", "half-life")):
        old, new = before.get(key, {}), now.get(key, {})
        assert isinstance(old, dict) and isinstance(new, dict)
        for sid in sorted(set(old) & set(new)):
            if old[sid] != new[sid]:
                lines.append(f"{label} of {sid} changed")
    old_feeds, new_feeds = set(before.get("feeds", [])), set(now.get("feeds", []))  # type: ignore[call-overload]
    if new_feeds - old_feeds:
        lines.append("feeds added: " + ", ".join(sorted(new_feeds - old_feeds)))
    if old_feeds - new_feeds:
        lines.append("feeds removed: " + ", ".join(sorted(old_feeds - new_feeds)))
    if before.get("patterns_hash") != now.get("patterns_hash"):
        lines.append("indicator patterns changed (stored items were re-matched by `monitor rescore`)")
    old_sections, new_sections = before.get("sections", {}), now.get("sections", {})
    assert isinstance(old_sections, dict) and isinstance(new_sections, dict)
    for name in ("schedule", "fetch", "digest", "database"):
        if old_sections.get(name) != new_sections.get(name):
            lines.append(f"{name} settings changed")
    return tuple(lines) or ("no change since the last digest",)


@dataclass(frozen=True)
class _FeedHealth:
    """The configured feeds (imported sources and removed feeds are not feeds) and their health."""

    feeds: list[db.FeedState]
    status: dict[int, FeedStatus]
    problems: list[FeedProblem]  # failing, then silent, then disabled

    @property
    def never_polled(self) -> list[db.FeedState]:
        return [f for f in self.feeds if self.status[f.id].health is FeedHealth.NEVER_POLLED]

    def healthy(self, feed: db.FeedState) -> bool:
        return self.status[feed.id].health is FeedHealth.HEALTHY


_PROBLEM_ORDER = {FeedHealth.FAILING: 0, FeedHealth.SILENT: 1, FeedHealth.DISABLED: 2}


def _feed_health(database: db.Database, now: datetime) -> _FeedHealth:
    recent = db.new_items_per_feed(database, now - CADENCE_WINDOW)
    stored = db.list_feeds(database)
    status = {
        f.id: classify_feed(f, now, recent_items=recent.get(f.id, 0), window=CADENCE_WINDOW) for f in stored
    }
    feeds = [f for f in stored if status[f.id].health.is_configured_feed]
    problems = [
        FeedProblem(
            f.name,
            redact_url(f.url),
            f.language,
            status[f.id].health,
            redact_errors(status[f.id].detail),
            f.last_success_at,
        )
        for f in feeds
        if status[f.id].health.is_problem
    ]
    problems.sort(key=lambda p: (_PROBLEM_ORDER[p.state], p.name))
    return _FeedHealth(feeds, status, problems)


HEADLINE_CHARS = 110
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÀ-ÞА-ЯЁІЇЄҐЎ0-9«\"“])")


def derived_headline(summary: str, limit: int = HEADLINE_CHARS) -> str:
    """A headline for an item without a title: the summary's first sentence, shortened on a word
    boundary (with an ellipsis) when longer than ``limit`` characters; "(no title or summary)" when
    there is no text at all."""
    text = " ".join(summary.split())
    if not text:
        return "(no title or summary)"
    first = _SENTENCE_END.split(text, maxsplit=1)[0]
    if len(first) <= limit:
        return first
    cut = first[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:-–—") + "…"


def holding_stories(
    scores: Sequence[db.TopStory], definitions: Definitions, day: date
) -> dict[str, list[tuple[float, db.TopStory]]]:
    """Per scenario, the stories that hold today's index up: each stored story score decayed to
    ``day`` with the scenario's half-life (the index is the decayed sum of the days' raw sums), summed
    over the days a story scored, largest first; shown with the strongest day's item."""
    found: dict[str, list[tuple[float, db.TopStory]]] = {}
    for sid, scenario in definitions.scenarios.scenarios.items():
        decay = 2.0 ** (-1.0 / scenario.half_life_days)
        by_story: dict[int, tuple[float, db.TopStory]] = {}
        for s in scores:
            if s.scenario_id != sid or s.day > day:
                continue
            share = s.value * decay ** (day - s.day).days
            key = s.story_key or -s.item_id
            total, strongest = by_story.get(key, (0.0, s))
            by_story[key] = (total + share, s if abs(s.value) > abs(strongest.value) else strongest)
        ranked = sorted(by_story.values(), key=lambda pair: (-pair[0], pair[1].item_id))
        found[sid] = [(value, s) for value, s in ranked if value >= HOLDING_MIN][:HOLDING_SHOWN]
    return found


def build_digest(
    database: db.Database, config: Config, definitions: Definitions, day: date, *, now: datetime
) -> Digest:
    tz = config.schedule.tzinfo
    first = day - timedelta(days=HISTORY_DAYS - 1)
    rows = [r for r in db.load_trend(database, since=first) if r.day <= day]
    health = _feed_health(database, now)
    problems, feeds = health.problems, health.feeds
    # Never-polled feeds are not healthy: a language they alone cover is thin.
    healthy_languages = {f.language for f in feeds if health.healthy(f)}
    thin_languages = tuple(sorted({f.language for f in feeds if f.language} - healthy_languages))
    snapshot = config_snapshot(config, definitions)
    stored = db.get_setting(database, LAST_DIGEST_SETTING)
    changes = config_changes(json.loads(stored) if stored else None, snapshot)
    has_data = any(r.day == day for r in rows)
    common = {
        "day": day,
        "generated_at": now.astimezone(tz),
        "timezone": tz.key,
        "feed_problems": tuple(problems),
        "feeds_total": len(feeds),
        "feeds_never_polled": len(health.never_polled),
        "thin_languages": thin_languages,
        "config_hash": definitions.scenarios.config_hash,
        "config_changes": changes,
        "novelty_days": TrendSettings().novelty_days,
        "alerts": alert_notes(database, definitions, now, tz),
    }
    if not has_data:
        return Digest(scenarios=(), has_data=False, **common)  # type: ignore[arg-type]

    scenarios = definitions.scenarios.scenarios
    indicators = definitions.indicators.indicators
    story_rows = db.top_stories(
        database, since=day - timedelta(days=STORY_WINDOW_DAYS - 1), until=day, limit=STORIES_SHOWN
    )
    held = holding_stories(db.story_scores(database, since=first, until=day), definitions, day)
    item_ids = sorted({s.item_id for s in story_rows} | {s.item_id for h in held.values() for _, s in h})
    evidence = db.item_evidence(database, item_ids)
    details = db.item_details(database, item_ids)
    thirty = db.top_stories(database, since=day - timedelta(days=29), until=day, limit=50)
    digests: list[ScenarioDigest] = []
    thin_scenarios: list[str] = []
    for sid, scenario in scenarios.items():
        history = [r for r in rows if r.scenario_id == sid]
        if not history:
            continue
        by_day = {r.day: r for r in history}
        today = by_day.get(day) or history[-1]
        yesterday = by_day.get(day - timedelta(days=1))
        week = by_day.get(day - timedelta(days=7))
        bands = tuple(LevelBand(t.level, t.up, t.down) for t in scenario.thresholds)
        stories: list[DigestStory] = []
        moves: dict[str, list[float]] = {}

        def story(
            s: db.TopStory, contribution: float, weights: Mapping[str, float] = scenario.weights
        ) -> DigestStory:
            detail = details.get(s.item_id)
            fired = evidence.get(s.item_id, [])
            summary = detail.summary if detail else ""
            title, derived = (s.title, False) if s.title.strip() else (derived_headline(summary), True)
            return DigestStory(
                title=title,
                title_derived=derived,
                summary=summary,
                url=s.url,
                feed=s.feed_name,
                day=s.day,
                contribution=contribution,
                sources=s.sources,
                indicators=s.indicator_ids,
                phrases=_phrases([m for m in fired if m.indicator_id in weights]),
                item_id=s.item_id,
            )

        holding = tuple(story(s, value) for value, s in held.get(sid, ()))
        for s in (s for s in story_rows if s.scenario_id == sid):
            detail = details.get(s.item_id)
            reliability = detail.reliability if detail else 1.0
            fired = evidence.get(s.item_id, [])
            stories.append(story(s, s.value))
            for match in fired:
                if match.indicator_id in scenario.weights:
                    moves.setdefault(match.indicator_id, []).append(
                        scenario.weights[match.indicator_id] * match.polarity * reliability
                    )
        movers = sorted(
            (
                IndicatorMove(i, indicators[i].label, int(indicators[i].polarity), sum(v), len(v))
                for i, v in moves.items()
                if i in indicators
            ),
            key=lambda m: (-abs(m.contribution), m.indicator_id),
        )
        recent_rows = [r for r in history if r.day > day - timedelta(days=STORY_WINDOW_DAYS)]
        novel = tuple(
            IndicatorRef(i, indicators[i].label if i in indicators else i, r.day)
            for r in recent_rows
            for i in r.novel
        )
        seen = {i for r in history for i in r.indicator_ids}
        not_observed = tuple(
            IndicatorRef(i, indicators[i].label)
            for i in sorted(scenario.weights)
            if i in indicators and int(indicators[i].polarity) > 0 and i not in seen
        )
        contributors = {s.feed_name for s in thirty if s.scenario_id == sid}
        unhealthy_names = {f.name for f in feeds if not health.healthy(f)}
        if contributors and contributors <= unhealthy_names:
            thin_scenarios.append(sid)
        digests.append(
            ScenarioDigest(
                id=sid,
                title=scenario.title,
                level=today.level,
                index=today.index,
                change_1d=today.index - (yesterday.index if yesterday else 0.0),
                change_7d=today.index - (week.index if week else 0.0),
                bands=bands,
                history=tuple(DayPoint(r.day, r.index, r.raw, r.level, r.spike) for r in history),
                movers=tuple(m for m in movers if m.polarity > 0)[:MOVERS_SHOWN],
                stories=tuple(stories),
                counter_indicators=tuple(m for m in movers if m.polarity < 0),
                novel=novel,
                not_observed=not_observed,
                level_changed_from=yesterday.level if yesterday and yesterday.level != today.level else None,
                holding=holding,
            )
        )
    digests.sort(key=lambda s: (-_level_rank(s.level, s.bands), -s.change_1d, -s.index, s.id))
    return Digest(scenarios=tuple(digests), thin_scenarios=tuple(thin_scenarios), **common)  # type: ignore[arg-type]


def alert_notes(
    database: db.Database, definitions: Definitions, now: datetime, tz: tzinfo
) -> tuple[AlertNote, ...]:
    """The alerts stored since the last digest that was written (the last day when there is none)."""
    finished = [
        r for r in db.recent_runs(database, db.RunKind.DIGEST, limit=20) if r.outcome == db.RunOutcome.OK
    ]
    since = finished[0].started_at if finished else now - timedelta(days=1)
    scenarios = definitions.scenarios.scenarios
    notes = []
    for alert in reversed(db.recent_alerts(database, since=since, limit=ALERTS_SHOWN)):
        title = scenarios[alert.scenario_id].title if alert.scenario_id in scenarios else alert.scenario_id
        states = " · ".join(
            f"{d.channel} {d.status.value}" + (f" ({d.attempts} attempts)" if d.attempts > 1 else "")
            for d in alert.deliveries
        )
        notes.append(
            AlertNote(
                created_at=alert.created_at.astimezone(tz),
                scenario=title,
                kind=alert.kind.value,
                level=Level(alert.level),
                previous_level=Level(alert.previous_level),
                index=alert.index,
                deliveries=states,
            )
        )
    return tuple(notes)


def remember_config(database: db.Database, config: Config, definitions: Definitions) -> None:
    db.set_setting(
        database, LAST_DIGEST_SETTING, json.dumps(config_snapshot(config, definitions), sort_keys=True)
    )
