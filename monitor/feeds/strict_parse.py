"""A fast parser for the plain feeds most servers send, or ``None`` when a document needs feedparser.

feedparser reads anything (broken XML, a dozen formats and date styles, encodings it has to guess)
and pays for it: about 40 ms for a 50-entry feed, most of a large poll's CPU. Most feeds are
well-formed UTF-8 RSS 2.0 or Atom 1.0 with RFC 822 or ISO 8601 dates; this module reads exactly those
with the C expat parser behind ``xml.etree`` (about 1 ms) and gives the same :class:`ParsedFeed`
that :func:`monitor.feeds.parse.parse_feed` gives, with one difference: ``title`` and ``summary`` are
the markup as the document holds it, not feedparser's sanitised copy. Nothing downstream sees the
difference: the pipeline keeps only the text (``clean_text`` drops every tag, scripts and styles
with their content), and ``tests/monitor/test_strict_parse.py`` checks, on the feedparser test
corpus and the project's fixtures, that every document this module accepts gives the same items,
text, links, dates and languages as feedparser.

Anything outside that subset returns ``None`` and goes to feedparser: another encoding or a
charset that disagrees with the document, a DOCTYPE (entities), ``xml:base``, XML that is not
well-formed, RSS other than 2.0, RDF, an element feedparser would read into one of the fields used
here that this module does not (``atom:link`` in RSS, ``dc:date``...), XHTML or other non-text
content, a field given twice, a date in any other style.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from monitor.feeds.parse import (
    FUTURE_TOLERANCE,
    MAX_ENTRIES,
    MAX_GUID_LENGTH,
    MAX_SUMMARY_CHARS,
    MAX_TITLE_CHARS,
    OLDEST_DATE,
    ParsedFeed,
    ParsedItem,
    content_hash,
    safe_link,
)

__all__ = ["parse_strict"]

_ATOM = "{http://www.w3.org/2005/Atom}"
_CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
_DC = "{http://purl.org/dc/elements/1.1/}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_XML_TYPES = frozenset(("application/xml", "application/rss+xml", "application/atom+xml", "text/xml"))
_DECLARATION = re.compile(rb"<\?xml\s[^>]*?\?>")
_DECLARED_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_UTF8 = frozenset(("utf-8", "utf8"))

# RSS item and Atom entry children that feedparser reads into none of the fields used here (or
# reads as this module does); any other child sends the document to feedparser.
_RSS_ITEM_PLAIN = frozenset(
    ("category", "author", "comments", "enclosure", "source", f"{_DC}creator", f"{_DC}subject")
)
_RSS_ITEM_FIELDS = frozenset(("title", "link", "description", "guid", "pubDate", _CONTENT_ENCODED))
_ATOM_ENTRY_PLAIN = frozenset(f"{_ATOM}{name}" for name in ("author", "category", "contributor", "rights"))
_ATOM_ENTRY_FIELDS = frozenset(
    f"{_ATOM}{name}" for name in ("title", "link", "summary", "content", "id", "published", "updated")
)
_CHANNEL_PLAIN = frozenset((f"{_ATOM}link", f"{_DC}language", f"{_DC}creator", f"{_DC}rights"))
_PERSONS = frozenset((f"{_ATOM}author", f"{_ATOM}contributor"))
_TEXT_TYPES = frozenset(("text", "html", "text/plain", "text/html"))

_RFC822 = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}(?::\d{2})? (?:GMT|UT|UTC|Z|[+-]\d{4})"
)
_ISO8601 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})")


class _UnsupportedError(Exception):
    """The document is outside the subset: feedparser reads it."""


def parse_strict(
    body: bytes,
    *,
    url: str,
    content_type: str | None,
    fetched_at: datetime,
    content_language: str | None = None,
) -> ParsedFeed | None:
    """The document parsed as :func:`parse_feed` would, or None when it needs feedparser."""
    if fetched_at.tzinfo is None:
        raise ValueError("fetched_at must be timezone-aware (for example datetime.now(UTC))")
    if not _plain_utf8_xml(body, content_type):
        return None
    try:
        root = ET.fromstring(body)
    except (ET.ParseError, ValueError):
        return None
    try:
        if root.tag == "rss":
            return _rss(root, url, fetched_at, content_language)
        if root.tag == f"{_ATOM}feed":
            return _atom(root, url, fetched_at, content_language)
    except _UnsupportedError:
        return None
    return None


def _plain_utf8_xml(body: bytes, content_type: str | None) -> bool:
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body or b"xml:base" in body:
        return False
    mime, _, params = (content_type or "application/xml").partition(";")
    if mime.strip().lower() not in _XML_TYPES:
        return False
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower()
    head = body[3:] if body.startswith(b"\xef\xbb\xbf") else body
    declared = None
    if head.startswith(b"<?xml"):
        declaration = _DECLARATION.match(head)
        if declaration is None:
            return False
        encoding = _DECLARED_ENCODING.search(declaration.group())
        declared = encoding.group(1).decode("ascii").lower() if encoding else None
    elif not head.lstrip().startswith(b"<"):
        return False
    # feedparser lets the HTTP charset override the document's (RFC 3023); text/xml without one
    # means us-ascii to it. Only the cases where every rule says UTF-8 are read here.
    if charset is None and mime.strip().lower() == "text/xml":
        return False
    return all(value is None or value in _UTF8 for value in (charset, declared))


# C1 controls: feedparser reads them as the Windows-1252 characters a mis-declared document meant
# (and mends UTF-8 read as Latin-1, which shows as such characters); left to it.
_C1 = re.compile("[\x80-\x9f]")


def _text(element: ET.Element | None) -> str:
    if element is None:
        return ""
    if len(element):  # markup as elements (unescaped XHTML): feedparser serialises it its own way
        raise _UnsupportedError
    text = (element.text or "").strip()
    if _C1.search(text):
        raise _UnsupportedError
    return text


def _only(parent: ET.Element, tag: str) -> ET.Element | None:
    found = parent.findall(tag)
    if len(found) > 1:
        raise _UnsupportedError
    return found[0] if found else None


def _check_children(parent: ET.Element, fields: frozenset[str], plain: frozenset[str]) -> None:
    seen: set[str] = set()
    for child in parent:
        tag = child.tag
        if tag in fields:
            if tag in seen:
                raise _UnsupportedError
            seen.add(tag)
        elif tag not in plain or (len(child) and tag not in _PERSONS):
            # (a plain element with elements inside: feedparser may read their titles and links
            # as the entry's; an Atom person's name and email it does not)
            raise _UnsupportedError


def _lang(element: ET.Element | None, inherited: str | None) -> str | None:
    if element is None:
        return inherited
    value = element.get(_XML_LANG)
    if value is None:
        return inherited
    return value or None


def _normal_language(*candidates: str | None) -> str | None:
    for candidate in candidates:
        text = (candidate or "").strip()
        if text:
            return text.lower().replace("_", "-")
    return None


def _rfc822(value: str) -> datetime:
    if not _RFC822.fullmatch(value):
        raise _UnsupportedError
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise _UnsupportedError from exc
    return _utc(parsed)


def _iso8601(value: str) -> datetime:
    if not _ISO8601.fullmatch(value):
        raise _UnsupportedError
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise _UnsupportedError from exc
    return _utc(parsed)


def _utc(parsed: datetime) -> datetime:
    if parsed.tzinfo is None or not 1900 <= parsed.year <= 9000:
        raise _UnsupportedError  # feedparser's reading of these varies; leave them to it
    return parsed.astimezone(UTC).replace(microsecond=0)


def _absolute_link(link: str) -> str | None:
    """``safe_link(link, base)`` without ``urljoin`` for the common plain absolute http(s) link,
    which ``urljoin`` would give back unchanged (it returns an absolute URL as split and rejoined,
    which only drops empty "?", "#" or ";" parts and tabs or newlines): a tenth of its cost."""
    if (
        not link.startswith(("https://", "http://"))
        or ";" in link
        or link.endswith(("?", "#"))
        or "?#" in link
        or not link.isprintable()
    ):
        return None
    try:
        netloc = urlsplit(link).netloc
    except ValueError:
        return None
    return link if netloc else None


class _Builder:
    """The item rules of :mod:`monitor.feeds.parse`, applied to values read here."""

    def __init__(self, url: str, fetched_at: datetime) -> None:
        self.url = url
        self.latest_allowed = fetched_at.astimezone(UTC) + FUTURE_TOLERANCE
        self.items: list[ParsedItem] = []
        self.future: list[str] = []
        self.old: list[str] = []

    def add(
        self,
        index: int,
        *,
        guid: str,
        link: str,
        title: str,
        summary: str,
        published: datetime | None,
        language: str | None,
    ) -> None:
        title = title[:MAX_TITLE_CHARS]
        summary = summary[:MAX_SUMMARY_CHARS]
        safe = _absolute_link(link) or safe_link(link, self.url)
        if safe is None:
            # feedparser makes an id the link, or hashes its own copy of the title for the id
            # when there is neither: its reading is the reference there.
            raise _UnsupportedError
        if published is not None and published > self.latest_allowed:
            self.future.append(f"entry {index}: date {published.isoformat()} is in the future, dropped")
            published = None
        elif published is not None and published < OLDEST_DATE:
            self.old.append(
                f"entry {index}: date {published.isoformat()} is before {OLDEST_DATE.year}, dropped"
            )
            published = None
        guid = guid or safe
        if len(guid) > MAX_GUID_LENGTH:
            guid = "sha256:" + content_hash(guid)
        self.items.append(
            ParsedItem(
                guid=guid,
                link=safe,
                title=title,
                summary=summary,
                published=published,
                content_hash=content_hash(title, summary, safe or ""),
                language=language,
            )
        )

    def result(self, title: str | None, version: str, entries: int) -> ParsedFeed:
        warnings: list[str] = []
        if self.future:
            warnings.append(f"{len(self.future)} future date(s) dropped: " + "; ".join(self.future[:3]))
        if self.old:
            warnings.append(f"{len(self.old)} implausibly old date(s) dropped: " + "; ".join(self.old[:3]))
        if entries > MAX_ENTRIES:
            warnings.append(f"{entries} entries: only the first {MAX_ENTRIES} were read")
        # Every entry read here has a link, so no entry is skipped and only an empty feed has no item.
        problem = None if self.items else "no entries"
        return ParsedFeed(
            title=title or None,
            items=tuple(self.items),
            problem=problem,
            warning="; ".join(warnings) or None,
            version=version,
            encoding="utf-8",
        )


def _rss(root: ET.Element, url: str, fetched_at: datetime, content_language: str | None) -> ParsedFeed:
    if root.get("version") != "2.0":
        raise _UnsupportedError
    channels = root.findall("channel")
    if len(channels) != 1 or len(root) != 1:
        raise _UnsupportedError
    channel = channels[0]
    root_lang = _lang(root, None)
    channel_lang = _lang(channel, root_lang)
    languages = [_text(e) for e in channel if e.tag in ("language", f"{_DC}language")]
    if len(languages) > 1:
        raise _UnsupportedError
    feed_language = _normal_language(languages[0] if languages else None, root_lang)
    if channel_lang and channel_lang != root_lang:
        raise _UnsupportedError  # feedparser records only the root's xml:lang as the feed's language
    items = channel.findall("item")
    if any(child.tag.startswith((_ATOM, _DC)) for child in channel if child.tag not in _CHANNEL_PLAIN):
        raise _UnsupportedError  # atom:title, dc:title... feedparser may read them as the channel's
    builder = _Builder(url, fetched_at)
    for index, item in enumerate(items[:MAX_ENTRIES], start=1):
        _check_children(item, _RSS_ITEM_FIELDS, _RSS_ITEM_PLAIN)
        item_lang = _lang(item, channel_lang)
        title_el = _only(item, "title")
        summary_el = _only(item, "description")
        content_el = _only(item, _CONTENT_ENCODED)
        guid_el = _only(item, "guid")
        link = _text(_only(item, "link"))
        guid = _text(guid_el)
        if not link and guid and guid_el is not None and guid_el.get("isPermaLink", "true") != "false":
            raise _UnsupportedError  # feedparser makes a permalink guid the link; rare, left to it
        date_text = _text(_only(item, "pubDate"))
        summary = _text(summary_el) or _text(content_el)
        builder.add(
            index,
            guid=guid,
            link=link,
            title=_text(title_el),
            summary=summary,
            published=_rfc822(date_text) if date_text else None,
            language=_normal_language(
                _lang(title_el, item_lang) if title_el is not None else None,
                _lang(summary_el, item_lang) if summary_el is not None else None,
                feed_language,
                content_language,
            ),
        )
    return builder.result(_text(_only(channel, "title")), "rss20", len(items))


def _atom_text(element: ET.Element | None) -> str:
    if element is None:
        return ""
    if element.get("type", "text") not in _TEXT_TYPES or element.get("src") is not None:
        raise _UnsupportedError
    return _text(element)


def _atom_link(links: Iterable[ET.Element]) -> str:
    links = list(links)
    if any(link.get("href") is None for link in links):
        raise _UnsupportedError
    alternates = [link for link in links if link.get("rel", "alternate") == "alternate"]
    if len(alternates) > 1:
        raise _UnsupportedError
    return (alternates[0].get("href") or "").strip() if alternates else ""


def _atom(root: ET.Element, url: str, fetched_at: datetime, content_language: str | None) -> ParsedFeed:
    root_lang = _lang(root, None)
    entries = root.findall(f"{_ATOM}entry")
    builder = _Builder(url, fetched_at)
    for index, entry in enumerate(entries[:MAX_ENTRIES], start=1):
        _check_children(entry, _ATOM_ENTRY_FIELDS - {f"{_ATOM}link"}, _ATOM_ENTRY_PLAIN | {f"{_ATOM}link"})
        entry_lang = _lang(entry, root_lang)
        title_el = _only(entry, f"{_ATOM}title")
        summary_el = _only(entry, f"{_ATOM}summary")
        content_el = _only(entry, f"{_ATOM}content")
        published_text = _text(_only(entry, f"{_ATOM}published"))
        updated_text = _text(_only(entry, f"{_ATOM}updated"))
        published = _iso8601(published_text) if published_text else None
        if published is None and updated_text:
            published = _iso8601(updated_text)
        elif updated_text:
            _iso8601(updated_text)  # a style feedparser reads otherwise still goes to it
        builder.add(
            index,
            guid=_text(_only(entry, f"{_ATOM}id")),
            link=_atom_link(entry.findall(f"{_ATOM}link")),
            title=_atom_text(title_el),
            summary=_atom_text(summary_el) or _atom_text(content_el),
            published=published,
            language=_normal_language(
                _lang(title_el, entry_lang) if title_el is not None else None,
                _lang(summary_el, entry_lang) if summary_el is not None else None,
                root_lang,
                content_language,
            ),
        )
    return builder.result(_atom_text(_only(root, f"{_ATOM}title")), "atom10", len(entries))
