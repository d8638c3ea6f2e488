"""The daily trend on hand-computed values (docs/trend.md works the same numbers), and its invariants."""

from __future__ import annotations

import math
import random
import textwrap
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal, getcontext
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators import Match, MatchResult, Polarity, load_indicators
from scenarios import (
    BASE_LEVEL,
    DailyTrend,
    ItemFacts,
    ScenarioSet,
    TrendResult,
    TrendSettings,
    compute_trend,
    config_hash,
    load_scenarios,
    score_item,
)
from scenarios._trend import poisson_upper_tail

# The trend never reads patterns, only indicator ids and polarities; each indicator fires on one word.
INDICATORS_YAML = """
vocabularies:
  a: {terms: ["aword"]}
  b: {terms: ["bword"]}
  c: {terms: ["cword"]}
  w: {terms: ["wword"]}
  x: {terms: ["xword"]}
  u: {terms: ["uword"]}
indicators:
  - {id: esc_a, label: A, polarity: escalation, source: test, all: [a]}
  - {id: esc_b, label: B, polarity: escalation, source: test, all: [b]}
  - {id: de_c, label: C, polarity: deescalation, source: test, all: [c]}
  - {id: weak, label: W, polarity: escalation, source: test, all: [w]}
  - {id: other_x, label: X, polarity: escalation, source: test, all: [x]}
  - {id: unweighed, label: U, polarity: escalation, source: test, all: [u]}
"""

# t_main halves every day (half-life 1), so indices are easy to follow by hand; it adds its
# indicators plainly (stacking_share 1) so that these sums are the trend's, not the stacking rule's.
SCENARIOS_YAML = """
scenarios:
  t_main:
    title: Main test scenario
    relevance_threshold: 1.0
    stacking_share: 1
    half_life_days: 1
    thresholds:
      - {level: watch, up: 2.0, down: 1.0}
      - {level: warning, up: 5.0, down: 3.0}
      - {level: alert, up: 9.0, down: 7.0}
    indicators: {esc_a: 2.0, esc_b: 1.5, de_c: 1.0, weak: 0.5}
  t_other:
    title: Other test scenario
    relevance_threshold: 0.5
    half_life_days: 7
    thresholds:
      - {level: watch, up: 1.0, down: 0.5}
    indicators: {esc_a: 1.0, weak: 0.5, other_x: 1.0}
"""

POLARITY = {"esc_a": 1, "esc_b": 1, "de_c": -1, "weak": 1, "other_x": 1, "unweighed": 1}
D0 = date(2024, 3, 1)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


@pytest.fixture(scope="module")
def scenario_set(tmp_path_factory: pytest.TempPathFactory) -> ScenarioSet:
    folder = tmp_path_factory.mktemp("trend")
    indicators_file = folder / "indicators.yaml"
    indicators_file.write_text(textwrap.dedent(INDICATORS_YAML), encoding="utf-8")
    scenarios_file = folder / "scenarios.yaml"
    scenarios_file.write_text(textwrap.dedent(SCENARIOS_YAML), encoding="utf-8")
    indicators = load_indicators([indicators_file], include_shipped=False)
    return load_scenarios(indicators, [Path(scenarios_file)], include_shipped=False)


_ids = iter(range(1_000_000, 2_000_000))


def fact(
    n: int,
    *indicators: str,
    item_id: int | None = None,
    story: int | None = None,
    feed: int = 1,
    reliability: float = 1.0,
    title: str = "",
) -> ItemFacts:
    """An item on day ``n`` firing ``indicators`` (polarity from the fixture's definitions)."""
    return ItemFacts(
        item_id=next(_ids) if item_id is None else item_id,
        story_id=story,
        feed_id=feed,
        day=day(n),
        reliability=reliability,
        indicators=tuple((i, POLARITY[i]) for i in indicators),
        title=title,
    )


def valued(n: int, value: float, **kwargs: object) -> ItemFacts:
    """A lone item worth ``value`` to t_main: esc_a (weight 2) or de_c (weight 1) scaled by reliability."""
    if value >= 0:
        return fact(n, "esc_a", reliability=value / 2, **kwargs)  # type: ignore[arg-type]
    return fact(n, "de_c", reliability=-value, **kwargs)  # type: ignore[arg-type]


def main_rows(result: TrendResult) -> tuple[DailyTrend, ...]:
    return result.days["t_main"]


# --- index and levels ----------------------------------------------------------------------------------


def test_index_decays_with_the_half_life(scenario_set: ScenarioSet) -> None:
    facts = [valued(0, 2.0), valued(0, 2.0), valued(2, 2.0), valued(5, 3.0)]
    result = compute_trend(facts, scenario_set, last_day=day(6))
    rows = main_rows(result)
    # half-life 1: index_d = index_(d-1) / 2 + raw_d
    assert [r.raw for r in rows] == pytest.approx([4.0, 0.0, 2.0, 0.0, 0.0, 3.0, 0.0])
    assert [r.index for r in rows] == pytest.approx([4.0, 2.0, 3.0, 1.5, 0.75, 3.375, 1.6875])
    assert [r.items for r in rows] == [2, 0, 1, 0, 0, 1, 0]
    assert [r.stories for r in rows] == [2, 0, 1, 0, 0, 1, 0]
    # t_other (half-life 7) weighs esc_a 1.0 at reliability 1, 1, 1 and 1.5
    other = result.days["t_other"]
    k = 2 ** (-1 / 7)
    assert other[0].raw == pytest.approx(2.0)
    assert other[2].index == pytest.approx(2.0 * k**2 + 1.0)
    assert other[6].index == pytest.approx(2.0 * k**6 + 1.0 * k**4 + 1.5 * k)


def test_hysteresis_keeps_a_hovering_index_at_its_level(scenario_set: ScenarioSet) -> None:
    # Indices 2.2, 1.8, 2.1, 1.9, 2.05 cross watch's up (2.0) every day: a single cut would flap.
    raws = [[2.2], [1.7, -1.0], [1.2], [1.85, -1.0], [1.1], [], []]
    facts = [valued(n, v) for n, values in enumerate(raws) for v in values]
    rows = main_rows(compute_trend(facts, scenario_set, last_day=day(6)))
    assert [r.index for r in rows] == pytest.approx([2.2, 1.8, 2.1, 1.9, 2.05, 1.025, 0.5125])
    assert [r.level for r in rows] == ["watch"] * 6 + [BASE_LEVEL]


def test_a_level_is_entered_at_up_and_left_below_down(scenario_set: ScenarioSet) -> None:
    # 2.0 reaches up exactly; 1.0 is not below down; 0.5 is.
    facts = [valued(0, 2.0)]
    rows = main_rows(compute_trend(facts, scenario_set, last_day=day(2)))
    assert [(r.index, r.level) for r in rows] == [(2.0, "watch"), (1.0, "watch"), (0.5, BASE_LEVEL)]


def test_one_day_can_jump_several_levels_either_way(scenario_set: ScenarioSet) -> None:
    facts = [valued(1, 10.0), valued(2, -10.0), valued(3, 8.0)]
    rows = main_rows(compute_trend(facts, scenario_set, first_day=day(0), last_day=day(4)))
    # indices 0, 10, -5, 5.5, 2.75
    assert [r.index for r in rows] == pytest.approx([0.0, 10.0, -5.0, 5.5, 2.75])
    assert [r.level for r in rows] == [BASE_LEVEL, "alert", BASE_LEVEL, "warning", "watch"]


def test_a_negative_index_stays_calm(scenario_set: ScenarioSet) -> None:
    rows = main_rows(compute_trend([valued(0, -4.0)], scenario_set, last_day=day(1)))
    assert [(r.raw, r.index, r.level) for r in rows] == [(-4.0, -4.0, BASE_LEVEL), (0.0, -2.0, BASE_LEVEL)]


# --- items, stories, relevance --------------------------------------------------------------------------


def test_a_story_counts_once_with_its_strongest_item_and_its_sources(scenario_set: ScenarioSet) -> None:
    facts = [
        fact(0, "esc_a", item_id=10, story=7, feed=1, title="ten"),  # 2.0
        fact(0, "esc_a", "esc_b", item_id=11, story=7, feed=2, title="eleven"),  # 3.5
        fact(0, "esc_b", item_id=12, story=7, feed=2, title="twelve"),  # 1.5
        fact(0, "weak", item_id=14, story=7, feed=4),  # 0.5: not relevant to t_main
        fact(3, "unweighed", item_id=13, story=7, feed=3),  # a later copy: a source, never a score
        fact(0, "esc_a", item_id=20, feed=1, title="lone"),
    ]
    result = compute_trend(facts, scenario_set, last_day=day(3))
    first = main_rows(result)[0]
    assert (first.raw, first.items, first.stories) == (5.5, 4, 2)
    assert first.indicator_ids == ("esc_a", "esc_b")
    stories = [s for s in result.stories if s.scenario_id == "t_main"]
    assert [(s.story_key, s.item_id, s.value, s.items, s.sources, s.title) for s in stories] == [
        (7, 11, 3.5, 3, 4, "eleven"),
        (-20, 20, 2.0, 1, 1, "lone"),
    ]
    assert stories[0].indicators == ("esc_a", "esc_b")
    assert stories[0].day == day(0)
    # t_other (relevance 0.5) sees items 10, 11 (esc_a 1.0) and 14 (weak 0.5) of story 7: once, at 1.0
    other = result.days["t_other"][0]
    assert (other.raw, other.items, other.stories) == (2.0, 4, 2)
    assert other.indicator_ids == ("esc_a", "weak")


def test_an_item_counts_in_the_trend_with_its_scenarios_stacking_rule(scenario_set: ScenarioSet) -> None:
    # t_other keeps the default share 0.5: esc_a 1.0 + other_x 1.0 + weak 0.5 → 1.0 + 0.5 + 0.125;
    # t_main (share 1) adds esc_a 2.0 + weak 0.5 plainly
    result = compute_trend([fact(0, "esc_a", "other_x", "weak", item_id=1)], scenario_set, last_day=day(0))
    assert result.days["t_other"][0].raw == pytest.approx(1.625)
    assert main_rows(result)[0].raw == pytest.approx(2.5)
    assert scenario_set.scenarios["t_other"].stacking_share == 0.5


def test_strongest_item_ties_go_to_the_lowest_item_id(scenario_set: ScenarioSet) -> None:
    facts = [
        fact(0, "esc_a", item_id=20, story=1),  # +2
        fact(0, "de_c", item_id=19, story=1, reliability=2.0),  # -2: same strength, lower id
        fact(0, "esc_a", item_id=21, story=1),  # +2
    ]
    result = compute_trend(facts, scenario_set, last_day=day(0))
    (story,) = [s for s in result.stories if s.scenario_id == "t_main"]
    assert (story.item_id, story.value, story.items) == (19, -2.0, 3)
    assert main_rows(result)[0].raw == -2.0


def test_a_story_on_two_days_counts_on_each(scenario_set: ScenarioSet) -> None:
    facts = [fact(0, "esc_a", story=5, feed=1), fact(1, "esc_b", story=5, feed=2)]
    result = compute_trend(facts, scenario_set, last_day=day(1))
    assert [(r.raw, r.stories) for r in main_rows(result)] == [(2.0, 1), (1.5, 1)]
    assert [(s.day, s.value, s.sources) for s in result.stories if s.scenario_id == "t_main"] == [
        (day(0), 2.0, 2),
        (day(1), 1.5, 2),
    ]


def test_only_relevant_items_count(scenario_set: ScenarioSet) -> None:
    facts = [
        fact(0, "weak"),  # 0.5 < 1.0: not relevant to t_main (relevant to t_other: 0.5 >= 0.5)
        fact(0, "weak", reliability=2.0),  # exactly 1.0: relevant
        fact(0, "esc_b", "de_c"),  # 1.5 - 1.0 = 0.5: not relevant
        fact(0, "esc_a", "de_c"),  # 2.0 - 1.0 = 1.0: relevant
        fact(0, "unweighed", "other_x"),  # t_main weighs neither
    ]
    result = compute_trend(facts, scenario_set, last_day=day(0))
    row = main_rows(result)[0]
    assert (row.raw, row.items, row.stories) == (2.0, 2, 2)
    assert row.indicator_ids == ("de_c", "esc_a", "weak")  # esc_b fired only in an irrelevant item
    other = result.days["t_other"][0]
    assert (other.raw, other.items) == (0.5 + 1.0 + 1.0 + 1.0, 4)  # weak, weak x2, esc_a, other_x


@given(
    indicators=st.lists(st.sampled_from(sorted(POLARITY)), max_size=5),
    polarities=st.lists(st.sampled_from([1, -1]), min_size=5, max_size=5),
    reliability=st.sampled_from([0.0, 0.3, 0.5, 1.0, 1.7, 2.0]),
)
@settings(max_examples=200, deadline=None)
def test_one_item_scores_as_score_item_does(
    scenario_set: ScenarioSet, indicators: list[str], polarities: list[int], reliability: float
) -> None:
    fired = tuple(zip(indicators, polarities, strict=False))
    item = ItemFacts(1, None, 1, D0, reliability, fired)
    result = compute_trend([item], scenario_set, last_day=D0)
    expected = score_item(
        MatchResult(tuple(Match(i, Polarity(p), ()) for i, p in fired), ()), scenario_set, reliability
    )
    for scenario_id, contribution in expected.items():
        row = result.days[scenario_id][0]
        assert row.raw == (contribution.value if contribution.relevant else 0.0)
        assert row.items == int(contribution.relevant)


# --- spikes --------------------------------------------------------------------------------------------


SPIKES = TrendSettings(spike_baseline_days=7, spike_alpha=0.01, spike_min_stories=3, spike_min_baseline=0.25)


def stories_per_day(counts: list[int]) -> list[ItemFacts]:
    return [valued(n, 2.0) for n, count in enumerate(counts) for _ in range(count)]


def spikes(scenario_set: ScenarioSet, counts: list[int]) -> list[bool]:
    facts = stories_per_day(counts)
    result = compute_trend(
        facts, scenario_set, first_day=day(0), last_day=day(len(counts) - 1), settings=SPIKES
    )
    assert [r.stories for r in main_rows(result)] == counts
    return [r.spike for r in main_rows(result)]


def test_poisson_tail_on_hand_computed_values() -> None:
    # P(X >= 3 | 0.25) = 1 - e^-0.25 (1 + 0.25 + 0.25²/2) = 0.00216149669...
    assert poisson_upper_tail(3, 0.25) == pytest.approx(1 - math.exp(-0.25) * 1.28125, rel=1e-12)
    assert poisson_upper_tail(3, 0.25) == pytest.approx(0.00216149669, rel=1e-9)
    # P(X >= 3 | 3) = 1 - e^-3 (1 + 3 + 4.5) = 0.5768099189...
    assert poisson_upper_tail(3, 3.0) == pytest.approx(0.5768099189, rel=1e-9)
    assert poisson_upper_tail(2, 0.25) == pytest.approx(1 - math.exp(-0.25) * 1.25, rel=1e-12)
    assert poisson_upper_tail(0, 5.0) == 1.0
    assert poisson_upper_tail(1, 5.0) == pytest.approx(1 - math.exp(-5.0), rel=1e-14)
    assert poisson_upper_tail(4, 0.0) == 0.0


def _exact_tail(k: int, lam: int) -> float:
    getcontext().prec = 80
    term = (-Decimal(lam)).exp()
    cdf = Decimal(0)
    for j in range(k):
        cdf += term
        term = term * lam / (j + 1)
    return float(1 - cdf)


@pytest.mark.parametrize(
    ("k", "lam"), [(1, 1), (5, 2), (12, 2), (30, 2), (40, 50), (50, 50), (65, 50), (120, 50), (850, 800)]
)
def test_poisson_tail_matches_high_precision_sums(k: int, lam: int) -> None:
    # lam = 800 underflows exp(-lam) in floats; the log-space start must not
    assert poisson_upper_tail(k, float(lam)) == pytest.approx(_exact_tail(k, lam), rel=1e-10)


def test_a_quiet_baseline_is_guarded_by_the_minimum_rate(scenario_set: ScenarioSet) -> None:
    # baseline mean 0 -> lambda 0.25; P(X >= 3) = 0.0022 < 0.01; P(X >= 2) = 0.026 and 2 < min stories
    assert spikes(scenario_set, [0] * 7 + [3]) == [False] * 7 + [True]
    assert spikes(scenario_set, [0] * 7 + [2]) == [False] * 8


def test_a_busy_baseline_absorbs_the_same_count(scenario_set: ScenarioSet) -> None:
    # lambda 3: P(X >= 3) = 0.58; 9 stories: P(X >= 9 | 3) = 0.0038 is a spike
    assert spikes(scenario_set, [3] * 7 + [3]) == [False] * 8
    assert spikes(scenario_set, [3] * 7 + [9]) == [False] * 7 + [True]
    assert poisson_upper_tail(9, 3.0) == pytest.approx(0.0038030, rel=1e-4)


def test_no_spike_without_a_previous_day_and_a_short_history_at_the_start(scenario_set: ScenarioSet) -> None:
    assert spikes(scenario_set, [10]) == [False]
    # day 1 has one day of baseline: mean 0 -> 0.25; day 2: mean (0 + 3) / 2 = 1.5, P(X >= 3) = 0.19
    assert spikes(scenario_set, [0, 3, 3]) == [False, True, False]


def test_the_baseline_window_is_the_previous_days_only(scenario_set: ScenarioSet) -> None:
    # Busy days 0-1 leave the 7-day window by day 9, whose baseline (days 2-8) is empty again.
    assert spikes(scenario_set, [10, 10, 0, 0, 0, 0, 0, 0, 0, 3]) == [False] * 9 + [True]
    # day 8 still sees day 1 in its window (days 1-7): lambda 10/7, P(X >= 3) = 0.17
    assert spikes(scenario_set, [10, 10, 0, 0, 0, 0, 0, 0, 3]) == [False] * 9


# --- novelty -------------------------------------------------------------------------------------------


def test_novel_indicators_did_not_fire_in_the_previous_window(scenario_set: ScenarioSet) -> None:
    facts = [
        fact(0, "esc_a"),
        fact(1, "esc_b"),
        fact(2, "weak"),  # 0.5: irrelevant to t_main, so it does not count as having fired
        fact(3, "esc_a"),  # fired on day 0, inside the window of days 0-2
        fact(3, "de_c"),  # never before
        fact(4, "weak", reliability=2.0),  # first relevant firing
        fact(4, "esc_a"),
        fact(5, "esc_b"),  # last fired on day 1, outside the window of days 2-4
    ]
    rows = main_rows(
        compute_trend(facts, scenario_set, last_day=day(5), settings=TrendSettings(novelty_days=3))
    )
    assert [r.indicator_ids for r in rows] == [
        ("esc_a",),
        ("esc_b",),
        (),
        ("de_c", "esc_a"),
        ("esc_a", "weak"),
        ("esc_b",),
    ]
    # the first novelty_days days of history report nothing new: everything would be
    assert [r.novel for r in rows] == [(), (), (), ("de_c",), ("weak",), ("esc_b",)]


# --- days and rows -------------------------------------------------------------------------------------


def test_every_day_is_present_even_when_empty(scenario_set: ScenarioSet) -> None:
    facts = [valued(2, 2.0), valued(5, 2.0)]
    result = compute_trend(facts, scenario_set, last_day=day(7))
    for scenario_id in ("t_main", "t_other"):
        assert [r.day for r in result.days[scenario_id]] == [day(n) for n in range(2, 8)]
        assert all(r.scenario_id == scenario_id for r in result.days[scenario_id])
    empty = main_rows(result)[1]
    assert (empty.raw, empty.items, empty.stories, empty.indicator_ids, empty.novel, empty.spike) == (
        0.0,
        0,
        0,
        (),
        (),
        False,
    )
    assert list(result.days) == ["t_main", "t_other"]


def test_first_and_last_day_bound_the_history(scenario_set: ScenarioSet) -> None:
    facts = [
        fact(0, "esc_a", story=1, feed=1),  # before first_day: no figure, but a source of story 1
        fact(2, "esc_a", story=1, feed=2),
        fact(9, "esc_a", story=1, feed=3),  # after last_day: ignored
    ]
    result = compute_trend(facts, scenario_set, first_day=day(1), last_day=day(3))
    rows = main_rows(result)
    assert [r.day for r in rows] == [day(1), day(2), day(3)]
    assert [r.index for r in rows] == [0.0, 2.0, 1.0]
    assert [(s.day, s.sources) for s in result.stories if s.scenario_id == "t_main"] == [(day(2), 2)]


def test_no_facts_give_one_calm_day(scenario_set: ScenarioSet) -> None:
    result = compute_trend([], scenario_set, last_day=day(4))
    assert {k: [(r.day, r.index, r.level) for r in v] for k, v in result.days.items()} == {
        "t_main": [(day(4), 0.0, BASE_LEVEL)],
        "t_other": [(day(4), 0.0, BASE_LEVEL)],
    }
    assert result.stories == ()


def test_rows_carry_the_config_hash(scenario_set: ScenarioSet) -> None:
    result = compute_trend([valued(0, 2.0)], scenario_set, last_day=day(1))
    expected = config_hash(scenario_set.scenarios, scenario_set.patterns_hash)
    assert scenario_set.config_hash == expected
    assert {r.config_hash for rows in result.days.values() for r in rows} == {expected}


def test_top_stories_keeps_the_strongest_of_each_day(scenario_set: ScenarioSet) -> None:
    facts = [valued(0, v, item_id=i) for i, v in enumerate([1.0, 3.0, -4.0, 2.0], start=1)]
    full = compute_trend(facts, scenario_set, last_day=day(0))
    top = compute_trend(facts, scenario_set, last_day=day(0), top_stories=2)
    assert [s.value for s in full.stories if s.scenario_id == "t_main"] == [-4.0, 3.0, 2.0, 1.0]
    assert [s.value for s in top.stories if s.scenario_id == "t_main"] == [-4.0, 3.0]
    assert top.days == full.days
    assert compute_trend(facts, scenario_set, last_day=day(0), top_stories=0).stories == ()


def test_bad_input_is_refused(scenario_set: ScenarioSet) -> None:
    with pytest.raises(ValueError, match="after last_day"):
        compute_trend([], scenario_set, first_day=day(2), last_day=day(1))
    with pytest.raises(ValueError, match="item 5 appears twice"):
        compute_trend([valued(0, 2.0, item_id=5), valued(1, 2.0, item_id=5)], scenario_set, last_day=day(1))
    bad_polarity = ItemFacts(6, None, 1, D0, 1.0, (("esc_a", 2),))
    with pytest.raises(ValueError, match=r"item 6: indicator 'esc_a' has polarity 2"):
        compute_trend([bad_polarity], scenario_set, last_day=D0)
    with pytest.raises(ValueError, match="item 7: feed reliability"):
        compute_trend([fact(0, "esc_a", item_id=7, reliability=-1.0)], scenario_set, last_day=D0)
    with pytest.raises(ValueError, match="top_stories"):
        compute_trend([], scenario_set, last_day=D0, top_stories=-1)


@pytest.mark.parametrize(
    "change",
    [
        {"spike_baseline_days": 0},
        {"novelty_days": 0},
        {"spike_alpha": 0.0},
        {"spike_alpha": 1.5},
        {"spike_min_baseline": 0.0},
        {"spike_min_stories": -1},
    ],
)
def test_bad_settings_are_refused(change: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="trend setting"):
        replace(TrendSettings(), **change)


# --- invariants ----------------------------------------------------------------------------------------

_INDICATOR_SETS = st.lists(st.sampled_from(sorted(POLARITY)), max_size=3, unique=True)


@st.composite
def fact_lists(draw: st.DrawFn) -> list[ItemFacts]:
    count = draw(st.integers(0, 30))
    return [
        ItemFacts(
            item_id=item_id,
            story_id=draw(st.one_of(st.none(), st.integers(1, 6))),
            feed_id=draw(st.integers(1, 4)),
            day=day(draw(st.integers(0, 9))),
            reliability=draw(st.sampled_from([0.5, 1.0, 1.3, 2.0])),
            indicators=tuple((i, POLARITY[i]) for i in draw(_INDICATOR_SETS)),
            title=f"item {item_id}",
        )
        for item_id in range(1, count + 1)
    ]


TIGHT = TrendSettings(spike_baseline_days=3, spike_min_stories=1, spike_alpha=0.2, novelty_days=2)


@given(facts=fact_lists(), seed=st.integers(0, 2**32))
@settings(max_examples=150, deadline=None)
def test_the_order_of_the_facts_never_matters(
    scenario_set: ScenarioSet, facts: list[ItemFacts], seed: int
) -> None:
    shuffled = list(facts)
    random.Random(seed).shuffle(shuffled)
    first = compute_trend(facts, scenario_set, last_day=day(10), settings=TIGHT)
    again = compute_trend(iter(shuffled), scenario_set, last_day=day(10), settings=TIGHT)
    assert first == again


@given(facts=fact_lists(), when=st.integers(0, 10), story=st.one_of(st.none(), st.integers(1, 6)))
@settings(max_examples=150, deadline=None)
def test_an_item_no_scenario_weighs_changes_nothing(
    scenario_set: ScenarioSet, facts: list[ItemFacts], when: int, story: int | None
) -> None:
    # Same feed as an existing fact of its story (or a lone item), so corroboration cannot change.
    feed = next((f.feed_id for f in facts if story is not None and f.story_id == story), 1)
    extra = ItemFacts(999, story, feed, day(when), 1.0, (("unweighed", 1),))
    before = compute_trend(facts, scenario_set, first_day=day(0), last_day=day(10), settings=TIGHT)
    after = compute_trend([*facts, extra], scenario_set, first_day=day(0), last_day=day(10), settings=TIGHT)
    assert before == after


@given(facts=fact_lists())
@settings(max_examples=100, deadline=None)
def test_day_figures_add_up_from_the_stories(scenario_set: ScenarioSet, facts: list[ItemFacts]) -> None:
    result = compute_trend(facts, scenario_set, first_day=day(0), last_day=day(10), settings=TIGHT)
    for scenario_id, rows in result.days.items():
        scenario = scenario_set.scenarios[scenario_id]
        decay = 2 ** (-1 / scenario.half_life_days)
        index = 0.0
        for row in rows:
            stories = [s for s in result.stories if s.scenario_id == scenario_id and s.day == row.day]
            assert row.stories == len(stories) == len({s.story_key for s in stories})
            assert row.items == sum(s.items for s in stories)
            assert row.raw == math.fsum(s.value for s in stories)
            assert all(abs(s.value) >= scenario.relevance_threshold - 1e-9 for s in stories)
            assert set(row.indicator_ids) == {i for s in stories for i in s.indicators}
            assert set(row.novel) <= set(row.indicator_ids)
            index = index * decay + row.raw
            assert row.index == pytest.approx(index)


def test_a_scaled_match_adds_its_share_of_the_weight(scenario_set: ScenarioSet) -> None:
    scaled = ItemFacts(9001, None, 1, day(0), 1.0, (("esc_a", 0.5),))
    rows = main_rows(compute_trend([scaled], scenario_set, last_day=day(0)))
    assert rows[0].raw == pytest.approx(1.0)  # esc_a weighs 2 in t_main, scaled by 0.5
    with pytest.raises(ValueError, match="times a factor"):
        compute_trend(
            [ItemFacts(9002, None, 1, day(0), 1.0, (("esc_a", 1.5),))], scenario_set, last_day=day(0)
        )
