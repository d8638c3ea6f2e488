"""Rescoring a large stored history on SQLite.

Builds a SQLite database of N stored items (default 1,000,000), every one with stored matches, then:

1. changes one weight and runs ``monitor.pipeline.rescore.rescore`` (no pattern change: the trend is
   recomputed from stored matches) and times it: ``rescore_weight_change_s``;
2. changes the patterns (one extra indicator) and runs the rescore again, which re-matches every
   stored item from its text; the re-match rate ``rematch_items_per_s`` is compared with the
   matcher's own rate on the same texts measured in the same run (``match_items_per_s``).

Texts come from the match benchmark's deterministic corpus (a pool reused cyclically: the matcher
caches nothing, so repeats cost the same). The stored matches are valid indicator ids of the shipped
scenarios, drawn at random, so the weight-change rescore has a million matched items to aggregate.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import db
from bench.match import build_corpus
from indicators import Matcher, load_indicators
from monitor.analysis import Definitions
from monitor.config.model import load_config
from monitor.pipeline import rescore as rescore_module

FEEDS = 50
DAYS = 730
POOL = 20_000
EXTRA_DEFINITION = """indicators:
  - id: bench_extra
    label: An indicator added to change the patterns
    polarity: escalation
    description: bench
    source: bench
    terms: {x: [Oreshnik*]}
    all: [x]
scenarios:
  bench_extra:
    title: Bench
    description: bench
    relevance_threshold: 1
    half_life_days: 7
    thresholds: [{level: watch, up: 2, down: 1}]
    indicators: {bench_extra: 1}
"""


def _populate(
    path: Path, items: int, seed: int, fingerprint: str, indicator_ids: Sequence[tuple[str, int]]
) -> None:
    database = db.open_database(f"sqlite:///{path}")
    database.close()
    rng = random.Random(seed)
    pool = build_corpus(load_indicators(), POOL, seed)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    start_day = date(2024, 11, 2)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    stamp = now.replace(tzinfo=None).isoformat(sep=" ")
    conn.executemany(
        "INSERT INTO feeds (id, config_url, url, name, language, reliability, poll_interval_seconds, in_config,"
        " enabled, consecutive_failures, created_at) VALUES (?, ?, ?, ?, 'en', ?, 900, 1, 1, 0, ?)",
        [
            (
                f,
                f"https://feed{f}.example/rss",
                f"https://feed{f}.example/rss",
                f"feed {f}",
                0.5 + (f % 5) / 10,
                stamp,
            )
            for f in range(1, FEEDS + 1)
        ],
    )
    evidence = json.dumps([{"field": "title", "start": 0, "end": 4, "term": "x", "text": "xxxx"}])
    batch_items: list[tuple[object, ...]] = []
    batch_matches: list[tuple[object, ...]] = []

    def flush() -> None:
        conn.executemany(
            "INSERT INTO items (id, feed_id, guid, url, title, summary, language, published_at, fetched_at,"
            " content_hash, patterns_hash, story_id, day) VALUES (?, ?, ?, NULL, ?, ?, 'en', ?, ?, ?, ?, ?, ?)",
            batch_items,
        )
        conn.executemany(
            "INSERT INTO matches (item_id, indicator_id, polarity, via_negation, evidence) VALUES (?, ?, ?, NULL, ?)",
            batch_matches,
        )
        batch_items.clear()
        batch_matches.clear()

    for item_id in range(1, items + 1):
        text = pool[item_id % POOL]
        day = start_day + timedelta(days=item_id * DAYS // (items + 1))
        published = datetime(day.year, day.month, day.day, 12).isoformat(sep=" ")
        story = item_id - (item_id % 3)  # reprints: groups of three consecutive items
        batch_items.append(
            (
                item_id,
                1 + item_id % FEEDS,
                f"g{item_id}",
                text["title"],
                text["summary"],
                published,
                published,
                f"h{item_id}",
                fingerprint,
                max(story, 1),
                day.isoformat(),
            )
        )
        for indicator_id, polarity in rng.sample(list(indicator_ids), rng.randint(1, 2)):
            batch_matches.append((item_id, indicator_id, polarity, evidence))
        if len(batch_items) >= 20_000:
            flush()
    flush()
    conn.execute("INSERT INTO settings (key, value) VALUES ('day_timezone', 'UTC')")
    conn.commit()
    conn.close()


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench rescore", description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000, help="stored matched items (default 1000000)")
    parser.add_argument("--seed", type=int, default=20251121, help="corpus seed")
    parser.add_argument("--keep", metavar="DIR", help="build the database in DIR and keep it")
    args = parser.parse_args(argv)

    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-rescore-"))
    workdir.mkdir(parents=True, exist_ok=True)
    config_path = workdir / "monitor.yaml"
    config_path.write_text("feeds: []\nschedule: {timezone: UTC}\n", encoding="utf-8")
    config = load_config(config_path)
    base = Definitions.from_config(config)
    pairs = sorted(
        {
            (i, int(base.indicators.indicators[i].polarity))
            for s in base.scenarios.scenarios.values()
            for i in s.weights
        }
    )
    path = workdir / "bench.db"
    if path.exists():
        path.unlink()
    started = time.perf_counter()
    _populate(path, args.items, args.seed, base.indicators.fingerprint, pairs)
    print(f"populate_s {time.perf_counter() - started:.1f} s")
    print(f"items {args.items} items")
    database = db.open_database(f"sqlite:///{path}")
    now = datetime(2026, 11, 1, 12, tzinfo=UTC)
    try:
        # The first rescore writes the trend for the current weights; it is the baseline, not timed.
        rescore_module.rescore(database, config, base, now=now)

        weight = pairs[0][0]
        scenario = next(sid for sid, s in base.scenarios.scenarios.items() if weight in s.weights)
        config_path.write_text(
            config_path.read_text() + f"scenarios:\n  {scenario}:\n    weights: {{{weight}: 7.5}}\n",
            encoding="utf-8",
        )
        changed_config = load_config(config_path)
        changed = Definitions.from_config(changed_config)
        started = time.perf_counter()
        report = rescore_module.rescore(database, changed_config, changed, now=now)
        elapsed = time.perf_counter() - started
        print(f"rescore_weight_change_s {elapsed:.2f} s")
        print(f"rescore_days_changed {len(report.changes)} days")

        pool = build_corpus(load_indicators(), POOL, args.seed)
        (workdir / "extra.yaml").write_text(EXTRA_DEFINITION, encoding="utf-8")
        config_path.write_text(config_path.read_text() + "definitions: [extra.yaml]\n", encoding="utf-8")
        pattern_config = load_config(config_path)
        patterned = Definitions.from_config(pattern_config)
        matcher = Matcher(patterned.indicators)
        started = time.perf_counter()
        for item in pool:
            matcher.match(item)
        match_rate = len(pool) / (time.perf_counter() - started)

        timings: dict[str, float] = {}
        original = rescore_module._rematch

        def timed_rematch(*a: object, **kw: object) -> object:
            begun = time.perf_counter()
            result = original(*a, **kw)  # type: ignore[arg-type]
            timings["rematch"] = time.perf_counter() - begun
            return result

        rescore_module._rematch = timed_rematch  # type: ignore[assignment]
        try:
            started = time.perf_counter()
            report = rescore_module.rescore(database, pattern_config, patterned, now=now)
            total = time.perf_counter() - started
        finally:
            rescore_module._rematch = original
        rate = report.rematched / timings["rematch"]
        print(f"rescore_pattern_change_s {total:.2f} s")
        print(f"rematch_items_per_s {rate:.0f} items/s")
        print(f"match_items_per_s {match_rate:.0f} items/s")
        print(f"rematch_vs_match {rate / match_rate:.2f} x")
    finally:
        database.close()
    return 0
