"""The fetch client's connection pool, with a cheaper check of idle connections.

httpcore asks every idle pooled connection whether its socket is readable (a server that closed it)
each time a request enters or leaves the pool, so a poll of 1,000 feeds asks some 30,000 times. Its
AnyIO stream answers through anyio's extra attributes, which build a dict of callables and call
``getpeername`` on every access: on a 1,000-feed re-poll that was 1.2 s of the 3 s spent fetching
(py-spy). The stream here finds the socket once and polls it, which is the same check.

The pool is swapped into the client's own transport (``AsyncClient._transport``) rather than
passed as ``transport=``: a client given a transport no longer mounts the proxies of the
environment (``HTTPS_PROXY``), which a daemon behind a proxy relies on. Both attributes are
httpx's private ones (``httpx>=0.27,<0.29`` in pyproject.toml); if they are not what this module
expects, the client keeps httpx's own pool, and ``tests/monitor/test_http_pool.py`` fails so an
upgrade does not lose the speed-up unnoticed.
"""

from __future__ import annotations

import select
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

__all__ = ["install_cheap_pool", "uses_cheap_pool"]


def _readable(sock: socket.socket | None) -> bool:
    """httpcore's ``is_socket_readable``: True when a read would not block (data, or the peer
    closed), and for a socket already gone."""
    if sock is None:
        return True
    fd = sock.fileno()
    if fd < 0:
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class _Stream(httpcore.AsyncNetworkStream):
    """An AnyIO stream that answers ``is_readable`` from the socket it found when it connected."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket: socket.socket | None = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return _readable(self._socket)
        return self._inner.get_extra_info(info)


class _Backend(httpcore.AsyncNetworkBackend):
    """httpcore's AnyIO backend (what it picks under asyncio), its streams wrapped in :class:`_Stream`."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.connect_tcp(host, port, timeout, local_address, socket_options))

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def install_cheap_pool(client: httpx.AsyncClient, limits: httpx.Limits) -> bool:
    """Give the client's direct (non-proxy) transport a pool built as httpx builds it, on
    :class:`_Backend`. Returns whether it did (False: httpx's internals are not the expected ones,
    and the client is left as it was). Call before the client sends anything."""
    transport = getattr(client, "_transport", None)
    if not isinstance(transport, httpx.AsyncHTTPTransport):
        return False
    pool = getattr(transport, "_pool", None)
    if type(pool) is not httpcore.AsyncConnectionPool:
        return False
    context = getattr(pool, "_ssl_context", None)
    if not isinstance(context, ssl.SSLContext):
        return False
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        http1=True,
        http2=False,
        network_backend=_Backend(),
    )
    return True


def uses_cheap_pool(client: httpx.AsyncClient) -> bool:
    """Whether the client's direct transport pools its connections on :class:`_Backend`."""
    pool = getattr(getattr(client, "_transport", None), "_pool", None)
    return isinstance(getattr(pool, "_network_backend", None), _Backend)
