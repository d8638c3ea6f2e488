"""A document of more than MAX_ENTRIES entries is cut before feedparser reads it, in each format,
and says how many entries it had."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.feeds.parse import MAX_ENTRIES, parse_feed

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
COUNT = MAX_ENTRIES + 500


def _rss(n: int) -> bytes:
    items = "".join(f"<item><guid>g{i}</guid><title>Item {i}</title></item>" for i in range(n))
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}</channel></rss>'.encode()
    )


def _atom(n: int) -> bytes:
    entries = "".join(f"<entry><id>urn:e{i}</id><title>Entry {i}</title></entry>" for i in range(n))
    return f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>{entries}</feed>'.encode()


def _rdf(n: int) -> bytes:
    items = "".join(
        f'<item rdf:about="https://news.example/{i}"><title>Item {i}</title></item>' for i in range(n)
    )
    return (
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://news.example/"><title>x</title>'
        f"<items><rdf:Seq></rdf:Seq></items></channel>{items}</rdf:RDF>"
    ).encode()


@pytest.mark.parametrize("build", [_rss, _atom, _rdf], ids=["rss", "atom", "rdf"])
def test_a_long_document_keeps_its_first_entries_and_counts_them_all(build: object) -> None:
    body = build(COUNT)  # type: ignore[operator]
    parsed = parse_feed(body, url="https://news.example/feed", content_type="application/xml", fetched_at=NOW)
    assert parsed.problem is None
    assert len(parsed.items) == MAX_ENTRIES
    assert parsed.items[0].title.endswith(" 0") and parsed.items[-1].title.endswith(f" {MAX_ENTRIES - 1}")
    assert parsed.warning == f"{COUNT} entries: only the first {MAX_ENTRIES} were read"


def test_a_document_at_the_cap_is_parsed_whole() -> None:
    parsed = parse_feed(_rss(MAX_ENTRIES), url="https://news.example/feed", content_type=None, fetched_at=NOW)
    assert len(parsed.items) == MAX_ENTRIES and parsed.warning is None
