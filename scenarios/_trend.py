"""Daily trend per scenario: the day's raw sum over stories, the decayed index, the level with
hysteresis, a Poisson spike flag and the indicators new to the scenario. docs/trend.md has the
formulas and a worked example.

Pure and deterministic: the result depends only on the set of facts (never on their order), the
scenario set, the days asked for and the settings. There is no clock: the caller says which day is
the last one.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import NamedTuple

from indicators import Match, MatchResult, Polarity
from scenarios._score import _EPSILON, score_item
from scenarios.types import BASE_LEVEL, Level, Scenario, ScenarioSet

# Facts repeat a handful of (indicators, reliability) combinations, so item contributions come from
# score_item itself, once per combination; the bound only keeps pathological inputs from growing it.
_CACHE_LIMIT = 1 << 16

# A term this much smaller than the running sum no longer changes the float sum.
_NEGLIGIBLE = 1e-17


class ItemFacts(NamedTuple):
    """One stored item as the trend sees it.

    ``day`` is the local day (published, else fetched) in the configured time zone; ``story_id`` is
    ``None`` for an item that is a story of its own; ``indicators`` lists the ``(indicator_id,
    signed factor)`` pairs fired on the item: the polarity, +1 (escalation) or -1 (de-escalation),
    times the match's factor (1 unless a conditional or look back scaled the weight).

    An immutable named tuple rather than a frozen dataclass: a rescore builds a million of them
    from database rows, and a tuple costs a quarter of a frozen dataclass to build.
    """

    item_id: int
    story_id: int | None
    feed_id: int
    day: date
    reliability: float
    indicators: tuple[tuple[str, float], ...]
    title: str = ""


@dataclass(frozen=True, slots=True)
class TrendSettings:
    """Spike and novelty parameters (decay and levels come from each scenario).

    A day is a spike when it has at least ``spike_min_stories`` stories and, against a Poisson
    baseline of ``max(mean stories/day over the previous spike_baseline_days days,
    spike_min_baseline)``, that many stories or more would happen with probability below
    ``spike_alpha``. An indicator is novel when it did not fire for the scenario in the previous
    ``novelty_days`` days.
    """

    spike_baseline_days: int = 28
    spike_alpha: float = 0.01
    spike_min_stories: int = 3
    spike_min_baseline: float = 0.25
    novelty_days: int = 30

    def __post_init__(self) -> None:
        for name in ("spike_baseline_days", "novelty_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"trend setting {name} must be a whole number of days >= 1, not {value!r}")
        if (
            isinstance(self.spike_min_stories, bool)
            or not isinstance(self.spike_min_stories, int)
            or self.spike_min_stories < 0
        ):
            raise ValueError(
                f"trend setting spike_min_stories must be a whole number >= 0, not {self.spike_min_stories!r}"
            )
        if not _is_number(self.spike_alpha) or not 0 < self.spike_alpha <= 1:
            raise ValueError(
                f"trend setting spike_alpha must be a probability in (0, 1], not {self.spike_alpha!r}"
            )
        if not _is_number(self.spike_min_baseline) or not 0 < self.spike_min_baseline < math.inf:
            # 0 would let one story after a silent month be "impossible" (P = 0) and always a spike.
            raise ValueError(
                "trend setting spike_min_baseline must be a finite number > 0 (stories/day), "
                f"not {self.spike_min_baseline!r}"
            )


@dataclass(frozen=True)
class TrendSeed:
    """Where one scenario's trend stood before ``first_day``: lets :func:`compute_trend` continue a
    stored trend from a later day and give exactly the rows a computation from its start would.

    ``days_before``: days of history before ``first_day``. ``index``/``level``: the day before's.
    ``story_counts``: stories per day of the last ``min(days_before, spike_baseline_days)`` days,
    oldest first. ``last_fired``: indicator id -> how many days before ``first_day`` it last fired
    (1 is the day before), for those that fired within ``novelty_days``.
    """

    days_before: int
    index: float
    level: str
    story_counts: tuple[int, ...]
    last_fired: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class DailyTrend:
    """One scenario on one day. ``indicator_ids`` are the scenario's indicators fired in the day's
    relevant items, ``novel`` those of them that had not fired in the previous novelty window.

    Also the stored form: ``db`` writes and reads these rows (``scenario_daily``) as they are.
    """

    scenario_id: str
    day: date
    raw: float
    index: float
    level: Level
    spike: bool
    items: int
    stories: int
    indicator_ids: tuple[str, ...]
    novel: tuple[str, ...]
    config_hash: str


@dataclass(frozen=True, slots=True)
class StoryScore:
    """One story's contribution to one scenario on one day.

    ``story_key`` is the story id, or ``-item_id`` for an item without a story. ``item_id``,
    ``value`` and ``title`` are those of the story's strongest relevant item that day; ``items``
    counts its relevant items that day and ``indicators`` the scenario's indicators they fired;
    ``sources`` is the number of distinct feeds among all the story's facts (corroboration).
    """

    scenario_id: str
    day: date
    story_key: int
    item_id: int
    value: float
    sources: int
    items: int
    title: str
    indicators: tuple[str, ...]


@dataclass(frozen=True)
class TrendResult:
    """``days``: per scenario (in the scenario set's order), one row per day from the first day to
    the last, empty days included. ``stories``: every story score, by scenario (same order), day,
    then strongest first (ties: lowest story key)."""

    days: Mapping[str, tuple[DailyTrend, ...]]
    stories: tuple[StoryScore, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.days, MappingProxyType):
            object.__setattr__(self, "days", MappingProxyType(dict(self.days)))


def _is_number(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and not math.isnan(value)


# --- probability ---------------------------------------------------------------------------------------


def poisson_upper_tail(k: int, lam: float) -> float:
    """P(X >= k) for X ~ Poisson(lam), to float precision.

    Terms are summed from where they are largest outward, starting from a pmf computed in log space
    (so lam in the thousands does not underflow ``exp(-lam)``): above the mean the tail is summed
    directly (no ``1 - cdf`` cancellation for the small probabilities a spike test compares), at or
    below the mean it is ``1 - cdf`` where the result is at least about one half.
    """
    if k <= 0:
        return 1.0
    if not lam > 0:
        return 0.0
    log_lam = math.log(lam)
    if k > lam:
        term = math.exp(-lam + k * log_lam - math.lgamma(k + 1))
        total = 0.0
        j = k
        while term > total * _NEGLIGIBLE:
            total += term
            j += 1
            term *= lam / j  # < 1 from here on, so the terms fall
        return min(total, 1.0)
    j = k - 1
    term = math.exp(-lam + j * log_lam - math.lgamma(j + 1))
    cdf = 0.0
    while j >= 0 and term > cdf * _NEGLIGIBLE:
        cdf += term
        term *= j / lam  # pmf(j - 1) = pmf(j) * j / lam, < pmf(j) below the mean
        j -= 1
    return max(0.0, 1.0 - cdf)


# --- levels --------------------------------------------------------------------------------------------


def next_level(position: int, index: float, scenario: Scenario) -> int:
    """The level position (0 = calm, i = ``scenario.thresholds[i - 1]``) after a day ending at
    ``index``, coming from ``position``: climb while the index reaches the next level's ``up``
    (several levels in one day if it reaches them), otherwise fall while it is below the current
    level's ``down``. Comparisons allow the same float tolerance as relevance."""
    thresholds = scenario.thresholds
    climbed = False
    while position < len(thresholds) and index >= thresholds[position].up - _EPSILON:
        position += 1
        climbed = True
    if not climbed:
        while position > 0 and index < thresholds[position - 1].down - _EPSILON:
            position -= 1
    return position


# --- the trend -----------------------------------------------------------------------------------------

# One story on one day for one scenario: -|value|, story key, item id, value and title of its
# strongest relevant item so far, its relevant items, the scenario's indicators they fired (sorted),
# story id. Tuples, not objects: a million facts go through here, tuples of atoms drop out of the
# garbage collector, and their natural order (story keys are unique in a day) is strongest first.
_Cell = tuple[float, int, int, float, str, int, tuple[str, ...], int | None]
_Hits = tuple[tuple[int, float, float, tuple[str, ...]], ...]  # position, value, -|value|, indicator ids


def _item_hits(
    indicators: tuple[tuple[str, float], ...], reliability: float, scenarios: ScenarioSet, item_id: int
) -> _Hits:
    """(scenario position, contribution, -|contribution|, weighed indicator ids) for each scenario
    the item is relevant to."""
    matches = []
    for indicator_id, signed in indicators:
        factor = abs(signed)
        if isinstance(signed, bool) or not 0 < factor <= 1:
            raise ValueError(
                f"item {item_id}: indicator {indicator_id!r} has polarity {signed!r}; it must be +1 "
                "(escalation) or -1 (de-escalation), times a factor in (0, 1]"
            )
        sign = Polarity.ESCALATION if signed > 0 else Polarity.DEESCALATION
        matches.append(Match(indicator_id, sign, (), factor=factor))
    try:
        contributions = score_item(MatchResult(tuple(matches), ()), scenarios, reliability)
    except ValueError as error:
        raise ValueError(f"item {item_id}: {error}") from None
    return tuple(
        (
            position,
            contribution.value,
            -abs(contribution.value),
            tuple(sorted(part.indicator_id for part in contribution.parts)),
        )
        for position, contribution in enumerate(contributions.values())
        if contribution.relevant
    )


def compute_trend(
    facts: Iterable[ItemFacts],
    scenarios: ScenarioSet,
    *,
    last_day: date,
    first_day: date | None = None,
    settings: TrendSettings = TrendSettings(),
    top_stories: int | None = None,
    seeds: Mapping[str, TrendSeed] | None = None,
) -> TrendResult:
    """The daily trend of every scenario of ``scenarios`` from ``first_day`` to ``last_day`` inclusive.

    ``first_day`` defaults to the earliest day among the facts (``last_day`` when there are none).
    History starts at ``first_day``: the index starts from 0 there and the spike baseline and the
    novelty window look no further back. Facts before ``first_day`` enter no day's figures but still
    count as feeds of their story; facts after ``last_day`` are ignored altogether.
    ``top_stories`` keeps only that many story scores per scenario and day, strongest first, in
    ``stories`` (the day's figures always count every story); ``None`` keeps them all.
    ``seeds`` (with ``first_day``): per scenario id, the state of a stored trend the day before
    ``first_day``; the trend then continues it instead of starting from 0 (a scenario without a seed
    starts from 0). Facts before ``first_day`` are then not needed.
    Raises ValueError for a seed whose level the scenario does not have, ``first_day`` after ``last_day``, a negative ``top_stories``, an item id given twice, a polarity other
    than +1/-1 or a reliability that is negative or not a finite number.
    """
    if first_day is not None and first_day > last_day:
        raise ValueError(f"first_day {first_day} is after last_day {last_day}")
    if top_stories is not None and (
        isinstance(top_stories, bool) or not isinstance(top_stories, int) or top_stories < 0
    ):
        raise ValueError(f"top_stories must be a whole number >= 0 or None, not {top_stories!r}")
    scenario_list = list(scenarios.scenarios.values())
    cells: dict[date, list[dict[int, _Cell]]] = {}  # day -> per scenario position -> story key -> cell
    cache: dict[tuple[tuple[tuple[str, float], ...], float], _Hits] = {}
    seen: set[int] = set()
    story_feeds: dict[int, int | set[int]] = {}
    earliest: date | None = None

    for fact in facts:
        day = fact.day
        if day > last_day:
            continue
        item_id = fact.item_id
        if item_id in seen:
            raise ValueError(
                f"item {item_id} appears twice in the facts; each stored item must be given once"
            )
        seen.add(item_id)
        story_id = fact.story_id
        if story_id is not None:
            feeds = story_feeds.get(story_id)
            if feeds is None:
                story_feeds[story_id] = fact.feed_id  # most stories have one feed: no set for them
            elif isinstance(feeds, int):
                if feeds != fact.feed_id:
                    story_feeds[story_id] = {feeds, fact.feed_id}
            else:
                feeds.add(fact.feed_id)
        if first_day is None:
            if earliest is None or day < earliest:
                earliest = day
        elif day < first_day:
            continue
        indicators = fact.indicators
        if not indicators:
            continue
        cache_key = (indicators, fact.reliability)
        hits = cache.get(cache_key)
        if hits is None:
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            hits = cache[cache_key] = _item_hits(indicators, fact.reliability, scenarios, item_id)
        if not hits:
            continue
        story_key = story_id if story_id is not None else -item_id
        day_cells = cells.get(day)
        if day_cells is None:
            day_cells = cells[day] = [{} for _ in scenario_list]
        for position, value, strength, ids in hits:
            by_story = day_cells[position]
            cell = by_story.get(story_key)
            if cell is None:
                by_story[story_key] = (strength, story_key, item_id, value, fact.title, 1, ids, story_id)
                continue
            merged = cell[6] if ids == cell[6] else tuple(sorted({*cell[6], *ids}))
            if strength < cell[0] or (strength == cell[0] and item_id < cell[2]):
                cell = (strength, story_key, item_id, value, fact.title, cell[5] + 1, merged, story_id)
            else:
                cell = (cell[0], story_key, cell[2], cell[3], cell[4], cell[5] + 1, merged, story_id)
            by_story[story_key] = cell

    start = first_day if first_day is not None else (earliest if earliest is not None else last_day)
    days = [start + timedelta(days=offset) for offset in range((last_day - start).days + 1)]
    rows: dict[str, tuple[DailyTrend, ...]] = {}
    stories: list[StoryScore] = []
    for position, scenario in enumerate(scenario_list):
        rows[scenario.id] = _scenario_days(
            scenario,
            position,
            days,
            cells,
            story_feeds,
            settings,
            scenarios.config_hash,
            top_stories,
            stories,
            seeds.get(scenario.id) if seeds is not None and first_day is not None else None,
        )
    return TrendResult(MappingProxyType(rows), tuple(stories))


def _scenario_days(
    scenario: Scenario,
    position: int,
    days: Sequence[date],
    by_day: Mapping[date, Sequence[Mapping[int, _Cell]]],
    story_feeds: Mapping[int, int | set[int]],
    settings: TrendSettings,
    config_hash: str,
    top_stories: int | None,
    stories_out: list[StoryScore],
    seed: TrendSeed | None = None,
) -> tuple[DailyTrend, ...]:
    scenario_id = scenario.id
    decay = 2.0 ** (-1.0 / scenario.half_life_days)
    levels = (BASE_LEVEL, *(threshold.level for threshold in scenario.thresholds))
    baseline_days = settings.spike_baseline_days
    novelty_days = settings.novelty_days
    index = 0.0
    level = 0
    before = 0  # d counts days from the start of history, which a seed puts before days[0]
    recent: deque[int] = deque(maxlen=baseline_days)  # stories of the previous min(d, baseline_days) days
    last_fired: dict[str, int] = {}
    if seed is not None:
        if seed.level not in levels:
            raise ValueError(f"seed of {scenario_id}: level {seed.level!r} is not one of {levels}")
        before, index, level = seed.days_before, seed.index, levels.index(seed.level)
        recent.extend(seed.story_counts[-baseline_days:] if seed.days_before else ())
        last_fired = {i: before - ago for i, ago in seed.last_fired.items()}
    baseline_sum = sum(recent)
    out: list[DailyTrend] = []
    for d, day in enumerate(days, start=before):
        day_cells = by_day.get(day)
        cells = day_cells[position] if day_cells is not None else None
        raw = 0.0
        items = 0
        fired: set[str] = set()
        if cells:
            values = cells.values()
            raw = math.fsum([cell[3] for cell in values])
            items = sum([cell[5] for cell in values])
            fired = fired.union(*[cell[6] for cell in values])
            if top_stories is None or top_stories >= len(cells):
                chosen = sorted(values)
            else:
                chosen = heapq.nsmallest(top_stories, values)
            for _, story_key, item_id, value, title, count, ids, story_id in chosen:
                feeds = story_feeds.get(story_id, 0) if story_id is not None else 0
                stories_out.append(
                    StoryScore(
                        scenario_id,
                        day,
                        story_key,
                        item_id,
                        value,
                        1 if isinstance(feeds, int) else len(feeds),
                        count,
                        title,
                        ids,
                    )
                )
        n_stories = len(cells) if cells else 0
        index = index * decay + raw
        level = next_level(level, index, scenario)

        spike = False
        if d > 0 and n_stories >= settings.spike_min_stories:
            lam = max(baseline_sum / min(d, baseline_days), settings.spike_min_baseline)
            spike = poisson_upper_tail(n_stories, lam) < settings.spike_alpha
        if len(recent) == baseline_days:
            baseline_sum -= recent[0]
        recent.append(n_stories)
        baseline_sum += n_stories

        indicators = tuple(sorted(fired))
        novel: tuple[str, ...] = ()
        if d >= novelty_days:
            novel = tuple(i for i in indicators if last_fired.get(i, -1) < d - novelty_days)
        for indicator_id in indicators:
            last_fired[indicator_id] = d

        out.append(
            DailyTrend(
                scenario_id,
                day,
                raw,
                index,
                levels[level],
                spike,
                items,
                n_stories,
                indicators,
                novel,
                config_hash,
            )
        )
    return tuple(out)
