"""The async client's wire: requests sent straight through one aiohttp session.

Why aiohttp rather than httpx's async stack: see the package docstring (client/__init__.py).
Why straight through, not behind an httpx transport adapter (as this module first did):
building an httpx.Request, merging its headers, re-parsing its URL and wrapping every answer in
an httpx.Response cost more CPU than aiohttp itself, and at the default concurrency on two shared
cores that CPU decides how close the fan-out gets to the latency bound (bench/fetch_throughput.py,
"Fetch" in docs/benchmarks.md).

What stays shared with the sync client's httpx transport, so behaviour does not depend on the
wire: the retry policy, the gate and the counters (transport.py), the query-string and JSON-body
encodings (httpx's own, see `encoded_query` and `encoded_json`), and the exception types —
aiohttp's failures are mapped onto the httpx exceptions the retry policy already classifies.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any

import aiohttp
import httpx
import yarl

from relate_pipeline.client.config import ClientSettings
from relate_pipeline.client.wire import JSON_BODY_HEADERS, Reply, default_headers, encoded_query

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


def as_httpx_error(exc: BaseException) -> httpx.TransportError | None:
    """The httpx exception the retry policy knows for an aiohttp failure, or None if not one.

    The message keeps aiohttp's type and text; the aiohttp exception itself is not chained,
    because some (ClientResponseError) carry the request headers, API key included, in their repr.
    """
    for source, target in _EXCEPTION_MAP:
        if isinstance(exc, source):
            detail = str(exc)
            return target(f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__)
    return None


class AiohttpSender:
    """Sends requests over one aiohttp session with at most `max_concurrency` sockets.

    Timeouts mirror the httpx clients': `connect_timeout` to open a socket, `timeout` to wait for
    a free connection and between reads. The default headers (the API key among them) are set once
    on the session and never copied per request. Redirects are never followed; compressed bodies
    are decoded, as httpx does.

    aiohttp itself resends an idempotent request once, at once, when a reused keep-alive
    connection turns out to be dead (RFC 9112 §9.3.1); such resends happen below the retry policy
    and are not counted in RequestStats. HTTP(S)_PROXY is not consulted: aiohttp's trust_env
    re-reads the environment and netrc in a worker thread on every request, which measured as
    costly as the rest of the request, so the async client does not support proxies.
    """

    def __init__(self, settings: ClientSettings, ssl_context: ssl.SSLContext) -> None:
        self._settings = settings
        self._ssl_context = ssl_context
        self._session: aiohttp.ClientSession | None = None

    def _session_for_running_loop(self) -> aiohttp.ClientSession:
        if self._session is None:
            settings = self._settings
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=settings.max_concurrency, ssl=self._ssl_context
                ),
                headers=default_headers(settings),
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    connect=settings.timeout,
                    sock_connect=settings.connect_timeout,
                    sock_read=settings.timeout,
                ),
            )
        return self._session

    async def send(
        self, method: str, url: str, params: Mapping[str, Any] | None, body: bytes | None
    ) -> Reply:
        session = self._session_for_running_loop()
        if params:
            url = f"{url}?{encoded_query(params)}"
        try:
            async with session.request(
                method,
                yarl.URL(url, encoded=True),
                data=body,
                headers=None if body is None else JSON_BODY_HEADERS,
                allow_redirects=False,
            ) as response:
                return Reply(response.status, response.headers, await response.read())
        except Exception as exc:
            failure = as_httpx_error(exc)
            if failure is None:
                raise
        # Raised outside the handler so the aiohttp exception is not even the implicit context.
        raise failure

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
