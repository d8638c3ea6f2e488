"""Fetch feeds over HTTP, politely and without letting one feed hurt the others.

``fetch_all`` takes a batch of ``FetchRequest`` values and returns one ``FetchOutcome`` per fetch it
started. Nothing that goes wrong on the network raises out of it: refused connections, timeouts,
oversized bodies, redirect loops and HTTP errors all become outcomes with ``kind == "error"`` and a
short human reason in ``error``. The scheduling decision (when to poll again, backoff, disabling)
is not made here; see ``monitor.feeds.schedule_policy``.

Politeness and safety, all set by ``FetchSettings`` (``monitor.feeds.fetch_settings``):

* a global limit on concurrent fetches and a per-host limit (keyed on the host of the requested
  URL, not the port: two feeds on one server share its limit);
* conditional GET: ``If-None-Match`` from the stored ETag, ``If-Modified-Since`` from the stored
  Last-Modified value (sent verbatim, as RFC 9110 asks);
* a total deadline per fetch that covers every redirect hop and the whole streamed body, on top
  of httpx's connect and read timeouts (a server that trickles one byte a second never trips a read
  timeout, only the deadline);
* a body size cap, enforced from ``Content-Length`` before reading and again while streaming, on
  the decoded body (so a gzip bomb is stopped too);
* redirects followed by hand, at most ``max_redirects`` hops, so that the outcome can say whether
  every hop was permanent (``moved_to``) and the caller can record the feed's new address.
"""

from __future__ import annotations

import asyncio
import email.utils
import errno
import inspect
import logging
import re
import time
import zlib
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import httpx

from db.types import PollOutcome
from monitor.feeds.fetch_settings import DEFAULT_USER_AGENT, FetchSettings
from monitor.feeds.http_pool import install_cheap_pool
from monitor.redaction import redact_url

__all__ = [
    "DEFAULT_USER_AGENT",
    "FetchOutcome",
    "FetchRequest",
    "FetchSettings",
    "OutcomeKind",
    "fetch_all",
    "fetch_all_sync",
    "parse_cache_control",
    "parse_retry_after",
]

logger = logging.getLogger(__name__)

#: What feed servers are asked for; the wildcard keeps servers with odd content types answering.
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)

OutcomeKind = PollOutcome  # the name this module has always used

_PERMANENT_REDIRECTS = frozenset({301, 308})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """One feed to fetch, with the validators stored from its last successful fetch."""

    feed_id: int
    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """What happened to one ``FetchRequest``.

    kind:
        ``"ok"`` (2xx, ``body`` set), ``"not_modified"`` (304), ``"gone"`` (410) or ``"error"``
        (anything else, ``error`` says what).
    status:
        the final HTTP status, None when no response arrived.
    final_url:
        the URL that gave the final answer (after redirects).
    moved_to:
        the new URL when the fetch was redirected, every hop was permanent (301/308) and the chain
        ended in a usable answer (``kind.succeeded``); else None. A permanent redirect to a
        page that fails is not worth rewriting the feed's address for.
    etag, last_modified:
        validators from the final response, None when it sent none (a 304 often omits them: keep
        the stored ones then).
    retry_after_seconds:
        from ``Retry-After`` (delay-seconds or an HTTP-date measured against the injected clock),
        never negative; None when absent or unreadable.
    max_age_seconds:
        from ``Cache-Control: max-age``; None when absent or with ``no-cache`` / ``no-store``.
    content_language:
        the ``Content-Language`` header, which ``parse_feed`` uses as the default item language.
    """

    feed_id: int
    url: str
    kind: OutcomeKind
    status: int | None = None
    final_url: str | None = None
    moved_to: str | None = None
    body: bytes | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    retry_after_seconds: float | None = None
    max_age_seconds: float | None = None
    error: str | None = None
    elapsed_seconds: float = 0.0
    content_language: str | None = None


ResultCallback = Callable[[FetchOutcome], Awaitable[None] | None]


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delay-seconds or an HTTP-date, never negative."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        # RFC 9110 dates are always GMT; parsedate_to_datetime returns naive for "-0000".
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)\"?", re.IGNORECASE)


def parse_cache_control(value: str | None) -> float | None:
    """``max-age`` in seconds from a ``Cache-Control`` value; None with ``no-cache``/``no-store``."""
    if not value:
        return None
    directives = {part.split("=", 1)[0].strip().lower() for part in value.split(",")}
    if directives & {"no-cache", "no-store"}:
        return None
    match = _MAX_AGE.search(value)
    return float(match.group(1)) if match else None


def _seconds(value: float) -> str:
    return f"{value:g}s"


class _TooManyRedirectsError(Exception):
    pass


class _InvalidURLError(Exception):
    pass


def _connect_error_reason(exc: BaseException) -> str:
    # anyio wraps the per-address errors ("All connection attempts failed"); the cause says why.
    chain: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo:
        seen = todo.pop()
        if any(seen is known for known in chain):
            continue
        chain.append(seen)
        todo.extend(e for e in (seen.__cause__, seen.__context__) if e is not None)
        if isinstance(seen, BaseExceptionGroup):
            todo.extend(seen.exceptions)
    if any(
        isinstance(e, ConnectionRefusedError) or getattr(e, "errno", None) == errno.ECONNREFUSED
        for e in chain
    ):
        return "connection refused"
    text = str(exc)
    lowered = " | ".join(str(e) for e in chain).lower()
    if "refused" in lowered:
        return "connection refused"
    if any(
        s in lowered
        for s in (
            "name or service not known",
            "nodename nor servname",
            "getaddrinfo",
            "name resolution",
            "no address associated",
        )
    ):
        return "host name not found"
    if "reset" in lowered:
        return "connection reset"
    if "ssl" in lowered or "certificate" in lowered:
        return f"TLS error: {text}" if text else "TLS error"
    return f"connection failed: {text}" if text else "connection failed"


class _Fetcher:
    def __init__(
        self, client: httpx.AsyncClient, settings: FetchSettings, now: Callable[[], datetime]
    ) -> None:
        self._client = client
        self._settings = settings
        self._now = now
        self._global = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    def _host_semaphore(self, url: str) -> asyncio.Semaphore:
        try:
            host = httpx.URL(url).host.lower()
        except (httpx.InvalidURL, ValueError, TypeError):
            host = ""
        sem = self._hosts.get(host)
        if sem is None:
            sem = self._hosts[host] = asyncio.Semaphore(self._settings.per_host_concurrency)
        return sem

    async def run(
        self,
        request: FetchRequest,
        should_stop: Callable[[], bool] | None,
        admit: asyncio.Semaphore | None = None,
    ) -> FetchOutcome | None:
        async with self._global, self._host_semaphore(request.url):
            # Taken once the connection slots are ours: a fetch waiting here holds no host's turn
            # that a fetch of another host could use.
            if admit is not None:
                await admit.acquire()
            # Checked once a slot is ours, so a shutdown stops every fetch still waiting for one.
            if should_stop is not None and should_stop():
                if admit is not None:
                    admit.release()
                return None
            try:
                return await self.fetch(request)
            except BaseException:
                if admit is not None:
                    admit.release()
                raise

    async def fetch(self, request: FetchRequest) -> FetchOutcome:
        started = time.monotonic()
        settings = self._settings
        hops: list[int] = []
        try:
            try:
                url = httpx.URL(request.url)
            except (ValueError, UnicodeError) as exc:
                raise _InvalidURLError from exc
            if url.scheme not in ("http", "https") or not url.host:
                return self._error(request, "invalid URL", started)
            async with asyncio.timeout(settings.deadline):
                return await self._follow(request, url, hops, started)
        except TimeoutError:
            return self._error(request, f"timed out after {_seconds(settings.deadline)}", started)
        except _TooManyRedirectsError:
            return self._error(request, f"too many redirects (>{settings.max_redirects})", started)
        except httpx.ConnectTimeout:
            return self._error(
                request, f"connect timed out after {_seconds(settings.connect_timeout)}", started
            )
        except httpx.ReadTimeout:
            return self._error(request, f"read timed out after {_seconds(settings.read_timeout)}", started)
        except httpx.TimeoutException as exc:
            return self._error(request, f"timed out ({type(exc).__name__})", started)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol):
            return self._error(request, "invalid URL", started)
        except httpx.ConnectError as exc:
            return self._error(request, _connect_error_reason(exc), started)
        except httpx.RemoteProtocolError as exc:
            return self._error(request, f"protocol error: {exc}", started)
        except httpx.DecodingError as exc:
            return self._error(request, f"could not decode body: {exc}", started)
        except (httpx.HTTPError, httpx.StreamError) as exc:
            return self._error(request, f"{type(exc).__name__}: {exc}".rstrip(": "), started)
        except OSError as exc:
            return self._error(request, _connect_error_reason(exc), started)
        except _InvalidURLError:
            return self._error(request, "invalid URL", started)

    async def _follow(
        self, request: FetchRequest, url: httpx.URL, hops: list[int], started: float
    ) -> FetchOutcome:
        settings = self._settings
        headers = {"Accept": ACCEPT}
        if request.etag:
            headers["If-None-Match"] = request.etag
        if request.last_modified:
            headers["If-Modified-Since"] = request.last_modified
        while True:
            try:
                response = await self._client.send(
                    self._client.build_request("GET", url, headers=headers), stream=True
                )
            except (ValueError, UnicodeError) as exc:
                # httpx raises plain ValueError/UnicodeError for some unparseable hosts; only here
                # does that mean the URL, elsewhere it would be a bug of ours.
                raise _InvalidURLError from exc
            try:
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    if len(hops) >= settings.max_redirects:
                        raise _TooManyRedirectsError
                    hops.append(response.status_code)
                    try:
                        url = response.url.join(response.headers["location"])
                    except (ValueError, UnicodeError) as exc:
                        raise _InvalidURLError from exc
                    if url.scheme not in ("http", "https"):
                        return self._error(
                            request, "invalid URL", started, status=response.status_code, final_url=str(url)
                        )
                    continue
                return await self._finish(request, response, hops, started)
            finally:
                await response.aclose()

    async def _finish(
        self, request: FetchRequest, response: httpx.Response, hops: list[int], started: float
    ) -> FetchOutcome:
        status = response.status_code
        h = response.headers
        permanent = bool(hops) and all(code in _PERMANENT_REDIRECTS for code in hops)
        base = FetchOutcome(
            feed_id=request.feed_id,
            url=request.url,
            kind=PollOutcome.ERROR,
            status=status,
            final_url=str(response.url),
            content_type=h.get("content-type"),
            etag=h.get("etag") or None,
            last_modified=h.get("last-modified") or None,
            retry_after_seconds=parse_retry_after(h.get("retry-after"), self._now()),
            max_age_seconds=parse_cache_control(h.get("cache-control")),
            content_language=h.get("content-language") or None,
        )
        moved_to = str(response.url) if permanent else None
        if status == 304:
            return replace(
                base, kind=PollOutcome.NOT_MODIFIED, moved_to=moved_to, elapsed_seconds=_since(started)
            )
        if status == 410:
            return replace(
                base, kind=PollOutcome.GONE, error="HTTP 410 Gone", elapsed_seconds=_since(started)
            )
        if not 200 <= status < 300:
            reason = f"HTTP {status} {_printable(response.reason_phrase or '')}".strip()
            return replace(base, error=reason, elapsed_seconds=_since(started))
        limit = self._settings.max_body_bytes
        too_large = f"body larger than {limit} bytes"
        declared = h.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > limit:
            return replace(base, error=too_large, elapsed_seconds=_since(started))
        try:
            decoder = _BoundedDecoder(h.get("content-encoding", ""), limit)
        except _UnsupportedEncodingError as exc:
            return replace(base, error=str(exc), elapsed_seconds=_since(started))
        chunks: list[bytes] = []
        try:
            # Raw bytes, decoded here with a bound on every stage's output: httpx's own decoding
            # inflates a whole chunk at once, and "gzip, gzip" turned 1,831 bytes into 1 GB.
            async for raw in response.aiter_raw():
                chunks.append(decoder.feed(raw))
            chunks.append(decoder.flush())
        except _TooLargeError:
            return replace(base, error=too_large, elapsed_seconds=_since(started))
        except zlib.error as exc:
            return replace(base, error=f"could not decode body: {exc}", elapsed_seconds=_since(started))
        return replace(
            base,
            kind=PollOutcome.OK,
            moved_to=moved_to,
            body=b"".join(chunks),
            elapsed_seconds=_since(started),
        )

    def _error(
        self,
        request: FetchRequest,
        reason: str,
        started: float,
        *,
        status: int | None = None,
        final_url: str | None = None,
    ) -> FetchOutcome:
        return FetchOutcome(
            feed_id=request.feed_id,
            url=request.url,
            kind=PollOutcome.ERROR,
            status=status,
            final_url=final_url,
            error=reason,
            elapsed_seconds=_since(started),
        )


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def _printable(server_text: str, limit: int = 200) -> str:
    """A server's own words (a reason phrase) without control characters, so an ANSI escape in
    them never reaches a terminal or a log, and cut to ``limit`` characters."""
    return _CONTROL.sub(" ", server_text).strip()[:limit]


def _since(started: float) -> float:
    return time.monotonic() - started


def _log(outcome: FetchOutcome) -> None:
    # DEBUG: the poll pipeline writes the one INFO line per feed, with what the parse and store did.
    logger.debug(
        "fetch feed_id=%s kind=%s status=%s elapsed=%.3f url=%s%s",
        outcome.feed_id,
        outcome.kind,
        outcome.status,
        outcome.elapsed_seconds,
        redact_url(outcome.url),
        f" error={outcome.error!r}" if outcome.error else "",
    )


def _client(settings: FetchSettings) -> httpx.AsyncClient:
    timeout = httpx.Timeout(
        connect=settings.connect_timeout,
        read=settings.read_timeout,
        write=settings.read_timeout,
        # Waiting for a pooled connection is bounded by our own semaphores; the deadline covers the rest.
        pool=settings.deadline,
    )
    limits = httpx.Limits(
        max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency
    )
    client = httpx.AsyncClient(
        timeout=timeout,
        follow_redirects=False,
        # Only what _BoundedDecoder can undo: no br or zstd, whatever httpx could decode itself.
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        limits=limits,
    )
    install_cheap_pool(client, limits)
    return client


async def fetch_all(
    requests: Iterable[FetchRequest],
    settings: FetchSettings,
    *,
    now: Callable[[], datetime],
    on_result: ResultCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
    admit: asyncio.Semaphore | None = None,
) -> list[FetchOutcome]:
    """Fetch every request concurrently and return the outcomes, in request order.

    ``on_result`` is called (and awaited, if it returns an awaitable) once per completed fetch, in
    completion order, one call at a time, so the caller can store each outcome in its own
    transaction without locking. If it raises, the fetches still running are cancelled and the
    exception propagates: that is a bug in the caller, not a feed failure.

    ``should_stop`` is asked before each fetch starts; once it returns True no further fetch starts,
    fetches in flight finish, and requests that never started have no outcome (they stay due).

    ``admit``: each fetch takes one of its slots before it starts, and ``on_result`` gives it back
    (``release``) once done with the outcome, possibly after returning: the bodies fetched but not
    yet stored are then at most the semaphore's size, however much faster fetching is than storing.

    ``now`` is the clock used to turn a ``Retry-After`` HTTP-date into seconds.
    """
    if admit is not None and on_result is None:
        raise ValueError("admit needs an on_result that gives the slots back")
    batch: Sequence[FetchRequest] = list(requests)
    results: list[FetchOutcome | None] = [None] * len(batch)
    if not batch:
        return []
    async with _client(settings) as client:
        fetcher = _Fetcher(client, settings, now)

        async def one(index: int, request: FetchRequest) -> list[tuple[int, FetchOutcome | None]]:
            return [(index, await fetcher.run(request, should_stop, admit))]

        tasks = [asyncio.create_task(one(i, r)) for i, r in enumerate(batch)]
        try:
            for next_done in asyncio.as_completed(tasks):
                # Taken out of the list the task returned: a finished task keeps its result as long
                # as ``tasks`` lives, and that result held the body (a 1,000-feed poll kept every
                # body to its end, 50 MB).
                index, outcome = (await next_done).pop()
                if outcome is None:
                    continue
                _log(outcome)
                # A body handed to on_result is the caller's: keeping every one until the end
                # would hold a whole poll's documents in memory at once.
                results[index] = outcome if on_result is None else replace(outcome, body=None)
                if on_result is not None:
                    returned = on_result(outcome)
                    if inspect.isawaitable(returned):
                        await returned
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
    return [outcome for outcome in results if outcome is not None]


def fetch_all_sync(
    requests: Iterable[FetchRequest],
    settings: FetchSettings,
    *,
    now: Callable[[], datetime],
    on_result: ResultCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[FetchOutcome]:
    """``fetch_all`` in a fresh event loop, for callers without one (CLI, APScheduler thread jobs)."""
    return asyncio.run(fetch_all(requests, settings, now=now, on_result=on_result, should_stop=should_stop))


class _TooLargeError(Exception):
    pass


class _UnsupportedEncodingError(Exception):
    pass


class _BoundedDecoder:
    """Decodes a ``Content-Encoding`` chain (gzip, deflate, identity, in any number of layers)
    incrementally, never producing more than ``limit`` + 1 bytes at any stage: past the limit it
    raises ``_TooLargeError`` before the bytes exist, so a compression bomb costs about ``limit``."""

    def __init__(self, header: str, limit: int) -> None:
        self._limit = limit
        self._total = 0
        self._stages: list[Any] = []
        codings = [c.strip().lower() for c in header.split(",") if c.strip()]
        for coding in reversed(codings):  # the last applied is the first to undo
            if coding in ("gzip", "x-gzip"):
                self._stages.append(zlib.decompressobj(16 + zlib.MAX_WBITS))
            elif coding == "deflate":
                self._stages.append(_Deflate())
            elif coding != "identity":
                raise _UnsupportedEncodingError(f"unsupported Content-Encoding {coding[:40]!r}")

    def feed(self, data: bytes) -> bytes:
        room = self._limit - self._total + 1
        for stage in self._stages:
            data = stage.decompress(data, room)
            if stage.unconsumed_tail or len(data) >= room:
                raise _TooLargeError
        self._total += len(data)
        if self._total > self._limit:
            raise _TooLargeError
        return data

    def flush(self) -> bytes:
        data = b""
        for stage in self._stages:
            data = stage.decompress(data, self._limit - self._total + 1) + stage.flush()
        self._total += len(data)
        if self._total > self._limit:
            raise _TooLargeError
        return data


class _Deflate:
    """``deflate`` as servers send it: zlib-wrapped as the standard says, or raw as some send it."""

    def __init__(self) -> None:
        self._inner: Any = None
        self.unconsumed_tail = b""

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if self._inner is None:
            if not data:
                return b""
            wrapped = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self._inner = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        out: bytes = self._inner.decompress(data, max_length)
        self.unconsumed_tail = self._inner.unconsumed_tail
        return out

    def flush(self) -> bytes:
        return self._inner.flush() if self._inner is not None else b""
