"""The alert rule as a pure function: rise, cooldown, re-arming with a margin, spikes, first look."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import db
from monitor.alerts.rules import AlertRules, Decision, decide, level_rank
from scenarios import DailyTrend, Level, Scenario, Threshold

SCENARIO = Scenario(
    id="s",
    title="S",
    description="",
    weights={"x": 1.0},
    thresholds=(
        Threshold(Level("watch"), 4.0, 2.0),
        Threshold(Level("warning"), 10.0, 6.0),
        Threshold(Level("alert"), 20.0, 14.0),
    ),
    half_life_days=7.0,
    relevance_threshold=1.0,
    file="test",
)
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DAY = date(2026, 12, 1)
RULES = AlertRules(cooldown=timedelta(hours=6))


def row(level: str, index: float, *, spike: bool = False, day: date = DAY) -> DailyTrend:
    return DailyTrend("s", day, 0.0, index, Level(level), spike, 1, 1, (), (), "h")


class Looks:
    """Successive looks at the trend, each from the memory the previous one stored."""

    def __init__(self, rules: AlertRules = RULES, first_day_level: str = "calm") -> None:
        self.rules = rules
        self.memory: db.AlertMemory | None = None
        self.first_day_level = first_day_level

    def look(self, trend: DailyTrend, at: datetime) -> list[tuple[str, str, str]]:
        decision: Decision | None = decide(
            SCENARIO, trend, self.memory, day_before_level=self.first_day_level, now=at, rules=self.rules
        )
        if decision is None:
            return []
        assert decision.memory.generation == (self.memory.generation if self.memory else 0) + 1
        self.memory = decision.memory
        return [(e.kind.value, e.level, e.previous_level) for e in decision.events]


def test_a_rise_alerts_once_and_a_steady_level_writes_nothing() -> None:
    looks = Looks()
    assert looks.look(row("calm", 1.0), T0) == []
    assert looks.look(row("watch", 5.0), T0 + timedelta(minutes=1)) == [("level", "watch", "calm")]
    before = looks.memory
    assert decide(SCENARIO, row("watch", 5.5), before, day_before_level="calm", now=T0, rules=RULES) is None


def test_a_flap_inside_the_cooldown_sends_nothing_and_is_not_sent_later() -> None:
    looks = Looks()
    looks.look(row("calm", 1.0), T0)
    assert looks.look(row("watch", 4.5), T0 + timedelta(minutes=1)) == [("level", "watch", "calm")]
    assert looks.look(row("calm", 1.5), T0 + timedelta(hours=1)) == []
    assert looks.look(row("watch", 4.2), T0 + timedelta(hours=2)) == []
    # still at watch once the cooldown is over: the held-back rise is not announced late
    assert looks.look(row("watch", 4.3), T0 + timedelta(hours=9)) == []


def test_after_the_cooldown_a_new_rise_alerts_again() -> None:
    looks = Looks()
    looks.look(row("calm", 1.0), T0)
    looks.look(row("watch", 4.5), T0)
    looks.look(row("calm", 1.0), T0 + timedelta(hours=7))
    assert looks.look(row("watch", 4.5), T0 + timedelta(hours=8)) == [("level", "watch", "calm")]


def test_a_rise_above_the_last_alerted_level_alerts_inside_the_cooldown() -> None:
    looks = Looks()
    looks.look(row("calm", 1.0), T0)
    looks.look(row("watch", 5.0), T0)
    assert looks.look(row("warning", 11.0), T0 + timedelta(minutes=5)) == [("level", "warning", "watch")]


def test_several_levels_in_one_look_make_one_alert_at_the_top() -> None:
    looks = Looks()
    looks.look(row("calm", 0.0), T0)
    assert looks.look(row("alert", 25.0), T0) == [("level", "alert", "calm")]


def test_rearming_needs_the_index_below_down_minus_the_margin() -> None:
    looks = Looks(replace(RULES, cooldown=timedelta(minutes=1), rearm_margin=1.0))
    looks.look(row("calm", 0.0), T0)
    looks.look(row("watch", 5.0), T0)
    # left watch (index below its down of 2), but not by the margin: still armed at watch
    looks.look(row("calm", 1.5), T0 + timedelta(hours=1))
    assert looks.memory is not None and looks.memory.armed_level == "watch"
    assert looks.look(row("watch", 4.0), T0 + timedelta(hours=2)) == []
    # below 2 − 1: re-armed, so the next entry alerts
    looks.look(row("calm", 0.9), T0 + timedelta(hours=3))
    assert looks.memory is not None and looks.memory.armed_level == "calm"
    assert looks.look(row("watch", 4.0), T0 + timedelta(hours=4)) == [("level", "watch", "calm")]


def test_min_level_keeps_lower_rises_quiet() -> None:
    looks = Looks(replace(RULES, min_level="warning"))
    looks.look(row("calm", 0.0), T0)
    assert looks.look(row("watch", 5.0), T0) == []
    assert looks.look(row("warning", 10.0), T0) == [("level", "warning", "watch")]


def test_a_spike_alerts_once_a_day_and_rides_in_a_level_alert() -> None:
    looks = Looks()
    looks.look(row("watch", 5.0), T0)
    assert looks.look(row("watch", 5.0, spike=True), T0) == [("spike", "watch", "watch")]
    assert looks.look(row("watch", 5.5, spike=True), T0 + timedelta(hours=1)) == []
    next_day = DAY + timedelta(days=1)
    decision = decide(
        SCENARIO,
        row("warning", 12.0, spike=True, day=next_day),
        looks.memory,
        day_before_level="calm",
        now=T0 + timedelta(days=1),
        rules=RULES,
    )
    assert decision is not None
    assert [(e.kind.value, e.spike) for e in decision.events] == [("level", True)]
    assert decision.memory.last_spike_day == next_day


def test_spikes_can_be_switched_off() -> None:
    looks = Looks(replace(RULES, spikes=False))
    looks.look(row("watch", 5.0), T0)
    assert looks.look(row("watch", 5.0, spike=True), T0) == []


def test_the_first_look_takes_the_day_before_as_notified() -> None:
    standing = Looks(first_day_level="warning")
    assert standing.look(row("warning", 11.0), T0) == []
    rising = Looks(first_day_level="calm")
    assert rising.look(row("warning", 11.0), T0) == [("level", "warning", "calm")]


def test_level_rank_orders_by_up_and_ignores_unknown_levels() -> None:
    assert [level_rank(SCENARIO, name) for name in ("calm", "watch", "warning", "alert", "gone", None)] == [
        0, 1, 2, 3, 0, 0,
    ]  # fmt: skip
