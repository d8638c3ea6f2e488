"""``monitor poll`` end to end: a real HTTP server on 127.0.0.1 serving feed files and a real SQLite
file; killed with SIGKILL mid-poll, it runs as a real process."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import (
    FEED_A,
    FEED_B,
    RSS,
    conditional,
    monitor,
    monitor_command,
    process_env,
    rows,
    rss,
    write_config,
)
from tests.helpers.feed_server import FeedServer, Reply


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
    # Feeds with nothing new are counted, not listed, unless asked for.
    assert "wire-a" in first.stdout and "wire-a" not in second.stdout
    assert "2 feeds with nothing new not listed" in second.stdout
    listed = monitor(config, "poll", "--all")
    assert "wire-a" in listed.stdout and "wire-b" in listed.stdout and "not listed" not in listed.stdout


def test_a_poll_of_many_feeds_with_news_lists_what_needs_a_look_and_counts_the_rest(
    tmp_path: Path, server: FeedServer
) -> None:
    from monitor.cli.polling import TABLE_ROWS_OF_NEWS

    many = TABLE_ROWS_OF_NEWS + 1
    feeds = [
        (f"wire-{n:02d}", server.route(f"/{n}.xml", Reply(200, rss(f"c{n}", [(f"{n}-1", "Drones", "x")]))))
        for n in range(many)
    ]
    feeds.append(("broken-wire", server.route("/broken.xml", Reply(500, b"down"))))
    config = write_config(tmp_path / "monitor.yaml", feeds)
    out = monitor(config, "poll", check=False).stdout
    assert "broken-wire" in out and "wire-00" not in out
    assert f"{many} feeds with new or changed items not listed" in out
    listed = monitor(config, "poll", "--all", check=False).stdout
    assert "wire-00" in listed and "broken-wire" in listed and "not listed" not in listed


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


def test_gone_feed_is_disabled_and_moved_feed_recorded(tmp_path: Path, server: FeedServer) -> None:
    server.route("/new.xml", conditional(FEED_B))
    config = write_config(
        tmp_path / "monitor.yaml",
        [
            ("gone", server.route("/gone.xml", Reply(410, b"gone", (("Content-Type", "text/plain"),)))),
            ("moved", server.route("/old.xml", Reply(301, b"", (("Location", server.url("/new.xml")),)))),
        ],
    )
    assert monitor(config, "poll", check=False).exit_code == 1  # one of two feeds failed
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
    proc = subprocess.Popen(
        monitor_command(config, "poll"),
        cwd=tmp_path,
        env=process_env(),
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


def test_poll_exit_status_says_whether_feeds_failed(tmp_path: Path, server: FeedServer) -> None:
    from tests.helpers.feed_server import dead_port

    for folder in ("ok", "down"):
        (tmp_path / folder).mkdir()
    ok_config = write_config(
        tmp_path / "ok" / "monitor.yaml", [("a", server.route("/a.xml", conditional(FEED_A)))]
    )
    assert monitor(ok_config, "poll").exit_code == 0
    dead = [(f"dead{n}", f"http://127.0.0.1:{dead_port()}/feed.xml") for n in range(2)]
    down = write_config(tmp_path / "down" / "monitor.yaml", dead)
    result = monitor(down, "poll", check=False)
    assert result.exit_code == 3
    assert "every feed failed (every host unreachable: is this machine offline?)" in result.stderr


def test_quiet_poll_still_shows_each_failing_feed(tmp_path: Path, server: FeedServer) -> None:
    """Failures are warnings: `-q` (warnings and up) hides the feeds that answered, not those that failed."""
    from tests.helpers.feed_server import dead_port

    feeds = [
        ("dead", f"http://127.0.0.1:{dead_port()}/feed.xml"),
        ("a", server.route("/a.xml", conditional(FEED_A))),
    ]
    config = write_config(tmp_path / "monitor.yaml", feeds)
    result = monitor(config, "-q", "poll", check=False)
    assert result.exit_code == 1
    assert "WARNING" in result.stderr and "feed='dead' outcome=error" in result.stderr
    assert "feed='a'" not in result.stderr
    assert "offline" not in result.stderr  # one host answered: not this machine's network


def test_a_single_unreachable_feed_gets_the_offline_hint_too(tmp_path: Path) -> None:
    from tests.helpers.feed_server import dead_port

    config = write_config(tmp_path / "monitor.yaml", [("dead", f"http://127.0.0.1:{dead_port()}/feed.xml")])
    result = monitor(config, "poll", check=False)
    assert result.exit_code == 3
    assert "every feed failed (every host unreachable: is this machine offline?)" in result.stderr
