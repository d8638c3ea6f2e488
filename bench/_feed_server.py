"""The ingest benchmark's feed server, run as its own process: ``python -m bench._feed_server``.

Serves ``/feed/<n>.xml`` for ``--feeds`` generated feeds (``bench.ingest_feeds``) on ``--hosts``
loopback addresses (127.0.0.1, 127.0.0.2 ...; one port), so a client's per-host politeness limit
sees several hosts as it would on real feeds. Answers ``304 Not Modified`` to a matching
``If-None-Match`` or a not-older ``If-Modified-Since`` unless validators are switched off.

Control, on 127.0.0.1 only: ``GET /_control?round=R&validators=0|1`` switches the round (bodies are
rendered before the answer, so no client pays for rendering) and the validator handling, and
answers the state and the counters as JSON; ``GET /_control?reset_stats=1`` zeroes the counters
(the answer holds them as they were).

On start it prints one JSON line on stdout: ``{"port": P, "hosts": [...]}``.
"""

from __future__ import annotations

import argparse
import hashlib
import http.server
import json
import sys
import threading
from collections.abc import Sequence
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import parse_qs, urlsplit

from bench import ingest_feeds as gen


def feed_url(hosts: Sequence[str], port: int, feed: int) -> str:
    """Feed ``feed``'s address: the feeds take the loopback addresses in turn."""
    return f"http://{hosts[feed % len(hosts)]}:{port}/feed/{feed}.xml"


class State:
    def __init__(self, seed: int, feeds: int, t0: datetime, hosts: Sequence[str], port: int) -> None:
        self.seed, self.feeds, self.t0, self.hosts, self.port = seed, feeds, t0, tuple(hosts), port
        self.lock = threading.Lock()
        self.round = -1
        self.validators = True
        self.bodies: list[tuple[bytes, str, str, datetime]] = []
        self._round0: list[tuple[bytes, str, str, datetime]] | None = None
        self.stats = {"200": 0, "304": 0, "404": 0, "items_served": 0, "bytes": 0, "connection_errors": 0}

    def base_url(self, feed: int) -> str:
        return feed_url(self.hosts, self.port, feed)

    def set_round(self, round_: int) -> None:
        if round_ == self.round:
            return
        if round_ == 0 and self._round0 is not None:
            bodies = self._round0
        else:
            bodies = []
            for feed in range(self.feeds):
                items = gen.window(self.seed, feed, round_, self.t0)
                body = gen.render(feed, items, self.base_url(feed))
                etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
                newest = max(i.published for i in items)
                bodies.append((body, etag, format_datetime(newest, usegmt=True), newest))
            if round_ == 0:
                self._round0 = bodies
        with self.lock:
            self.bodies, self.round = bodies, round_


class Handler(http.server.BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        state = self.server.state
        parts = urlsplit(self.path)
        if parts.path == "/_control":
            self._control(state, parse_qs(parts.query))
            return
        name = parts.path.removeprefix("/feed/").removesuffix(".xml")
        with state.lock:
            bodies, validators = state.bodies, state.validators
        if not name.isdigit() or int(name) >= len(bodies):
            self._send(404, b"not found", "text/plain")
            return
        body, etag, last_modified, newest = bodies[int(name)]
        if validators and self._not_modified(etag, newest):
            with state.lock:
                state.stats["304"] += 1
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with state.lock:
            state.stats["200"] += 1
            state.stats["items_served"] += gen.ITEMS_PER_FEED
            state.stats["bytes"] += len(body)
        kind = "application/atom+xml" if gen.feed_format(int(name)) == "atom" else "application/rss+xml"
        self._send(200, body, kind + "; charset=utf-8", (("ETag", etag), ("Last-Modified", last_modified)))

    def _not_modified(self, etag: str, newest: datetime) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match.strip() == "*"
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return parsedate_to_datetime(since) >= newest.replace(microsecond=0)
            except (TypeError, ValueError):
                return False
        return False

    def _control(self, state: State, query: dict[str, list[str]]) -> None:
        if self.client_address[0] != "127.0.0.1":
            self._send(403, b"forbidden", "text/plain")
            return
        if "validators" in query:
            state.validators = query["validators"][0] not in ("0", "false", "off")
        if "round" in query:
            state.set_round(int(query["round"][0]))
        with state.lock:
            answer = {"round": state.round, "validators": state.validators, "stats": dict(state.stats)}
            if "reset_stats" in query:  # the answer has the counters from before the reset
                state.stats = dict.fromkeys(state.stats, 0)
        self._send(200, json.dumps(answer).encode(), "application/json")

    def _send(self, status: int, body: bytes, kind: str, headers: Sequence[tuple[str, str]] = ()) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except ConnectionError:  # the client gave up
            with self.server.state.lock:
                self.server.state.stats["connection_errors"] += 1

    def log_message(self, format: str, *args: object) -> None:
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    state: State

    def handle_error(self, request: object, client_address: object) -> None:
        """A reset connection is counted (``connection_errors``) rather than printed as a traceback."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            with self.state.lock:
                self.state.stats["connection_errors"] += 1
        else:
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench._feed_server")
    parser.add_argument("--feeds", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--t0", required=True, help="item 0's publication time, ISO 8601")
    parser.add_argument("--hosts", type=int, default=16, help="loopback addresses to listen on (1..16)")
    parser.add_argument("--no-keepalive", action="store_true", help="HTTP/1.0: one request per connection")
    args = parser.parse_args(argv)
    if args.no_keepalive:
        Handler.protocol_version = "HTTP/1.0"
    hosts = [f"127.0.0.{n}" for n in range(1, max(1, min(args.hosts, 16)) + 1)]
    first = Server((hosts[0], 0), Handler)
    port = int(first.server_address[1])
    servers = [first] + [Server((host, port), Handler) for host in hosts[1:]]
    state = State(args.seed, args.feeds, datetime.fromisoformat(args.t0), hosts, port)
    state.set_round(0)
    for server in servers:
        server.state = state
    threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2}) for s in servers]
    for thread in threads:
        thread.start()
    print(json.dumps({"port": port, "hosts": hosts}), flush=True)
    try:
        sys.stdin.read()  # runs until the harness closes our stdin (or dies)
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
