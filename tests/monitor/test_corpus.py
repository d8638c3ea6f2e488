"""Every document of feedparser's own test corpus, served over HTTP on 127.0.0.1, through
``fetch_all`` and ``parse_feed``: nothing may raise, and every document that yields no usable item
must say why.

The corpus lives in ``shared/corpora/feedparser-tests`` beside the repository (``MONITOR_SHARED_DIR``
overrides the ``shared`` folder); the test is skipped, saying so, where it is absent.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.feeds.fetch import FetchOutcome, FetchRequest, FetchSettings, fetch_all_sync
from monitor.feeds.parse import ParsedFeed, parse_feed
from tests.helpers import SHARED_DIR
from tests.helpers.feed_server import FeedServer, Reply

CORPUS = SHARED_DIR / "corpora" / "feedparser-tests"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

# "Header:  Content-type: text/xml; charset=us-ascii" lines in each document's leading comment
# are the response headers feedparser's own test server sends with that document.
_HEADER = re.compile(r"^Header:\s*([A-Za-z-]+):[ \t]*(.*?)\s*$", re.MULTILINE)
_EXPECTED_ENCODING = re.compile(r"^Expect:.*\bencoding == '([^']+)'", re.MULTILINE)


def _comment(body: bytes) -> str:
    head = body[:3000].decode("utf-8", "replace")
    start, end = head.find("<!--"), head.find("-->")
    return head[start:end] if 0 <= start < end else ""


def _headers(body: bytes) -> tuple[tuple[str, str], ...]:
    found = tuple((name, value) for name, value in _HEADER.findall(_comment(body)))
    if not any(name.lower() == "content-type" for name, _ in found):
        found += (("Content-Type", "application/xml"),)
    return found


def _documents() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*.xml") if p.is_file())


@pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason=f"feedparser corpus not found at {CORPUS} (set MONITOR_SHARED_DIR to the folder holding corpora/)",
)
def test_whole_corpus_over_http() -> None:
    documents = _documents()
    assert len(documents) > 900, f"expected the full corpus at {CORPUS}, found {len(documents)} documents"
    by_url: dict[str, Path] = {}
    parsed: dict[str, ParsedFeed] = {}
    outcomes: list[FetchOutcome] = []

    def store(outcome: FetchOutcome) -> None:
        # What the poll pipeline will do: parse each body as it arrives.
        outcomes.append(outcome)
        assert outcome.kind == "ok" and outcome.body is not None, (outcome.url, outcome.error)
        parsed[outcome.url] = parse_feed(
            outcome.body,
            url=outcome.final_url or outcome.url,
            content_type=outcome.content_type,
            fetched_at=NOW,
            content_language=outcome.content_language,
        )

    with FeedServer() as server:
        for path in documents:
            body = path.read_bytes()
            relative = path.relative_to(CORPUS).as_posix()
            url = server.route(f"/{relative}", Reply(body=body, headers=_headers(body)))
            by_url[url] = path
        requests = [FetchRequest(i, url) for i, url in enumerate(by_url)]
        settings = FetchSettings(deadline=20, per_host_concurrency=16, concurrency=16)
        fetch_all_sync(requests, settings, now=lambda: NOW, on_result=store)

    assert len(outcomes) == len(parsed) == len(documents)
    with_items = {url for url, feed in parsed.items() if feed.items}
    without = {url: feed for url, feed in parsed.items() if not feed.items}
    unexplained = sorted(by_url[url].name for url, feed in without.items() if not feed.problem)
    assert unexplained == []
    # problem is set exactly when nothing is usable
    assert all(feed.problem is None for url, feed in parsed.items() if url in with_items)

    for feed in parsed.values():
        for item in feed.items:
            assert item.guid and item.guid == item.guid.strip() and len(item.guid) <= 1000
            assert item.title or item.summary or item.link
            assert item.published is None or (
                item.published.utcoffset() == timedelta(0) and item.published <= NOW + timedelta(days=1)
            )

    # The encodings feedparser's own tests expect survive the trip through our server and fetcher
    # (charset parameters, BOMs, XML declarations). Documents needing chardet are left out.
    wrong_encoding = []
    for url, feed in parsed.items():
        comment = _comment(by_url[url].read_bytes())
        expected = _EXPECTED_ENCODING.search(comment)
        if expected and "SkipUnless" not in comment and (feed.encoding or "").lower() != expected[1].lower():
            wrong_encoding.append((by_url[url].name, expected[1], feed.encoding))
    assert wrong_encoding == []

    kinds = Counter((feed.problem or "").split(" at line")[0].split(":")[0] for feed in without.values())
    print(
        f"\ncorpus: {len(documents)} documents served, {len(with_items)} yielding items, "
        f"{len(without)} with a problem; {sum(len(f.items) for f in parsed.values())} items in all"
    )
    for reason, count in kinds.most_common():
        print(f"  {count:4d}  {reason}")
    assert len(with_items) + len(without) == len(documents)
    assert len(with_items) > 150  # most wellformed documents have at least one usable entry
