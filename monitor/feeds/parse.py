"""Turn a fetched feed document into clean item values, or say why it has none.

``parse_feed`` never raises on bad input and never touches the network or the file system: the
body is handed to feedparser as a stream (a bare string could make feedparser open a URL or a
file), together with the Content-Type header it needs to pick the encoding.

Item rules:

* ``guid``: the entry's id/guid, else its link, else ``"sha256:" + sha256(title, published)``.
  A guid longer than 1000 characters is replaced by ``"sha256:" + sha256(guid)``: it is a storage
  key, and some feeds put a whole article into ``<guid>``.
* ``link``: the entry's link, resolved against ``xml:base`` and then the feed URL, when it is an
  http(s) URL, else None (the digest renders it as an ``href``; ``javascript:`` must not get there).
  Relative URLs inside ``summary`` are resolved against ``xml:base`` only (the feed URL is not the
  site's base, and the pipeline keeps only the text).
* ``title`` / ``summary``: feedparser's sanitised HTML, stripped; the summary falls back to the
  first content block. The pipeline turns them into text later.
* ``published``: ``published_parsed``, else ``updated_parsed``, as an aware UTC datetime, else None.
  A date more than one day after ``fetched_at`` is dropped (None) rather than clamped: it is a
  broken clock or the date of an announced event, not a publication time, and clamping would make
  it look like a real date. The pipeline falls back to the fetch time.
* ``content_hash``: sha256 over title, summary and link, so an edited item under the same guid is
  noticed.
* ``language``: the entry's ``xml:lang``, else the feed's ``xml:lang`` / ``<language>``, else the
  ``Content-Language`` header; lower-cased with ``_`` turned into ``-``.
* Bounds: at most ``MAX_ENTRIES`` entries are read (a longer RSS, Atom or RDF document is cut
  before feedparser sees it), titles and summaries are cut to
  ``MAX_TITLE_CHARS``/``MAX_SUMMARY_CHARS``, and a date before ``OLDEST_DATE`` is dropped (with a
  warning), as a future one is.
* An entry with no title, no summary and no link is unusable: it is skipped and the reason is kept
  in ``ParsedFeed.skipped``.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
import xml.sax
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

__all__ = [
    "FUTURE_TOLERANCE",
    "MAX_ENTRIES",
    "MAX_GUID_LENGTH",
    "MAX_SUMMARY_CHARS",
    "MAX_TITLE_CHARS",
    "OLDEST_DATE",
    "ParsedFeed",
    "ParsedItem",
    "content_hash",
    "parse_feed",
    "safe_link",
]

MAX_GUID_LENGTH = 1000
FUTURE_TOLERANCE = timedelta(days=1)
# Bounds on what one document may make the rest of the pipeline carry (a hostile or broken feed):
# entries beyond MAX_ENTRIES are not read (feeds list the newest first), titles and summaries are
# cut, and a date before OLDEST_DATE is dropped like a future one (it would make the trend span a
# century of empty days).
MAX_ENTRIES = 1000
MAX_TITLE_CHARS = 1000
MAX_SUMMARY_CHARS = 20_000
OLDEST_DATE = datetime(1990, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ParsedItem:
    guid: str
    link: str | None
    title: str
    summary: str
    published: datetime | None
    content_hash: str
    language: str | None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed document.

    problem:
        set exactly when the document yields no usable item, and says why.
    warning:
        feedparser's complaint about a document that still yielded items (bozo), or a note such as
        dropped future dates.
    skipped:
        one reason per entry that was present but unusable.
    version:
        feedparser's name for the format (``rss20``, ``atom10``, ``rss10``...), "" when unknown.
    """

    title: str | None
    items: tuple[ParsedItem, ...]
    problem: str | None = None
    warning: str | None = None
    skipped: tuple[str, ...] = ()
    version: str = ""
    encoding: str | None = None


def content_hash(*parts: str) -> str:
    # The separator keeps ("ab", "c") and ("a", "bc") apart.
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def safe_link(value: Any, base: str) -> str | None:
    link = _text(value)
    if not link:
        return None
    try:
        # xml:base has already been applied by feedparser; what is still relative is relative to the feed.
        link = urljoin(base, link)
        parts = urlsplit(link)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return link


def _struct_to_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        year, month, day, hour, minute, second = tuple(value)[:6]
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _language(*candidates: Any) -> str | None:
    for candidate in candidates:
        text = _text(candidate)
        if text:
            return text.lower().replace("_", "-")
    return None


def _summary(entry: Mapping[str, Any]) -> str:
    summary = _text(entry.get("summary"))
    if summary:
        return summary
    for content in entry.get("content") or ():
        value = _text(content.get("value") if isinstance(content, Mapping) else None)
        if value:
            return value
    return ""


def _detail_language(entry: Mapping[str, Any], key: str) -> Any:
    detail = entry.get(key)
    return detail.get("language") if isinstance(detail, Mapping) else None


_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
    re.IGNORECASE | re.DOTALL,
)


def _looks_like_html(body: bytes, content_type: str | None, version: str) -> bool:
    if version:
        return False
    if _HTML_START.match(body[:4096]):
        return True
    mime = (content_type or "").split(";")[0].strip().lower()
    return mime in ("text/html", "application/xhtml+xml")


_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\xff\xfe", b"\xfe\xff")
_XML_DECLARATIONS = (b"<?xml", "<?xml".encode("utf-16-le"), "<?xml".encode("utf-16-be"))


def _has_xml_declaration(body: bytes) -> bool:
    for bom in _BOMS:
        if body.startswith(bom):
            body = body[len(bom) :]
            break
    return body.startswith(_XML_DECLARATIONS)


def _describe_bozo(exc: Any, body: bytes) -> str:
    if isinstance(exc, xml.sax.SAXParseException):
        line = exc.getLineNumber() or 0
        # feedparser prepends an XML declaration line to documents that lack one before parsing.
        if not _has_xml_declaration(body) and line > 1:
            line -= 1
        return f"XML not well-formed at line {line}: {exc.getMessage()}"
    name = type(exc).__name__
    text = str(exc).strip()
    if name == "NonXMLContentType":
        return (
            f"served with a non-XML content type ({text})" if text else "served with a non-XML content type"
        )
    if name == "CharacterEncodingOverride":
        return f"declared encoding was wrong: {text}" if text else "declared encoding was wrong"
    if name == "CharacterEncodingUnknown":
        return f"unknown character encoding: {text}" if text else "unknown character encoding"
    if name == "UndeclaredNamespace":
        return f"undeclared XML namespace: {text}" if text else "undeclared XML namespace"
    return f"{name}: {text}" if text else name


_ENTRY_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s>/]")
_ROOT = re.compile(rb"<(rss|feed|rdf:RDF)[\s>]")
_CLOSING = {b"rss": b"</channel></rss>", b"feed": b"</feed>", b"rdf:RDF": b"</rdf:RDF>"}


def _cut_after_max_entries(body: bytes) -> tuple[bytes, int]:
    """The document up to its ``MAX_ENTRIES``-th entry, closed, and how many entries it had (0
    when it was not cut). feedparser builds every entry before the cap could apply: 100,000 of
    them took 13 s and 200 MB; cut, they cost what 1,000 do. Only a document whose root it knows
    (RSS, Atom, RDF) is cut, right before an entry's start tag, where the entries before it are
    closed; anything else is parsed whole."""
    starts = [m.start() for m in itertools.islice(_ENTRY_START.finditer(body), MAX_ENTRIES + 1)]
    if len(starts) <= MAX_ENTRIES:
        return body, 0
    root = _ROOT.search(body, 0, starts[0])
    if root is None:
        return body, 0
    total = MAX_ENTRIES + sum(1 for _ in _ENTRY_START.finditer(body, starts[MAX_ENTRIES]))
    return body[: starts[MAX_ENTRIES]] + _CLOSING[root.group(1)], total


def parse_feed(
    body: bytes,
    *,
    url: str,
    content_type: str | None,
    fetched_at: datetime,
    content_language: str | None = None,
) -> ParsedFeed:
    """Parse ``body`` (as fetched from ``url``) into items; never raises on bad documents.

    ``content_type`` is the response's header; feedparser uses it to pick the encoding (no type is
    read as ``application/xml``). ``content_language`` is the last fallback for item languages.
    ``url`` resolves relative item links. ``fetched_at`` must be timezone-aware.
    """
    if fetched_at.tzinfo is None:
        raise ValueError("fetched_at must be timezone-aware (for example datetime.now(UTC))")
    if not body.strip():
        return ParsedFeed(title=None, items=(), problem="empty document")

    # Without a type, feedparser flags every document as "non-XML content"; application/xml lets
    # the XML declaration (or a BOM, or sniffing) decide the encoding, which is what we want then.
    # Content-Location is deliberately not passed: feedparser would resolve every RSS <guid> that
    # looks relative ("news-184467") against it, so ids would change whenever the feed moves.
    # Content-Language is not passed either: feedparser would let it override the feed's own
    # <language>; it is applied below as the last fallback instead.
    headers = {"content-type": content_type or "application/xml"}
    body, counted = _cut_after_max_entries(body)
    result = feedparser.parse(io.BytesIO(body), response_headers=headers)

    version = _text(result.get("version"))
    feed = result.get("feed") or {}
    feed_title = _text(feed.get("title")) or None
    feed_language = feed.get("language")
    bozo = _describe_bozo(result.get("bozo_exception"), body) if result.get("bozo") else None
    encoding = _text(result.get("encoding")) or None

    items: list[ParsedItem] = []
    skipped: list[str] = []
    future: list[str] = []
    latest_allowed = fetched_at.astimezone(UTC) + FUTURE_TOLERANCE
    entries = result.get("entries") or []
    total = max(counted, len(entries))
    ignored = max(0, total - MAX_ENTRIES)
    old: list[str] = []
    for index, entry in enumerate(entries[:MAX_ENTRIES], start=1):
        title = _text(entry.get("title"))[:MAX_TITLE_CHARS]
        summary = _summary(entry)[:MAX_SUMMARY_CHARS]
        link = safe_link(entry.get("link"), url)
        if not (title or summary or link):
            skipped.append(f"entry {index}: no title, summary or link")
            continue
        published = _struct_to_datetime(entry.get("published_parsed")) or _struct_to_datetime(
            entry.get("updated_parsed")
        )
        if published is not None and published > latest_allowed:
            future.append(f"entry {index}: date {published.isoformat()} is in the future, dropped")
            published = None
        elif published is not None and published < OLDEST_DATE:
            old.append(f"entry {index}: date {published.isoformat()} is before {OLDEST_DATE.year}, dropped")
            published = None
        guid = (
            _text(entry.get("id"))
            or link
            or ("sha256:" + content_hash(title, published.isoformat() if published else ""))
        )
        if len(guid) > MAX_GUID_LENGTH:
            guid = "sha256:" + content_hash(guid)
        language = _language(
            _detail_language(entry, "title_detail"),
            _detail_language(entry, "summary_detail"),
            feed_language,
            content_language,
        )
        items.append(
            ParsedItem(
                guid=guid,
                link=link,
                title=title,
                summary=summary,
                published=published,
                content_hash=content_hash(title, summary, link or ""),
                language=language,
            )
        )

    problem: str | None = None
    warning_parts: list[str] = []
    if not items:
        if _looks_like_html(body, content_type, version):
            problem = "not a feed: looks like an HTML page"
        elif bozo is not None and bozo.startswith("XML not well-formed"):
            problem = f"{bozo}; 0 usable entries"
        elif entries:
            problem = f"no usable entries: {len(skipped)} skipped (no title, summary or link)"
        elif not version:
            problem = "not a feed: no RSS, Atom or RDF root element found"
            if bozo:
                problem += f" ({bozo})"
        else:
            problem = "no entries"
            if bozo:
                problem += f" ({bozo})"
    elif bozo is not None:
        warning_parts.append(bozo)
    if future:
        warning_parts.append(f"{len(future)} future date(s) dropped: " + "; ".join(future[:3]))
    if old:
        warning_parts.append(f"{len(old)} implausibly old date(s) dropped: " + "; ".join(old[:3]))
    if ignored:
        warning_parts.append(f"{total} entries: only the first {MAX_ENTRIES} were read")
    return ParsedFeed(
        title=feed_title,
        items=tuple(items),
        problem=problem,
        warning="; ".join(warning_parts) or None,
        skipped=tuple(skipped),
        version=version,
        encoding=encoding,
    )
