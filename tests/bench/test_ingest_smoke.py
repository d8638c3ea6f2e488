"""``python -m bench ingest`` end to end on 10 feeds and one run: every figure is printed with a
plausible value, and both sides stored what the server served. Nothing here looks at timings."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from bench import ingest
from bench import ingest_feeds as gen
from tests.helpers import REPO_ROOT

FEEDS = 10
PER_FEED_AFTER_ROUNDS = gen.ITEMS_PER_FEED + gen.NEW_PER_ROUND * gen.ROUNDS


@pytest.mark.slow
def test_ingest_smoke() -> None:
    with_reader = ingest.reader_available()
    command = [sys.executable, "-m", "bench", "ingest", "--feeds", str(FEEDS), "--runs", "1", "--json"]
    command += ["--history-per-day", "2"] + ([] if with_reader else ["--skip-reader"])
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    document = json.loads(done.stdout)
    settings, checks, figures = document["settings"], document["checks"], document["figures"]

    # the figures as printed without --json: every name once, as "name value unit"
    lines = ingest.render_lines(document)
    printed = {line.split()[0]: line.split() for line in lines}
    assert all(len(parts) == 3 for parts in printed.values()), lines
    expected = set(ingest.FIGURES) - (set() if with_reader else set(ingest.READER_FIGURES))
    assert expected <= set(printed), sorted(expected - set(printed))
    for name in expected:
        value = figures[name]["value"]
        assert math.isfinite(value) and value > 0, (name, value)

    # what was generated and served
    assert settings["generated_items"] == FEEDS * gen.ITEMS_PER_FEED
    assert 0.12 <= settings["generated_matching_share"] <= 0.3
    assert settings["history_items"] == FEEDS * 2 * gen.HISTORY_DAYS

    # our side stored exactly what the server served, matched about as much, and failed nowhere
    assert checks["items_served_first"] == FEEDS * gen.ITEMS_PER_FEED
    assert checks["items_stored_first"] == checks["items_served_first"]
    assert checks["items_stored_after_rounds"] == FEEDS * PER_FEED_AFTER_ROUNDS
    assert abs(checks["stored_matching_share"] - settings["generated_matching_share"]) < 0.05
    assert checks["feeds_failed"] == 0
    assert checks["responses_304_on_repoll"] == FEEDS
    ours = document["runs"]["ours"][0]
    assert [r["served"]["200"] for r in ours["rounds"]] == [FEEDS] * gen.ROUNDS
    same_body = ours["repoll_same_body"]["served"]
    assert (same_body["200"], same_body["304"], same_body["connection_errors"]) == (FEEDS, 0, 0)
    assert same_body["bytes"] == ours["rounds"][-1]["served"]["bytes"]
    assert ours["history"]["items_stored"] == settings["history_items"] + FEEDS * gen.ITEMS_PER_FEED
    assert 10 < figures["peak_rss_mb_first"]["value"] < 2000
    assert figures["tree_processes_max"]["value"] >= 1
    assert figures["history_cost_ratio"]["value"] == pytest.approx(
        figures["history_poll_s"]["value"] / figures["ingest_s"]["value"], rel=1e-6
    )

    if not with_reader:
        assert "reader library is not installed" in done.stderr
        pytest.skip("the reader library is not installed (pip install -e '.[bench]'): peer side not run")
    assert checks["reader_entries_first"] == FEEDS * gen.ITEMS_PER_FEED
    assert checks["reader_entries_after_rounds"] == FEEDS * PER_FEED_AFTER_ROUNDS
    assert checks["reader_broken_feeds"] == 0
    assert len(document["runs"]["reader"]) == 1
    assert figures["ingest_vs_reader"]["value"] == pytest.approx(
        figures["reader_ingest_s"]["value"] / figures["ingest_s"]["value"], rel=1e-6
    )
