"""The foundation's acceptance, end to end: the real ``monitor`` command, a real HTTP server on
127.0.0.1 serving feed files, and a real SQLite file."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.monitor.conftest_feeds import FeedServer, Recorded, Reply, dead_port

RSS = "application/rss+xml; charset=utf-8"


def rss(channel: str, items: list[tuple[str, str, str]]) -> bytes:
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>https://news.example/{guid}</link>"
        f"<description>{summary}</description><pubDate>Sun, 01 Nov 2026 08:00:00 GMT</pubDate></item>"
        for guid, title, summary in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{channel}</title>'
        f"<link>https://news.example/</link><description>test</description>{entries}</channel></rss>"
    ).encode()


def conditional(body: bytes) -> Callable[[Recorded], Reply]:
    """200 with an ETag, 304 when the client sends it back."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'

    def reply(request: Recorded) -> Reply:
        if request.header("If-None-Match") == etag:
            return Reply(304, b"", (("ETag", etag),))
        return Reply(200, body, (("Content-Type", RSS), ("ETag", etag)))

    return reply


FEED_A = rss(
    "Wire A",
    [
        ("a-1", "Lukashenko meets Putin in Moscow", "Talks on the Union State &amp; energy prices."),
        ("a-2", "Drone crossed into Lithuania from Belarus", "Vilnius airport was closed for an hour."),
        ("a-3", "Weather in Minsk", "Snow expected."),
    ],
)
FEED_B = rss(
    "Wire B",
    [
        ("b-1", "Gas talks between Minsk and Moscow", "Gazprom price for 2027."),
        ("b-2", "Poland scrambles jets", "<p>Jets were <b>scrambled</b> after a drone alert.</p>"),
    ],
)


def write_config(path: Path, feeds: list[tuple[str, str]], *, interval: str = "15m") -> Path:
    lines = [
        "database:",
        "  url: sqlite:///data/monitor.db",
        "schedule:",
        f"  poll_interval: {interval}",
        "fetch:",
        "  connect_timeout: 2s",
        "  read_timeout: 5s",
        "  deadline: 10s",
        "feeds:" if feeds else "feeds: []",
    ]
    for name, url in feeds:
        lines += [f"  - name: {name}", f"    url: {url}", "    language: en", "    reliability: 0.9"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def monitor(
    config: Path, *args: str, check: bool = True, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MONITOR_CONFIG"}
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=config.parent,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"monitor {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result


def rows(config: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(config.parent / "data" / "monitor.db") as conn:
        return conn.execute(query).fetchall()


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as feed_server:
        yield feed_server


def test_poll_stores_each_item_once_then_gets_304s(tmp_path: Path, server: FeedServer) -> None:
    config = write_config(
        tmp_path / "monitor.yaml",
        [
            ("wire-a", server.route("/a.xml", conditional(FEED_A))),
            ("wire-b", server.route("/b.xml", conditional(FEED_B))),
        ],
    )
    first = monitor(config, "poll")
    assert "5 new items" in first.stdout
    assert rows(config, "select count(*), count(distinct feed_id || guid) from items") == [(5, 5)]
    # Feed text is stored as clean text: entities decoded, tags gone.
    (summary,) = rows(config, "select summary from items where guid = 'b-2'")[0]
    assert summary == "Jets were scrambled after a drone alert."

    second = monitor(config, "poll")
    assert "0 new items" in second.stdout
    assert all(r.header("If-None-Match") for r in server.requests[2:])
    assert rows(config, "select outcome, count(*) from feed_polls group by outcome order by outcome") == [
        ("not_modified", 2),
        ("ok", 2),
    ]
    assert rows(config, "select count(*) from items") == [(5,)]
    assert rows(config, "select kind, outcome from runs order by id") == [("poll", "ok"), ("poll", "ok")]


def test_changed_item_is_updated_not_duplicated(tmp_path: Path, server: FeedServer) -> None:
    server.route("/a.xml", Reply(200, FEED_A, (("Content-Type", RSS),)))
    config = write_config(tmp_path / "monitor.yaml", [("wire-a", server.url("/a.xml"))])
    monitor(config, "poll")
    server.route(
        "/a.xml",
        Reply(200, FEED_A.replace(b"Weather in Minsk", b"Blizzard in Minsk"), (("Content-Type", RSS),)),
    )
    second = monitor(config, "poll")
    assert "0 new items" in second.stdout
    assert rows(config, "select count(*) from items") == [(3,)]
    assert rows(config, "select title from items where guid = 'a-3'") == [("Blizzard in Minsk",)]
    assert rows(config, "select items_updated from feed_polls order by id desc limit 1") == [(1,)]


def test_dead_host_is_reported_and_other_feeds_keep_polling(tmp_path: Path, server: FeedServer) -> None:
    config = write_config(
        tmp_path / "monitor.yaml",
        [
            ("alive", server.route("/a.xml", conditional(FEED_A))),
            ("dead", f"http://127.0.0.1:{dead_port()}/feed.xml"),
        ],
    )
    result = monitor(config, "poll")
    assert "3 new items" in result.stdout and "1 failed" in result.stdout
    health = json.loads(monitor(config, "feeds", "--json").stdout)["feeds"]
    dead = next(f for f in health if f["name"] == "dead")
    alive = next(f for f in health if f["name"] == "alive")
    assert dead["consecutive_failures"] == 1 and "refused" in dead["last_error"]
    assert dead["next_poll_at"] > dead["last_attempt_at"]
    assert alive["consecutive_failures"] == 0 and alive["last_error"] is None and alive["items"] == 3
    table = monitor(config, "feeds").stdout
    assert "dead" in table and "refused" in table and "failing" in table


def test_gone_feed_is_disabled_and_moved_feed_recorded(tmp_path: Path, server: FeedServer) -> None:
    server.route("/new.xml", conditional(FEED_B))
    config = write_config(
        tmp_path / "monitor.yaml",
        [
            ("gone", server.route("/gone.xml", Reply(410, b"gone", (("Content-Type", "text/plain"),)))),
            ("moved", server.route("/old.xml", Reply(301, b"", (("Location", server.url("/new.xml")),)))),
        ],
    )
    monitor(config, "poll")
    health = {f["name"]: f for f in json.loads(monitor(config, "feeds", "--json").stdout)["feeds"]}
    assert not health["gone"]["enabled"] and "410" in health["gone"]["disabled_reason"]
    assert health["moved"]["url"] == server.url("/new.xml") and health["moved"]["items"] == 2
    before = len(server.requests)
    monitor(config, "poll")
    paths = [r.path for r in server.requests[before:]]
    assert paths == ["/new.xml"]


def test_killed_mid_poll_leaves_no_partial_poll_and_no_duplicates(tmp_path: Path, server: FeedServer) -> None:
    """The fast feed is stored, the slow one is in flight when the process is killed (SIGKILL)."""
    slow_body = rss("Slow", [(f"s-{i}", f"Slow item {i}", "text") for i in range(20)])
    server.route("/fast.xml", conditional(FEED_A))
    slow = server.route(
        "/slow.xml", Reply(200, slow_body, (("Content-Type", RSS),), chunk_size=64, chunk_delay=0.05)
    )
    config = write_config(tmp_path / "monitor.yaml", [("fast", server.url("/fast.xml")), ("slow", slow)])
    env = {k: v for k, v in os.environ.items() if k != "MONITOR_CONFIG"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "--config", str(config), "poll"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if (tmp_path / "data" / "monitor.db").exists() and server.requests_to("/slow.xml"):
                try:
                    if rows(config, "select count(*) from items")[0][0] == 3:
                        break
                except sqlite3.OperationalError:
                    pass  # the schema is being created
            time.sleep(0.02)
        else:
            pytest.fail("the fast feed was never stored")
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    assert rows(config, "select count(*) from items") == [(3,)]
    assert rows(config, "select count(*) from feed_polls") == [(1,)]
    assert rows(config, "select outcome from runs") == [("running",)]

    server.route("/slow.xml", Reply(200, slow_body, (("Content-Type", RSS),)))
    again = monitor(config, "poll")
    assert "20 new items" in again.stdout
    assert rows(config, "select count(*), count(distinct feed_id || '|' || guid) from items") == [(23, 23)]
    assert rows(config, "select outcome from runs order by id") == [("interrupted",), ("ok",)]


def test_broken_config_is_one_paragraph_naming_file_line_and_key(tmp_path: Path) -> None:
    config = tmp_path / "monitor.yaml"
    config.write_text(
        "schedule:\n  poll_interval: 15m\nfeeds:\n  - name: a\n    url: http://127.0.0.1:1/a.xml\n"
        "    language: en\n    reliability: 7\n",
        encoding="utf-8",
    )
    result = monitor(config, "poll", check=False)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert (
        str(config) in result.stderr and "line 7" in result.stderr and "feeds[0].reliability" in result.stderr
    )
    assert "7" in result.stderr


def test_unknown_key_is_rejected(tmp_path: Path) -> None:
    config = tmp_path / "monitor.yaml"
    config.write_text("schedule:\n  poll_intervall: 15m\n", encoding="utf-8")
    result = monitor(config, "feeds", check=False)
    assert result.returncode == 2 and "poll_intervall" in result.stderr and "line 2" in result.stderr


def test_init_writes_a_valid_starter_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "monitor.yaml"
    monitor(target, "init")
    assert target.read_text(encoding="utf-8").startswith("#")
    again = monitor(target, "init", check=False)
    assert again.returncode == 2 and "already exists" in again.stderr
    feeds = json.loads(monitor(target, "feeds", "--json").stdout)["feeds"]
    assert len(feeds) >= 15 and len({f["language"] for f in feeds}) >= 5


def test_db_upgrade_reports_revision(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.yaml", [])
    assert "upgraded from empty" in monitor(config, "db", "upgrade").stdout
    assert "already up to date" in monitor(config, "db", "upgrade").stdout
