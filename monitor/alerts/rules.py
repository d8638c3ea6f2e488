"""When a look at the trend makes an alert: a pure decision over one scenario's latest row and what
was remembered from the last look (no clock, no database: ``now`` is given).

The rule, per scenario:

- **Rise.** The row's level ranks above the *armed* level (the highest level already notified, or
  passed over, and not re-armed since): the rise alerts, unless the level is below ``min_level``
  or the cooldown holds it back. Either way the new level becomes the armed one, so a rise that was
  held back is not notified later either.
- **Cooldown.** Within ``cooldown`` of the last alert, a rise to a level no higher than that
  alert's level sends nothing: a level that flaps (watch → calm → watch) notifies once. A rise above
  the last alert's level alerts at once, cooldown or not: it is news.
- **Hysteresis (re-arming).** The scenario's own thresholds already keep a level from flapping at
  its ``up`` (a level is left only below its ``down``). On top of that, a notified level is re-armed
  only at a look where the index is below that level's ``down`` minus ``rearm_margin``; only then can
  entering it again alert.
- **Spike.** A spike alerts once per scenario and day (no cooldown: the volume test is already
  strict). A spike on the day of a level alert rides in that alert instead of making a second one.
- **First look.** With nothing remembered (a new database, or alerts just switched on), the level
  of the day before the row is taken as already notified: switching alerts on does not announce the
  level a scenario has stood at for a week, but a rise today does alert.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from db.types import AlertKind, AlertMemory
from scenarios import BASE_LEVEL, DailyTrend, Level, Scenario

__all__ = ["AlertEvent", "AlertRules", "Decision", "decide", "level_rank"]


@dataclass(frozen=True, slots=True)
class AlertRules:
    min_level: str | None = None
    spikes: bool = True
    cooldown: timedelta = timedelta(hours=6)
    rearm_margin: float = 0.0


@dataclass(frozen=True, slots=True)
class AlertEvent:
    kind: AlertKind
    level: Level
    previous_level: Level
    spike: bool


@dataclass(frozen=True, slots=True)
class Decision:
    memory: AlertMemory  # to store, one generation on from the memory the decision was made from
    events: tuple[AlertEvent, ...]


def level_rank(scenario: Scenario, level: str | None) -> int:
    """0 for the base level (and a level the thresholds no longer name), 1 for the first threshold …"""
    names = [t.level for t in sorted(scenario.thresholds, key=lambda t: t.up)]
    return names.index(Level(level)) + 1 if level in names else 0


def _level_at(scenario: Scenario, rank: int) -> Level:
    ordered = sorted(scenario.thresholds, key=lambda t: t.up)
    return ordered[rank - 1].level if rank > 0 else BASE_LEVEL


def decide(
    scenario: Scenario,
    row: DailyTrend,
    memory: AlertMemory | None,
    *,
    day_before_level: str,
    now: datetime,
    rules: AlertRules,
) -> Decision | None:
    """The alerts this look makes and the memory to store; None when nothing changed (no write)."""
    if memory is None:
        start = AlertMemory(
            scenario_id=scenario.id, generation=0, seen_level=day_before_level, armed_level=day_before_level
        )
    else:
        start = memory
    ordered = sorted(scenario.thresholds, key=lambda t: t.up)
    rank = level_rank(scenario, row.level)
    armed = min(level_rank(scenario, start.armed_level), len(ordered))
    while armed > rank and row.index < ordered[armed - 1].down - rules.rearm_margin:
        armed -= 1
    events: list[AlertEvent] = []
    after = start
    spike_due = rules.spikes and row.spike and start.last_spike_day != row.day
    if rank > armed:
        floor = level_rank(scenario, rules.min_level) or 1
        cooling = (
            start.last_alert_at is not None
            and now - start.last_alert_at < rules.cooldown
            and rank <= level_rank(scenario, start.last_alert_level)
        )
        if rank >= floor and not cooling:
            events.append(AlertEvent(AlertKind.LEVEL, row.level, Level(start.seen_level), row.spike))
            after = replace(after, last_alert_at=now, last_alert_level=row.level)
            if spike_due:
                after = replace(after, last_spike_day=row.day)
                spike_due = False
        armed = rank
    if spike_due:
        events.append(AlertEvent(AlertKind.SPIKE, row.level, Level(start.seen_level), True))
        after = replace(after, last_spike_day=row.day)
    after = replace(after, seen_level=row.level, armed_level=_level_at(scenario, armed))
    if memory is not None and after == memory:
        return None
    return Decision(replace(after, generation=start.generation + 1), tuple(events))
