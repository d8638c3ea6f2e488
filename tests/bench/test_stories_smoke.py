"""``python -m bench stories`` at a small size: every figure printed as ``name value unit`` with a
plausible value, and the grouping the same in every run. Nothing here looks at timings."""

from __future__ import annotations

import json
import math
import subprocess
import sys

from bench import ingest_feeds as gen
from bench import stories
from tests.helpers import REPO_ROOT

FEEDS = 6


def test_stories_smoke() -> None:
    command = [sys.executable, "-m", "bench", "stories", "--feeds", str(FEEDS), "--runs", "2", "--json"]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    document = json.loads(done.stdout)
    figures = document["figures"]

    lines = stories.render_lines(document)
    assert [line.split()[0] for line in lines] == list(stories.FIGURES)
    assert all(len(line.split()) == 3 for line in lines), lines
    for name in stories.FIGURES:
        assert math.isfinite(figures[name]) and figures[name] > 0, (name, figures[name])

    items = FEEDS * gen.ITEMS_PER_FEED
    assert figures["items"] == items
    assert 0 < figures["stories"] < items  # feeds of one language share words: some items join
    # what one item costs: more than its token tuple, less than the sets the index used to keep
    assert 100 < figures["index_bytes_per_item"] < 8000
    assert len(document["runs_us_per_item"]) == 2


def test_stories_prints_figure_lines() -> None:
    command = [sys.executable, "-m", "bench", "stories", "--feeds", "2", "--runs", "1"]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    names = [line.split()[0] for line in done.stdout.splitlines()]
    assert names == list(stories.FIGURES)


def test_decisions_do_not_depend_on_the_ids_a_run_makes() -> None:
    # the checksum compares two versions of the index: it must see the partition, not the ids
    assert stories._canonical([-1, -2, -1, -3]) == stories._canonical([7, 3, 7, 9]) == "0,1,0,3"
