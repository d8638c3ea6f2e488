"""Analysis on worker processes: what a worker gives is what the poll's own process gives, and a
worker that cannot start or dies leaves the analysis to the poll, which stores every item anyway."""

from __future__ import annotations

import dataclasses
import logging
import os
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

import db
import monitor.feeds.poll as poll_module
from indicators.errors import DefinitionError
from monitor import analysis_worker
from monitor.analysis import Definitions
from monitor.config.model import load_config
from monitor.feeds.parse import ParsedItem
from monitor.pipeline.poll_settings import poll_settings
from monitor.pipeline.story_assigner import StoryAssigner
from tests.helpers.feed_server import FeedServer, Reply

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")

# Titles and summaries in the languages the feeds come in, matching and not, with markup to clean.
TEXTS = [
    ("Lukashenko refuses to send troops to Ukraine", "<p>Minsk said on 12 March it would not join.</p>"),
    ("Drohnen aus Belarus über Litauen", "Ein Drohnenschwarm drang am 3. Oktober in den Luftraum ein."),
    ("Baltkrievija atbrīvo politieslodzītos", "Atbrīvoti 52 ieslodzītie, ziņo Viļņa."),
    ("Gazprom cuts gas supplies to Belarus", "Deliveries of Russian gas fell by 40% &amp; oil too."),
    ("Weather in Vilnius", "Rain all week, 12 degrees."),
    ("Лукашэнка адмовіўся пасылаць войскі", "Мінск заявіў пра нейтралітэт 5 сакавіка."),
]


@pytest.fixture(scope="module")
def definitions() -> Definitions:
    return Definitions.from_config(load_config(None))


def parsed(n: int, title: str, summary: str) -> ParsedItem:
    return ParsedItem(f"g{n}", f"https://example.org/{n}", title, summary, NOW, f"h{n}", None)


def test_a_worker_gives_what_the_analyser_gives_in_the_polls_process(definitions: Definitions) -> None:
    analyser = definitions.analyser(tz=UTC_ZONE)
    offload = analyser.offload
    assert offload is not None
    offload.setup(*offload.setup_args)  # the worker's code, run here: it is pure
    entries = [parsed(n, t, s) for n, (t, s) in enumerate(TEXTS)]
    pending = analyser.pending(entries, {})
    here = analyser.writes(entries, {}, "en", NOW)
    there = analyser.writes_from(
        pending, offload.analyse([(e.title, e.summary) for e, _ in pending]), "en", NOW
    )
    assert there == here
    assert sum(1 for w in here if w.matches) >= 4  # the comparison covers matches, not only misses


def test_a_worker_refuses_definitions_that_are_not_the_polls(definitions: Definitions) -> None:
    with pytest.raises(DefinitionError, match="changed since the poll loaded them"):
        analysis_worker.setup((), definitions.indicators.fingerprint + "-other")


def rss(n: int) -> bytes:
    entries = "".join(
        f"<item><guid>{n}-{k}</guid><title>{t}</title><description>{s.replace('&', '&amp;').replace('<', '&lt;')}"
        f"</description><pubDate>Fri, 20 Nov 2026 08:00:00 +0000</pubDate></item>"
        for k, (t, s) in enumerate(TEXTS)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{entries}</channel></rss>'.encode()
    )


def stored(database: db.Database) -> list[tuple[object, ...]]:
    with database.engine.connect() as conn:
        items = [
            tuple(r)
            for r in conn.execute(
                text("SELECT guid, title, summary, day, signature, patterns_hash FROM items ORDER BY guid")
            )
        ]
        matches = [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT i.guid, m.indicator_id, m.polarity, m.evidence FROM matches m"
                    " JOIN items i ON i.id = m.item_id ORDER BY i.guid, m.indicator_id"
                )
            )
        ]
    return items + matches


def poll_with(
    tmp_path: Path, urls: list[str], analyser: poll_module.Analyser, workers: int, name: str
) -> tuple[poll_module.PollReport, list[tuple[object, ...]]]:
    database = db.open_database(f"sqlite:///{tmp_path / name}")
    db.sync_feeds(database, [db.FeedSpec(u, u.rsplit("/", 1)[-1], "en", 1.0, 900) for u in urls], NOW)
    settings = dataclasses.replace(
        poll_settings(load_config(None)), analysis_workers=workers, parse_pool_min_feeds=1
    )
    stories = StoryAssigner.empty()
    report = poll_module.poll(database, settings, analyser, now=lambda: NOW, due_only=False, stories=stories)
    rows = stored(database)
    database.close()
    return report, rows


_notes: Path | None = None


def noting_setup(files: tuple[str, ...], fingerprint: str, notes: str) -> None:
    """The worker's setup, and where its analyse() leaves a note of each call."""
    global _notes
    analysis_worker.setup(files, fingerprint)
    _notes = Path(notes)


def noting_analyse(pairs: Sequence[tuple[str, str]]) -> list[analysis_worker.Analysed]:
    assert _notes is not None
    (_notes / f"{os.getpid()}-{uuid.uuid4().hex}").write_text(str(len(pairs)), encoding="utf-8")
    return analysis_worker.analyse(pairs)


def test_a_poll_analysed_on_a_worker_stores_what_an_inline_poll_stores(
    tmp_path: Path, definitions: Definitions
) -> None:
    analyser = definitions.analyser(tz=UTC_ZONE)
    assert analyser.offload is not None
    notes = tmp_path / "notes"
    notes.mkdir()
    noting = dataclasses.replace(
        analyser,
        offload=poll_module.AnalysisOffload(
            noting_setup, (*analyser.offload.setup_args, str(notes)), noting_analyse
        ),
    )
    with FeedServer() as server:
        urls = [server.route(f"/f{n}.xml", Reply(body=rss(n))) for n in range(5)]
        inline_report, inline = poll_with(tmp_path, urls, analyser, 0, "inline.db")
        worker_report, worker = poll_with(tmp_path, urls, noting, 1, "worker.db")
    assert inline_report.items_new == worker_report.items_new == 5 * len(TEXTS)
    assert worker_report.failed == 0
    assert worker == inline and any(row[0] == "0-0" and len(row) == 4 for row in worker)
    # every item was analysed on the worker, another process than this one
    calls = list(notes.iterdir())
    assert sum(int(c.read_text(encoding="utf-8")) for c in calls) == 5 * len(TEXTS)
    assert {c.name.split("-")[0] for c in calls} - {str(os.getpid())} == {c.name.split("-")[0] for c in calls}


def test_a_worker_that_cannot_start_leaves_the_analysis_to_the_poll(
    tmp_path: Path, definitions: Definitions, caplog: pytest.LogCaptureFixture
) -> None:
    analyser = definitions.analyser(tz=UTC_ZONE)
    assert analyser.offload is not None
    # The worker's definitions are not the poll's: it refuses to start, and the pool breaks.
    broken = dataclasses.replace(
        analyser,
        offload=dataclasses.replace(analyser.offload, setup_args=((), "not-the-fingerprint")),
    )
    with FeedServer() as server:
        urls = [server.route(f"/f{n}.xml", Reply(body=rss(n))) for n in range(3)]
        _, inline = poll_with(tmp_path, urls, analyser, 0, "inline.db")
        with caplog.at_level(logging.WARNING, logger="monitor.feeds.poll"):
            report, fallen_back = poll_with(tmp_path, urls, broken, 1, "broken.db")
    assert report.failed == 0 and report.items_new == 3 * len(TEXTS)
    assert fallen_back == inline
    assert any("analysis workers stopped" in r.getMessage() for r in caplog.records)
