"""The hostile feeds of the fault suite: one route per way a server can hurt a poller, next to good feeds.

Every case says what the poll must record for it: ``ok`` (its items stored, possibly with a warning),
``error`` (a failed poll with its reason) or ``either`` (the backend decides: SQLite keeps a 5 KB ETag,
PostgreSQL refuses it; both must record the feed, neither may lose the good ones).
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass

from tests.helpers import RSS, rss
from tests.helpers.feed_server import FeedServer, Reply

# What the fault suite puts in a feed URL's userinfo; it must never show up anywhere.
URL_PASSWORD = "Hunter2-fault-suite-pw"
GOOD_FEEDS = 5
GOOD_ITEMS = 3  # per good feed
BIG_ITEMS = 100_000


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    reply: Reply
    expect: str  # "ok" | "error" | "either"
    items: int = 0  # items a case expected "ok" stores


def _headers(*extra: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return (("Content-Type", RSS), *extra)


def _good(index: int) -> bytes:
    return rss(
        f"Good wire {index}",
        [
            (f"good{index}-{n}", f"Lukashenko orders troops to the border, report {index}.{n}", "Minsk said.")
            for n in range(GOOD_ITEMS)
        ],
    )


def _dated(dates: list[str]) -> bytes:
    entries = "".join(
        f"<item><guid>dated-{n}</guid><title>Dated item {n}</title><link>https://news.example/d{n}</link>"
        f"<pubDate>{d}</pubDate></item>"
        for n, d in enumerate(dates)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Dates</title><link>https://news.example/</link>'
        f"<description>d</description>{entries}</channel></rss>"
    ).encode()


def _single(title: str = "Plain item", link: str = "https://news.example/x", language: str = "en") -> bytes:
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>One</title><link>https://news.example/</link>'
        f"<description>d</description><language>{language}</language><item><guid>single-1</guid>"
        f"<title>{title}</title><link>{link}</link></item></channel></rss>"
    ).encode()


def _big_feed(items: int) -> bytes:
    entries = "".join(
        f"<item><guid>big-{n}</guid><title>Item {n}</title><link>https://news.example/b{n}</link></item>"
        for n in range(items)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title><link>https://news.example/</link>'
        f"<description>d</description>{entries}</channel></rss>"
    ).encode()


def _deflate_bomb(size: int) -> bytes:
    compressor = zlib.compressobj(9)
    chunk = b"\0" * (1 << 20)
    parts = [compressor.compress(chunk) for _ in range(size >> 20)]
    return b"".join(parts) + compressor.flush()


def cases(max_body: int, deadline: float) -> list[Case]:
    """Every hostile case plus the good feeds; ``max_body`` and ``deadline`` are the config's."""
    good = [
        Case(f"good-{i}", f"/good-{i}.xml", Reply(200, _good(i), _headers()), "ok", GOOD_ITEMS)
        for i in range(GOOD_FEEDS)
    ]
    stacked = gzip.compress(gzip.compress(b"<rss>" + b" " * (4 * max_body) + b"</rss>"))
    hostile = [
        Case(
            "hang-after-headers",
            "/hang.xml",
            Reply(200, _good(9), _headers(), chunk_size=1, chunk_delay=deadline * 4),
            "error",
        ),
        Case(
            "trickle",
            "/trickle.xml",
            Reply(200, _good(8) * 4, _headers(), chunk_size=16, chunk_delay=deadline / 20),
            "error",
        ),
        Case(
            "stacked-gzip",
            "/stacked.xml",
            Reply(200, stacked, _headers(("Content-Encoding", "gzip, gzip"))),
            "error",
        ),
        Case(
            "deflate-bomb",
            "/bomb.xml",
            Reply(200, _deflate_bomb(8 * max_body), _headers(("Content-Encoding", "deflate"))),
            "error",
        ),
        Case("50mb-body", "/huge.xml", Reply(200, b"<rss>" + b"x" * (50 << 20), _headers()), "error"),
        Case("100k-items", "/big.xml", Reply(200, _big_feed(BIG_ITEMS), _headers()), "ok", 1000),
        Case("redirect-loop", "/loop.xml", Reply(302, b"", (("Location", "/loop.xml"),)), "error"),
        Case(
            "redirect-file", "/to-file.xml", Reply(302, b"", (("Location", "file:///etc/passwd"),)), "error"
        ),
        Case(
            "redirect-ftp",
            "/to-ftp.xml",
            Reply(301, b"", (("Location", "ftp://127.0.0.1/feed.xml"),)),
            "error",
        ),
        Case(
            "html-page",
            "/html.xml",
            Reply(
                200,
                b"<!doctype html><html><body><p>Hello</p></body></html>",
                (("Content-Type", "text/html"),),
            ),
            "error",
        ),
        Case("empty-200", "/empty.xml", Reply(200, b"", _headers()), "error"),
        Case(
            "invalid-xml",
            "/invalid.xml",
            Reply(200, b"<rss><channel><item><title>x</rss", _headers()),
            "error",
        ),
        Case(
            "dates-at-limits",
            "/dates.xml",
            Reply(
                200,
                _dated(
                    [
                        "Mon, 01 Jan 0001 00:00:00 GMT",
                        "Mon, 01 Jan 1900 00:00:00 GMT",
                        "Fri, 31 Dec 9999 23:59:59 GMT",
                        "Sun, 01 Nov 2026 08:00:00 -1200",
                        "Sun, 01 Nov 2026 08:00:00 -0930",
                        "2026-11-01T23:59:59-11:00",
                    ]
                ),
                _headers(),
            ),
            "ok",
            6,
        ),
        Case(
            "5kb-etag",
            "/etag.xml",
            Reply(200, _single(), _headers(("ETag", '"' + "e" * 5000 + '"'))),
            "either",
            1,
        ),
        Case(
            "61-char-language",
            "/language.xml",
            Reply(200, _single(language="x" * 61), _headers()),
            "either",
            1,
        ),
        Case(
            "3kb-link",
            "/link.xml",
            Reply(200, _single(link="https://news.example/" + "l" * 3000), _headers()),
            "either",
            1,
        ),
        Case("1mb-title", "/title.xml", Reply(200, _single(title="T" * (1 << 20)), _headers()), "either", 1),
        Case(
            "hostile-reason",
            "/reason.xml",
            Reply(503, b"", _headers(), reason="[/x][bold red]boom \x1b[31mred\x1b[0m \x1b]0;title\x07"),
            "error",
        ),
    ]
    return good + hostile


def serve(server: FeedServer, all_cases: list[Case]) -> list[tuple[str, str]]:
    """Route every case on ``server``; the (name, url) pairs for the config, with credentials on the
    first good feed's URL."""
    feeds = []
    for case in all_cases:
        url = server.route(case.path, case.reply)
        if case.name == "good-0":
            url = url.replace("http://", f"http://monitor:{URL_PASSWORD}@", 1)
        feeds.append((case.name, url))
    return feeds
