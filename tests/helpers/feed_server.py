"""A real threaded HTTP server on 127.0.0.1 for the feed tests, with scripted responses.

Each route answers with a ``Reply`` (or a function of the recorded request returning one); every
request is recorded with its headers, and the server counts how many requests were in flight at
once, so tests can check politeness limits from the server's side.
"""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

__all__ = ["FeedServer", "Recorded", "Reply", "dead_port"]


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/rss+xml"),)
    send_length: bool = True
    delay_before: float = 0.0
    chunk_size: int = 0
    chunk_delay: float = 0.0
    reason: str | None = None  # the status line's reason phrase (default: the standard one)


@dataclass(frozen=True)
class Recorded:
    path: str
    headers: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


Route = Reply | Callable[[Recorded], Reply]


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        owner = self.server.owner
        recorded = Recorded(self.path, {k.lower(): v for k, v in self.headers.items()})
        owner._enter(recorded)
        try:
            route = owner.routes.get(self.path.split("?")[0])
            if route is None:
                reply = Reply(404, b"not found", (("Content-Type", "text/plain"),))
            else:
                reply = route(recorded) if callable(route) else route
            self._send(reply)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            owner._hung_up(recorded)  # the client gave up (deadline, size cap): expected in these tests
        finally:
            owner._leave()

    def _send(self, reply: Reply) -> None:
        if reply.delay_before:
            time.sleep(reply.delay_before)
        self.send_response(reply.status, reply.reason)
        for name, value in reply.headers:
            self.send_header(name, value)
        if reply.send_length:
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if not reply.chunk_size:
            self.wfile.write(reply.body)
            return
        for start in range(0, len(reply.body), reply.chunk_size):
            self.wfile.write(reply.body[start : start + reply.chunk_size])
            self.wfile.flush()
            if reply.chunk_delay:
                time.sleep(reply.chunk_delay)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 drops connections when several pollers open dozens at once
    # (the fault suite's three daemons): clients then see connect timeouts the test did not ask for.
    request_queue_size = 256
    owner: FeedServer

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client hanging up mid-response is part of what is being tested


class FeedServer:
    """``with FeedServer() as server: server.route("/feed", Reply(...)); server.url("/feed")``."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Recorded] = []
        self.max_active = 0
        self.hangups: list[Recorded] = []
        self._active = 0
        self._lock = threading.Lock()
        self._hangup = threading.Condition(self._lock)
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05})

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, reply: Route) -> str:
        self.routes[path] = reply
        return self.url(path)

    def requests_to(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    def _enter(self, recorded: Recorded) -> None:
        with self._lock:
            self.requests.append(recorded)
            self._active += 1
            self.max_active = max(self.max_active, self._active)

    def wait_for_hangup(self, path: str, timeout: float = 10.0) -> bool:
        """Whether the client hung up on a response to ``path`` before it was all sent (waits for it)."""
        with self._hangup:
            return self._hangup.wait_for(lambda: any(r.path == path for r in self.hangups), timeout)

    def _hung_up(self, recorded: Recorded) -> None:
        with self._hangup:
            self.hangups.append(recorded)
            self._hangup.notify_all()

    def _leave(self) -> None:
        with self._lock:
            self._active -= 1

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def dead_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
