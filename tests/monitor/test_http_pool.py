"""monitor.feeds.http_pool: the fetch client's pool, against real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

from monitor.feeds import http_pool
from monitor.feeds.fetch import FetchSettings, _client

BODY = b"<rss/>"


class ClosingServer:
    """Answers one HTTP/1.1 request per connection as if keeping it alive (no ``Connection:
    close``), then closes it: what a server does when its keep-alive timeout is shorter than ours."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.connections = 0
        self.closed = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                    + f"Content-Length: {len(BODY)}\r\n\r\n".encode()
                    + BODY
                )
            self.closed.set()

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def closing_server() -> Iterator[ClosingServer]:
    server = ClosingServer()
    yield server
    server.close()


async def three_gets(url: str, server: ClosingServer) -> list[int]:
    statuses = []
    async with _client(FetchSettings()) as client:
        assert http_pool.uses_cheap_pool(client)
        for _ in range(3):
            server.closed.clear()
            response = await client.get(url)
            statuses.append(response.status_code)
            # the server has closed the connection before the next request is pooled
            assert server.closed.wait(5)
            await asyncio.sleep(0.05)
    return statuses


def test_a_connection_the_server_closed_while_idle_is_not_reused(closing_server: ClosingServer) -> None:
    url = f"http://127.0.0.1:{closing_server.port}/feed"
    assert asyncio.run(three_gets(url, closing_server)) == [200, 200, 200]
    assert closing_server.connections == 3


def test_the_check_is_what_finds_the_close(
    closing_server: ClosingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A check that never sees the close reuses the dead connection: the test above can fail.
    monkeypatch.setattr(http_pool, "_readable", lambda sock: False)
    url = f"http://127.0.0.1:{closing_server.port}/feed"
    with pytest.raises(httpx.RemoteProtocolError):
        asyncio.run(three_gets(url, closing_server))


def test_readable_tells_idle_from_closed_or_pending() -> None:
    a, b = socket.socketpair()
    try:
        assert not http_pool._readable(a)
        b.sendall(b"x")
        assert http_pool._readable(a)
        a.recv(1)
        b.close()
        assert http_pool._readable(a)  # the peer closed: a read returns b""
    finally:
        a.close()
    assert http_pool._readable(a)  # closed here: fileno() is -1
    assert http_pool._readable(None)


def test_the_fetch_client_keeps_the_proxies_of_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    async def check() -> None:
        async with _client(FetchSettings()) as client:
            assert http_pool.uses_cheap_pool(client)
            assert any(pattern.scheme == "https" for pattern in client._mounts)

    asyncio.run(check())


def test_install_leaves_a_client_it_does_not_know_as_it_was() -> None:
    async def check() -> None:
        transport = httpx.MockTransport(lambda request: httpx.Response(200))
        async with httpx.AsyncClient(transport=transport) as client:
            assert not http_pool.install_cheap_pool(client, httpx.Limits())
            assert client._transport is transport
            assert not http_pool.uses_cheap_pool(client)

    asyncio.run(check())
