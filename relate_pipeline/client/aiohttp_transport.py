"""An httpx transport that sends requests through aiohttp.

Why: measured against the emulator on a 2-core machine, httpx's default async stack
(httpcore + anyio) spends ~2 ms of CPU per 68 KiB recording even with small sharded pools, and
~15 ms once one pool holds 64 connections (encode/httpcore#1035, encode/httpx#3215); aiohttp's C
parser and connector spend ~0.7 ms. At 64 requests in flight that is the difference between
reaching the latency bound and being CPU-bound at a third of it (see bench/fetch_throughput.py).

The client still speaks httpx everywhere — requests, responses, timeouts and exceptions — so the
retry policy and error handling are identical for both transports. aiohttp is already a project
dependency. The same idea is packaged as `httpx-aiohttp`; this module is the ~100 lines the client
needs, with the exception mapping pinned down by the emulator's drop and stall faults.
"""

from __future__ import annotations

import ssl

import aiohttp
import httpx
import yarl

# First match wins, so subclasses come before their bases.
_EXCEPTION_MAP: tuple[tuple[type[BaseException], type[httpx.TransportError]], ...] = (
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),
    (aiohttp.SocketTimeoutError, httpx.ReadTimeout),
    (aiohttp.ServerTimeoutError, httpx.ReadTimeout),
    (aiohttp.ClientConnectorError, httpx.ConnectError),
    (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
    (aiohttp.ClientPayloadError, httpx.RemoteProtocolError),
    (aiohttp.ClientResponseError, httpx.RemoteProtocolError),
    (aiohttp.ClientOSError, httpx.ReadError),
    (TimeoutError, httpx.ReadTimeout),
    (aiohttp.ClientError, httpx.TransportError),
)


def _as_httpx_error(exc: BaseException, request: httpx.Request) -> httpx.TransportError | None:
    for source, target in _EXCEPTION_MAP:
        if isinstance(exc, source):
            return target(str(exc) or type(exc).__name__, request=request)
    return None


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Sends httpx requests over one aiohttp session with at most `max_connections` sockets.

    Timeouts come from each request's httpx timeout extension (connect → sock_connect, read →
    sock_read, pool → acquiring a connection). Bodies are read in full and handed to httpx still
    encoded, so httpx does the content decoding exactly as with its own transport. Redirects are
    never followed here.

    aiohttp itself resends an idempotent request once, at once, when a reused keep-alive
    connection turns out to be dead (RFC 9112 §9.3.1); such resends happen below the retry policy
    and are not counted in RequestStats. HTTP(S)_PROXY is not consulted: aiohttp's trust_env
    re-reads the environment and netrc in a worker thread on every request, which measured as
    half this transport's cost; behind a proxy, choose async_transport="httpcore".
    """

    def __init__(self, *, max_connections: int, ssl_context: ssl.SSLContext) -> None:
        self._max_connections = max_connections
        self._ssl_context = ssl_context
        self._session: aiohttp.ClientSession | None = None

    def _session_for_running_loop(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=self._max_connections, ssl=self._ssl_context
                ),
                auto_decompress=False,
            )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._session_for_running_loop()
        timeouts = request.extensions.get("timeout", {})
        body = await request.aread()
        try:
            async with session.request(
                request.method,
                yarl.URL(str(request.url), encoded=True),
                headers=list(request.headers.multi_items()),
                data=body or None,
                allow_redirects=False,
                compress=False,
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    connect=timeouts.get("pool"),
                    sock_connect=timeouts.get("connect"),
                    sock_read=timeouts.get("read"),
                ),
            ) as response:
                content = await response.read()
                status, headers, reason = response.status, response.raw_headers, response.reason
        except Exception as exc:
            mapped = _as_httpx_error(exc, request)
            if mapped is None:
                raise
            raise mapped from exc
        extensions = {"http_version": b"HTTP/1.1"}
        if reason:
            extensions["reason_phrase"] = reason.encode("latin-1", errors="replace")
        return httpx.Response(
            status, headers=headers, content=content, request=request, extensions=extensions
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
