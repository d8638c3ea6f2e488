"""The story index on the ingest benchmark's first poll: memory held per item, and find+add per item.

Items are the ingest benchmark's (``bench.ingest_feeds``: 50 per feed, all within a few hours), signed
as the daemon signs them (``signature`` then ``StorySignature.from_text`` of the stored text), and
grouped feed by feed in the order the feeds serve them: ``find``, else a new story, then ``add``.
Memory: tracemalloc's traced bytes after grouping every item, less those before, over the items held,
with the signatures parsed inside the measure (the index holds what it keeps of them) and nothing
else alive. Time: ``time.process_time`` of find+add over the items, the signatures parsed
beforehand; the median of ``--runs`` runs. ``stories`` and ``decisions`` (a CRC-32 of every item's
story) tell whether two versions group alike.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
import tracemalloc
import zlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from bench import ingest_feeds as gen
from scenarios import StoryIndex, StorySignature, signature

# name -> (unit, format); the order is the printing order
FIGURES: dict[str, tuple[str, str]] = {
    "items": ("items", ".0f"),
    "stories": ("stories", ".0f"),
    "decisions": ("crc32", ".0f"),
    "index_bytes_per_item": ("bytes", ".0f"),
    "index_mb": ("MB", ".1f"),
    "find_add_us_per_item": ("us", ".1f"),
}


def signatures(feeds: int, seed: int, t0: datetime) -> list[tuple[str, datetime, int]]:
    """(stored signature text, time, feed) of every item of the first poll, feed by feed."""
    out: list[tuple[str, datetime, int]] = []
    for feed in range(feeds):
        for it in gen.window(seed, feed, 0, t0):
            out.append((signature(it.title, it.summary).to_text(), it.published, feed))
    return out


def group(index: StoryIndex, items: Iterable[tuple[StorySignature, datetime, int]]) -> list[int]:
    """Each item's story, as the pipeline decides it (a new story takes the next negative id)."""
    stories: list[int] = []
    for sig, at, feed in items:
        story = index.find(sig, at, feed)
        if story is None:
            story = -1 - len(stories)
        index.add(story, sig, at, feed)
        stories.append(story)
    return stories


def held_bytes(texts: Sequence[tuple[str, datetime, int]]) -> tuple[int, StoryIndex]:
    """Bytes traced for an index of ``texts``, the signatures parsed inside the measure."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    index = StoryIndex()
    group(index, ((StorySignature.from_text(text), at, feed) for text, at, feed in texts))
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return held, index


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench stories", description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000, help="generated feeds of 50 items (default 1000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs; the median is printed (default 3)")
    parser.add_argument("--seed", type=int, default=20261201, help="feed content seed")
    parser.add_argument("--json", action="store_true", help="print one JSON document with every run")
    args = parser.parse_args(argv)
    if args.feeds < 1 or args.runs < 1:
        parser.error("--feeds and --runs must be at least 1")

    texts = signatures(args.feeds, args.seed, gen.epoch())
    parsed = [(StorySignature.from_text(text), at, feed) for text, at, feed in texts]
    timings: list[float] = []
    decisions: list[int] = []
    for _ in range(args.runs):
        index = StoryIndex()
        gc.collect()
        started = time.process_time()
        decisions = group(index, parsed)
        timings.append((time.process_time() - started) / len(parsed) * 1e6)
        del index
    del parsed
    held, index = held_bytes(texts)
    document: dict[str, Any] = {
        "settings": {"feeds": args.feeds, "runs": args.runs, "seed": args.seed},
        "figures": {
            "items": len(texts),
            "stories": len(set(decisions)),
            "decisions": zlib.crc32(_canonical(decisions).encode()),
            "index_bytes_per_item": held / len(index),
            "index_mb": held / 1e6,
            "find_add_us_per_item": statistics.median(timings),
        },
        "runs_us_per_item": timings,
    }
    print(json.dumps(document, indent=2) if args.json else "\n".join(render_lines(document)))
    return 0


def _canonical(stories: Sequence[int]) -> str:
    """Each item's story as the position of the story's first item: independent of the ids made."""
    first: dict[int, int] = {}
    return ",".join(str(first.setdefault(story, position)) for position, story in enumerate(stories))


def render_lines(document: dict[str, Any]) -> list[str]:
    """The ``name value unit`` lines of a ``--json`` document, as printed without ``--json``."""
    figures = document["figures"]
    return [f"{name} {figures[name]:{fmt}} {unit}" for name, (unit, fmt) in FIGURES.items()]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
