"""A look at the stored trend: each scenario's latest row against what the last look remembered.

Decisions are made first (``rules.decide``, pure); then each scenario's step is stored on its own
with ``db.apply_alert_step``, which refuses it when another daemon stored a step from the same
memory first. That daemon decided from the same rows, so the change makes one alert either way.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

import db
from monitor.alerts.payload import alert_payload
from monitor.alerts.rules import AlertRules, decide
from monitor.analysis import Definitions
from monitor.config.model import Config
from monitor.pipeline.trend_refresh import local_day
from scenarios import BASE_LEVEL

__all__ = ["TOP_STORIES", "evaluate_alerts", "rules_of"]

log = logging.getLogger(__name__)

TOP_STORIES = 5
# Rows read back per look: the latest row and the one before it are enough, a week covers a
# daemon that was stopped for a few days without a trend refresh.
LOOK_BACK = timedelta(days=7)


def rules_of(config: Config) -> AlertRules:
    alerts = config.alerts
    return AlertRules(
        min_level=alerts.min_level,
        spikes=alerts.spikes,
        cooldown=alerts.cooldown,
        rearm_margin=alerts.rearm_margin,
    )


def _digest_link(config: Config) -> str | None:
    base = config.alerts.digest_url
    if base is None:
        return None
    newest = _newest_digest(config.digest.output_dir)
    return None if newest is None else base.rstrip("/") + "/" + newest


def _newest_digest(folder: Path) -> str | None:
    try:
        names = sorted(p.name for p in folder.glob("????-??-??.html"))
    except OSError:
        return None
    return names[-1] if names else None


def evaluate_alerts(
    database: db.Database, config: Config, definitions: Definitions, *, now: datetime
) -> list[db.NewAlert]:
    """Store the alerts the latest trend rows make; returns those this call stored. Nothing is
    recorded while ``alerts.channels`` is empty."""
    channels = tuple(config.alerts.channels)
    if not channels:
        return []
    rules = rules_of(config)
    today = local_day(now, config.schedule.tzinfo)
    rows = [r for r in db.load_trend(database, since=today - LOOK_BACK) if r.day <= today]
    memory = db.load_alert_memory(database)
    stored: list[db.NewAlert] = []
    for scenario_id, scenario in definitions.scenarios.scenarios.items():
        history = [r for r in rows if r.scenario_id == scenario_id]
        if not history:
            continue
        row = history[-1]
        before = memory.get(scenario_id)
        decision = decide(
            scenario,
            row,
            before,
            day_before_level=history[-2].level if len(history) > 1 else BASE_LEVEL,
            now=now,
            rules=rules,
        )
        if decision is None:
            continue
        alerts: list[db.NewAlert] = []
        if decision.events:
            stories = db.top_stories(
                database,
                since=row.day - timedelta(days=1),
                until=row.day,
                scenario_id=scenario_id,
                limit=TOP_STORIES,
            )
            link = _digest_link(config)
            for event in decision.events:
                key = f"{scenario_id}:{decision.memory.generation}:{event.kind.value}"
                alerts.append(
                    db.NewAlert(
                        key=key,
                        scenario_id=scenario_id,
                        kind=event.kind,
                        level=event.level,
                        previous_level=event.previous_level,
                        day=row.day,
                        index=row.index,
                        created_at=now,
                        payload=alert_payload(
                            key=key,
                            kind=event.kind,
                            scenario_id=scenario_id,
                            title=scenario.title,
                            level=event.level,
                            previous_level=event.previous_level,
                            row_index=row.index,
                            day=row.day,
                            spike=event.spike,
                            stories_today=row.stories,
                            created_at=now,
                            stories=stories,
                            digest_url=link,
                        ),
                        channels=channels,
                    )
                )
        if db.apply_alert_step(database, before, decision.memory, alerts):
            for alert in alerts:
                log.info(
                    "alert %s scenario=%s level=%s previous=%s index=%.2f channels=%s",
                    alert.kind.value,
                    scenario_id,
                    alert.level,
                    alert.previous_level,
                    alert.index,
                    ",".join(channels),
                )
            stored.extend(alerts)
        else:
            log.debug("alert step for %s was stored by another worker", scenario_id)
    return stored
