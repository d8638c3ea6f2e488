"""``monitor rescore``: bring stored matches and the trend in line with the definitions in force.

Weights, thresholds and half-lives apply on top of stored matches, so changing them only recomputes
the trend. Changed patterns make the stored matches stale: those items (their ``patterns_hash``
differs from the current fingerprint) are matched again from their stored text, never re-fetched.
A dry run computes the same in memory and reports the difference without writing anything.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import db
from indicators import Matcher, MatchResult, load_indicators, shipped_definition_files
from monitor.analysis import Definitions
from monitor.config.model import Config
from monitor.pipeline import trend_refresh as trend
from scenarios import DailyTrend, ItemFacts

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
EPSILON = 1e-9


@dataclass(frozen=True)
class DayChange:
    scenario_id: str
    day: date
    old: DailyTrend | None
    new: DailyTrend | None


@dataclass(frozen=True)
class RescoreReport:
    dry_run: bool
    rematched: int
    changes: tuple[DayChange, ...]
    days_written: int
    new_hash: str = ""


# Index and raw sum are shown with this many decimals: a change below it is noise to the reader
# (a weight change moves far-away days by 1e-7 through the decay) and is neither listed nor counted.
SHOWN_DECIMALS = 3
LARGEST_SHOWN = 5


def shown(value: float) -> str:
    """A value as the rescore report shows it; -0.000 is 0.000 (a sign on nothing is not a change)."""
    text = f"{value:.{SHOWN_DECIMALS}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def visible(change: DayChange) -> bool:
    """Whether the change shows at the report's precision (a day new or gone always does)."""
    old, new = change.old, change.new
    if old is None or new is None:
        return True
    return (
        shown(old.index) != shown(new.index)
        or shown(old.raw) != shown(new.raw)
        or old.level != new.level
        or old.spike != new.spike
        or old.items != new.items
        or old.stories != new.stories
    )


@dataclass(frozen=True)
class LevelChange:
    day: date
    old: str | None  # None: the day had no row
    new: str | None


@dataclass(frozen=True)
class ScenarioSummary:
    """What a rescore changes in one scenario: the days whose shown values change (in day order),
    the days its level changes, and the largest index changes (largest first)."""

    scenario_id: str
    days: tuple[DayChange, ...]
    level_changes: tuple[LevelChange, ...]
    largest: tuple[DayChange, ...]


def index_delta(change: DayChange) -> float:
    old = change.old.index if change.old is not None else 0.0
    new = change.new.index if change.new is not None else 0.0
    return new - old


def summarise(changes: Sequence[DayChange], scenario_ids: Sequence[str] = ()) -> tuple[ScenarioSummary, ...]:
    """Per scenario (``scenario_ids`` first, in their order, then any other that changed): the
    visible changes, the level changes and the ``LARGEST_SHOWN`` largest index changes."""
    by_scenario: dict[str, list[DayChange]] = {sid: [] for sid in scenario_ids}
    for change in changes:
        if visible(change):
            by_scenario.setdefault(change.scenario_id, []).append(change)
    summaries = []
    for scenario_id, days in by_scenario.items():
        levels = tuple(
            LevelChange(c.day, c.old.level if c.old else None, c.new.level if c.new else None)
            for c in days
            if (c.old.level if c.old else None) != (c.new.level if c.new else None)
        )
        moved = [c for c in days if shown(index_delta(c)) != shown(0.0)]
        largest = sorted(moved, key=lambda c: (-abs(index_delta(c)), c.day))[:LARGEST_SHOWN]
        summaries.append(ScenarioSummary(scenario_id, tuple(days), levels, tuple(largest)))
    return tuple(summaries)


def _differs(a: DailyTrend | None, b: DailyTrend | None) -> bool:
    if a is None or b is None:
        present = a or b
        # A day that exists on one side only matters when something happened on it.
        return present is not None and (abs(present.index) > EPSILON or present.items > 0)
    return (
        abs(a.raw - b.raw) > EPSILON
        or abs(a.index - b.index) > EPSILON
        or a.level != b.level
        or a.spike != b.spike
        or a.items != b.items
        or a.stories != b.stories
    )


def diff_trend(old: list[DailyTrend], new: list[DailyTrend], since: date | None) -> tuple[DayChange, ...]:
    before = {(r.scenario_id, r.day): r for r in old if since is None or r.day >= since}
    after = {(r.scenario_id, r.day): r for r in new if since is None or r.day >= since}
    keys = sorted(set(before) | set(after))
    return tuple(
        DayChange(sid, day, before.get((sid, day)), after.get((sid, day)))
        for sid, day in keys
        if _differs(before.get((sid, day)), after.get((sid, day)))
    )


def _rematch(
    database: db.Database, definitions: Definitions, *, dry_run: bool, progress: Progress | None
) -> tuple[int, dict[int, ItemFacts]]:
    """Match stale items again; write them (or, in a dry run, return their facts in memory)."""
    fingerprint = definitions.indicators.fingerprint
    stale = db.count_stale_items(database, fingerprint)
    in_memory: dict[int, ItemFacts] = {}
    if not stale:
        return 0, in_memory
    if dry_run:
        # A dry run cannot mix stored and fresh matches of one item set cheaply, so it matches all.
        total, done = db.count_items(database), 0
        for meta in db.iter_items_meta(database):
            for item in meta:
                fired = definitions.match_item(item.title, item.summary).matches
                if fired and item.day is not None:
                    indicators = tuple((m.indicator_id, int(m.polarity) * m.factor) for m in fired)
                    in_memory[item.id] = ItemFacts(
                        item.id, item.story_id, item.feed_id, item.day, item.reliability, indicators
                    )
            done += len(meta)
            if progress:
                progress(done, total)
        return stale, in_memory
    if stale >= PARALLEL_FROM and (os.cpu_count() or 1) > 1:
        _rematch_parallel(database, definitions, stale, progress)
    else:
        _rematch_here(database, definitions, stale, progress)
    return stale, in_memory


def _records(result: MatchResult) -> list[db.MatchRecord]:
    # What monitor.analysis.match_records gives, built from the typed evidence directly: a re-match
    # builds a million of these, and going through the evidence's dict form costs a few µs each.
    return [db.MatchRecord.from_match(m) for m in result.matches]


# Below this many stale items, starting worker processes costs more than it saves.
PARALLEL_FROM = 20_000
_worker_matcher: Matcher | None = None


def _rematch_here(
    database: db.Database, definitions: Definitions, stale: int, progress: Progress | None
) -> None:
    fingerprint = definitions.indicators.fingerprint
    done = 0
    for batch in db.iter_item_texts(database, stale_for=fingerprint):
        records = [(t.id, _records(definitions.match_item(t.title, t.summary))) for t in batch]
        # Each batch is its own transaction: an interrupted rescore leaves every item either
        # re-matched or still marked stale, and the next rescore finishes the job.
        db.replace_matches(database, records, fingerprint, stale_range=(batch[0].id, batch[-1].id))
        done += len(batch)
        if progress:
            progress(done, stale)


def _init_worker(extra_files: tuple[str, ...], fingerprint: str) -> None:
    global _worker_matcher
    indicators = load_indicators([Path(f) for f in extra_files])
    if indicators.fingerprint != fingerprint:
        raise RuntimeError("a rescore worker loaded other definitions than the rescore itself")
    _worker_matcher = Matcher(indicators)


def _match_batch(
    ids: Sequence[int], titles: Sequence[str], summaries: Sequence[str]
) -> list[tuple[int, list[db.MatchRecord]]]:
    assert _worker_matcher is not None
    match = _worker_matcher.match
    return [
        (item_id, _records(match({"title": title, "summary": summary})))
        for item_id, title, summary in zip(ids, titles, summaries, strict=True)
    ]


def _rematch_parallel(
    database: db.Database, definitions: Definitions, stale: int, progress: Progress | None
) -> None:
    """Match in one worker process per core while this process reads and writes the database.

    Matching is pure CPU in Python; with the GIL, threads cannot share it, so a large re-match
    (a pattern change over a long history) uses processes. Workers are spawned, not forked: the
    daemon has threads, and a fork would copy their locks mid-use.
    """
    fingerprint = definitions.indicators.fingerprint
    shipped = {str(p) for p in shipped_definition_files()}
    extra = tuple(f for f in definitions.indicators.files if f not in shipped)
    workers = min(os.cpu_count() or 1, 4)
    done = 0
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(extra, fingerprint)
    ) as pool:
        in_flight: deque[tuple[tuple[int, int], Future[list[tuple[int, list[db.MatchRecord]]]]]] = deque()

        def drain_one() -> None:
            nonlocal done
            span, future = in_flight.popleft()
            records = future.result()
            db.replace_matches(database, records, fingerprint, stale_range=span)
            done += len(records)
            if progress:
                progress(done, stale)

        for batch in db.iter_item_texts(database, stale_for=fingerprint):
            # Sent as three columns: pickling 5000 named tuples one by one costs several times more.
            ids, titles, summaries = zip(*batch, strict=True)
            in_flight.append(((batch[0].id, batch[-1].id), pool.submit(_match_batch, ids, titles, summaries)))
            # Keep every worker busy and one batch queued; write results in order as they come.
            while len(in_flight) > workers + 1:
                drain_one()
        while in_flight:
            drain_one()


def rescore(
    database: db.Database,
    config: Config,
    definitions: Definitions,
    *,
    now: datetime,
    since: date | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> RescoreReport:
    tz = config.schedule.tzinfo
    if not dry_run:
        trend.ensure_days(database, tz)
    old = db.load_trend(database)
    # A full rewrite also heals a trend an interrupted poll left stale (read before the facts).
    stale_mark = db.trend_stale_marker(database) if not dry_run and since is None else None
    stale = db.count_stale_items(database, definitions.indicators.fingerprint)
    replaced: dict[int, ItemFacts] | None = None
    rematched = 0
    if stale:
        log.info("rescore: %d items were matched with other patterns; matching them again", stale)
        with trend.gc_paused():
            rematched, in_memory = _rematch(database, definitions, dry_run=dry_run, progress=progress)
        replaced = in_memory if dry_run else None
    if dry_run and replaced is not None:
        # In a dry run every item was re-matched in memory; the stored facts are not used at all.
        facts: Iterator[ItemFacts] = iter(replaced.values())
    else:
        facts = db.iter_facts(database)
    result = trend.compute(database, definitions, trend.local_day(now, tz), facts=facts)
    rows = trend.to_rows(database, result)
    changes = diff_trend(old, rows.days, since)
    if not dry_run:
        db.replace_trend(database, rows.days, rows.stories, since=since, clear_stale=stale_mark)
    return RescoreReport(
        dry_run=dry_run,
        rematched=rematched,
        changes=changes,
        days_written=0 if dry_run else sum(1 for r in rows.days if since is None or r.day >= since),
        new_hash=definitions.scenarios.config_hash,
    )
