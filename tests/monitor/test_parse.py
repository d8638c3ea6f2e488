"""monitor.feeds.parse: golden feed files and the rules for guids, dates, links and problems."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.feeds.fetch import FetchRequest, FetchSettings, fetch_all_sync
from monitor.feeds.parse import ParsedFeed, ParsedItem, parse_feed
from tests.helpers.feed_server import FeedServer, Reply

FEEDS = Path(__file__).resolve().parent / "feeds"
GOLDEN = sorted(FEEDS.glob("*.xml"))
FETCHED = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
URL = "https://feeds.example.org/feed.xml"


def parse(body: bytes | str, content_type: str | None = "application/rss+xml", **kw: Any) -> ParsedFeed:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return parse_feed(data, url=kw.pop("url", URL), content_type=content_type, fetched_at=FETCHED, **kw)


def rss(items: str, channel: str = "<title>Chan</title>") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{channel}{items}</channel></rss>'
    )


def only(feed: ParsedFeed) -> ParsedItem:
    assert len(feed.items) == 1, feed
    return feed.items[0]


def as_json(feed: ParsedFeed) -> dict[str, Any]:
    return {
        "title": feed.title,
        "problem": feed.problem,
        "warning": feed.warning,
        "skipped": list(feed.skipped),
        "version": feed.version,
        "encoding": feed.encoding,
        "items": [
            {
                "guid": i.guid,
                "link": i.link,
                "title": i.title,
                "summary": i.summary,
                "published": i.published.isoformat() if i.published else None,
                "language": i.language,
                "content_hash": i.content_hash,
            }
            for i in feed.items
        ],
    }


def test_there_are_six_golden_feeds_each_with_expected_items() -> None:
    assert len(GOLDEN) == 6
    for path in GOLDEN:
        assert (FEEDS / f"{path.stem}.expected.json").is_file(), path


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_golden_feed(path: Path) -> None:
    expected = json.loads((FEEDS / f"{path.stem}.expected.json").read_text(encoding="utf-8"))
    call = expected.pop("call")
    feed = parse_feed(
        path.read_bytes(),
        url=call["url"],
        content_type=call["content_type"],
        fetched_at=datetime.fromisoformat(call["fetched_at"]),
    )
    assert as_json(feed) == expected
    for item in feed.items:
        assert item.guid and item.guid == item.guid.strip()
        assert item.published is None or item.published.utcoffset() == timedelta(0)


def test_windows_1251_feed_is_decoded_from_its_xml_declaration() -> None:
    feed = parse((FEEDS / "rss20_windows1251_ru.xml").read_bytes(), "application/rss+xml")
    assert feed.encoding == "windows-1251"
    assert feed.items[0].title == "Лукашенко провёл совещание по вопросам безопасности"
    # A text/xml type without charset means us-ascii by RFC 3023; feedparser still finds the
    # real encoding and says so, and the items are the same.
    relabelled = parse((FEEDS / "rss20_windows1251_ru.xml").read_bytes(), "text/xml")
    assert relabelled.items == feed.items
    assert relabelled.warning is not None and "windows-1251" in relabelled.warning


def test_atom_relative_links_resolve_against_xml_base() -> None:
    feed = parse((FEEDS / "atom_xml_base_relative.xml").read_bytes(), "application/atom+xml")
    assert [i.link for i in feed.items] == [
        "https://presse.example.fr/international/2025/03/01/troupes-frontiere",
        "https://presse.example.fr/monde/2025/02/28/grenze",
        "https://presse.example.fr/breves/2025-02-28",
    ]
    assert [i.language for i in feed.items] == ["fr", "de", "fr"]
    assert 'href="https://presse.example.fr/europe/minsk"' in feed.items[0].summary


def test_content_hash_and_hashed_guid_formulas_by_hand() -> None:
    feed = parse((FEEDS / "rss_missing_guids_dates.xml").read_bytes(), "text/xml; charset=utf-8")
    road, mayor, mayor_dated = feed.items[:3]
    text = "Road closed near the border crossing\x1fTraffic is being diverted.\x1fhttp://bulletin.example.net/2025/road-closed"
    assert road.content_hash == hashlib.sha256(text.encode()).hexdigest()
    assert mayor.guid == "sha256:" + hashlib.sha256(b"Statement from the mayor\x1f").hexdigest()
    dated = b"Statement from the mayor\x1f2025-02-27T08:00:00+00:00"
    assert mayor_dated.guid == "sha256:" + hashlib.sha256(dated).hexdigest()


def test_guid_fallback_order() -> None:
    with_id = rss("<item><guid>g-1</guid><link>https://x.example/1</link><title>t</title></item>")
    assert only(parse(with_id)).guid == "g-1"
    with_link = rss("<item><link>https://x.example/2</link><title>t</title></item>")
    assert only(parse(with_link)).guid == "https://x.example/2"
    bare = rss("<item><title>t</title><pubDate>Fri, 28 Feb 2025 09:00:00 GMT</pubDate></item>")
    assert only(parse(bare)).guid == "sha256:" + hashlib.sha256(b"t\x1f2025-02-28T09:00:00+00:00").hexdigest()


def test_guids_do_not_depend_on_the_feed_url_but_relative_links_do() -> None:
    doc = rss("<item><guid>news-1</guid><link>/2025/story</link><title>t</title></item>")
    here = only(parse(doc, url="https://a.example/rss"))
    moved = only(parse(doc, url="https://b.example/feeds/rss"))
    assert here.guid == moved.guid == "news-1"
    assert (here.link, moved.link) == ("https://a.example/2025/story", "https://b.example/2025/story")


def test_long_guid_is_hashed_and_short_one_kept() -> None:
    long_guid = "urn:x:" + "a" * 1000
    item = only(parse(rss(f"<item><guid>{long_guid}</guid><title>t</title></item>")))
    assert item.guid == "sha256:" + hashlib.sha256(long_guid.encode()).hexdigest()
    exactly = "b" * 1000
    assert only(parse(rss(f"<item><guid>{exactly}</guid><title>t</title></item>"))).guid == exactly


def test_content_hash_changes_when_the_item_is_edited() -> None:
    before = only(parse(rss("<item><guid>g</guid><title>t</title><description>one</description></item>")))
    after = only(parse(rss("<item><guid>g</guid><title>t</title><description>two</description></item>")))
    relinked = only(
        parse(
            rss(
                "<item><guid>g</guid><title>t</title><description>one</description><link>https://e.x/</link></item>"
            )
        )
    )
    assert before.guid == after.guid == relinked.guid
    assert len({before.content_hash, after.content_hash, relinked.content_hash}) == 3


def test_published_falls_back_to_updated_and_is_utc() -> None:
    atom = """<feed xmlns="http://www.w3.org/2005/Atom"><title>a</title>
      <entry><id>1</id><title>p</title><published>2025-02-28T10:00:00+02:00</published>
             <updated>2025-02-28T11:00:00+02:00</updated></entry>
      <entry><id>2</id><title>u</title><updated>2025-02-28T11:00:00-05:00</updated></entry>
      <entry><id>3</id><title>none</title></entry></feed>"""
    feed = parse(atom, "application/atom+xml")
    assert [i.published for i in feed.items] == [
        datetime(2025, 2, 28, 8, 0, tzinfo=UTC),
        datetime(2025, 2, 28, 16, 0, tzinfo=UTC),
        None,
    ]


def test_future_dates_beyond_a_day_are_dropped_with_a_warning() -> None:
    soon = (FETCHED + timedelta(hours=23)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    later = (FETCHED + timedelta(hours=25)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    feed = parse(
        rss(
            f"<item><guid>a</guid><title>a</title><pubDate>{soon}</pubDate></item>"
            f"<item><guid>b</guid><title>b</title><pubDate>{later}</pubDate></item>"
        )
    )
    assert feed.items[0].published == FETCHED + timedelta(hours=23)
    assert feed.items[1].published is None
    assert feed.warning is not None and "entry 2" in feed.warning and "future" in feed.warning


def test_whitespace_is_stripped_and_unsafe_links_dropped() -> None:
    item = only(
        parse(
            rss(
                "<item><guid>  g  </guid><title>\n  Title  \n</title><description>  <b>x</b> </description>"
                "<link>javascript:alert(1)</link></item>"
            )
        )
    )
    assert (item.guid, item.title, item.summary, item.link) == ("g", "Title", "<b>x</b>", None)


def test_html_is_sanitised_but_kept() -> None:
    item = only(
        parse(
            rss(
                "<item><guid>g</guid><title>t</title><description>"
                "<![CDATA[<p onclick='x()'>a<script>bad()</script></p>]]></description></item>"
            )
        )
    )
    assert item.summary == "<p>a</p>"


def test_summary_falls_back_to_content() -> None:
    atom = """<feed xmlns="http://www.w3.org/2005/Atom"><title>a</title>
      <entry><id>1</id><title>t</title>
      <content type="html">&lt;p&gt;body&lt;/p&gt;</content></entry></feed>"""
    assert only(parse(atom, "application/atom+xml")).summary == "<p>body</p>"


def test_language_from_content_language_when_the_feed_has_none() -> None:
    feed = parse(rss("<item><guid>g</guid><title>t</title></item>"), content_language="pl")
    assert only(feed).language == "pl"
    with_channel = rss(
        "<item><guid>g</guid><title>t</title></item>", "<title>c</title><language>en_GB</language>"
    )
    assert only(parse(with_channel, content_language="pl")).language == "en-gb"


def test_unusable_entries_are_skipped_with_reasons() -> None:
    feed = parse(rss("<item><category>x</category></item><item><title>ok</title></item><item></item>"))
    assert [i.title for i in feed.items] == ["ok"]
    assert feed.skipped == ("entry 1: no title, summary or link", "entry 3: no title, summary or link")
    assert feed.problem is None

    nothing = parse(rss("<item><category>x</category></item>"))
    assert nothing.items == ()
    assert nothing.problem == "no usable entries: 1 skipped (no title, summary or link)"


@pytest.mark.parametrize(
    ("body", "content_type", "problem"),
    [
        (
            b"<!DOCTYPE html>\n<html><head><title>Home</title></head><body>hi</body></html>",
            "text/html",
            "not a feed: looks like an HTML page",
        ),
        (b"<html><body><p>moved</p></body></html>", None, "not a feed: looks like an HTML page"),
        (
            b'<?xml version="1.0"?>\n<rss version="2.0">\n<channel><title>x</title></chanel></rss>',
            None,
            "XML not well-formed at line 3: mismatched tag; 0 usable entries",
        ),
        (
            b'<rss version="2.0">\n<channel>\n<item><title>t</titl></item></channel></rss>',
            "application/rss+xml",
            "XML not well-formed at line 3: mismatched tag; 0 usable entries",
        ),
        (
            b'<rss version="2.0"><channel><title>quiet</title></channel></rss>',
            "application/rss+xml",
            "no entries",
        ),
        (b"", "application/rss+xml", "empty document"),
        (b"  \n ", "application/rss+xml", "empty document"),
        (
            b'<?xml version="1.0"?><note><to>Tove</to></note>',
            "application/xml",
            "not a feed: no RSS, Atom or RDF root element found",
        ),
    ],
)
def test_documents_without_items_say_why(body: bytes, content_type: str | None, problem: str) -> None:
    feed = parse(body, content_type)
    assert feed.items == ()
    assert feed.problem == problem


def test_bozo_document_with_items_is_used_and_the_reason_kept() -> None:
    body = b'<rss version="2.0"><channel><item><title>first</title></item>\n<item><title>b</titl>'
    feed = parse(body)
    assert [i.title for i in feed.items][:1] == ["first"]
    assert feed.problem is None
    assert feed.warning is not None and feed.warning.startswith(
        "XML not well-formed at line 2: mismatched tag"
    )


def test_fetched_at_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_feed(b"<rss/>", url=URL, content_type=None, fetched_at=datetime(2025, 3, 1))


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as s:
        yield s


def test_parser_never_fetches_anything_itself(server: FeedServer) -> None:
    """External entities, external DTDs and URL-looking bodies must not reach the network."""
    trap = server.route("/trap", Reply(body=b"<!ENTITY x 'pwned'>"))
    documents = [
        trap.encode(),
        (
            f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{trap}">'
            '<rss version="2.0"><channel><item><title>t</title></item></channel></rss>'
        ).encode(),
        (
            f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY ext SYSTEM "{trap}">]>'
            '<rss version="2.0"><channel><item><title>a &ext; b</title></item></channel></rss>'
        ).encode(),
    ]
    for body in documents:
        feed = parse(body, "application/xml", url=trap)
        assert "pwned" not in repr(feed)
        assert feed.items or feed.problem
    assert server.requests == []


def test_fetch_then_parse_over_http(server: FeedServer) -> None:
    body = (FEEDS / "rss20_windows1251_ru.xml").read_bytes()
    url = server.route("/ru.xml", Reply(body=body, headers=(("Content-Type", "application/rss+xml"),)))
    (outcome,) = fetch_all_sync([FetchRequest(1, url)], FetchSettings(), now=lambda: FETCHED)
    assert outcome.body is not None
    feed = parse_feed(
        outcome.body, url=outcome.final_url or url, content_type=outcome.content_type, fetched_at=FETCHED
    )
    assert len(feed.items) == 3 and feed.title == "Новости Минска — Политика"


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.text(max_size=200).map(
            lambda t: rss(f"<item><title>{t}</title></item>").encode("utf-8", "surrogatepass")
        ),
        st.lists(
            st.sampled_from(
                ["<item>", "</item>", "<title>", "</title>", "x", "&amp;", "<![CDATA[", "]]>", "<guid>"]
            )
        ).map(lambda parts: rss("".join(parts)).encode()),
    ),
    st.sampled_from([None, "application/rss+xml", "text/html", "text/xml; charset=koi8-r"]),
)
def test_any_bytes_give_items_or_a_problem(body: bytes, content_type: str | None) -> None:
    feed = parse(body, content_type)
    assert bool(feed.items) != bool(feed.problem)
    for item in feed.items:
        assert item.guid and len(item.guid) <= 1000
        assert item.title or item.summary or item.link
        assert item.published is None or item.published <= FETCHED + timedelta(days=1)
        assert len(item.content_hash) == 64


def test_one_document_cannot_make_the_pipeline_carry_unbounded_work() -> None:
    from monitor.feeds.parse import MAX_ENTRIES, MAX_SUMMARY_CHARS, MAX_TITLE_CHARS

    fetched = datetime(2026, 11, 20, 9, tzinfo=UTC)
    many = "".join(f"<item><guid>{n}</guid><title>t{n}</title></item>" for n in range(MAX_ENTRIES + 500))
    huge = f"<item><guid>big</guid><title>{'T' * 1_000_000}</title><description>{'s' * 1_000_000}</description></item>"
    old = "<item><guid>old</guid><title>Old</title><pubDate>Mon, 01 Jan 1900 00:00:00 +0000</pubDate></item>"
    body = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{huge}{old}{many}</channel></rss>'
    )
    parsed = parse_feed(
        body.encode(), url="http://127.0.0.1/f", content_type="application/rss+xml", fetched_at=fetched
    )
    assert len(parsed.items) == MAX_ENTRIES
    assert parsed.items[0].guid == "big"
    assert len(parsed.items[0].title) == MAX_TITLE_CHARS and len(parsed.items[0].summary) == MAX_SUMMARY_CHARS
    assert parsed.items[1].guid == "old" and parsed.items[1].published is None
    assert parsed.warning is not None
    assert (
        "implausibly old date" in parsed.warning
        and f"only the first {MAX_ENTRIES} were read" in parsed.warning
    )
