"""The strict parser against feedparser: on every document it accepts, the same items as
``parse_feed`` (text compared after ``clean_text``, which is all the pipeline keeps), and ``None``
for what it must leave to feedparser.

Documents: feedparser's own test corpus (with the content types its leading comments give), the
repository's feed fixtures, the ingest benchmark's generated feeds, and the realistic feeds below.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import bench.ingest_feeds as generated
from indicators import clean_text
from monitor.feeds.parse import MAX_ENTRIES, ParsedFeed, parse_feed
from monitor.feeds.strict_parse import parse_strict
from tests.helpers import SHARED_DIR

CORPUS = SHARED_DIR / "corpora" / "feedparser-tests"
FIXTURES = Path(__file__).parent / "feeds"
NOW = datetime(2025, 9, 12, 12, 0, tzinfo=UTC)
URL = "https://news.example/feed.xml"
_HEADER = re.compile(rb"^Header:\s*Content-type:[ \t]*(.*?)\s*$", re.MULTILINE | re.IGNORECASE)

RSS_REAL = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>Žinios &amp; naujienos</title>
  <link>https://news.example/</link>
  <atom:link href="https://news.example/feed.xml" rel="self" type="application/rss+xml"/>
  <description>Naujienos</description>
  <language>lt-LT</language>
  <item>
    <title><![CDATA[Dronas iš Baltarusijos <b>pažeidė</b> Lietuvos oro erdvę]]></title>
    <link>https://news.example/a/1</link>
    <guid isPermaLink="false">news-1</guid>
    <dc:creator>Redakcija</dc:creator>
    <category>Lietuva</category>
    <pubDate>Wed, 10 Sep 2025 07:45:00 +0300</pubDate>
    <description><![CDATA[<p>Pasienyje <a href="/x" onclick="x()">rastas</a> dronas.</p><script>track()</script>]]></description>
    <content:encoded><![CDATA[<p>Ilgas tekstas.</p>]]></content:encoded>
  </item>
  <item>
    <title xml:lang="ru">Беспилотник над Вильнюсом</title>
    <link>/a/2</link>
    <pubDate>Thu, 11 Sep 2025 09:00 GMT</pubDate>
    <content:encoded>&lt;p&gt;Only content &amp;amp; no description.&lt;/p&gt;</content:encoded>
    <enclosure url="https://news.example/i.jpg" type="image/jpeg" length="1"/>
  </item>
  <item>
    <title>A date far ahead</title>
    <link>https://news.example/a/3</link>
    <pubDate>Mon, 01 Jan 2029 00:00:00 GMT</pubDate>
  </item>
  <item>
    <title>A date long ago</title>
    <link>https://news.example/a/4</link>
    <guid>https://news.example/a/4</guid>
    <pubDate>Sun, 01 Jan 1905 00:00:00 GMT</pubDate>
  </item>
</channel>
</rss>
"""

ATOM_REAL = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="pl">
  <title type="text">Wiadomości</title>
  <id>urn:example:feed</id>
  <updated>2025-09-11T10:00:00Z</updated>
  <link rel="self" href="https://news.example/atom.xml"/>
  <entry>
    <title type="html">Drony nad &lt;em&gt;Polską&lt;/em&gt; &amp;amp; NATO</title>
    <link rel="alternate" type="text/html" href="https://news.example/pl/1"/>
    <link rel="enclosure" href="https://news.example/pl/1.mp3"/>
    <id>urn:example:1</id>
    <published>2025-09-10T05:30:00+02:00</published>
    <updated>2025-09-10T06:00:00.123+02:00</updated>
    <author><name>PAP</name></author>
    <summary type="html">&lt;p&gt;Rosyjskie drony naruszyły przestrzeń powietrzną.&lt;/p&gt;</summary>
  </entry>
  <entry xml:lang="uk">
    <title>Дрони над Польщею</title>
    <link href="/uk/2"/>
    <id>urn:example:2</id>
    <updated>2025-09-10T08:00:00Z</updated>
    <content type="html">&lt;p&gt;Лише вміст.&lt;/p&gt;</content>
    <category term="world"/>
  </entry>
</feed>
"""

LEFT_TO_FEEDPARSER: dict[str, tuple[str, str | None]] = {
    "doctype": ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "b">]>' + RSS_REAL.split("?>", 1)[1], None),
    "xml:base": (ATOM_REAL.replace('xml:lang="pl"', 'xml:lang="pl" xml:base="https://x.example/"'), None),
    "other encoding": (RSS_REAL.replace('encoding="UTF-8"', 'encoding="windows-1251"'), None),
    "charset disagrees": (RSS_REAL, "application/rss+xml; charset=iso-8859-1"),
    "text/xml without charset": (RSS_REAL, "text/xml"),
    "html content type": (RSS_REAL, "text/html"),
    "not well-formed": (RSS_REAL.replace("</channel>", ""), None),
    "rss 0.91": (RSS_REAL.replace('version="2.0"', 'version="0.91"'), None),
    "other date style": (RSS_REAL.replace("Thu, 11 Sep 2025 09:00 GMT", "2025-09-11 09:00"), None),
    "atom date without zone": (ATOM_REAL.replace("2025-09-10T08:00:00Z", "2025-09-10T08:00:00"), None),
    "xhtml content": (ATOM_REAL.replace('<content type="html">', '<content type="xhtml">'), None),
    "title twice": (
        RSS_REAL.replace("<title>A date far ahead</title>", "<title>a</title><title>b</title>"),
        None,
    ),
    "permalink guid without link": (
        RSS_REAL.replace("<link>https://news.example/a/4</link>", ""),
        None,
    ),
    "dc:date": (RSS_REAL.replace("<dc:creator>", "<dc:date>2025-09-10</dc:date><dc:creator>"), None),
    "atom link without href": (ATOM_REAL.replace('<link href="/uk/2"/>', "<link>/uk/2</link>"), None),
    "windows-1252 points": (RSS_REAL.replace("Redakcija", "Redakcija").replace("rastas", "rastas\x85"), None),
    "markup as elements": (
        RSS_REAL.replace("<description><![CDATA[", "<description><b>x</b><![CDATA["),
        None,
    ),
}


def _view(parsed: ParsedFeed) -> tuple[Any, ...]:
    return (
        clean_text(parsed.title or "") or None,
        parsed.problem,
        parsed.warning,
        parsed.skipped,
        parsed.version,
        [
            (
                item.guid,
                item.link,
                clean_text(item.title),
                clean_text(item.summary),
                item.published,
                item.language,
            )
            for item in parsed.items
        ],
    )


def _both(body: bytes, content_type: str | None) -> tuple[ParsedFeed | None, ParsedFeed]:
    kwargs: dict[str, Any] = {"url": URL, "content_type": content_type, "fetched_at": NOW}
    return parse_strict(body, **kwargs), parse_feed(body, **kwargs)


def _content_type(body: bytes) -> str | None:
    found = _HEADER.search(body[:3000])
    return found.group(1).decode("ascii", "replace") if found else None


def _equal_where_accepted(documents: list[tuple[str, bytes, str | None]]) -> int:
    accepted = 0
    for name, body, content_type in documents:
        strict, reference = _both(body, content_type)
        if strict is None:
            continue
        accepted += 1
        assert _view(strict) == _view(reference), name
    return accepted


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the feedparser test corpus is not at {CORPUS}")
def test_on_the_feedparser_corpus_every_accepted_document_reads_as_feedparser_reads_it() -> None:
    documents: list[tuple[str, bytes, str | None]] = [
        (str(p), p.read_bytes(), None) for p in sorted(CORPUS.rglob("*.xml"))
    ]
    documents += [(f"{name} (its header)", body, _content_type(body)) for name, body, _ in documents]
    accepted = _equal_where_accepted(documents)
    # Most of the corpus is what the strict parser leaves to feedparser on purpose (other formats,
    # encodings, broken XML); the well-formed RSS 2.0 and Atom cases are what it must read.
    assert accepted >= 250, accepted


def test_fixtures_generated_and_realistic_feeds_read_as_feedparser_reads_them() -> None:
    documents: list[tuple[str, bytes, str | None]] = [
        (p.name, p.read_bytes(), "application/xml") for p in sorted(FIXTURES.glob("*.xml"))
    ]
    start = generated.epoch(NOW)
    for feed in range(4):  # RSS and Atom, four languages
        body = generated.render(feed, generated.window(7, feed, 0, start), "https://news.example/")
        documents.append((f"generated {feed}", body, "application/rss+xml; charset=utf-8"))
    for content_type in (None, "application/rss+xml; charset=UTF-8", "text/xml; charset=utf-8"):
        documents.append(("rss", RSS_REAL.encode(), content_type))
        documents.append(("rss with BOM", b"\xef\xbb\xbf" + RSS_REAL.encode(), content_type))
        documents.append(("atom", ATOM_REAL.encode(), content_type))
    accepted = _equal_where_accepted(documents)
    assert accepted >= 4 + 9, accepted


def test_realistic_feeds_are_read_with_links_dates_languages_and_the_bounds() -> None:
    rss = parse_strict(RSS_REAL.encode(), url=URL, content_type=None, fetched_at=NOW)
    atom = parse_strict(ATOM_REAL.encode(), url=URL, content_type=None, fetched_at=NOW)
    assert rss is not None and atom is not None
    first, second, future, old = rss.items
    assert (first.guid, first.language, first.published) == (
        "news-1",
        "lt-lt",
        datetime(2025, 9, 10, 4, 45, tzinfo=UTC),
    )
    assert second.link == "https://news.example/a/2" and second.guid == "https://news.example/a/2"
    assert second.language == "ru" and clean_text(second.summary) == "Only content & no description."
    assert future.published is None and old.published is None
    assert (
        rss.warning is not None and "1 future date(s) dropped" in rss.warning and "before 1990" in rss.warning
    )
    assert [i.language for i in atom.items] == ["pl", "uk"]
    assert atom.items[0].published == datetime(2025, 9, 10, 3, 30, tzinfo=UTC)
    assert atom.items[1].published == datetime(2025, 9, 10, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("case", sorted(LEFT_TO_FEEDPARSER))
def test_what_the_strict_parser_does_not_read_is_left_to_feedparser(case: str) -> None:
    text, content_type = LEFT_TO_FEEDPARSER[case]
    body = text.encode("utf-8")
    assert parse_strict(body, url=URL, content_type=content_type, fetched_at=NOW) is None
    # and the feedparser path still makes something of it, or says why not
    reference = parse_feed(body, url=URL, content_type=content_type, fetched_at=NOW)
    assert reference.items or reference.problem


def test_entries_beyond_the_cap_are_not_read_and_the_rest_is_counted() -> None:
    entry = "<item><title>t{0}</title><link>https://news.example/{0}</link></item>"
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>big</title>'
        + "".join(entry.format(n) for n in range(MAX_ENTRIES + 5))
        + "</channel></rss>"
    ).encode()
    strict, reference = _both(body, None)
    assert strict is not None and _view(strict) == _view(reference)
    assert len(strict.items) == MAX_ENTRIES
    assert strict.warning == f"{MAX_ENTRIES + 5} entries: only the first {MAX_ENTRIES} were read"


@pytest.mark.parametrize(
    "link",
    [
        "https://news.example/a/1",
        "http://news.example",
        "https://news.example/a/../b/./c?x=1&y=2#top",
        "https://news.example/a?",
        "https://news.example/a#",
        "https://news.example/a;p",
        "https://news.example/a?#",
        "https://news.example/a\tb",
        "https://[::1]:8080/x",
        "https://[bad/x",
        "https:///nohost",
        "HTTPS://news.example/A",
        "https://user:pw@news.example/a b",
        "https://news.example//double//slashes/",
    ],
)
def test_the_absolute_link_shortcut_gives_what_safe_link_gives(link: str) -> None:
    from monitor.feeds.parse import safe_link
    from monitor.feeds.strict_parse import _absolute_link

    shortcut = _absolute_link(link)
    assert shortcut is None or shortcut == safe_link(link, URL), link
