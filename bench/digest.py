"""Building and rendering the daily digest from a database holding 60 days of history.

Imports the deterministic 60-day history of ``bench.history`` (three scenarios, reprints across five
outlets) into a fresh SQLite file, then times, for the last day: building the ``Digest`` from the
database, rendering HTML and Markdown, and the whole ``write_digest`` (build, render, write both
files, record the run). Best of five runs each.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import db
from bench import history
from monitor.analysis import Definitions
from monitor.config.model import load_config
from monitor.digest.build import build_digest
from monitor.digest.publish import write_digest
from monitor.digest.render import render_html, render_text

NOW = datetime(2026, 10, 30, 18, 0, tzinfo=UTC)


def _best(run: Callable[[], object], rounds: int = 5) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench digest", description=__doc__.split("\n\n")[0])
    parser.parse_args(argv)
    from monitor.pipeline.importer import import_file

    work = Path(tempfile.mkdtemp(prefix="bench-digest-"))
    (work / "monitor.yaml").write_text("feeds: []\nschedule: {timezone: UTC}\n", encoding="utf-8")
    config = load_config(work / "monitor.yaml")
    definitions = Definitions.from_config(config)
    database = db.open_database(config.database_url)
    try:
        report = import_file(database, config, definitions, history.write(work / "history.jsonl"), now=NOW)
        day = history.END
        digest = build_digest(database, config, definitions, day, now=NOW)
        print(f"history_items {report.new} items")
        print(f"history_days {len(digest.scenarios[0].history)} days")
        print(
            f"digest_build_s {_best(lambda: build_digest(database, config, definitions, day, now=NOW)):.4f} s"
        )
        print(f"digest_render_s {_best(lambda: (render_html(digest), render_text(digest))):.4f} s")
        total = _best(lambda: write_digest(database, config, definitions, day, now=NOW, out_dir=work / "out"))
        print(f"digest_write_s {total:.4f} s")
    finally:
        database.close()
    return 0
