"""The ingest in process: a stored item costs no work, an unchanged body is not parsed again."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

import db
import monitor.feeds.poll as poll_module
from monitor.analysis import Definitions
from monitor.config.model import Config, load_config
from monitor.feeds.parse import parse_feed as real_parse_feed
from monitor.pipeline.poll_cycle import poll_and_refresh
from monitor.pipeline.poll_settings import poll_settings
from tests.helpers.feed_server import FeedServer, Reply

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")


def rss(*items: tuple[str, str]) -> bytes:
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><pubDate>Fri, 20 Nov 2026 08:00:00 +0000</pubDate></item>"
        for guid, title in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{entries}</channel></rss>'.encode()
    )


def config_for(tmp_path: Path, url: str) -> Config:
    path = tmp_path / "monitor.yaml"
    path.write_text(
        f"database:\n  url: sqlite:///{tmp_path / 'm.db'}\nfeeds:\n  - url: {url}\n    name: one\n    language: en\n",
        encoding="utf-8",
    )
    return load_config(path)


@pytest.fixture(scope="module")
def definitions() -> Definitions:
    return Definitions.from_config(load_config(None))


class Counter:
    def __init__(self) -> None:
        self.parsed = 0
        self.matched: list[str] = []


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counter:
    counter = Counter()
    parse_feed = real_parse_feed
    match_item = Definitions.match_item

    def parse(*args: object, **kwargs: object) -> object:
        counter.parsed += 1
        return parse_feed(*args, **kwargs)  # type: ignore[arg-type]

    def match(self: Definitions, title: str, summary: str) -> object:
        counter.matched.append(title)
        return match_item(self, title, summary)

    monkeypatch.setattr("monitor.feeds.poll.parse_feed", parse)
    monkeypatch.setattr(Definitions, "match_item", match)
    return counter


def test_only_new_and_changed_items_are_analysed(
    tmp_path: Path, definitions: Definitions, counted: Counter
) -> None:
    with FeedServer() as server:
        body = rss(("1", "Minsk moves troops to the border"), ("2", "Weather in Vilnius"))
        url = server.route("/feed.xml", lambda _: Reply(body=body))
        config = config_for(tmp_path, url)
        database = db.open_database(config.database_url)
        db.sync_feeds(database, [db.FeedSpec(url, "one", "en", 1.0, 900)], NOW)
        first = poll_and_refresh(database, config, definitions, now=lambda: NOW, due_only=False)
        assert first.items_new == 2 and sorted(counted.matched) == sorted(
            ["Minsk moves troops to the border", "Weather in Vilnius"]
        )
        counted.matched.clear()
        body = rss(
            ("1", "Minsk moves troops to the border"), ("2", "Weather in Vilnius, corrected"), ("3", "New")
        )
        later = NOW + timedelta(minutes=20)
        second = poll_and_refresh(database, config, definitions, now=lambda: later, due_only=False)
        (feed,) = second.feeds
        assert (feed.items_new, feed.items_updated) == (1, 1)
        assert sorted(counted.matched) == ["New", "Weather in Vilnius, corrected"]  # item 1: a lookup only
        assert feed.earliest_day == NOW.date()
        database.close()


def test_an_unchanged_body_is_not_parsed_again(
    tmp_path: Path, definitions: Definitions, counted: Counter
) -> None:
    with FeedServer() as server:
        body = rss(("1", "Minsk moves troops to the border"))
        # A server that ignores the validators: the same 200 body every time.
        url = server.route("/feed.xml", Reply(body=body))
        config = config_for(tmp_path, url)
        database = db.open_database(config.database_url)
        db.sync_feeds(database, [db.FeedSpec(url, "one", "en", 1.0, 900)], NOW)
        poll_and_refresh(database, config, definitions, now=lambda: NOW, due_only=False)
        assert counted.parsed == 1
        again = poll_and_refresh(
            database, config, definitions, now=lambda: NOW + timedelta(hours=1), due_only=False
        )
        assert counted.parsed == 1
        (feed,) = again.feeds
        assert feed.outcome is db.PollOutcome.OK and (feed.items_new, feed.items_updated) == (0, 0)
        (state,) = db.list_feeds(database)
        assert state.body_hash is not None and state.last_success_at == NOW + timedelta(hours=1)
        database.close()


def test_bodies_parsed_on_worker_processes_store_what_inline_parsing_stores(
    tmp_path: Path, definitions: Definitions
) -> None:
    with FeedServer() as server:
        urls = [
            server.route(
                f"/f{n}.xml", Reply(body=rss((f"{n}-1", f"Minsk moves troops {n}"), (f"{n}-2", "Rain")))
            )
            for n in range(4)
        ]
        stored = []
        for workers in (0, 2):
            database = db.open_database(f"sqlite:///{tmp_path / f'w{workers}.db'}")
            db.sync_feeds(database, [db.FeedSpec(u, u[-6:], "en", 1.0, 900) for u in urls], NOW)
            settings = dataclasses.replace(
                poll_settings(config_for(tmp_path, urls[0])), parse_workers=workers, parse_pool_min_feeds=1
            )
            report = poll_module.poll(
                database, settings, definitions.analyser(tz=UTC_ZONE), now=lambda: NOW, due_only=False
            )
            assert report.items_new == 8 and report.failed == 0
            with database.engine.connect() as conn:
                stored.append(
                    [
                        tuple(r)
                        for r in conn.execute(
                            text("SELECT guid, title, day, signature FROM items ORDER BY guid")
                        )
                    ]
                )
            database.close()
        assert stored[0] == stored[1] and len(stored[0]) == 8


def hostile_config(tmp_path: Path, database_url: str, urls: list[str]) -> Config:
    feeds = "".join(f"  - url: {u}\n    name: {u.rsplit('/', 1)[-1]}\n    language: en\n" for u in urls)
    path = tmp_path / "hostile.yaml"
    # West of UTC: an item dated year 1 has no local day there (OverflowError before storage).
    path.write_text(
        f"database:\n  url: '{database_url}'\nschedule:\n  timezone: America/New_York\nfeeds:\n{feeds}",
        encoding="utf-8",
    )
    return load_config(path)


def test_one_feed_that_cannot_be_stored_does_not_stop_the_others(
    tmp_path: Path, database_url: str, definitions: Definitions, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A fault in the analysis of one item (any exception: a bug, a value out of range) ...
    match_item = Definitions.match_item

    def fragile(self: Definitions, title: str, summary: str) -> object:
        if "EXPLODE" in title:
            raise OverflowError("date value out of range")
        return match_item(self, title, summary)

    monkeypatch.setattr(Definitions, "match_item", fragile)
    year_one = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><guid>old</guid>'
        b"<title>Minsk moves troops</title><pubDate>Mon, 01 Jan 0001 00:00:00 +0000</pubDate></item>"
        b"</channel></rss>"
    )
    long_link = rss(("x", "Minsk moves troops")).replace(
        b"<guid>x</guid>", b"<guid>x</guid><link>https://example.org/" + b"a" * 3000 + b"</link>"
    )
    with FeedServer() as server:
        good = [
            server.route(f"/good{n}.xml", Reply(body=rss((f"g{n}", f"Minsk moves troops {n}"))))
            for n in range(3)
        ]
        bad = [
            server.route("/year1.xml", Reply(body=year_one)),
            server.route("/link.xml", Reply(body=long_link)),
            server.route("/explode.xml", Reply(body=rss(("b", "EXPLODE")))),
        ]
        etag = server.route(
            "/etag.xml",
            Reply(
                body=rss(("e", "Weather")),
                headers=(("Content-Type", "application/rss+xml"), ("ETag", '"' + "e" * 5000 + '"')),
            ),
        )
        config = hostile_config(tmp_path, database_url, [*good, *bad, etag])
        database = db.open_database(config.database_url)
        db.sync_feeds(
            database, [db.FeedSpec(u, u.rsplit("/", 1)[-1], "en", 1.0, 900) for u in [*good, *bad, etag]], NOW
        )
        report = poll_and_refresh(database, config, definitions, now=lambda: NOW, due_only=False)
        by_name = {f.name: f for f in report.feeds}
        assert all(by_name[f"good{n}.xml"].items_new == 1 for n in range(3))
        # ... fails that feed only, recorded with backoff: not due again at once.
        assert by_name["explode.xml"].outcome is db.PollOutcome.ERROR
        assert "could not be stored (OverflowError" in (by_name["explode.xml"].error or "")
        states = {f.name: f for f in db.list_feeds(database)}
        assert states["explode.xml"].consecutive_failures == 1
        assert (states["explode.xml"].next_poll_at or NOW) > NOW
        # A date of year 1 (an OverflowError west of UTC before the bound) is dropped with a warning;
        # the item counts on its fetch day.
        assert by_name["year1.xml"].outcome is db.PollOutcome.OK and by_name["year1.xml"].items_new == 1
        assert "implausibly old date" in (states["year1.xml"].last_error or "")
        assert db.load_trend(database), "the trend was computed from the feeds that were stored"
        if database.dialect == "postgresql":  # SQLite stores any length; PostgreSQL refuses
            assert by_name["link.xml"].outcome is db.PollOutcome.ERROR
            assert states["etag.xml"].last_error is not None and "refused" in states["etag.xml"].last_error
        (run,) = db.recent_runs(database, db.RunKind.POLL)
        assert run.outcome is db.RunOutcome.PARTIAL and run.feeds_failed >= 1
        database.close()
