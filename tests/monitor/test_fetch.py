"""monitor.feeds.fetch against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import gzip
import tracemalloc
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from monitor.feeds.fetch import (
    DEFAULT_USER_AGENT,
    FetchOutcome,
    FetchRequest,
    FetchSettings,
    fetch_all,
    fetch_all_sync,
    parse_cache_control,
    parse_retry_after,
)
from tests.helpers.feed_server import FeedServer, Recorded, Reply, dead_port

NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
FAST = FetchSettings(connect_timeout=2, read_timeout=2, deadline=3, max_redirects=5)


def clock() -> datetime:
    return NOW


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as s:
        yield s


def fetch_one(url: str, settings: FetchSettings = FAST, **kw: str | None) -> FetchOutcome:
    outcomes = fetch_all_sync([FetchRequest(1, url, **kw)], settings, now=clock)
    assert len(outcomes) == 1
    return outcomes[0]


def test_ok_returns_body_validators_and_sends_user_agent(server: FeedServer) -> None:
    url = server.route(
        "/feed",
        Reply(
            body=FEED,
            headers=(
                ("Content-Type", "application/rss+xml; charset=utf-8"),
                ("ETag", '"v1"'),
                ("Last-Modified", "Sat, 01 Mar 2025 10:00:00 GMT"),
                ("Cache-Control", "public, max-age=900"),
                ("Content-Language", "uk"),
            ),
        ),
    )
    out = fetch_one(url)
    assert out.kind == "ok"
    assert (out.status, out.body, out.error) == (200, FEED, None)
    assert out.content_type == "application/rss+xml; charset=utf-8"
    assert (out.etag, out.last_modified) == ('"v1"', "Sat, 01 Mar 2025 10:00:00 GMT")
    assert out.max_age_seconds == 900
    assert out.content_language == "uk"
    assert out.final_url == url and out.moved_to is None
    assert out.elapsed_seconds > 0
    (request,) = server.requests
    assert request.header("User-Agent") == DEFAULT_USER_AGENT
    assert DEFAULT_USER_AGENT.startswith("scenario-monitor/")
    assert request.header("If-None-Match") is None and request.header("If-Modified-Since") is None


def test_conditional_get_sends_validators_and_reports_not_modified(server: FeedServer) -> None:
    def conditional(req: Recorded) -> Reply:
        if req.header("If-None-Match") == '"v1"':
            return Reply(304, headers=(("ETag", '"v1"'),), send_length=False)
        return Reply(
            body=FEED, headers=(("ETag", '"v1"'), ("Last-Modified", "Sat, 01 Mar 2025 10:00:00 GMT"))
        )

    url = server.route("/feed", conditional)
    first = fetch_one(url)
    assert first.kind == "ok"
    second = fetch_one(url, etag=first.etag, last_modified=first.last_modified)
    assert second.kind == "not_modified"
    assert (second.status, second.body, second.etag) == (304, None, '"v1"')
    sent = server.requests[1]
    assert sent.header("If-None-Match") == '"v1"'
    assert sent.header("If-Modified-Since") == "Sat, 01 Mar 2025 10:00:00 GMT"


def test_retry_after_in_seconds_and_as_http_date(server: FeedServer) -> None:
    in_seconds = server.route("/a", Reply(429, b"slow down", (("Retry-After", "120"),)))
    as_date = format_datetime(NOW + timedelta(seconds=90), usegmt=True)
    in_date = server.route("/b", Reply(503, b"busy", (("Retry-After", as_date),)))
    a, b = fetch_all_sync([FetchRequest(1, in_seconds), FetchRequest(2, in_date)], FAST, now=clock)
    assert (a.kind, a.status, a.retry_after_seconds, a.error) == (
        "error",
        429,
        120.0,
        "HTTP 429 Too Many Requests",
    )
    assert (b.kind, b.status, b.retry_after_seconds) == ("error", 503, 90.0)
    assert b.error == "HTTP 503 Service Unavailable"
    assert a.body is None


def test_server_error_and_gone(server: FeedServer) -> None:
    broken = server.route("/500", Reply(500, b"oops"))
    gone = server.route("/410", Reply(410, b"bye"))
    missing = server.url("/nothing-here")
    outs = fetch_all_sync(
        [FetchRequest(1, broken), FetchRequest(2, gone), FetchRequest(3, missing)], FAST, now=clock
    )
    assert [(o.feed_id, o.kind, o.status, o.error) for o in outs] == [
        (1, "error", 500, "HTTP 500 Internal Server Error"),
        (2, "gone", 410, "HTTP 410 Gone"),
        (3, "error", 404, "HTTP 404 Not Found"),
    ]


@pytest.mark.parametrize(
    ("codes", "moved"),
    [
        ((301,), True),
        ((308,), True),
        ((301, 308), True),
        ((302,), False),
        ((301, 302), False),
        ((307,), False),
    ],
)
def test_redirect_chain_moved_to_only_when_every_hop_is_permanent(
    server: FeedServer, codes: tuple[int, ...], moved: bool
) -> None:
    final = server.route("/final", Reply(body=FEED))
    for i, code in enumerate(codes):
        target = "/final" if i == len(codes) - 1 else f"/hop{i + 1}"
        server.route(f"/hop{i}", Reply(code, headers=(("Location", target),)))
    out = fetch_one(server.url("/hop0"))
    assert (out.kind, out.body, out.final_url) == ("ok", FEED, final)
    assert out.moved_to == (final if moved else None)


def test_permanent_redirect_to_a_failing_page_is_not_a_move(server: FeedServer) -> None:
    server.route("/old", Reply(301, headers=(("Location", "/broken"),)))
    server.route("/broken", Reply(500))
    out = fetch_one(server.url("/old"))
    assert (out.kind, out.status, out.moved_to) == ("error", 500, None)


def test_redirect_loop_and_limit(server: FeedServer) -> None:
    loop = server.route("/loop", Reply(302, headers=(("Location", "/loop"),)))
    out = fetch_one(loop)
    assert (out.kind, out.error) == ("error", "too many redirects (>5)")
    assert len(server.requests_to("/loop")) == 6  # the first request and five hops

    server.route("/r0", Reply(301, headers=(("Location", "/r1"),)))
    server.route("/r1", Reply(301, headers=(("Location", "/r2"),)))
    server.route("/r2", Reply(body=FEED))
    two_hops = FetchSettings(connect_timeout=2, read_timeout=2, deadline=3, max_redirects=2)
    assert fetch_one(server.url("/r0"), two_hops).kind == "ok"
    one_hop = FetchSettings(connect_timeout=2, read_timeout=2, deadline=3, max_redirects=1)
    assert fetch_one(server.url("/r0"), one_hop).error == "too many redirects (>1)"


def test_deadline_covers_a_slowly_streamed_body(server: FeedServer) -> None:
    # Each chunk arrives well within the read timeout and the whole body would take 15 s: only the
    # total deadline can stop this.
    url = server.route("/slow", Reply(body=b"x" * 400, chunk_size=4, chunk_delay=0.15))
    settings = FetchSettings(connect_timeout=2, read_timeout=2, deadline=0.5)
    out = fetch_one(url, settings)
    assert (out.kind, out.error, out.body) == ("error", "timed out after 0.5s", None)
    # The client gave up while the body was still streaming: the server saw it hang up.
    assert server.wait_for_hangup("/slow")


def test_read_timeout_before_headers(server: FeedServer) -> None:
    url = server.route("/stall", Reply(body=FEED, delay_before=1.0))
    out = fetch_one(url, FetchSettings(connect_timeout=2, read_timeout=0.2, deadline=3))
    assert (out.kind, out.error) == ("error", "read timed out after 0.2s")


@pytest.mark.parametrize("send_length", [True, False], ids=["content-length", "streamed"])
def test_oversized_body_is_rejected(server: FeedServer, send_length: bool) -> None:
    url = server.route("/big", Reply(body=b"y" * 50_000, send_length=send_length, chunk_size=1000))
    settings = FetchSettings(connect_timeout=2, read_timeout=2, deadline=3, max_body_bytes=10_000)
    out = fetch_one(url, settings)
    assert (out.kind, out.status, out.body) == ("error", 200, None)
    assert out.error == "body larger than 10000 bytes"


def test_body_exactly_at_the_cap_is_accepted(server: FeedServer) -> None:
    url = server.route("/exact", Reply(body=b"z" * 10_000, send_length=False, chunk_size=999))
    out = fetch_one(url, FetchSettings(max_body_bytes=10_000))
    assert out.kind == "ok" and out.body == b"z" * 10_000


def test_gzip_body_is_decoded_and_the_cap_applies_to_decoded_size(server: FeedServer) -> None:
    packed = gzip.compress(b"<rss/>" + b" " * 100_000)
    reply = Reply(body=packed, headers=(("Content-Encoding", "gzip"), ("Content-Type", "application/xml")))
    url = server.route("/gz", reply)
    assert fetch_one(url).body == b"<rss/>" + b" " * 100_000
    bomb = fetch_one(url, FetchSettings(max_body_bytes=50_000))
    assert len(packed) < 50_000
    assert bomb.error == "body larger than 50000 bytes"


def test_a_double_gzip_bomb_is_refused_before_it_is_inflated(server: FeedServer) -> None:
    inner = gzip.compress(b"\0" * (64 << 20))  # 64 MiB of zeros
    bomb = gzip.compress(inner)
    assert len(bomb) < 100_000
    reply = Reply(
        body=bomb, headers=(("Content-Encoding", "gzip, gzip"), ("Content-Type", "application/xml"))
    )
    url = server.route("/bomb", reply)
    tracemalloc.start()
    try:
        out = fetch_one(url, FetchSettings(max_body_bytes=1 << 20))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out.kind == "error" and out.error == f"body larger than {1 << 20} bytes"
    assert peak < 16 << 20, f"decoding took {peak >> 20} MiB for a 1 MiB cap"


def test_layered_and_deflate_encodings_decode_and_unknown_ones_are_refused(server: FeedServer) -> None:
    doc = b"<rss><channel><title>t</title></channel></rss>"
    for encoding, body in (
        ("gzip, gzip", gzip.compress(gzip.compress(doc))),
        ("deflate", zlib.compress(doc)),
        ("deflate", zlib.compress(doc)[2:-4]),  # raw deflate, as some servers send it
        ("identity", doc),
    ):
        url = server.route(f"/enc-{len(body)}", Reply(body=body, headers=(("Content-Encoding", encoding),)))
        assert fetch_one(url).body == doc, encoding
    url = server.route("/br", Reply(body=b"xx", headers=(("Content-Encoding", "br"),)))
    out = fetch_one(url)
    assert out.kind == "error" and out.error == "unsupported Content-Encoding 'br'"
    broken = server.route("/broken", Reply(body=b"not gzip at all", headers=(("Content-Encoding", "gzip"),)))
    assert (fetch_one(broken).error or "").startswith("could not decode body")


def test_connection_refused_and_invalid_urls() -> None:
    requests = [
        FetchRequest(1, f"http://127.0.0.1:{dead_port()}/feed"),
        FetchRequest(2, "not a url"),
        FetchRequest(3, "ftp://127.0.0.1/feed"),
        FetchRequest(4, "http://"),
    ]
    outs = fetch_all_sync(requests, FAST, now=clock)
    assert [(o.feed_id, o.kind, o.status, o.error) for o in outs] == [
        (1, "error", None, "connection refused"),
        (2, "error", None, "invalid URL"),
        (3, "error", None, "invalid URL"),
        (4, "error", None, "invalid URL"),
    ]


def test_one_failing_feed_does_not_affect_the_others(server: FeedServer) -> None:
    good = server.route("/good", Reply(body=FEED))
    slow = server.route("/slow", Reply(body=FEED, delay_before=2))
    requests = [
        FetchRequest(1, good),
        FetchRequest(2, f"http://127.0.0.1:{dead_port()}/"),
        FetchRequest(3, slow),
        FetchRequest(4, "::bad::"),
        FetchRequest(5, good),
    ]
    outs = fetch_all_sync(requests, FetchSettings(deadline=0.5, per_host_concurrency=5), now=clock)
    assert [(o.feed_id, o.kind) for o in outs] == [
        (1, "ok"),
        (2, "error"),
        (3, "error"),
        (4, "error"),
        (5, "ok"),
    ]
    assert outs[2].error == "timed out after 0.5s"


@pytest.mark.parametrize(("per_host", "total", "expected"), [(2, 10, 2), (1, 10, 1), (5, 3, 3)])
def test_concurrency_limits_are_observed_by_the_server(
    server: FeedServer, per_host: int, total: int, expected: int
) -> None:
    server.route("/feed", Reply(body=FEED, delay_before=0.15))
    settings = FetchSettings(deadline=5, per_host_concurrency=per_host, concurrency=total)
    outs = fetch_all_sync([FetchRequest(i, server.url("/feed")) for i in range(8)], settings, now=clock)
    assert [o.kind for o in outs] == ["ok"] * 8
    assert server.max_active == expected


def test_on_result_is_called_as_each_fetch_completes_sync_or_async(server: FeedServer) -> None:
    fast = server.route("/fast", Reply(body=FEED))
    slow = server.route("/slow", Reply(body=FEED, delay_before=0.3))
    seen: list[int] = []

    async def store(outcome: FetchOutcome) -> None:
        await asyncio.sleep(0)
        seen.append(outcome.feed_id)

    settings = FetchSettings(per_host_concurrency=2)
    outs = fetch_all_sync(
        [FetchRequest(1, slow), FetchRequest(2, fast)], settings, now=clock, on_result=store
    )
    assert seen == [2, 1]  # completion order
    assert [o.feed_id for o in outs] == [1, 2]  # request order

    plain: list[int] = []
    fetch_all_sync([FetchRequest(7, fast)], settings, now=clock, on_result=lambda o: plain.append(o.feed_id))
    assert plain == [7]


def test_an_exception_in_on_result_propagates(server: FeedServer) -> None:
    url = server.route("/feed", Reply(body=FEED))

    def broken(outcome: FetchOutcome) -> None:
        raise RuntimeError("storage bug")

    with pytest.raises(RuntimeError, match="storage bug"):
        fetch_all_sync([FetchRequest(i, url) for i in range(3)], FAST, now=clock, on_result=broken)


def test_should_stop_prevents_new_fetches(server: FeedServer) -> None:
    url = server.route("/feed", Reply(body=FEED))
    settings = FetchSettings(concurrency=1, per_host_concurrency=1)
    # One fetch at a time: when the third asks, two requests have reached the server.
    outs = fetch_all_sync(
        [FetchRequest(i, url) for i in range(5)],
        settings,
        now=clock,
        should_stop=lambda: len(server.requests) >= 2,
    )
    assert [o.feed_id for o in outs] == [0, 1]
    assert len(server.requests) == 2


def test_fetch_all_runs_inside_an_existing_loop(server: FeedServer) -> None:
    url = server.route("/feed", Reply(body=FEED))
    outs = asyncio.run(fetch_all([FetchRequest(1, url)], FAST, now=clock))
    assert outs[0].kind == "ok"
    assert asyncio.run(fetch_all([], FAST, now=clock)) == []


def test_parse_retry_after() -> None:
    assert parse_retry_after("0", NOW) == 0.0
    assert parse_retry_after(" 3600 ", NOW) == 3600.0
    assert parse_retry_after("Sat, 01 Mar 2025 12:05:00 GMT", NOW) == 300.0
    assert parse_retry_after("Sat, 01 Mar 2025 11:00:00 GMT", NOW) == 0.0  # in the past
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after("-5", NOW) is None
    assert parse_retry_after("", NOW) is None
    assert parse_retry_after(None, NOW) is None


def test_parse_cache_control() -> None:
    assert parse_cache_control("max-age=600") == 600
    assert parse_cache_control("public, s-maxage=10, max-age=60") == 60
    assert parse_cache_control("no-cache, max-age=600") is None
    assert parse_cache_control("max-age=600, no-store") is None
    assert parse_cache_control("private") is None
    assert parse_cache_control(None) is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"deadline": 0},
        {"connect_timeout": -1},
        {"max_body_bytes": 0},
        {"max_redirects": -1},
        {"user_agent": " "},
    ],
)
def test_settings_reject_nonsense(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="FetchSettings"):
        FetchSettings(**kwargs)  # type: ignore[arg-type]


def test_fetches_wait_while_the_caller_holds_as_many_bodies_as_it_admits(server: FeedServer) -> None:
    url = server.route("/feed", Reply(body=FEED))
    held = 0
    most = 0
    done: list[int] = []

    async def run() -> list[FetchOutcome]:
        admit = asyncio.Semaphore(2)
        tasks: list[asyncio.Task[None]] = []

        async def handle(outcome: FetchOutcome) -> None:
            nonlocal held
            await asyncio.sleep(0.05)  # a store that takes a while, after on_result has returned
            done.append(outcome.feed_id)
            held -= 1
            admit.release()

        def on_result(outcome: FetchOutcome) -> None:
            nonlocal held, most
            held += 1
            most = max(most, held)
            tasks.append(asyncio.create_task(handle(outcome)))

        settings = FetchSettings(connect_timeout=2, read_timeout=2, deadline=3, concurrency=8)
        outcomes = await fetch_all(
            [FetchRequest(i, url) for i in range(10)], settings, now=clock, on_result=on_result, admit=admit
        )
        await asyncio.gather(*tasks)
        return outcomes

    outcomes = asyncio.run(run())
    assert sorted(o.feed_id for o in outcomes) == list(range(10)) and sorted(done) == list(range(10))
    assert most == 2  # eight connections allowed, but never more than two bodies held


def test_a_body_handed_to_on_result_is_not_kept_until_every_fetch_is_done(server: FeedServer) -> None:
    # Each finished fetch task kept its result, body included, for as long as the task list lived:
    # a poll of 1,000 feeds held every body to its end (RSS +50 MB in a steady round).
    size, feeds = 256_000, 40
    url = server.route("/big", Reply(body=b"<rss>" + b"x" * size + b"</rss>"))
    held_at_end = 0
    seen = 0

    def on_result(outcome: FetchOutcome) -> None:
        nonlocal held_at_end, seen
        assert outcome.body is not None and len(outcome.body) > size
        seen += 1
        if seen == feeds:  # the caller has dropped every body but this one
            held_at_end = tracemalloc.get_traced_memory()[0]

    settings = FetchSettings(connect_timeout=2, read_timeout=2, deadline=5, concurrency=4)
    tracemalloc.start()
    try:
        outcomes = asyncio.run(
            fetch_all([FetchRequest(i, url) for i in range(feeds)], settings, now=clock, on_result=on_result)
        )
    finally:
        tracemalloc.stop()
    assert seen == feeds and all(o.body is None for o in outcomes)  # the returned copies carry none
    assert held_at_end < 12 * size, f"{held_at_end >> 20} MiB held after {feeds} bodies of {size >> 10} KiB"


def test_admit_needs_an_on_result_to_give_the_slots_back() -> None:
    async def run() -> None:
        await fetch_all([FetchRequest(1, "http://127.0.0.1:9/")], FAST, now=clock, admit=asyncio.Semaphore(1))

    with pytest.raises(ValueError, match="on_result"):
        asyncio.run(run())
